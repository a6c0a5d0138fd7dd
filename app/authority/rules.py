"""Delegated authority rules, as pure functions of plain data.

One question, one answer: was this officer authorized on date D?

The facts
- Training certificates. A certificate counts on D when it was issued on or
  before D, D is on or before its `valid_until`, and it had not been revoked
  by D (a revocation takes effect on its own date). The basic course (IADP,
  or the model's own course) and the refresher (IADRP) both count: each runs
  `refresher_years` (two by default, some sources say one) from the day it
  was completed, so the latest one decides when the next refresher is due.
  A superseded certificate still counts for the dates it covered:
  supersession decides which document is current (a reissued PDF, a corrected
  name), not whether the training took place.
- Agreements (MOAs). Ending an agreement ends the authority of every officer
  authorized under it, at once, from its termination date.
- Grants. The authorization letter is valid for one year at first; a
  renewal is another grant. The grant in force on D is the latest one that
  took effect on or before D. A grant never outlives the training it rests
  on: `new_grant_dates` caps its expiry at the training's `valid_until`.
- Withdrawals. A written notice ends the officer's authority from its
  effective date. It applies to the grant in force when it takes effect (or
  any grant that took effect on or before it); a grant that takes effect
  after the withdrawal's date is a fresh grant it does not touch.

The refresher due date on D is the latest `valid_until` among the
certificates counting on D. When none counts, it is the last day any
certificate issued by D counted (its `valid_until`, or the day before its
revocation): a date before D, already overdue. It is None when no
certificate issued by D ever counted.

Granting and renewing (`may_grant`): the agency's agreement of the model must
be in force on D; the officer must hold an unrevoked basic certificate for
the model (the accepted course keys are a setting: a TFM or WSO officer may
hold the IADP); training must be current on D; and once the basic
certificate is more than `refresher_years` old, a refresher counting on D is
required even if the basic's own `valid_until` runs longer. Any refresher
course counts for any model. A new grant (`new_grant_dates`) runs `years`
years to the same month and day (Feb 29 becomes Feb 28) but never past the
training's `valid_until`: authority cannot outlive the training it rests
on, so the grant ends no later than the day the refresher falls due.

The answer on D, most final first
1. "none": no grant had taken effect by D.
2. "terminated": the agreement behind the grant in force ended on or before D.
3. "withdrawn": a withdrawal effective on or before D, and on or after the
   grant's effective date.
4. "lapsed": D is after the grant's expiry, training is not current on D,
   or (inconsistent data) the agreement had not yet been signed on D.
5. "active": none of the above.
A withdrawal dated after the grant expired still reads "withdrawn" (it is
more final than a lapse), and a lapse for several causes names them all.
A grant whose agreement is missing from the facts is a caller's error
(ValueError), not a status.

All dates are whole days and every boundary is inclusive: a grant is in
force on its `expires_on` day and a certificate counts on its `valid_until`
day; authority lapses on the day after.
"""
from __future__ import annotations
from app.dates import add_years

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

CertificateKind = Literal["basic", "refresher"]
Model = Literal["JEM", "TFM", "WSO"]
Status = Literal["none", "active", "lapsed", "withdrawn", "terminated"]
Id = int | str

STATUSES: tuple[Status, ...] = ("none", "active", "lapsed", "withdrawn", "terminated")
MODEL_NAMES: dict[str, str] = {
    "JEM": "Jail Enforcement Model",
    "TFM": "Task Force Model",
    "WSO": "Warrant Service Officer",
}
CERTIFICATE_KINDS = ("basic", "refresher")
REFRESHER_YEARS = 2
GRANT_YEARS = 1
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class CertificateFact:
    serial: str
    kind: CertificateKind
    course_key: str
    issued_on: date
    valid_until: date
    revoked_on: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in CERTIFICATE_KINDS:
            raise ValueError(f"Unknown certificate kind {self.kind!r}.")
        if self.valid_until < self.issued_on:
            raise ValueError(f"Certificate {self.serial} expires before it was issued.")

    def revoked_by(self, on: date) -> bool:
        """Return True when the certificate had been revoked on or before `on`."""
        return self.revoked_on is not None and self.revoked_on <= on

    def counts_on(self, on: date) -> bool:
        """Return True when this certificate makes training current on `on`."""
        return self.issued_on <= on <= self.valid_until and not self.revoked_by(on)

    @property
    def last_counted_on(self) -> date | None:
        """Return the last day the certificate counted, or None if revoked on its first day."""
        if self.revoked_on is None:
            return self.valid_until
        if self.revoked_on <= self.issued_on:
            return None
        return min(self.valid_until, self.revoked_on - ONE_DAY)


@dataclass(frozen=True)
class AgreementFact:
    id: Id
    model: Model
    signed_on: date
    terminated_on: date | None = None

    def __post_init__(self) -> None:
        if self.model not in MODEL_NAMES:
            raise ValueError(f"Unknown program model {self.model!r}.")

    @property
    def model_name(self) -> str:
        """Return the model's name in plain words."""
        return MODEL_NAMES[self.model]

    def terminated_by(self, on: date) -> bool:
        """Return True when the agreement had ended on or before `on`."""
        return self.terminated_on is not None and self.terminated_on <= on

    def in_force_on(self, on: date) -> bool:
        """Return True when the agreement was signed and not yet ended on `on`."""
        return self.signed_on <= on and not self.terminated_by(on)


@dataclass(frozen=True)
class GrantFact:
    id: Id
    agreement_id: Id
    effective_on: date
    expires_on: date

    def __post_init__(self) -> None:
        if self.expires_on < self.effective_on:
            raise ValueError(f"Grant {self.id} expires before it takes effect.")


@dataclass(frozen=True)
class WithdrawalFact:
    effective_on: date
    reason: str = ""


@dataclass(frozen=True)
class AuthorityStatus:
    status: Status
    reason: str
    grant_id: Id | None
    refresher_due: date | None

    @property
    def active(self) -> bool:
        """Return True when the officer may use delegated authority."""
        return self.status == "active"


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    reasons: list[str] = field(default_factory=list)


def training_current(certificates: Iterable[CertificateFact], on: date) -> CertificateFact | None:
    """Return the certificate that keeps training current on `on`, the longest-valid one."""
    counting = [c for c in certificates if c.counts_on(on)]
    return max(counting, default=None,
               key=lambda c: (c.valid_until, c.issued_on, c.kind == "refresher", str(c.serial)))


def refresher_due(certificates: Iterable[CertificateFact], on: date) -> date | None:
    """Return the date by which the next refresher must be completed, as known on `on`."""
    certificates = list(certificates)
    current = training_current(certificates, on)
    if current is not None:
        return current.valid_until
    ended = (c.last_counted_on for c in certificates if c.issued_on <= on)
    return max((d for d in ended if d is not None), default=None)


def _training_lapse_reason(certificates: list[CertificateFact], on: date) -> str:
    """Say in plain words why training is not current on `on`."""
    past = [c for c in certificates if c.issued_on <= on]
    if not past:
        return "No training certificate on record"
    last = max(past, key=lambda c: (c.last_counted_on or date.min, c.issued_on, str(c.serial)))
    if last.revoked_on is not None and last.revoked_on <= min(on, last.valid_until):
        return f"Training certificate {last.serial} was revoked on {last.revoked_on.isoformat()}"
    return f"Refresher training was due by {refresher_due(certificates, on).isoformat()}"


def _agreements_by_id(agreements: Mapping[Id, AgreementFact] | Iterable[AgreementFact]) -> dict:
    """Index agreements by id, accepting a mapping or any iterable."""
    if isinstance(agreements, Mapping):
        return dict(agreements)
    return {a.id: a for a in agreements}


def authority_on(on: date, *, grants: Iterable[GrantFact], withdrawals: Iterable[WithdrawalFact] = (),
                 agreements: Mapping[Id, AgreementFact] | Iterable[AgreementFact],
                 certificates: Iterable[CertificateFact] = ()) -> AuthorityStatus:
    """Return the officer's one authority status on `on`, with the reason."""
    grants, certificates = list(grants), list(certificates)
    due = refresher_due(certificates, on)
    started = [g for g in grants if g.effective_on <= on]
    if not started:
        upcoming = min(grants, default=None, key=lambda g: (g.effective_on, str(g.id)))
        if upcoming is None:
            return AuthorityStatus("none", "Never authorized", None, due)
        return AuthorityStatus(
            "none", f"Not yet authorized: the first authorization takes effect on "
                    f"{upcoming.effective_on.isoformat()}", None, due)
    grant = max(started, key=lambda g: (g.effective_on, g.expires_on, str(g.id)))
    agreement = _agreements_by_id(agreements).get(grant.agreement_id)
    if agreement is None:
        raise ValueError(f"Grant {grant.id} refers to unknown agreement {grant.agreement_id}.")

    if agreement.terminated_by(on):
        return AuthorityStatus(
            "terminated", f"The agency's {agreement.model_name} agreement ended on "
                          f"{agreement.terminated_on.isoformat()}", grant.id, due)

    applicable = [w for w in withdrawals if grant.effective_on <= w.effective_on <= on]
    if applicable:
        first = min(applicable, key=lambda w: (w.effective_on, w.reason))
        reason = f"Authority withdrawn effective {first.effective_on.isoformat()}"
        if first.reason.strip():
            reason += f": {first.reason.strip()}"
        return AuthorityStatus("withdrawn", reason, grant.id, due)

    problems = []
    if on < agreement.signed_on:
        problems.append(f"The agency's {agreement.model_name} agreement was not in force until "
                        f"{agreement.signed_on.isoformat()}")
    if on > grant.expires_on:
        problems.append(f"Authorization expired on {grant.expires_on.isoformat()}")
    if training_current(certificates, on) is None:
        problems.append(_training_lapse_reason(certificates, on))
    if problems:
        return AuthorityStatus("lapsed", "; ".join(problems), grant.id, due)

    return AuthorityStatus(
        "active", f"Authorized under the agency's {agreement.model_name} agreement until "
                  f"{grant.expires_on.isoformat()}; refresher training due by {due.isoformat()}",
        grant.id, due)


def may_grant(on: date, *, model: Model, agreement: AgreementFact | None,
              certificates: Iterable[CertificateFact], basic_courses: Mapping[str, set[str]],
              refresher_years: int = REFRESHER_YEARS) -> GateDecision:
    """Decide whether authority of `model` may be granted or renewed on `on`, with every failing reason."""
    if model not in MODEL_NAMES:
        raise ValueError(f"Unknown program model {model!r}.")
    certificates = list(certificates)
    name = MODEL_NAMES[model]
    reasons: list[str] = []

    if agreement is None:
        reasons.append(f"The agency has no {name} agreement")
    elif agreement.model != model:
        reasons.append(f"The agency's agreement is a {agreement.model_name} agreement, "
                       f"not a {name} agreement")
    else:
        if agreement.signed_on > on:
            reasons.append(f"The agency's {name} agreement is not in force until it is signed on "
                           f"{agreement.signed_on.isoformat()}")
        if agreement.terminated_by(on):
            reasons.append(f"The agency's {name} agreement ended on "
                           f"{agreement.terminated_on.isoformat()}")

    courses = set(basic_courses.get(model, ()))
    basics = [c for c in certificates
              if c.kind == "basic" and c.course_key in courses and c.issued_on <= on]
    held = [c for c in basics if not c.revoked_by(on)]
    basic = max(held, default=None, key=lambda c: (c.issued_on, str(c.serial)))
    if basic is None:
        revoked = max(basics, default=None, key=lambda c: (c.revoked_on, str(c.serial)))
        if revoked is not None:
            reasons.append(f"The basic course certificate {revoked.serial} was revoked on "
                           f"{revoked.revoked_on.isoformat()}")
        else:
            accepted = ", ".join(sorted(courses)) or "none configured"
            reasons.append(f"No basic course certificate for the {name} (accepted courses: {accepted})")

    if basic is not None and add_years(basic.issued_on, refresher_years) < on:
        if not any(c.kind == "refresher" and c.counts_on(on) for c in certificates):
            reasons.append(f"The basic course was completed on {basic.issued_on.isoformat()}; "
                           f"a refresher completed since "
                           f"{add_years(on, -refresher_years).isoformat()} is required")
    elif training_current(certificates, on) is None and any(c.issued_on <= on for c in certificates):
        reasons.append(f"Training is not current on {on.isoformat()}: "
                       f"{_training_lapse_reason(certificates, on)}")

    return GateDecision(not reasons, reasons)


def new_grant_dates(on: date, *, years: int = GRANT_YEARS,
                    training_valid_until: date) -> tuple[date, date]:
    """Return (effective_on, expires_on) for a grant or renewal made on `on`, capped by training."""
    if years < 1:
        raise ValueError("A grant runs for at least one year.")
    if training_valid_until < on:
        raise ValueError(f"Training expired on {training_valid_until.isoformat()}; "
                         f"no grant can rest on it.")
    return on, min(add_years(on, years), training_valid_until)
