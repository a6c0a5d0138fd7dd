"""Grants of delegated authority (with their signed letters) and withdrawals."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.extensions import db
from app.models import UTCDateTime


class AuthorityGrant(db.Model):
    """An authorization to exercise delegated authority under one agreement, for a period."""

    __tablename__ = "authority_grant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id"))  # the training it rests on
    effective_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    renewal_of_id: Mapped[int | None] = mapped_column(ForeignKey("authority_grant.id"), default=None)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    letter_number: Mapped[str] = mapped_column(String(40), unique=True)
    letter_pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    letter_sha256: Mapped[str] = mapped_column(String(64))

    officer = relationship("User", foreign_keys=[officer_id])
    granted_by = relationship("User", foreign_keys=[granted_by_id])
    agreement = relationship("Agreement")
    certificate = relationship("Certificate")


class AuthorityWithdrawal(db.Model):
    """A written notice withdrawing one officer's authority from an effective date."""

    __tablename__ = "authority_withdrawal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    withdrawn_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime)

    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])
