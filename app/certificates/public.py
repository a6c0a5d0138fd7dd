"""A certificate's public record, read for the verification page and the API lookup.

These two are the most requested pages of the system (a credentialing office
checks hundreds of certificates a day, agencies' systems call the API), and
they show a handful of columns. So they read exactly those columns with one
Core statement, skipping the ORM's identity map and object construction, and
are never cached: a revocation shows on the next request, in every process.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Row

from app.certificates.models import Certificate, certificate_status
from app.certificates.serials import normalize_serial
from app.extensions import db

_PUBLIC = select(
    Certificate.serial, Certificate.holder_name, Certificate.course_code, Certificate.course_title,
    Certificate.issued_at, Certificate.valid_until, Certificate.status, Certificate.revoked_at,
    Certificate.revocation_reason, Certificate.origin)


def public_record(text: str) -> Row | None:
    """The public columns of the certificate with this serial as typed (forgiving of case,
    hyphens and I/L/O), or None."""
    serial = normalize_serial(text)
    if serial is None:
        return None
    return db.session.connection().execute(_PUBLIC.where(Certificate.serial == serial)).first()


def public_status(record: Row, today: date) -> str:
    """valid, expired, revoked or superseded on `today`."""
    return certificate_status(record.status, record.valid_until, today)
