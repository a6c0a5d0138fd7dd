"""Use cases for certificates: issue (sign and freeze), revoke, verify.

Verification is one service used by the public page, the upload page, the
API and the CLI, so all four give the same verdict for the same file.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.agencies.models import Agency, Agreement
from app.assessments.models import CourseCompletion
from app.audit import audit_record
from app.auth.models import User
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


def _program_model(course_models: list[str], agency_models: list[str]) -> str:
    return next((m for m in course_models if m in agency_models), course_models[0] if course_models else "JEM")


def verify_url(serial: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{serial}"


@dataclass(frozen=True)
class PendingCertificate:
    """A completion's certificate as it will be printed and recorded, read before anything is signed."""

    completion_id: int
    officer_id: int
    kind: str
    course_key: str
    course_version_id: int
    program_model: str
    data: CertificateData


def _pending_certificates(completion_ids: list[int], *, now: datetime) -> list[PendingCertificate]:
    """Read what the certificates of these completions print, in two queries whatever their number."""
    if not completion_ids:
        return []
    rows = db.session.execute(
        select(CourseCompletion.id.label("completion_id"), CourseCompletion.completed_at,
               User.id.label("officer_id"), User.name.label("holder_name"), User.agency_id,
               Agency.name.label("agency_name"), CourseVersion.id.label("version_id"),
               CourseVersion.title, CourseVersion.content_hash, CourseVersion.models,
               CourseVersion.status.label("version_status"), Course.key, Course.code, Course.kind)
        .join(Enrollment, Enrollment.id == CourseCompletion.enrollment_id)
        .join(User, User.id == Enrollment.officer_id)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .join(CourseVersion, CourseVersion.id == CourseCompletion.course_version_id)
        .join(Course, Course.id == CourseVersion.course_id)
        .where(CourseCompletion.id.in_(completion_ids))
        .order_by(CourseCompletion.id)).all()
    agency_ids = {row.agency_id for row in rows if row.agency_id}
    agency_models: dict[int, list[str]] = defaultdict(list)
    if agency_ids:
        for agency_id, model in db.session.execute(select(Agreement.agency_id, Agreement.model).where(
                Agreement.agency_id.in_(agency_ids), Agreement.status == "active")):
            agency_models[agency_id].append(model)
    config = current_app.config
    pending = []
    for row in rows:
        model = _program_model(row.models or [], agency_models.get(row.agency_id, []))
        completed_on = row.completed_at.date()
        serial = new_serial()
        pending.append(PendingCertificate(
            completion_id=row.completion_id, officer_id=row.officer_id, kind=row.kind,
            course_key=row.key, course_version_id=row.version_id, program_model=model,
            data=CertificateData(
                serial=serial, holder_name=row.holder_name, agency_name=row.agency_name or "",
                course_code=row.code, course_title=row.title, course_version_hash=row.content_hash,
                completed_on=completed_on, issued_on=now.date(),
                valid_until=add_years(completed_on, refresher_years(model)),
                issuing_official=config["ISSUING_OFFICIAL_NAME"], issuing_title=config["ISSUING_OFFICIAL_TITLE"],
                verify_url=verify_url(serial), sample=row.version_status == "sample")))
    return pending


def _signed_pdf(pending: PendingCertificate) -> bytes:
    """Render and sign the certificate: pure computation, no database."""
    return sign_pdf(certificate_pdf(pending.data), signer(),
                    reason=f"Certificate of completion {pending.data.serial}")


def _record(pending: PendingCertificate, pdf: bytes, now: datetime) -> tuple[Certificate, bool]:
    """Store a signed certificate, supersede, audit and commit, in one short transaction.

    Returns the certificate and whether this call created it: when the
    completion's certificate was issued meanwhile (another process, another
    request), the unique completion_id refuses the insert and that one stands.
    """
    data = pending.data
    certificate = Certificate(
        serial=data.serial, completion_id=pending.completion_id, officer_id=pending.officer_id,
        kind=pending.kind, course_key=pending.course_key, course_code=data.course_code,
        course_title=data.course_title, course_version_id=pending.course_version_id,
        course_version_hash=data.course_version_hash, holder_name=data.holder_name,
        agency_name=data.agency_name, program_model=pending.program_model,
        completed_on=data.completed_on, issued_at=now, valid_until=data.valid_until,
        issuing_official=data.issuing_official, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(),
        status="valid")
    try:
        _one_issuance_at_a_time(pending.officer_id, pending.course_key)
        db.session.add(certificate)
        db.session.flush()  # the first write: on SQLite the write lock is taken here
        # Only an older completion is superseded: a pending certificate issued late for an
        # earlier completion must not displace the officer's current one.
        others = db.session.execute(select(Certificate).where(
            Certificate.officer_id == pending.officer_id, Certificate.course_key == pending.course_key,
            Certificate.status == "valid", Certificate.id != certificate.id)).scalars().all()
        older = [c for c in others if c.completed_on <= data.completed_on]
        newer = [c for c in others if c.completed_on > data.completed_on]
        for previous in older:
            previous.status, previous.superseded_at, previous.superseded_by_id = "superseded", now, certificate.id
        if newer:
            latest = max(newer, key=lambda c: c.completed_on)
            certificate.status, certificate.superseded_at, certificate.superseded_by_id = \
                "superseded", now, latest.id
        audit_record(actor="certificate issuance", action="certificate.issue", target_type="certificate",
                     target_id=data.serial, now=now, details={
                         "officer_id": pending.officer_id, "course": data.course_code,
                         "completion_id": pending.completion_id, "valid_until": data.valid_until.isoformat(),
                         "sha256": certificate.sha256, "supersedes": [p.serial for p in older]})
        db.session.commit()
    except IntegrityError:  # issued by a concurrent request or process for the same completion
        db.session.rollback()
        return db.session.execute(select(Certificate).where(
            Certificate.completion_id == pending.completion_id)).scalar_one(), False
    return certificate, True


def _one_issuance_at_a_time(officer_id: int, course_key: str) -> None:
    """Serialise issuance per officer and course until this transaction ends.

    Two completions of one course for one officer, issued at the same moment (a web
    request and `issue-pending`, say), must not both stay valid: each transaction reads
    the officer's other valid certificates to supersede them, and under READ COMMITTED
    neither would see the other's. On PostgreSQL a transaction-scoped advisory lock on
    (officer, course) makes the second wait for the first to commit; it touches no row,
    so it cannot deadlock with the audit head row. SQLite needs nothing: BEGIN IMMEDIATE
    already serialises every writer.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"certificate-issue:{officer_id}:{course_key}".encode()).digest()
    db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                       {"key": int.from_bytes(digest[:8], "big", signed=True)})


def certificate_issue(*, completion: CourseCompletion, now: datetime) -> Certificate:
    """Issue the signed certificate for a completion; issuing twice for one completion issues once."""
    existing = db.session.execute(select(Certificate).where(
        Certificate.completion_id == completion.id)).scalar_one_or_none()
    if existing is not None:
        return existing
    pending = _pending_certificates([completion.id], now=now)[0]
    return _record(pending, _signed_pdf(pending), now)[0]


def certificates_issue(*, completion_ids: list[int], now: datetime, progress=None) -> int:
    """Issue the certificates of these completions; return how many this call issued.

    The completions are read in a few queries; the read transaction is then
    closed, so nothing is held while the PDFs are rendered and signed, and
    each certificate is committed in its own short write transaction
    (insert, supersede, audit). A process killed midway leaves whole
    certificates only. `progress(1)` is called after each completion.
    """
    pending = _pending_certificates(completion_ids, now=now)
    # End the read transaction before the slow part, so no lock or snapshot is held while
    # signing (anything the caller left pending is committed, as the first certificate's
    # commit always did).
    db.session.commit()
    issued = 0
    for item in pending:
        issued += _record(item, _signed_pdf(item), now)[1]
        if progress is not None:
            progress(1)
    return issued


def pending_batches(*, size: int = 50, limit: int | None = None) -> list[list[int]]:
    """Return the completions without a certificate, as lists of ids of about `size`.

    One officer's completions are always in one batch: their certificates of
    a course supersede each other, so they must be issued in turn, by one
    process. Batches can therefore be issued side by side.
    """
    rows = db.session.execute(
        select(CourseCompletion.id, CourseCompletion.officer_id)
        .outerjoin(Certificate, Certificate.completion_id == CourseCompletion.id)
        .where(Certificate.id.is_(None))
        .order_by(CourseCompletion.officer_id, CourseCompletion.id).limit(limit)).all()
    batches: list[list[int]] = []
    current: list[int] = []
    last_officer = None
    for completion_id, officer_id in rows:
        if len(current) >= size and officer_id != last_officer:
            batches.append(current)
            current = []
        current.append(completion_id)
        last_officer = officer_id
    if current:
        batches.append(current)
    return batches


def certificates_issue_pending(*, now: datetime, limit: int | None = None) -> int:
    """Issue certificates for completions that have none yet (after a crash, or keys added later).

    Returns how many this call issued; a certificate issued meanwhile by
    anyone else is left as it is.
    """
    return sum(certificates_issue(completion_ids=batch, now=now) for batch in pending_batches(limit=limit))


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
    certificate = certificate_by_serial(serial) if serial else None
    if certificate is not None and certificate.origin == "imported":
        # Whoever signed this file, there are no frozen bytes here to compare it with.
        return Verdict(False, f"certificate {certificate.serial} is a record imported from the earlier "
                              "system: no PDF of it is held here to compare the file with, so a file cannot "
                              "be verified by upload; check the record by its serial on the verification page",
                       serial=certificate.serial, status=certificate.status_on(today), signature=signature,
                       certificate=certificate)
    if not check.trusted:
        return Verdict(False, "the signature is not the 287(g) program's: it does not chain to the "
                              "program's root certificate", serial=serial, signature=signature)
    if not check.covers_whole_file:
        return Verdict(False, "content was added after the signature: the file is not the one "
                              "the program signed", serial=serial, signature=signature)
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
