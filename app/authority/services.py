"""Use cases for delegated authority: status on a date, grant or renew, withdraw, end an MOA.

Facts are loaded from the database and handed to the pure rules in
`app.authority.rules`, so "was officer X authorized on date D?" has one answer
everywhere: the officer's page, the API and the reports.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from app.agencies.models import Agreement, AgreementStatus, ProgramModel
from app.audit import audit_record
from app.authority.models import AuthorityGrant, AuthorityWithdrawal
from app.authority.rules import (
    AgreementFact, AuthorityStatus, CertificateFact, GateDecision, GrantFact, WithdrawalFact,
    authority_on, may_grant, new_grant_dates, training_current,
)
from app.certificates.models import Certificate
from app.extensions import db

BASIC_COURSES = {"JEM": {"iadp"}, "TFM": {"tfm", "iadp"}, "WSO": {"wso", "iadp"}}


class AuthorityError(ValueError):
    """A grant, withdrawal or termination that the rules refuse, with every reason."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def certificate_facts(officer_id: int) -> list[CertificateFact]:
    rows = db.session.execute(select(Certificate).where(Certificate.officer_id == officer_id)).scalars()
    return [CertificateFact(c.serial, c.kind, c.course_key, c.completed_on, c.valid_until,
                            c.revoked_at.date() if c.revoked_at else None) for c in rows]


def agreement_fact(agreement: Agreement) -> AgreementFact:
    return AgreementFact(agreement.id, agreement.model, agreement.signed_on, agreement.terminated_on)


def officer_authority(officer, on: date) -> AuthorityStatus:
    """Return the officer's authority status on a date."""
    grants = db.session.execute(select(AuthorityGrant).where(AuthorityGrant.officer_id == officer.id)).scalars().all()
    withdrawals = db.session.execute(select(AuthorityWithdrawal).where(
        AuthorityWithdrawal.officer_id == officer.id)).scalars().all()
    agreements = db.session.execute(select(Agreement).where(
        Agreement.id.in_({g.agreement_id for g in grants}))).scalars().all() if grants else []
    return authority_on(
        on, grants=[GrantFact(g.id, g.agreement_id, g.effective_on, g.expires_on) for g in grants],
        withdrawals=[WithdrawalFact(w.effective_on, w.reason) for w in withdrawals],
        agreements=[agreement_fact(a) for a in agreements], certificates=certificate_facts(officer.id))


def grant_gate(officer, agreement: Agreement | None, on: date, model: str) -> GateDecision:
    """Decide whether authority may be granted to the officer under the agreement on a date."""
    years = int(current_app.config["REFRESHER_YEARS"].get(model, current_app.config["REFRESHER_YEARS_DEFAULT"]))
    return may_grant(on, model=model, agreement=agreement_fact(agreement) if agreement else None,
                     certificates=certificate_facts(officer.id), basic_courses=BASIC_COURSES,
                     refresher_years=years)


def authority_grant(*, officer, agreement: Agreement, on: date, actor, now: datetime) -> AuthorityGrant:
    """Grant or renew authority after the gate; sign the authorization letter. Audited; commits once."""
    if agreement.agency_id != officer.agency_id:
        raise AuthorityError(["The agreement is not the officer's agency's agreement"])
    decision = grant_gate(officer, agreement, on, agreement.model)
    if not decision.allowed:
        raise AuthorityError(decision.reasons)
    facts = certificate_facts(officer.id)
    basis = training_current(facts, on)
    certificate = db.session.execute(select(Certificate).where(Certificate.serial == basis.serial)).scalar_one()
    effective_on, expires_on = new_grant_dates(
        on, years=current_app.config["AUTHORIZATION_YEARS"], training_valid_until=basis.valid_until)
    previous = db.session.execute(select(AuthorityGrant).where(
        AuthorityGrant.officer_id == officer.id, AuthorityGrant.agreement_id == agreement.id)
        .order_by(AuthorityGrant.effective_on.desc()).limit(1)).scalar_one_or_none()
    letter_number = f"AUTH-{now:%Y}-{secrets.token_hex(4).upper()}"
    pdf = _signed_letter(officer=officer, agreement=agreement, certificate=certificate,
                         effective_on=effective_on, expires_on=expires_on, letter_number=letter_number,
                         actor=actor, now=now)
    grant = AuthorityGrant(
        officer_id=officer.id, agreement_id=agreement.id, certificate_id=certificate.id,
        effective_on=effective_on, expires_on=expires_on,
        renewal_of_id=previous.id if previous else None, granted_by_id=actor.id, granted_at=now,
        letter_number=letter_number, letter_pdf=pdf, letter_sha256=hashlib.sha256(pdf).hexdigest())
    db.session.add(grant)
    db.session.flush()
    audit_record(actor=actor, action="authority.renew" if previous else "authority.grant",
                 target_type="officer", target_id=officer.id, now=now, details={
                     "grant_id": grant.id, "agreement_id": agreement.id, "model": agreement.model,
                     "effective_on": effective_on.isoformat(), "expires_on": expires_on.isoformat(),
                     "certificate": certificate.serial, "letter": letter_number,
                     "renewal_of": previous.id if previous else None})
    db.session.commit()
    return grant


def _signed_letter(*, officer, agreement, certificate, effective_on, expires_on, letter_number,
                   actor, now) -> bytes:
    from app.authority.rules import refresher_due
    from app.certificates.pdf import LetterData, authorization_letter_pdf
    from app.certificates.services import signer
    from app.certificates.signing import sign_pdf
    from app.courses.models import CourseVersion

    due = refresher_due(certificate_facts(officer.id), effective_on) or certificate.valid_until
    data = LetterData(
        officer_name=officer.name, agency_name=officer.agency.name if officer.agency else "",
        agreement_model=ProgramModel(agreement.model).label, agreement_signed_on=agreement.signed_on,
        effective_on=effective_on, expires_on=expires_on, certificate_serial=certificate.serial,
        refresher_due=due, granted_by_name=actor.name, granted_by_title="Credentialing officer",
        letter_number=letter_number, issued_on=now.date(),
        verify_url=f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{certificate.serial}",
        sample=db.session.get(CourseVersion, certificate.course_version_id).status == "sample")
    return sign_pdf(authorization_letter_pdf(data), signer(), reason=f"Authorization letter {letter_number}")


def authority_withdraw(*, officer, effective_on: date, reason: str, actor, now: datetime) -> AuthorityWithdrawal:
    """Record a written withdrawal of one officer's authority from a date. Audited; commits."""
    if not reason or len(reason.strip()) < 10:
        raise AuthorityError(["Give the reason for the withdrawal in a sentence"])
    withdrawal = AuthorityWithdrawal(officer_id=officer.id, effective_on=effective_on,
                                     reason=reason.strip(), withdrawn_by_id=actor.id, withdrawn_at=now)
    db.session.add(withdrawal)
    db.session.flush()
    audit_record(actor=actor, action="authority.withdraw", target_type="officer", target_id=officer.id,
                 now=now, details={"effective_on": effective_on.isoformat(), "reason": withdrawal.reason})
    from app.notices.services import notice_authority_withdrawn
    notice_authority_withdrawn(withdrawal)
    db.session.commit()
    return withdrawal


def agreement_terminate(*, agreement: Agreement, on: date, reason: str, actor, now: datetime) -> Agreement:
    """End an MOA: every officer's authority under it ends on that date. Audited; commits."""
    if agreement.status == AgreementStatus.TERMINATED:
        raise AuthorityError([f"The agreement already ended on {agreement.terminated_on.isoformat()}"])
    if not reason or len(reason.strip()) < 10:
        raise AuthorityError(["Give the reason the agreement ends in a sentence"])
    if on < agreement.signed_on:
        raise AuthorityError(["An agreement cannot end before it was signed"])
    actor_id = actor.id  # read first: loading an expired actor must not flush a half-made change
    agreement.status, agreement.terminated_on = AgreementStatus.TERMINATED.value, on
    agreement.termination_reason, agreement.terminated_by_id, agreement.terminated_at = reason.strip(), actor_id, now
    audit_record(actor=actor, action="agreement.terminate", target_type="agreement", target_id=agreement.id,
                 now=now, details={"agency_id": agreement.agency_id, "model": agreement.model,
                                   "terminated_on": on.isoformat(), "reason": reason.strip()})
    from app.notices.services import notice_agreement_terminated
    notice_agreement_terminated(agreement)
    db.session.commit()
    return agreement
