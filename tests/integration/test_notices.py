"""Notices end to end: scheduling from real officers, event notices, and delivery to a real SMTP
server (aiosmtpd on loopback): once each, under two concurrent senders, with retries, recorded
failures and crash recovery; and each user's in-app list.
"""
from __future__ import annotations

import email
import email.policy
import smtplib
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.audit import audit_verify
from app.dates import add_years
from app.authority.services import agreement_terminate, authority_withdraw
from app.models import utcnow
from app.notices.models import Notice
from app.notices.services import message_id, notices_schedule, notices_send
from tests.integration.test_certificates import cert_world, issue
from tests.servers import free_port
from tests.concurrency import run_together

TODAY = utcnow().date()
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 14, 0, tzinfo=UTC)


# --- a real SMTP server ------------------------------------------------------------------------

class Recorder:
    """An aiosmtpd handler that keeps every accepted message; `refuse` maps addresses to replies."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: dict[str, str] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.messages]

    def to(self) -> list[str]:
        with self.lock:
            return [m["To"] for m in self.messages]


@pytest.fixture()
def smtp_server(app, monkeypatch):
    """aiosmtpd on 127.0.0.1 and a free port; the app's SMTP settings point at it."""
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    monkeypatch.setitem(app.config, "NOTICE_FROM", "287g-training@training.example.gov")
    recorder.port = port
    yield recorder
    controller.stop()


@pytest.fixture()
def world(make, db):
    return cert_world(make, db)


def officer_due_in(world, days: int, *, agency=None, name=None):
    """An officer whose IADP certificate (two-year refresher period) falls due `days` from today."""
    kw = {"agency": agency} if agency else {}
    if name:
        kw["name"] = name
    officer = world.make.user("officer", **kw)
    issue(world, officer, completed_at=at(add_years(TODAY + timedelta(days=days), -2)))
    return officer


def notices(db, *where) -> list[Notice]:
    return db.session.execute(select(Notice).where(*where).order_by(Notice.id)
                              .execution_options(populate_existing=True)).scalars().all()


def outbox(db, n: int, *, now: datetime = T0, prefix: str = "officer") -> list[Notice]:
    """`n` pending notices, due at `now`, to distinct addresses."""
    rows = [Notice(dedupe_key=f"test:{prefix}:{i}", kind="refresher_due_30",
                   recipient_email=f"{prefix}{i}@agency.example",
                   subject=f"Notice {i} to {prefix}", body=f"Body of notice {i}.\n\nSecond paragraph.",
                   created_at=now, next_attempt_at=now) for i in range(n)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


# --- scheduling -------------------------------------------------------------------------------

def test_scheduling_at_the_thresholds_from_real_certificates(world, make, db):
    agency = make.agency(name="Berkeley County Sheriff's Office", poc_email="POC@berkeley.example")
    poc_user = make.user("officer", agency=agency, email="poc@berkeley.example", name="Pat Point")
    officers = {days: officer_due_in(world, days, agency=agency) for days in (91, 90, 60, 30, 0, -1)}

    result = notices_schedule(utcnow())

    rows = notices(db)
    by_officer = {}
    for row in rows:
        by_officer.setdefault(row.officer_id, []).append(row)
    expected = {91: None, 90: "refresher_due_90", 60: "refresher_due_60", 30: "refresher_due_30",
                0: "refresher_due_30", -1: "refresher_overdue"}
    for days, kind in expected.items():
        officer = officers[days]
        mine = by_officer.get(officer.id, [])
        if kind is None:
            assert mine == []
            continue
        due = TODAY + timedelta(days=days)
        assert [(n.kind, n.recipient_email, n.recipient_user_id) for n in mine] == [
            (kind, officer.email, officer.id), (kind, "POC@berkeley.example", poc_user.id)]
        assert mine[0].dedupe_key == f"{kind}:{officer.id}:{due.isoformat()}:{officer.email}"
        assert all(n.status == "pending" and n.attempts == 0 for n in mine)
    thirty = by_officer[officers[30].id][0]
    assert thirty.subject == f"Your 287(g) refresher training is due by {due_words(TODAY, 30)}"
    assert "30 days remain" in thirty.body and "lapses on" in thirty.body
    assert (result.created, result.planned) == (10, 10)
    assert result.officers == 7  # the six, and the POC's own account (no certificate: nothing)


def due_words(today: date, days: int) -> str:
    day = today + timedelta(days=days)
    return f"{day.day} {day:%B %Y}"


def test_a_lapsed_grant_is_noticed_once(world, make, db):
    staff = make.user("credentialing")
    agency = make.agency()
    agreement = make.agreement(agency, signed_on=date(2023, 1, 10))
    officer = make.user("officer", agency=agency)
    issue(world, officer, completed_at=at(TODAY - timedelta(days=500)))
    grant = make.grant(officer, agreement, staff, on=TODAY - timedelta(days=400))  # expired 35 days ago

    notices_schedule(utcnow())

    rows = notices(db)
    assert [(n.kind, n.recipient_email) for n in rows] == [
        ("authority_lapsed", officer.email), ("authority_lapsed", agency.poc_email)]
    assert rows[0].dedupe_key == f"authority_lapsed:{officer.id}:{grant.id}:{officer.email}"
    assert f"Authorization expired on {grant.expires_on.isoformat()}" in rows[0].body


def test_scheduling_twice_inserts_nothing_the_second_time(world, make, db, runner):
    for days in (30, 45, -5):
        officer_due_in(world, days)
    first = runner.invoke(args=["notices", "schedule"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "checked 3 officers: 6 notices due, 6 new"
    keys = [n.dedupe_key for n in notices(db)]
    second = runner.invoke(args=["notices", "schedule"])
    assert second.output.strip() == "checked 3 officers: 6 notices due, 0 new"
    assert [n.dedupe_key for n in notices(db)] == keys
    assert notices_schedule(utcnow() + timedelta(days=1)).created == 0  # the same notices tomorrow


def test_two_schedulers_at_once_store_each_notice_once(world, make, db, app):
    for days in (10, 20):
        officer_due_in(world, days)
    results = run_together(app, [lambda go: (go(), notices_schedule(utcnow()))[1].created] * 2)
    assert sum(results) == 4
    assert db.session.execute(select(func.count(Notice.id))).scalar_one() == 4


def test_scheduling_reads_the_facts_in_a_fixed_number_of_queries(world, make, db, count_queries):
    agency = make.agency()
    for days in (10, 20):
        officer_due_in(world, days, agency=agency)
    with count_queries:
        assert notices_schedule(utcnow()).created == 4
    few = count_queries.count
    for days in (11, 21, 31, 41, 51, 61):
        officer_due_in(world, days, agency=make.agency())
    with count_queries:
        assert notices_schedule(utcnow()).created == 12
    assert count_queries.count == few, count_queries.statements


# --- event notices ----------------------------------------------------------------------------

def granted_officer(world, make, agency, agreement, staff, **kw):
    officer = make.user("officer", agency=agency, **kw)
    issue(world, officer, completed_at=at(TODAY - timedelta(days=30)))
    make.grant(officer, agreement, staff)
    return officer


def test_a_withdrawal_enqueues_notices_to_the_officer_and_the_poc(world, make, db):
    staff = make.user("credentialing")
    agency = make.agency(poc_email="poc@county.example")
    agreement = make.agreement(agency, signed_on=date(2024, 1, 15))
    officer = granted_officer(world, make, agency, agreement, staff)
    effective = TODAY + timedelta(days=3)

    withdrawal = authority_withdraw(officer=officer, effective_on=effective,
                                    reason="Conduct under review by the field office.", actor=staff,
                                    now=utcnow())

    rows = notices(db, Notice.kind == "authority_withdrawn")
    assert [(n.recipient_email, n.officer_id, n.recipient_user_id, n.dedupe_key) for n in rows] == [
        (officer.email, officer.id, officer.id, f"authority_withdrawn:{withdrawal.id}:{officer.email}"),
        ("poc@county.example", officer.id, None, f"authority_withdrawn:{withdrawal.id}:poc@county.example")]
    assert all(f"withdrawn effective {due_words(effective, 0)}" in n.subject for n in rows)
    assert all("Conduct under review by the field office." in n.body for n in rows)
    assert audit_verify().ok
    # A withdrawn officer gets no refresher reminders afterwards.
    due = add_years(TODAY - timedelta(days=30), 2)
    notices_schedule(at(due - timedelta(days=10)))
    assert {n.kind for n in notices(db)} == {"authority_withdrawn"}


def test_ending_an_agreement_notifies_each_authorized_officer_and_the_poc(world, make, db):
    staff = make.user("credentialing")
    agency = make.agency(name="Dorchester County Sheriff's Office", poc_email="poc@dorchester.example")
    agreement = make.agreement(agency, signed_on=date(2024, 1, 15))
    first = granted_officer(world, make, agency, agreement, staff, name="Casey Diaz")
    second = granted_officer(world, make, agency, agreement, staff, name="Alex Brown")
    make.user("officer", agency=agency)  # never authorized: not affected
    ends = TODAY + timedelta(days=1)
    db.session.refresh(staff)  # agreement_terminate reads actor.id mid-update: load it first

    agreement_terminate(agreement=agreement, on=ends, reason="The agency withdrew from the program.",
                        actor=staff, now=utcnow())

    rows = notices(db, Notice.kind == "authority_terminated")
    assert [(n.recipient_email, n.recipient_user_id) for n in rows] == [
        (second.email, second.id), (first.email, first.id), ("poc@dorchester.example", None)]
    assert "- Alex Brown\n- Casey Diaz" in rows[-1].body
    assert all("Dorchester County Sheriff's Office ended effective" in n.body for n in rows)
    assert audit_verify().ok


# --- sending ----------------------------------------------------------------------------------

def test_flask_notices_send_delivers_each_notice_once(world, make, db, runner, smtp_server, app):
    agency = make.agency(poc_email="poc@county.example")
    officer = officer_due_in(world, 30, agency=agency)
    notices_schedule(utcnow())

    first = runner.invoke(args=["notices", "send"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "claimed 2, sent 2, retried 0, failed 0"
    again = runner.invoke(args=["notices", "send"])
    assert again.output.strip() == "claimed 0, sent 0, retried 0, failed 0"

    rows = notices(db)
    assert [n.status for n in rows] == ["sent", "sent"] and all(n.sent_at for n in rows)
    assert all(n.attempts == 1 and n.last_error is None for n in rows)
    assert len(smtp_server.messages) == 2
    by_to = {m["To"]: m for m in smtp_server.messages}
    assert set(by_to) == {officer.email, "poc@county.example"}
    for row in rows:
        message = by_to[row.recipient_email]
        assert message["Subject"] == row.subject
        assert message["From"] == "287g-training@training.example.gov"
        assert message["Message-ID"] == message_id(row.id, row.dedupe_key, app.config["NOTICE_FROM"])
        assert message["Message-ID"].endswith("@training.example.gov>")
        assert message["Auto-Submitted"] == "auto-generated"
        assert message.get_content().replace("\r\n", "\n").strip() == row.body.strip()


def test_two_concurrent_senders_deliver_each_notice_exactly_once(db, app, smtp_server):
    outbox(db, 40)

    def sender(name):
        def job(go):
            go()
            total = []
            while True:
                result = notices_send(worker=name, now=T0, batch=4)
                total.append(result.sent)
                if result.claimed == 0:
                    return sum(total)
        return job

    sent = run_together(app, [sender("worker-a"), sender("worker-b")])

    assert sum(sent) == 40
    ids = smtp_server.ids()
    assert len(ids) == 40 and len(set(ids)) == 40
    assert sorted(smtp_server.to()) == sorted(f"officer{i}@agency.example" for i in range(40))
    rows = notices(db)
    assert {n.status for n in rows} == {"sent"} and {n.attempts for n in rows} == {1}
    assert {n.claimed_by for n in rows} <= {"worker-a", "worker-b"}


def test_an_unreachable_server_is_retried_with_backoff_and_then_delivered(db, app, smtp_server, monkeypatch):
    outbox(db, 2)
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # nothing listens there

    result = notices_send(worker="w", now=T0)
    assert (result.claimed, result.sent, result.retried, result.failed) == (2, 0, 2, 0)
    rows = notices(db)
    assert {n.status for n in rows} == {"pending"} and {n.attempts for n in rows} == {1}
    assert all("ConnectionRefusedError" in n.last_error for n in rows)
    assert {n.next_attempt_at for n in rows} == {T0 + timedelta(minutes=1)}
    assert notices_send(worker="w", now=T0 + timedelta(seconds=59)).claimed == 0  # not yet

    monkeypatch.setitem(app.config, "SMTP_PORT", smtp_server.port)
    result = notices_send(worker="w", now=T0 + timedelta(minutes=1))
    assert (result.claimed, result.sent) == (2, 2)
    assert {(n.status, n.attempts) for n in notices(db)} == {("sent", 2)}
    assert len(smtp_server.messages) == 2


def test_a_refused_recipient_is_retried_then_failed_after_max_attempts(db, smtp_server):
    outbox(db, 2)
    smtp_server.refuse["officer1@agency.example"] = "451 4.3.0 Mailbox busy, try later"

    schedule = [T0]
    for minutes in (1, 5, 30, 120):  # the backoff after attempts 1..4
        schedule.append(schedule[-1] + timedelta(minutes=minutes))
    outcomes = []
    for when in schedule:
        if when != T0:
            assert notices_send(worker="w", now=when - timedelta(seconds=1)).claimed == 0  # not due yet
        result = notices_send(worker="w", now=when, max_attempts=5)
        busy = notices(db, Notice.recipient_email == "officer1@agency.example")[0]
        outcomes.append((result.sent, result.retried, result.failed, busy.status, busy.attempts))

    assert outcomes == [(1, 1, 0, "pending", 1), (0, 1, 0, "pending", 2), (0, 1, 0, "pending", 3),
                        (0, 1, 0, "pending", 4), (0, 0, 1, "failed", 5)]
    busy = notices(db, Notice.recipient_email == "officer1@agency.example")[0]
    assert "451" in busy.last_error and "Mailbox busy" in busy.last_error
    assert notices_send(worker="w", now=T0 + timedelta(days=30)).claimed == 0  # failed stays failed
    assert smtp_server.to() == ["officer0@agency.example"]


def test_a_permanently_refused_recipient_fails_at_once(db, smtp_server):
    outbox(db, 1)
    smtp_server.refuse["officer0@agency.example"] = "550 5.1.1 No such user"
    result = notices_send(worker="w", now=T0)
    assert (result.sent, result.retried, result.failed) == (0, 0, 1)
    row = notices(db)[0]
    assert (row.status, row.attempts) == ("failed", 1) and "550" in row.last_error


class Killed(BaseException):
    """The sender process dying mid-batch (SIGKILL, power loss): nothing after it runs."""


def crashing_factory(port: int, *, on_call: int, after_send: bool = False):
    """SMTP connections whose `on_call`-th send_message kills the sender (before or after sending)."""
    calls = {"n": 0}

    class Crashing:
        def __init__(self):
            self.smtp = smtplib.SMTP("127.0.0.1", port, timeout=10)

        def send_message(self, message):
            calls["n"] += 1
            if calls["n"] == on_call and not after_send:
                raise Killed()
            result = self.smtp.send_message(message)
            if calls["n"] == on_call:
                raise Killed()
            return result

        def __getattr__(self, name):
            return getattr(self.smtp, name)

    return Crashing


def test_a_crash_midway_is_recovered_after_the_stale_timeout_without_resending(db, app, smtp_server):
    outbox(db, 3)
    with pytest.raises(Killed):
        notices_send(worker="dies", now=T0, smtp_factory=crashing_factory(smtp_server.port, on_call=2))
    db.session.rollback()
    assert [n.status for n in notices(db)] == ["sent", "sending", "sending"]
    assert len(smtp_server.messages) == 1

    stale = app.config["NOTICE_STALE_MINUTES"]
    assert notices_send(worker="next", now=T0 + timedelta(minutes=stale - 1)).claimed == 0  # maybe alive
    result = notices_send(worker="next", now=T0 + timedelta(minutes=stale + 1))
    assert (result.claimed, result.sent) == (2, 2)

    rows = notices(db)
    assert [(n.status, n.attempts, n.claimed_by) for n in rows] == [
        ("sent", 1, "dies"), ("sent", 2, "next"), ("sent", 2, "next")]
    ids = smtp_server.ids()
    assert len(ids) == 3 and len(set(ids)) == 3  # the one marked sent was not sent again
    assert sorted(ids) == sorted(message_id(n.id, n.dedupe_key, app.config["NOTICE_FROM"]) for n in rows)


def test_a_crash_after_the_server_accepted_resends_with_the_same_message_id(db, app, smtp_server):
    """The documented at-least-once window: accepted by SMTP, killed before recording it."""
    outbox(db, 1)
    with pytest.raises(Killed):
        notices_send(worker="dies", now=T0,
                     smtp_factory=crashing_factory(smtp_server.port, on_call=1, after_send=True))
    db.session.rollback()
    stale = app.config["NOTICE_STALE_MINUTES"]
    assert notices_send(worker="next", now=T0 + timedelta(minutes=stale + 1)).sent == 1
    ids = smtp_server.ids()
    assert len(ids) == 2 and ids[0] == ids[1]  # the receiver can drop the copy by Message-ID


def test_a_notice_that_kills_every_sender_is_given_up_after_max_attempts(db, app, smtp_server):
    outbox(db, 1)
    stale = timedelta(minutes=app.config["NOTICE_STALE_MINUTES"] + 1)
    with pytest.raises(Killed):
        notices_send(worker="a", now=T0, max_attempts=2,
                     smtp_factory=crashing_factory(smtp_server.port, on_call=1))
    with pytest.raises(Killed):
        notices_send(worker="b", now=T0 + stale, max_attempts=2,
                     smtp_factory=crashing_factory(smtp_server.port, on_call=1))
    db.session.rollback()
    result = notices_send(worker="c", now=T0 + 2 * stale, max_attempts=2)
    assert (result.claimed, result.failed) == (0, 1)
    row = notices(db)[0]
    assert (row.status, row.attempts) == ("failed", 2) and "stopped" in row.last_error
    assert smtp_server.messages == []


class SlowClock:
    """`time.monotonic` for the sender: the batch starts at 0 and every later reading is 16 minutes on."""

    def __init__(self):
        self.readings = 0

    def monotonic(self) -> float:
        self.readings += 1
        return 0.0 if self.readings == 1 else 16 * 60.0


def test_a_slow_sender_keeps_its_claim_and_a_takeover_is_not_resent(db, app, smtp_server, monkeypatch):
    """Fence and heartbeat: a row taken over by another sender is skipped by the slow one, and the
    row the slow one is sending right now (its claim just refreshed) is not taken over."""
    outbox(db, 2)
    monkeypatch.setattr("app.notices.services.time", SlowClock())
    stale = timedelta(minutes=16)  # the other sender runs 16 minutes after the slow one claimed
    other_run = {}

    class TakeOverDuringFirstSend:
        def __init__(self):
            self.smtp = smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=10)

        def send_message(self, message):
            result = self.smtp.send_message(message)
            if not other_run:
                # 16 minutes after the claim, while the first notice is being sent, another
                # sender takes over what looks stale: the second notice, not the one being sent.
                with app.app_context():
                    other_run["result"] = notices_send(worker="other", now=T0 + stale)
            return result

        def __getattr__(self, name):
            return getattr(self.smtp, name)

    result = notices_send(worker="slow", now=T0, smtp_factory=TakeOverDuringFirstSend)
    assert (result.claimed, result.sent, result.skipped) == (2, 1, 1)
    assert (other_run["result"].claimed, other_run["result"].sent) == (1, 1)
    ids = smtp_server.ids()
    assert len(ids) == 2 and len(set(ids)) == 2
    assert [(n.status, n.claimed_by) for n in notices(db)] == [("sent", "slow"), ("sent", "other")]


# --- the in-app list --------------------------------------------------------------------------

def test_each_user_sees_only_their_own_notices_newest_first(db, make, auth, client):
    me = auth.login_as("officer")
    other = make.user("officer")
    db.session.add_all([
        Notice(dedupe_key="a", kind="refresher_due_90", officer_id=me.id, recipient_email=me.email,
               recipient_user_id=me.id, subject="Older notice for me", body="First paragraph.\n\nSecond.",
               created_at=T0, status="sent", sent_at=T0),
        Notice(dedupe_key="b", kind="refresher_due_60", officer_id=me.id, recipient_email=me.email,
               recipient_user_id=me.id, subject="Newer notice for me", body="Due soon.",
               created_at=T0 + timedelta(days=30), status="failed"),
        Notice(dedupe_key="c", kind="refresher_due_90", officer_id=other.id, recipient_email=other.email,
               recipient_user_id=other.id, subject="Someone else's notice", body="Not yours.",
               created_at=T0 + timedelta(days=40)),
    ])
    db.session.commit()

    page = client.get("/notices/")
    assert page.status_code == 200
    markup = page.get_data(as_text=True)
    assert markup.index("Newer notice for me") < markup.index("Older notice for me")
    assert "Someone else" not in markup and "Not yours" not in markup
    assert "Could not be delivered" in markup and f"Sent {T0.day} {T0:%B %Y}" in markup
    assert "<p>First paragraph.</p><p>Second.</p>" in markup
    assert "<caption>Your notices, newest first</caption>" in markup
    assert f'href="/notices/"' in markup  # in the navigation of every role

    auth.logout()
    auth.login(other.email)
    markup = client.get("/notices/").get_data(as_text=True)
    assert "Someone else&#39;s notice" in markup and "for me" not in markup


def test_a_user_without_notices_sees_an_empty_list(auth, client):
    auth.login_as("manager")
    markup = client.get("/notices/").get_data(as_text=True)
    assert "No notices yet." in markup
