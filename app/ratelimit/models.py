"""A fixed-window counter per key (for example "login:ip:203.0.113.9"), shared by all processes."""
from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class RateLimitBucket(db.Model):
    """How many hits `key` has had in the window that starts at `window_start` (Unix seconds)."""

    __tablename__ = "rate_limit_bucket"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
