"""The notice outbox: schedule notices, enqueue event notices, and send them by SMTP.

Scheduling (`notices_schedule`, daily). The facts of every active officer
(account and agency, certificates, grants, withdrawals, agreements) are read
in five queries whatever the number of officers, then the pure rules
(`app.authority.rules.authority_on`, `app.notices.schedule`) decide, in
memory, which notices should exist. Keys already stored are looked up in
chunks of 5,000 and the missing notices inserted in chunks of 500 rows, with
INSERT ... ON CONFLICT (dedupe_key) DO NOTHING, so a second run inserts
nothing and two runs at once cannot insert a notice twice. One commit.

Event notices (`notice_authority_withdrawn`, `notice_agreement_terminated`)
are written in the caller's transaction: the decision and its notices are
committed together or not at all.

Sending (`notices_send`, every few minutes), and why each notice goes out once
1. Claim. One UPDATE turns up to `batch` due rows into `sending`, stamped with
   the worker's name and `attempts + 1`, and returns their ids; it is
   committed before any mail is sent. On PostgreSQL the rows are picked by a
   subquery with FOR UPDATE SKIP LOCKED, so concurrent senders take disjoint
   rows without waiting; on SQLite the UPDATE takes the database's single
   write lock, so the second sender sees the first one's rows already
   `sending`. A row is claimed by one sender at a time.
2. Fence. Just before sending a row the sender checks, in one committed
   UPDATE, that the row is still `sending` under its own name and attempt
   number (the attempt number is a fencing token) and refreshes `claimed_at`.
   A row reclaimed by someone else is skipped.
3. Send, then record: `sent` (with `sent_at`) in its own commit right after
   the SMTP server accepted the message; or, on failure, back to `pending`
   with `next_attempt_at` = now + 1, 5, 30, 120, then 720 minutes and
   `last_error`; or `failed` after `max_attempts` attempts, or at once when
   the server refuses the recipient or message permanently (5xx).
4. Crash recovery. A row left `sending` for longer than
   NOTICE_STALE_MINUTES (the sender died) is claimed again by the next run;
   one that has already used all its attempts is marked `failed` instead, so
   a message that kills the sender cannot loop for ever.

So: exactly once between concurrent senders, and exactly once across a
crash that happens before the SMTP server accepted the message (the row is
still `sending`, the mail was never delivered, the next run sends it). There
is one window this cannot close: a crash after the server accepted the
message and before the `sent` commit. The next run sends it again, so that
case is at least once. The resend carries the same Message-ID
(`<notice-ID-HASH@domain>`, derived from the notice id), the same Date and the
same body, so a receiving server or mail client that de-duplicates by
Message-ID shows it once. The fence keeps a slow but live sender from being
overtaken as long as one SMTP transaction takes less than NOTICE_STALE_MINUTES
(the SMTP timeout is 30 seconds per operation).
"""
from __future__ import annotations

import hashlib
import smtplib
import ssl
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.agencies.models import Agency, Agreement
from app.auth.models import User
from app.authority.models import AuthorityGrant, AuthorityWithdrawal
from app.authority.rules import (
    MODEL_NAMES, AgreementFact, CertificateFact, GrantFact, WithdrawalFact, authority_on,
)
from app.certificates.models import Certificate
from app.extensions import db
from app.notices.models import Notice
from app.notices.schedule import (
    OfficerFacts, PlannedNotice, scheduled_notices, termination_notices, withdrawal_notices,
)

BACKOFF_MINUTES = (1, 5, 30, 120, 720)
SMTP_TIMEOUT_SECONDS = 30
KEY_CHUNK = 5000
INSERT_CHUNK = 500
ERROR_MAX = 2000


# --- scheduling -----------------------------------------------------------------------------

@dataclass
class ScheduleResult:
    officers: int = 0
    planned: int = 0
    created: int = 0


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _user_ids_by_email(emails: Iterable[str]) -> dict[str, int]:
    """Map addresses (any case) to the ids of active accounts that hold them."""
    wanted = sorted({e.strip().lower() for e in emails if e and e.strip()})
    if not wanted:
        return {}
    found: dict[str, int] = {}
    for chunk in _chunks(wanted, KEY_CHUNK):
        rows = db.session.execute(select(User.id, User.email).where(
            func.lower(User.email).in_(chunk), User.active.is_(True)))
        found.update({email.lower(): user_id for user_id, email in rows})
    return found


def _insert_missing(planned: list[PlannedNotice], now: datetime) -> int:
    """Insert the planned notices whose keys are not stored yet; return how many were inserted.

    Runs in the caller's transaction and never aborts it: a key inserted
    meanwhile by a concurrent run is skipped by ON CONFLICT DO NOTHING.
    """
    if not planned:
        return 0
    unique = list({p.dedupe_key: p for p in planned}.values())
    existing: set[str] = set()
    for chunk in _chunks([p.dedupe_key for p in unique], KEY_CHUNK):
        existing.update(db.session.execute(
            select(Notice.dedupe_key).where(Notice.dedupe_key.in_(chunk))).scalars())
    missing = [p for p in unique if p.dedupe_key not in existing]
    if not missing:
        return 0
    poc_users = _user_ids_by_email(p.recipient_email for p in missing if not p.to_officer)
    rows = [{
        "dedupe_key": p.dedupe_key, "kind": p.kind, "officer_id": p.officer_id,
        "recipient_email": p.recipient_email,
        "recipient_user_id": p.officer_id if p.to_officer else poc_users.get(p.recipient_email.lower()),
        "subject": p.subject[:300], "body": p.body, "created_at": now, "status": "pending",
        "attempts": 0, "next_attempt_at": now,
    } for p in missing]
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Notice.__table__
    inserted = 0
    for chunk in _chunks(rows, INSERT_CHUNK):
        statement = (insert(table).values(chunk)
                     .on_conflict_do_nothing(index_elements=[table.c.dedupe_key])
                     .returning(table.c.id))
        inserted += len(db.session.execute(statement).all())
    return inserted


def _all_officer_facts(today: date) -> list[OfficerFacts]:
    """Every active officer's facts on `today`, in five queries and the pure authority rules."""
    officers = db.session.execute(
        select(User.id, User.email, User.name, Agency.name, Agency.poc_email)
        .outerjoin(Agency, User.agency_id == Agency.id)
        .where(User.role == "officer", User.active.is_(True)).order_by(User.id)).all()
    active_officers = select(User.id).where(User.role == "officer", User.active.is_(True))

    certificates: dict[int, list[CertificateFact]] = defaultdict(list)
    for row in db.session.execute(select(
            Certificate.officer_id, Certificate.serial, Certificate.kind, Certificate.course_key,
            Certificate.completed_on, Certificate.valid_until, Certificate.revoked_at)
            .where(Certificate.officer_id.in_(active_officers))):
        certificates[row.officer_id].append(CertificateFact(
            row.serial, row.kind, row.course_key, row.completed_on, row.valid_until,
            row.revoked_at.date() if row.revoked_at else None))

    grants: dict[int, list[GrantFact]] = defaultdict(list)
    for row in db.session.execute(select(
            AuthorityGrant.id, AuthorityGrant.officer_id, AuthorityGrant.agreement_id,
            AuthorityGrant.effective_on, AuthorityGrant.expires_on)
            .where(AuthorityGrant.officer_id.in_(active_officers))):
        grants[row.officer_id].append(GrantFact(row.id, row.agreement_id, row.effective_on, row.expires_on))

    withdrawals: dict[int, list[WithdrawalFact]] = defaultdict(list)
    for row in db.session.execute(select(
            AuthorityWithdrawal.officer_id, AuthorityWithdrawal.effective_on, AuthorityWithdrawal.reason)
            .where(AuthorityWithdrawal.officer_id.in_(active_officers))):
        withdrawals[row.officer_id].append(WithdrawalFact(row.effective_on, row.reason))

    agreements = {row.id: AgreementFact(row.id, row.model, row.signed_on, row.terminated_on)
                  for row in db.session.execute(select(
                      Agreement.id, Agreement.model, Agreement.signed_on, Agreement.terminated_on))}

    facts = []
    for officer_id, email, name, agency_name, poc_email in officers:
        own_grants = grants.get(officer_id, [])
        status = authority_on(
            today, grants=own_grants, withdrawals=withdrawals.get(officer_id, []),
            agreements={g.agreement_id: agreements[g.agreement_id] for g in own_grants},
            certificates=certificates.get(officer_id, []))
        facts.append(OfficerFacts(
            officer_id=officer_id, email=email, name=name, agency_name=agency_name or "",
            poc_email=poc_email, refresher_due=status.refresher_due, authority_status=status.status,
            grant_id=status.grant_id, authority_reason=status.reason))
    return facts


def notices_schedule(now: datetime) -> ScheduleResult:
    """Store every refresher and lapse notice due on `now`'s date that is not stored yet. Commits once."""
    facts = _all_officer_facts(now.date())
    planned = scheduled_notices(now.date(), facts)
    created = _insert_missing(planned, now)
    db.session.commit()
    return ScheduleResult(officers=len(facts), planned=len(planned), created=created)


# --- event notices (in the caller's transaction) ---------------------------------------------

def _facts_of(officer: User) -> OfficerFacts:
    agency = officer.agency
    return OfficerFacts(officer_id=officer.id, email=officer.email, name=officer.name,
                        agency_name=agency.name if agency else "",
                        poc_email=agency.poc_email if agency else None)


def notice_authority_withdrawn(withdrawal: AuthorityWithdrawal) -> int:
    """Enqueue the withdrawal's notices to the officer and the agency's POC; the caller commits."""
    officer = db.session.get(User, withdrawal.officer_id)
    planned = withdrawal_notices(_facts_of(officer), withdrawal_id=withdrawal.id,
                                 effective_on=withdrawal.effective_on, reason=withdrawal.reason)
    return _insert_missing(planned, withdrawal.withdrawn_at)


def notice_agreement_terminated(agreement: Agreement) -> int:
    """Enqueue notices to every officer authorized under the ended agreement and to the POC.

    An officer is affected when a grant under the agreement had not expired
    before the agreement ended. The caller commits.
    """
    officers = db.session.execute(
        select(User).where(User.active.is_(True), User.id.in_(
            select(AuthorityGrant.officer_id).where(
                AuthorityGrant.agreement_id == agreement.id,
                AuthorityGrant.expires_on >= agreement.terminated_on))).order_by(User.id)).scalars().all()
    agency = db.session.get(Agency, agreement.agency_id)
    planned = termination_notices(
        agreement_id=agreement.id, model_name=MODEL_NAMES.get(agreement.model, agreement.model),
        agency_name=agency.name if agency else "", poc_email=agency.poc_email if agency else None,
        terminated_on=agreement.terminated_on, reason=agreement.termination_reason or "",
        officers=[_facts_of(o) for o in officers])
    return _insert_missing(planned, agreement.terminated_at)


# --- sending ----------------------------------------------------------------------------------

@dataclass
class SendResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0  # reclaimed by another sender after this one's claim went stale

    def __iadd__(self, other: SendResult) -> SendResult:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


def smtp_from_config(config) -> Callable[[], smtplib.SMTP]:
    """Return a factory of SMTP connections made from the settings (host, port, TLS, credentials)."""
    def connect() -> smtplib.SMTP:
        host, port = config["SMTP_HOST"], int(config["SMTP_PORT"])
        if config["SMTP_SSL"]:
            smtp = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_SECONDS,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
            if config["SMTP_STARTTLS"]:
                smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        return smtp
    return connect


def message_id(notice_id: int, dedupe_key: str, sender: str) -> str:
    """The notice's Message-ID: the same every time the notice is sent."""
    domain = sender.rpartition("@")[2].strip(" >") or "localhost"
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:12]
    return f"<notice-{notice_id}-{digest}@{domain}>"


def notice_message(notice: Notice, sender: str) -> EmailMessage:
    """Build the email for a notice; identical bytes on every attempt."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notice.recipient_email
    message["Subject"] = notice.subject
    message["Date"] = format_datetime(notice.created_at)
    message["Message-ID"] = message_id(notice.id, notice.dedupe_key, sender)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(notice.body)
    return message


def _permanent(error: Exception) -> bool:
    """Return True when retrying cannot help: the server refused the recipient or message for good."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def _connection_usable(error: Exception) -> bool:
    """After a per-recipient refusal the connection is still fine; after anything else, reconnect."""
    return isinstance(error, smtplib.SMTPRecipientsRefused)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX]


def _mine(notice_id: int, worker: str, attempts: int):
    """The WHERE clause that holds only while this sender's claim on the row stands."""
    return and_(Notice.id == notice_id, Notice.status == "sending", Notice.claimed_by == worker,
                Notice.attempts == attempts)


def _set(where, **values) -> int:
    """Update the rows `where` selects, commit, and return how many changed."""
    result = db.session.execute(update(Notice).where(where).values(**values)
                                .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def _claim(*, worker: str, now: datetime, stale_before: datetime, batch: int,
           max_attempts: int) -> tuple[int, list[tuple[int, int]]]:
    """Fail stale rows out of attempts, then claim up to `batch` due rows. Commits once."""
    gave_up = db.session.execute(
        update(Notice).where(Notice.status == "sending", Notice.claimed_at < stale_before,
                             Notice.attempts >= max_attempts)
        .values(status="failed", last_error="The sender stopped while sending the last allowed "
                "attempt; given up (it may or may not have been delivered).")
        .execution_options(synchronize_session=False)).rowcount
    due = or_(and_(Notice.status == "pending", Notice.next_attempt_at <= now),
              and_(Notice.status == "sending", Notice.claimed_at < stale_before))
    pick = select(Notice.id).where(due).order_by(Notice.next_attempt_at, Notice.id).limit(batch)
    if db.session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    claimed = db.session.execute(
        update(Notice).where(Notice.id.in_(pick), due)
        .values(status="sending", claimed_by=worker, claimed_at=now, attempts=Notice.attempts + 1)
        .returning(Notice.id, Notice.attempts)
        .execution_options(synchronize_session=False)).all()
    db.session.commit()
    return gave_up, sorted((row.id, row.attempts) for row in claimed)


def notices_send(*, worker: str, now: datetime, smtp_factory: Callable[[], smtplib.SMTP] | None = None,
                 batch: int = 50, max_attempts: int = 5) -> SendResult:
    """Claim up to `batch` due notices and send each by SMTP; see the module docstring for the guarantees.

    `smtp_factory()` returns a connected (and, if configured, authenticated)
    smtplib.SMTP; by default it is built from the SMTP_* settings.
    """
    config = current_app.config
    smtp_factory = smtp_factory or smtp_from_config(config)
    sender = config["NOTICE_FROM"]
    worker = worker[:80]
    stale_before = now - timedelta(minutes=int(config["NOTICE_STALE_MINUTES"]))
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    result = SendResult()
    gave_up, claimed = _claim(worker=worker, now=now, stale_before=stale_before, batch=batch,
                              max_attempts=max_attempts)
    result.failed += gave_up
    result.claimed = len(claimed)
    if not claimed:
        return result
    attempts_of = dict(claimed)
    notices = db.session.execute(select(Notice).where(Notice.id.in_(list(attempts_of)))
                                 .order_by(Notice.id)).scalars().all()
    messages = []
    for notice in notices:
        try:
            messages.append((notice.id, notice_message(notice, sender), None))
        except Exception as error:  # noqa: BLE001 - a malformed notice is recorded, not fatal
            messages.append((notice.id, None, error))
    db.session.commit()  # end the read; every write below is its own short transaction

    smtp = None
    try:
        for notice_id, message, error in messages:
            attempts = attempts_of[notice_id]
            # Fence: still ours? Refresh claimed_at so no one takes it for stale while we send.
            if not _set(_mine(notice_id, worker, attempts), claimed_at=clock()):
                result.skipped += 1
                continue
            if error is None:
                try:
                    if smtp is None:
                        smtp = smtp_factory()
                    smtp.send_message(message)
                except Exception as failure:  # noqa: BLE001 - every SMTP or network error is recorded
                    error = failure
                    if not _connection_usable(failure) and smtp is not None:
                        _close(smtp)
                        smtp = None
            if error is None:
                _set(_mine(notice_id, worker, attempts), status="sent", sent_at=clock())
                result.sent += 1
            elif _permanent(error) or attempts >= max_attempts:
                _set(_mine(notice_id, worker, attempts), status="failed", last_error=_describe(error))
                result.failed += 1
            else:
                backoff = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
                _set(_mine(notice_id, worker, attempts), status="pending", last_error=_describe(error),
                     next_attempt_at=now + timedelta(minutes=backoff))
                result.retried += 1
    finally:
        if smtp is not None:
            _quit(smtp)
    return result


def _close(smtp) -> None:
    try:
        smtp.close()
    except Exception:  # noqa: BLE001 - closing a broken connection may fail too
        pass


def _quit(smtp) -> None:
    try:
        smtp.quit()
    except Exception:  # noqa: BLE001
        _close(smtp)
