"""Which notices should exist, as pure functions of plain facts (no Flask, no database).

Scheduled notices (`scheduled_notices`, run once a day)
- Refresher due: `refresher_due_90`, `refresher_due_60`, `refresher_due_30` when
  today is at most 90, 60 or 30 days before the refresher due date. Only the
  most specific threshold reached is planned: an officer who first appears
  20 days before the due date gets the 30-day notice, not all three. The due
  date itself still counts as "due" (training counts through its last day).
- `refresher_overdue` from the day after the due date.
- `authority_lapsed` while the officer's authority status is "lapsed", once
  per grant (a renewed grant that lapses again gets a new notice).
Refresher notices are not planned for officers whose authority was withdrawn
or whose agency's agreement ended: they were told so when it happened.

Event notices: `withdrawal_notices` and `termination_notices`, planned when a
credentialing user records the decision.

Every notice goes to the officer and to the agency's point of contact (when
the agency has one and it is not the officer's own address). Its
`dedupe_key` is stable (kind, officer, due date or grant or decision,
recipient), so planning the same notice twice finds the one already stored.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

KEY_MAX = 200  # the width of notice.dedupe_key
THRESHOLDS = (30, 60, 90)  # most specific first
REFRESHER_KINDS = tuple(f"refresher_due_{days}" for days in THRESHOLDS[::-1]) + ("refresher_overdue",)
SCHEDULED_KINDS = REFRESHER_KINDS + ("authority_lapsed",)
EVENT_KINDS = ("authority_withdrawn", "authority_terminated")
KIND_LABELS = {
    "refresher_due_90": "Refresher due in 90 days",
    "refresher_due_60": "Refresher due in 60 days",
    "refresher_due_30": "Refresher due in 30 days",
    "refresher_overdue": "Refresher overdue",
    "authority_lapsed": "Authority lapsed",
    "authority_withdrawn": "Authority withdrawn",
    "authority_terminated": "Agreement ended",
}
PROGRAM_OFFICE = "the 287(g) program office at your ICE field office"


@dataclass(frozen=True)
class OfficerFacts:
    """What the schedule needs to know about one officer on one day."""

    officer_id: int
    email: str
    name: str
    agency_name: str = ""
    poc_email: str | None = None
    refresher_due: date | None = None
    authority_status: str = "none"  # none | active | lapsed | withdrawn | terminated
    grant_id: int | str | None = None
    authority_reason: str = ""


@dataclass(frozen=True)
class PlannedNotice:
    """A notice that should exist: one kind, one officer, one recipient."""

    dedupe_key: str
    kind: str
    officer_id: int | None
    recipient_email: str
    to_officer: bool  # True: the officer; False: the agency's point of contact
    subject: str
    body: str


def long_date(day: date) -> str:
    """Return a date as people write it: 5 March 2026."""
    return f"{day.day} {day:%B %Y}"


def dedupe_key(kind: str, *parts, recipient: str) -> str:
    """Return the stable key `kind:part:...:recipient`, within the column's width."""
    recipient = recipient.strip().lower()
    key = ":".join([kind, *(str(p) for p in parts), recipient])
    if len(key) > KEY_MAX:  # a very long address: its hash identifies it just as well
        digest = hashlib.sha256(recipient.encode()).hexdigest()[:40]
        key = ":".join([kind, *(str(p) for p in parts), f"sha256-{digest}"])
    return key


def refresher_kind(today: date, due: date | None) -> str | None:
    """Return the refresher notice due today for a due date, the most specific one, or None."""
    if due is None:
        return None
    days = (due - today).days
    if days < 0:
        return "refresher_overdue"
    for threshold in THRESHOLDS:
        if days <= threshold:
            return f"refresher_due_{threshold}"
    return None


def _poc(officer: OfficerFacts) -> str | None:
    """The point of contact's address, unless missing or the officer's own."""
    poc = (officer.poc_email or "").strip()
    if not poc or poc.lower() == officer.email.strip().lower():
        return None
    return poc


def _contact_line(officer: OfficerFacts, *, to_officer: bool) -> str:
    if to_officer and _poc(officer):
        return (f"Questions: contact your agency's 287(g) point of contact at {_poc(officer)}, "
                f"or {PROGRAM_OFFICE}.")
    return f"Questions: contact {PROGRAM_OFFICE}."


def _agency(officer: OfficerFacts) -> str:
    return f" of {officer.agency_name}" if officer.agency_name else ""


def _both(officer: OfficerFacts, kind: str, key_parts: tuple, officer_text, poc_text) -> list[PlannedNotice]:
    """Plan the officer's notice and, when there is one, the point of contact's."""
    subject, body = officer_text
    notices = [PlannedNotice(dedupe_key(kind, *key_parts, recipient=officer.email), kind,
                             officer.officer_id, officer.email.strip(), True, subject,
                             f"{body}\n\n{_contact_line(officer, to_officer=True)}")]
    poc = _poc(officer)
    if poc:
        subject, body = poc_text
        notices.append(PlannedNotice(dedupe_key(kind, *key_parts, recipient=poc), kind,
                                     officer.officer_id, poc, False, subject,
                                     f"{body}\n\n{_contact_line(officer, to_officer=False)}"))
    return notices


def _refresher_text(officer: OfficerFacts, kind: str, today: date, due: date, *, to_officer: bool):
    """Return (subject, body) of a refresher notice, to the officer or to the point of contact."""
    lapse_day = long_date(due + timedelta(days=1))
    if to_officer:
        greeting, whose, holder = f"Dear {officer.name},", "your", "you hold"
    else:
        greeting, whose, holder = ("To the agency's 287(g) point of contact,",
                                   f"{officer.name}'s", "the officer holds")
    about = "" if to_officer else f"This notice concerns {officer.name}{_agency(officer)}. "
    if kind == "refresher_overdue":
        subject = (f"Your 287(g) refresher training is overdue (it was due by {long_date(due)})"
                   if to_officer else
                   f"{officer.name}: 287(g) refresher training overdue (due by {long_date(due)})")
        what = (f"{about}The 287(g) refresher training (IADRP) was due by {long_date(due)} and is not "
                f"recorded as completed. The training {holder} stopped counting after that day.")
        if officer.authority_status in ("active", "lapsed"):
            consequence = (f"Since {lapse_day}, {whose} delegated 287(g) immigration authority has "
                           f"lapsed. It must not be used until the refresher is completed and "
                           f"credentialing staff renew the authorization.")
        else:
            consequence = ("Until the refresher is completed, delegated 287(g) immigration authority "
                           "cannot be granted or renewed.")
        return subject, f"{greeting}\n\n{what}\n\n{consequence}"
    days = (due - today).days
    remaining = "today is the last day" if days == 0 else f"{days} day{'s' if days != 1 else ''} remain"
    subject = (f"Your 287(g) refresher training is due by {long_date(due)}" if to_officer else
               f"{officer.name}: 287(g) refresher training due by {long_date(due)}")
    what = (f"{about}{whose[0].upper() + whose[1:]} 287(g) refresher training (IADRP) must be "
            f"completed by {long_date(due)}. As of {long_date(today)}, {remaining}.")
    missed = (f"If it is not completed by then, {whose} delegated 287(g) immigration authority lapses "
              f"on {lapse_day}, the day after, and must not be used until the refresher is completed "
              f"and the authorization is renewed.")
    enrol = ("Ask your agency to nominate you now for an IADRP class at FLETC Charleston that ends "
             "before the due date." if to_officer else
             "Please nominate the officer now for an IADRP class at FLETC Charleston that ends before "
             "the due date.")
    return subject, f"{greeting}\n\n{what}\n\n{missed}\n\n{enrol}"


def _lapsed_text(officer: OfficerFacts, *, to_officer: bool):
    reason = officer.authority_reason.strip() or "the authorization or the training behind it has expired"
    if to_officer:
        subject = "Your 287(g) delegated authority has lapsed"
        body = (f"Dear {officer.name},\n\nYour delegated 287(g) immigration authority has lapsed: "
                f"{reason}.\n\nYou must not use 287(g) authority from now on. It can be restored only "
                f"when your training is current and credentialing staff renew your authorization.")
    else:
        subject = f"{officer.name}: 287(g) delegated authority has lapsed"
        body = (f"To the agency's 287(g) point of contact,\n\nThe delegated 287(g) immigration "
                f"authority of {officer.name}{_agency(officer)} has lapsed: {reason}.\n\nThe officer "
                f"must not use 287(g) authority until the training is current and credentialing staff "
                f"renew the authorization.")
    return subject, body


def scheduled_notices(today: date, officers: Iterable[OfficerFacts]) -> list[PlannedNotice]:
    """Return every refresher and lapse notice that should exist on `today`."""
    planned: list[PlannedNotice] = []
    for officer in officers:
        kind = refresher_kind(today, officer.refresher_due)
        if kind and officer.authority_status not in ("withdrawn", "terminated"):
            due = officer.refresher_due
            planned += _both(officer, kind, (officer.officer_id, due.isoformat()),
                             _refresher_text(officer, kind, today, due, to_officer=True),
                             _refresher_text(officer, kind, today, due, to_officer=False))
        if officer.authority_status == "lapsed" and officer.grant_id is not None:
            planned += _both(officer, "authority_lapsed", (officer.officer_id, officer.grant_id),
                             _lapsed_text(officer, to_officer=True), _lapsed_text(officer, to_officer=False))
    return planned


def withdrawal_notices(officer: OfficerFacts, *, withdrawal_id: int | str, effective_on: date,
                       reason: str) -> list[PlannedNotice]:
    """Return the notices of a written withdrawal of one officer's authority."""
    when = long_date(effective_on)
    officer_text = (
        f"Your 287(g) delegated authority is withdrawn effective {when}",
        f"Dear {officer.name},\n\nYour delegated 287(g) immigration authority is withdrawn effective "
        f"{when}. The reason given: {reason.strip()}\n\nFrom that date you must not use 287(g) "
        f"authority. Return your delegation-of-authority credentials as your field office directs.")
    poc_text = (
        f"{officer.name}: 287(g) delegated authority withdrawn effective {when}",
        f"To the agency's 287(g) point of contact,\n\nThe delegated 287(g) immigration authority of "
        f"{officer.name}{_agency(officer)} is withdrawn effective {when}. The reason given: "
        f"{reason.strip()}\n\nFrom that date the officer must not use 287(g) authority, and the "
        f"officer's credentials are to be returned to ICE.")
    return _both(officer, "authority_withdrawn", (withdrawal_id,), officer_text, poc_text)


def termination_notices(*, agreement_id: int | str, model_name: str, agency_name: str,
                        poc_email: str | None, terminated_on: date, reason: str,
                        officers: Iterable[OfficerFacts]) -> list[PlannedNotice]:
    """Return the notices of an ended agreement: one per affected officer, one summary to the POC."""
    when = long_date(terminated_on)
    officers = sorted(officers, key=lambda o: (o.name, o.officer_id))
    planned: list[PlannedNotice] = []
    agency = f" of {agency_name}" if agency_name else ""
    for officer in officers:
        subject = f"Your 287(g) delegated authority ends: the agreement ended effective {when}"
        body = (f"Dear {officer.name},\n\nThe 287(g) {model_name} agreement{agency} ended effective "
                f"{when}. The reason given: {reason.strip()}\n\nEvery officer's delegated 287(g) "
                f"authority under that agreement ends on that date: from then on you must not use "
                f"287(g) authority. Return your delegation-of-authority credentials as your field "
                f"office directs.\n\n{_contact_line(officer, to_officer=True)}")
        planned.append(PlannedNotice(
            dedupe_key("authority_terminated", agreement_id, officer.officer_id, recipient=officer.email),
            "authority_terminated", officer.officer_id, officer.email.strip(), True, subject, body))
    poc = (poc_email or "").strip()
    if poc:
        names = "\n".join(f"- {o.name}" for o in officers) or "- (no officer held authority under it)"
        subject = f"The 287(g) {model_name} agreement{agency} ended effective {when}"
        body = (f"To the agency's 287(g) point of contact,\n\nThe 287(g) {model_name} agreement{agency} "
                f"ended effective {when}. The reason given: {reason.strip()}\n\nThe delegated 287(g) "
                f"authority of every officer under it ends on that date. Officers notified:\n{names}\n\n"
                f"Their credentials are to be returned to ICE.\n\nQuestions: contact {PROGRAM_OFFICE}.")
        planned.append(PlannedNotice(
            dedupe_key("authority_terminated", agreement_id, "poc", recipient=poc),
            "authority_terminated", None, poc, False, subject, body))
    return planned
