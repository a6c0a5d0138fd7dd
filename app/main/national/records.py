"""Certificates and delegated authority for the national-scale plan, as pure functions.

Certificates follow the rules `certificate_issue` applies: one per
completion, valid for the refresher period of its program model, and a newer
certificate for the same course supersedes the officer's older valid one (so
a second refresher supersedes the first; the basic course stays). A few are
revoked. Grants follow `app.authority.rules`: a grant needs training current
on its effective date and never outlives it (`new_grant_dates`); it is renewed
each year while training stays current, lapses when it does not, and officers
who leave have their authority withdrawn in writing.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from app.authority.rules import new_grant_dates
from app.dates import add_years
from app.main.national.history import training_ends
from app.main.national.plan import COVERS, WINDOW_END, AgencyPlan, EnrollmentPlan, OfficerPlan

P_REVOKED = 0.002
P_DESIGNATED = 0.82      # trained officers the agency designates (asks authority for)
P_LATE_RENEWAL = 0.12
P_REVIEW_WITHDRAWAL = 0.004


@dataclass
class CertificatePlan:
    enrollment: int
    officer: int
    course: str
    model: str
    completed_on: date
    valid_until: date
    status: str = "valid"
    superseded_by: int | None = None
    revoked_on: date | None = None
    revocation_reason: int | None = None   # index into REVOCATION_REASONS

    def counts_on(self, day: date) -> bool:
        """As `CertificateFact.counts_on`: completed by D, valid through D, not revoked by D."""
        return (self.completed_on <= day <= self.valid_until
                and (self.revoked_on is None or day < self.revoked_on))


def program_model(course_models: list[str], agency_models: list[str]) -> str:
    """The model a certificate names, as `_program_model` picks it in the certificate service."""
    return next((m for m in course_models if m in agency_models), course_models[0] if course_models else "JEM")


def plan_certificates(rng: random.Random, plans: list[EnrollmentPlan], officers: list[OfficerPlan],
                      agencies: list[AgencyPlan], course_models: dict[str, list[str]],
                      years: dict[str, int]) -> list[CertificatePlan]:
    """One certificate per completed enrollment, in completion order, with supersession and revocations."""
    done = sorted((i for i, p in enumerate(plans) if p.completed_on), key=lambda i: (plans[i].completed_on, i))
    certificates: list[CertificatePlan] = []
    current: dict[tuple[int, str], int] = {}
    for i in done:
        plan = plans[i]
        officer = officers[plan.officer]
        model = program_model(course_models[plan.course], agencies[officer.agency].models_on(plan.completed_on))
        cert = CertificatePlan(i, plan.officer, plan.course, model, plan.completed_on,
                               add_years(plan.completed_on, years.get(model, 2)))
        key = (plan.officer, plan.course)
        previous = current.get(key)
        if previous is not None and certificates[previous].status == "valid":
            certificates[previous].status, certificates[previous].superseded_by = "superseded", len(certificates)
        current[key] = len(certificates)
        if rng.random() < P_REVOKED:
            revoked = cert.completed_on + timedelta(days=rng.randint(20, 300))
            if revoked <= WINDOW_END:
                cert.status, cert.revoked_on, cert.revocation_reason = "revoked", revoked, rng.randrange(2)
                current.pop(key)
        certificates.append(cert)
    return certificates


@dataclass
class GrantPlan:
    officer: int
    agency: int
    agreement: int         # index into the agency's agreements
    certificate: int       # index into the certificate plan: the training it rests on
    effective_on: date
    expires_on: date
    renewal_of: int | None
    granted_on: date


@dataclass
class WithdrawalPlan:
    officer: int
    effective_on: date
    reason: str            # a key of WITHDRAWAL_REASONS


def _basis(certs: list[int], certificates: list[CertificatePlan], day: date) -> int | None:
    """The certificate that makes training current on D (latest expiry), as `training_current`."""
    counting = [c for c in certs if certificates[c].counts_on(day)]
    return max(counting, key=lambda c: (certificates[c].valid_until, c), default=None)


def plan_authority(rng: random.Random, officers: list[OfficerPlan], agencies: list[AgencyPlan],
                   certificates: list[CertificatePlan], grant_years: int = 1,
                   ) -> tuple[list[GrantPlan], list[WithdrawalPlan]]:
    """Grant designated officers authority, renew it yearly while trained, withdraw it when they leave."""
    by_officer: dict[int, list[int]] = {}
    for n, cert in enumerate(certificates):
        by_officer.setdefault(cert.officer, []).append(n)
    grants: list[GrantPlan] = []
    withdrawals: list[WithdrawalPlan] = []
    for index, certs in sorted(by_officer.items()):
        officer = officers[index]
        agency = agencies[officer.agency]
        agreement = next(n for n, a in enumerate(agency.agreements) if a.model == officer.model)
        terms = agency.agreements[agreement]
        basic = [c for c in certs if officer.model in COVERS.get(certificates[c].course, set())]
        if not basic or rng.random() > P_DESIGNATED:
            continue
        end = training_ends(officer, agency)
        if terms.terminated_on:
            end = min(end, terms.terminated_on - timedelta(days=1))
        day = certificates[basic[0]].completed_on + timedelta(days=rng.randint(10, 60))
        previous, mine = None, []
        while day <= end:
            basis = _basis(certs, certificates, day)
            if basis is None:   # training lapsed: wait for the next certificate
                later = [certificates[c].completed_on for c in certs if certificates[c].completed_on > day]
                if not later:
                    break
                day = min(later) + timedelta(days=rng.randint(7, 40))
                continue
            training = certificates[basis]
            effective, expires = new_grant_dates(day, years=grant_years, training_valid_until=training.valid_until)
            granted = max(training.completed_on, effective - timedelta(days=rng.randint(0, 10)))
            grants.append(GrantPlan(index, officer.agency, agreement, basis, effective, expires, previous, granted))
            previous = len(grants) - 1
            mine.append(previous)
            late = rng.randint(10, 60) if rng.random() < P_LATE_RENEWAL else 0
            day = expires + timedelta(days=1 + late)
        if not mine:
            continue
        if officer.left_on:
            withdrawals.append(WithdrawalPlan(index, officer.left_on, "left"))
        elif rng.random() < P_REVIEW_WITHDRAWAL:
            first = grants[mine[0]].effective_on
            on = first + timedelta(days=rng.randint(30, max(30, (WINDOW_END - first).days)))
            if on <= WINDOW_END:
                withdrawals.append(WithdrawalPlan(index, on, "review"))
                while len(grants) > mine[0] + 1 and grants[-1].effective_on > on:
                    grants.pop()
    return grants, withdrawals
