"""Use cases for certificates: issue (sign and freeze), revoke, verify.

Verification is one service used by the public page, the upload page, the
API and the CLI, so all four give the same verdict for the same file.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.agencies.models import Agreement
from app.assessments.models import CourseCompletion
from app.audit import audit_record
from app.certificates.keys import KeyMaterial, load_key_material
from app.certificates.models import Certificate
from app.certificates.pdf import CertificateData, certificate_pdf, read_serial
from app.certificates.serials import new_serial, normalize_serial
from app.dates import add_years
from app.certificates.signing import check_signature, make_signer, sign_pdf
from app.courses.models import Course, CourseVersion, Enrollment
from app.extensions import db


class CertificateError(ValueError):
    """A certificate request that cannot be carried out, with the reason."""


def key_material() -> KeyMaterial:
    """Return this process's signing keys, loaded once."""
    cache = current_app.extensions.setdefault("certificate_keys", {})
    if "material" not in cache:
        material = load_key_material(current_app.config)
        cache["material"], cache["signer"] = material, make_signer(material)
    return cache["material"]


def signer():
    key_material()
    return current_app.extensions["certificate_keys"]["signer"]


def refresher_years(model: str) -> int:
    """Return the refresher period of a program model, in years (a setting)."""
    return int(current_app.config["REFRESHER_YEARS"].get(model, current_app.config["REFRESHER_YEARS_DEFAULT"]))


def _program_model(officer, course_models: list[str]) -> str:
    agency_models = [a.model for a in db.session.execute(select(Agreement).where(
        Agreement.agency_id == officer.agency_id, Agreement.status == "active")).scalars()] \
        if officer.agency_id else []
    return next((m for m in course_models if m in agency_models), course_models[0] if course_models else "JEM")


def verify_url(serial: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{serial}"


def certificate_issue(*, completion: CourseCompletion, now: datetime) -> Certificate:
    """Issue the signed certificate for a completion; issuing twice for one completion issues once."""
    existing = db.session.execute(select(Certificate).where(
        Certificate.completion_id == completion.id)).scalar_one_or_none()
    if existing is not None:
        return existing
    enrollment = db.session.get(Enrollment, completion.enrollment_id)
    officer = enrollment.officer
    version = db.session.get(CourseVersion, completion.course_version_id)
    course = db.session.get(Course, version.course_id)
    model = _program_model(officer, version.models or [])
    completed_on = completion.completed_at.date()
    serial = new_serial()
    config = current_app.config
    data = CertificateData(
        serial=serial, holder_name=officer.name,
        agency_name=officer.agency.name if officer.agency else "",
        course_code=course.code, course_title=version.title,
        course_version_hash=version.content_hash, completed_on=completed_on,
        issued_on=now.date(), valid_until=add_years(completed_on, refresher_years(model)),
        issuing_official=config["ISSUING_OFFICIAL_NAME"], issuing_title=config["ISSUING_OFFICIAL_TITLE"],
        verify_url=verify_url(serial), sample=version.status == "sample")
    pdf = sign_pdf(certificate_pdf(data), signer(), reason=f"Certificate of completion {serial}")
    certificate = Certificate(
        serial=serial, completion_id=completion.id, officer_id=officer.id, kind=course.kind,
        course_key=course.key, course_code=course.code, course_title=version.title,
        course_version_id=version.id, course_version_hash=version.content_hash,
        holder_name=officer.name, agency_name=data.agency_name, program_model=model,
        completed_on=completed_on, issued_at=now, valid_until=data.valid_until,
        issuing_official=data.issuing_official, pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(), status="valid")
    db.session.add(certificate)
    db.session.flush()
    # Only an older completion is superseded: a pending certificate issued late for an
    # earlier completion must not displace the officer's current one.
    others = db.session.execute(select(Certificate).where(
        Certificate.officer_id == officer.id, Certificate.course_key == course.key,
        Certificate.status == "valid", Certificate.id != certificate.id)).scalars().all()
    older = [c for c in others if c.completed_on <= completed_on]
    newer = [c for c in others if c.completed_on > completed_on]
    for previous in older:
        previous.status, previous.superseded_at, previous.superseded_by_id = "superseded", now, certificate.id
    if newer:
        latest = max(newer, key=lambda c: c.completed_on)
        certificate.status, certificate.superseded_at, certificate.superseded_by_id = "superseded", now, latest.id
    audit_record(actor="certificate issuance", action="certificate.issue", target_type="certificate",
                 target_id=serial, now=now, details={
                     "officer_id": officer.id, "course": course.code, "completion_id": completion.id,
                     "valid_until": data.valid_until.isoformat(), "sha256": certificate.sha256,
                     "supersedes": [p.serial for p in older]})
    try:
        db.session.commit()
    except IntegrityError:  # issued by a concurrent request for the same completion
        db.session.rollback()
        return db.session.execute(select(Certificate).where(
            Certificate.completion_id == completion.id)).scalar_one()
    return certificate


def certificates_issue_pending(*, now: datetime, limit: int | None = None) -> list[Certificate]:
    """Issue certificates for completions that have none yet (after a crash, or keys added later)."""
    pending = db.session.execute(
        select(CourseCompletion).outerjoin(Certificate, Certificate.completion_id == CourseCompletion.id)
        .where(Certificate.id.is_(None)).order_by(CourseCompletion.id).limit(limit)).scalars().all()
    return [certificate_issue(completion=c, now=now) for c in pending]


def certificate_revoke(*, serial: str, reason: str, actor, now: datetime) -> Certificate:
    """Mark a certificate revoked with who, when and why; the record and its URL stay."""
    certificate = certificate_by_serial(serial)
    if certificate is None:
        raise CertificateError(f"no certificate with serial {serial}")
    if certificate.status == "revoked":
        raise CertificateError(f"certificate {certificate.serial} is already revoked")
    if not reason or len(reason.strip()) < 5:
        raise CertificateError("give the reason for the revocation")
    label = getattr(actor, "email", None) or str(actor)
    certificate.status, certificate.revoked_at = "revoked", now
    certificate.revoked_by, certificate.revocation_reason = label, reason.strip()
    audit_record(actor=actor, action="certificate.revoke", target_type="certificate",
                 target_id=certificate.serial, now=now, details={"reason": reason.strip()})
    db.session.commit()
    return certificate


def certificate_by_serial(text: str) -> Certificate | None:
    """Find a certificate by its serial as typed (forgiving of case, hyphens, I/L/O)."""
    serial = normalize_serial(text)
    if serial is None:
        return None
    return db.session.execute(select(Certificate).where(Certificate.serial == serial)).scalar_one_or_none()


@dataclass
class Verdict:
    """The answer to "is this certificate file genuine and in force?"."""

    valid: bool
    reason: str
    serial: str | None = None
    status: str | None = None
    signature: dict = field(default_factory=lambda: {
        "intact": False, "trusted": False, "covers_whole_file": False})
    certificate: Certificate | None = None

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("certificate")
        return data


def certificate_verify_file(data: bytes, *, today: date, actor=None, now: datetime | None = None) -> Verdict:
    """Check a certificate file: signature, trust, coverage, registration, hash and status."""
    check = check_signature(data, key_material().trust_root)
    signature = {"intact": check.intact, "trusted": check.trusted,
                 "covers_whole_file": check.covers_whole_file}
    serial = read_serial(data) if check.present else None
    verdict = _judge(data, check, signature, serial, today)
    if actor is not None:
        audit_record(actor=actor, action="certificate.verify", target_type="certificate",
                     target_id=verdict.serial or "-", now=now, details={
                         "valid": verdict.valid, "reason": verdict.reason,
                         "sha256": hashlib.sha256(data).hexdigest()})
        db.session.commit()
    return verdict


def _judge(data, check, signature, serial, today) -> Verdict:
    if not check.present:
        return Verdict(False, check.problem or "the file has no digital signature", signature=signature)
    if check.problem:
        return Verdict(False, check.problem, serial=serial, signature=signature)
    if not check.intact:
        return Verdict(False, "the signature is broken: the file was changed after it was signed",
                       serial=serial, signature=signature)
    if not check.trusted:
        return Verdict(False, "the signature is not the 287(g) program's: it does not chain to the "
                              "program's root certificate", serial=serial, signature=signature)
    if not check.covers_whole_file:
        return Verdict(False, "content was added after the signature: the file is not the one "
                              "the program signed", serial=serial, signature=signature)
    certificate = certificate_by_serial(serial) if serial else None
    if certificate is None:
        return Verdict(False, f"serial {serial or '(none)'} is not a certificate the program issued",
                       serial=serial, signature=signature)
    if hashlib.sha256(data).hexdigest() != certificate.sha256:
        return Verdict(False, "the file does not match the certificate as issued (its SHA-256 differs)",
                       serial=certificate.serial, status=certificate.status_on(today),
                       signature=signature, certificate=certificate)
    status = certificate.status_on(today)
    if status != "valid":
        reasons = {
            "revoked": f"the certificate was revoked on {certificate.revoked_at:%Y-%m-%d}: "
                       f"{certificate.revocation_reason}" if certificate.revoked_at else "revoked",
            "superseded": "the certificate was superseded by a newer certificate for the same course",
            "expired": f"the certificate expired on {certificate.valid_until.isoformat()}",
        }
        return Verdict(False, reasons[status], serial=certificate.serial, status=status,
                       signature=signature, certificate=certificate)
    return Verdict(True, "valid: genuine, unaltered and in force", serial=certificate.serial,
                   status=status, signature=signature, certificate=certificate)
