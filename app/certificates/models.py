"""Issued certificates: frozen PDF bytes, their hash, and a status that is never a deletion."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.extensions import db
from app.models import UTCDateTime


class Certificate(db.Model):
    """A signed completion certificate. Revoked and superseded are statuses; expiry is a date."""

    __tablename__ = "certificate"
    __table_args__ = (
        CheckConstraint("status IN ('valid', 'revoked', 'superseded')", name="status"),
        CheckConstraint("kind IN ('basic', 'refresher')", name="kind"),
        CheckConstraint("origin IN ('issued', 'imported')", name="origin"),
        # A certificate signed here always keeps its frozen bytes; only a record
        # imported from an earlier system may lack them.
        CheckConstraint("origin = 'imported' OR (pdf IS NOT NULL AND sha256 IS NOT NULL)",
                        name="issued_has_pdf"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(String(24), unique=True)
    # One certificate per completion: issuing twice for one completion issues once.
    completion_id: Mapped[int] = mapped_column(ForeignKey("course_completion.id"), unique=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    course_key: Mapped[str] = mapped_column(String(40))
    course_code: Mapped[str] = mapped_column(String(20))
    course_title: Mapped[str] = mapped_column(String(300))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"))
    course_version_hash: Mapped[str] = mapped_column(String(64))
    holder_name: Mapped[str] = mapped_column(String(200))
    agency_name: Mapped[str] = mapped_column(String(200))
    program_model: Mapped[str] = mapped_column(String(3))
    completed_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[date] = mapped_column(Date)
    issuing_official: Mapped[str] = mapped_column(String(200))
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))  # frozen at issue
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # "issued": signed by this system. "imported": a record carried over from an
    # earlier system (its serial verifies, but there is no PDF here to download).
    origin: Mapped[str] = mapped_column(String(10), default="issued", server_default="issued")
    status: Mapped[str] = mapped_column(String(12), default="valid")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_by: Mapped[str | None] = mapped_column(String(254), default=None)
    revocation_reason: Mapped[str | None] = mapped_column(Text, default=None)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"), default=None)

    officer = relationship("User", foreign_keys=[officer_id])

    def status_on(self, today: date) -> str:
        """Return valid, expired, superseded or revoked as of `today`."""
        return certificate_status(self.status, self.valid_until, today)


def certificate_status(stored: str, valid_until: date, today: date) -> str:
    """Combine the stored status with the date: revoked and superseded win, then expiry."""
    if stored in ("revoked", "superseded"):
        return stored
    return "expired" if today > valid_until else "valid"
