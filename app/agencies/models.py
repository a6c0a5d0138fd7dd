"""Agencies and 287(g) agreements; an ended agreement is a status, never a deletion."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import TimestampMixin, UTCDateTime


class ProgramModel(StrEnum):
    JEM = "JEM"  # Jail Enforcement Model
    TFM = "TFM"  # Task Force Model
    WSO = "WSO"  # Warrant Service Officer

    @property
    def label(self) -> str:
        return {
            "JEM": "Jail Enforcement Model",
            "TFM": "Task Force Model",
            "WSO": "Warrant Service Officer",
        }[self.value]


class AgreementStatus(StrEnum):
    ACTIVE = "active"
    TERMINATED = "terminated"


class Agency(TimestampMixin, db.Model):
    """A state or local law enforcement agency (LEA)."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The FBI Originating Agency Identifier: nine characters, state first.
    ori: Mapped[str] = mapped_column(String(9), unique=True)
    state: Mapped[str] = mapped_column(String(2), index=True)
    field_office: Mapped[str | None] = mapped_column(String(80), default=None)
    poc_email: Mapped[str | None] = mapped_column(String(254), default=None)

    users = relationship("User", back_populates="agency")
    agreements = relationship(
        "Agreement", back_populates="agency", order_by="Agreement.signed_on"
    )

    def __repr__(self) -> str:
        return f"<Agency {self.ori} {self.name}>"


class Agreement(TimestampMixin, db.Model):
    """A 287(g) memorandum of agreement between ICE and one agency."""

    __tablename__ = "agreement"
    __table_args__ = (
        CheckConstraint("model IN ('JEM', 'TFM', 'WSO')", name="model"),
        CheckConstraint("status IN ('active', 'terminated')", name="status"),
        CheckConstraint(
            "(status = 'active' AND terminated_on IS NULL) OR "
            "(status = 'terminated' AND terminated_on IS NOT NULL "
            "AND termination_reason IS NOT NULL)",
            name="termination_recorded",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    model: Mapped[str] = mapped_column(String(3))
    signed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=AgreementStatus.ACTIVE.value)
    terminated_on: Mapped[date | None] = mapped_column(Date, default=None)
    termination_reason: Mapped[str | None] = mapped_column(Text, default=None)
    terminated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), default=None)
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    agency = relationship("Agency", back_populates="agreements")

    @property
    def model_enum(self) -> ProgramModel:
        return ProgramModel(self.model)

    def __repr__(self) -> str:
        return f"<Agreement {self.model} agency={self.agency_id} {self.status}>"


class RosterUpload(db.Model):
    """An uploaded roster CSV held between preview and confirmation (then marked consumed)."""

    __tablename__ = "roster_upload"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
