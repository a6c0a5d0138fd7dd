"""User accounts and the record of sign-in attempts."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.emails import normalize_email  # noqa: F401  (callers import it from here too)
from app.auth.roles import ROLE_VALUES, Role
from app.extensions import db
from app.models import TimestampMixin, UTCDateTime, utcnow


class User(UserMixin, TimestampMixin, db.Model):
    """A person who signs in: an officer, instructor, credentialing user, manager or admin."""

    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint(
            "role IN (" + ", ".join(f"'{r}'" for r in ROLE_VALUES) + ")", name="role"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored normalized, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id"), index=True, default=None
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    badge_number: Mapped[str | None] = mapped_column(String(40), default=None)  # never shown publicly
    supervisor_email: Mapped[str | None] = mapped_column(String(254), default=None)
    password_hash: Mapped[str | None] = mapped_column(String(256), default=None)

    agency = relationship("Agency", back_populates="users")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return bool(self.active)

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of the password."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Return True when the password matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class SignInAttempt(db.Model):
    """One sign-in attempt, kept so lockout holds across restarts and processes."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (Index("ix_sign_in_attempt_email_at", "email", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # success | failure | locked (refused during a lockout; does not extend it)
    outcome: Mapped[str] = mapped_column(String(10))
    remote_addr: Mapped[str | None] = mapped_column(String(64), default=None)


class ApiToken(db.Model):
    """A bearer token for the API, shown once and stored only as a SHA-256 hash."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    user = relationship("User")
