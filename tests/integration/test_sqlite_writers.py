"""Concurrent writers never surface a 500, and every write lands (issue 7, item 4: busy handling).

Officers hammer gunicorn (two workers of four threads) at once with requests
that read before they write: autosaved answers on their own attempts, lessons
marked complete (in order, so each reads what is done first), lesson pages
(a GET that records the lesson opened last) and exam pages whose attempt ran
out of time (a GET that closes, scores and audits it); API clients look up
officers meanwhile (a GET that counts the token's rate limit on a connection
of its own and records when the token was last used). On SQLite, a
transaction that read and then writes while another connection commits must
wait for the write lock, not fail with "database is locked"; the same test
runs on PostgreSQL. It guards the engine set-up in app/__init__.py: with the
plain BEGIN of SQLAlchemy's recipe it fails (sign-ins answer 500), and so it
does with BEGIN IMMEDIATE for every POST (10 s sign-ins, then 500s). The
SQLite engine's transaction handling itself (BEGIN modes, snapshots, PRAGMAs
outside transactions, transactional DDL, the busy timeout) is checked below.
"""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.assessments.attempts import attempt_save_answer, attempt_start
from app.assessments.models import AttemptAnswer, ExamAttempt
from app.assessments.types import QUESTION_TYPES
from app.audit import AuditEntry, audit_verify
from app.auth.models import ApiToken
from app.courses.models import Enrollment, LessonCompletion
from app.models import utcnow
from tests.conftest import TEST_PASSWORD
from tests.integration.test_exams import answer_fields, revisions_of
from tests.integration.test_load import officers_in_class, run_threads
from tests.servers import Client, gunicorn

EXAM = "iadp-exam-1"
WRITERS = 16   # officers saving answers, completing lessons and opening lessons, all at once
EXPIRING = 4   # officers whose attempt ran out of time: opening the exams page closes it
API_CLIENTS = 2
ROUNDS = 6


@pytest.mark.slow
def test_concurrent_writers_never_see_a_500_and_every_write_lands(make, db, database_url):
    roster = officers_in_class(make, db, WRITERS + EXPIRING, prefix="writer")
    enrollments = [db.session.get(Enrollment, eid) for _, eid in roster]
    version = enrollments[0].course_version
    week_two = [(i.lesson_key, i.position) for i in sorted(version.items, key=lambda i: i.position)
                if i.week == 2][:ROUNDS + 1]
    now = utcnow()
    attempts = [attempt_start(enrollment=e, exam_key=EXAM, now=now, rng=random.Random(n))
                for n, e in enumerate(enrollments[:WRITERS])]
    # The expiring officers started two hours ago and saved three answers in time.
    long_ago = now - timedelta(hours=2)
    expiring = []
    for n, enrollment in enumerate(enrollments[WRITERS:]):
        attempt = attempt_start(enrollment=enrollment, exam_key=EXAM, now=long_ago, rng=random.Random(n))
        for index, revision in enumerate(revisions_of(attempt)[:3]):
            fields = answer_fields(index, revision, attempt.items[index]["presentation"], right=True)
            attempt_save_answer(attempt=attempt, index=index, values=MultiDict(fields),
                                now=long_ago + timedelta(minutes=5))
        expiring.append(attempt)
    plans = []
    for attempt in attempts:
        revisions = revisions_of(attempt)
        plans.append({index: answer_fields(index, revisions[index], attempt.items[index]["presentation"],
                                           right=index % 2 == 0) for index in range(ROUNDS)})
    attempt_ids = [a.id for a in attempts]
    expiring_ids = [a.id for a in expiring]
    tokens = [make.api_token(make.user("credentialing")) for _ in range(API_CLIENTS)]
    secrets, token_ids = [t.secret for t in tokens], [t.id for t in tokens]
    officer_id = enrollments[0].officer_id
    db.session.rollback()

    statuses: Counter = Counter()
    lock = threading.Lock()
    output: list[str] = []

    def record(kind, status):
        with lock:
            statuses[(kind, status)] += 1

    with gunicorn(database_url, workers=2, threads=4, output=output) as base:
        def writer(n: int):
            email, enrollment_id = roster[n]

            def run():
                client = Client(base)
                assert client.login(email, TEST_PASSWORD) == 302
                client.csrf(f"/courses/learn/{enrollment_id}")
                lessons = f"/courses/learn/{enrollment_id}/lessons/"
                for round_ in range(ROUNDS):
                    status, _, _ = client.request(
                        "POST", f"/exams/attempts/{attempt_ids[n]}/answers/{round_}", plans[n][round_],
                        json=True)
                    record("save", status)
                    status, _, _ = client.request(
                        "POST", lessons + week_two[round_][0] + "/complete",
                        {"csrf_token": client.token})
                    record("complete", status)
                    status, _, _ = client.request("GET", lessons + week_two[round_ + 1][0])
                    record("lesson", status)
            return run

        def expiring_officer(n: int):
            email, enrollment_id = roster[WRITERS + n]

            def run():
                client = Client(base)
                assert client.login(email, TEST_PASSWORD) == 302
                status, _, _ = client.request("GET", f"/exams/enrollment/{enrollment_id}")
                record("expire", status)
            return run

        def api_client(n: int):
            def run():
                client = Client(base)
                for _ in range(ROUNDS * 2):
                    status, _, _ = client.request(
                        "GET", f"/api/v1/officers/{officer_id}/authority",
                        headers={"Authorization": f"Bearer {secrets[n]}"})
                    record("api", status)
            return run

        run_threads([writer(n) for n in range(WRITERS)] + [expiring_officer(n) for n in range(EXPIRING)]
                    + [api_client(n) for n in range(API_CLIENTS)])

    log = output[0]
    expected = {"save": 200, "complete": 302, "lesson": 200, "expire": 200, "api": 200}
    assert all(status == expected[kind] for kind, status in statuses), \
        f"{dict(statuses)}\n{log[-4000:]}"
    assert "database is locked" not in log and "Traceback" not in log, log[-4000:]
    assert sum(statuses.values()) == WRITERS * ROUNDS * 3 + EXPIRING + API_CLIENTS * ROUNDS * 2

    # Every write landed.
    db.session.expire_all()
    for n, attempt_id in enumerate(attempt_ids):
        attempt = db.session.get(ExamAttempt, attempt_id)
        revisions = revisions_of(attempt)
        saved = {a.index: a.answer for a in db.session.execute(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)).scalars()}
        assert saved == {index: QUESTION_TYPES[revisions[index].type].parse_answer(
            f"q{index}", MultiDict(fields), attempt.items[index]["presentation"])
            for index, fields in plans[n].items()}
        enrollment = db.session.get(Enrollment, roster[n][1])
        done = set(db.session.execute(select(LessonCompletion.position).where(
            LessonCompletion.enrollment_id == enrollment.id)).scalars())
        assert {position for _, position in week_two[:ROUNDS]} <= done
        assert len(done) == 10 + ROUNDS
        assert enrollment.last_position == week_two[ROUNDS][1]
    for attempt_id in expiring_ids:
        attempt = db.session.get(ExamAttempt, attempt_id)
        assert attempt.status == "expired" and attempt.score == round(100 * 3 / len(attempt.items), 2)
    scored = db.session.execute(select(AuditEntry.target_id).where(
        AuditEntry.action == "exam.score")).scalars().all()
    assert sorted(scored) == sorted(str(i) for i in expiring_ids)
    assert audit_verify().ok
    for token_id in token_ids:
        assert db.session.get(ApiToken, token_id).last_used_at is not None


# --- the SQLite engine's transactions, directly --------------------------------------------

@pytest.fixture()
def engine(tmp_path):
    """A SQLite file of its own, so these checks run whatever database the suite is on."""
    from sqlalchemy import create_engine

    sqlite_engine = create_engine(f"sqlite:///{tmp_path / 'busy.sqlite3'}")
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE busy_probe (id INTEGER PRIMARY KEY, n INTEGER)")
        conn.exec_driver_sql("INSERT INTO busy_probe (id, n) VALUES (1, 0)")
    yield sqlite_engine
    sqlite_engine.dispose()


def traced(conn) -> list[str]:
    """Record the SQL the driver really runs on this connection (BEGINs included)."""
    statements: list[str] = []
    conn.connection.dbapi_connection.set_trace_callback(statements.append)
    return statements


def probe(conn) -> int:
    return conn.exec_driver_sql("SELECT n FROM busy_probe WHERE id = 1").scalar_one()


def transaction_control(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith(("BEGIN", "ROLLBACK", "COMMIT"))]


def test_in_a_request_reads_share_a_snapshot_and_a_later_write_waits_instead_of_failing(engine, app):
    with app.test_request_context("/"), engine.connect() as reader, engine.connect() as other:
        sql = traced(reader)
        assert probe(reader) == 0                      # a read transaction: plain BEGIN
        with other.begin():
            other.exec_driver_sql("UPDATE busy_probe SET n = n + 1")
        assert probe(reader) == 0                      # one snapshot while it only reads
        reader.exec_driver_sql("UPDATE busy_probe SET n = n + 10")  # no "database is locked"
        reader.commit()
        assert transaction_control(sql) == ["BEGIN", "ROLLBACK", "BEGIN IMMEDIATE", "COMMIT"]
    with engine.connect() as conn:
        assert probe(conn) == 11                       # both writes landed


def test_outside_a_request_reads_see_each_commit_and_the_first_write_begins_immediate(engine):
    with engine.connect() as job, engine.connect() as other:
        sql = traced(job)
        assert probe(job) == 0
        with other.begin():
            other.exec_driver_sql("UPDATE busy_probe SET n = n + 1")
        assert probe(job) == 1                         # a long job sees other processes' commits
        job.exec_driver_sql("UPDATE busy_probe SET n = n + 10")
        job.commit()
        assert transaction_control(sql) == ["BEGIN IMMEDIATE", "COMMIT"]
    with engine.connect() as conn:
        assert probe(conn) == 11


def test_a_writer_waits_for_the_lock_and_a_reader_does_not(engine):
    holder = engine.connect()
    holder.exec_driver_sql("UPDATE busy_probe SET n = 5")  # holds the write lock, uncommitted
    try:
        with engine.connect() as reader:
            started = time.monotonic()
            assert probe(reader) == 0                  # readers do not queue behind the writer
            assert time.monotonic() - started < 1
        result = {}

        def write():
            with engine.connect() as writer:
                probe(writer)
                started = time.monotonic()
                writer.exec_driver_sql("UPDATE busy_probe SET n = n + 1")
                writer.commit()
                result["waited"] = time.monotonic() - started

        thread = threading.Thread(target=write)
        thread.start()
        time.sleep(0.3)
        holder.commit()
        thread.join(15)
        assert result["waited"] >= 0.2                 # it waited in the busy handler...
    finally:
        holder.close()
    with engine.connect() as conn:
        assert probe(conn) == 6                        # ...and then wrote after the holder


def test_pragmas_before_the_first_statement_run_outside_the_transaction(engine):
    # migrations/env.py turns foreign keys off this way for batch table rebuilds.
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.commit()
        conn.exec_driver_sql("INSERT INTO busy_probe (id, n) VALUES (2, 0)")
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 0
        conn.rollback()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        conn.commit()


def test_ddl_is_transactional(engine):
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE busy_probe_ddl (id INTEGER PRIMARY KEY)")
        conn.rollback()
        tables = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE name = 'busy_probe_ddl'").all()
        assert tables == []


def test_a_writer_gives_up_after_the_busy_timeout_with_an_error(engine, fresh_app):
    from sqlalchemy.exc import OperationalError

    from app.extensions import db

    impatient = fresh_app(SQLITE_BUSY_TIMEOUT_MS=300, SQLALCHEMY_DATABASE_URI=str(engine.url))
    holder = engine.connect()
    holder.exec_driver_sql("UPDATE busy_probe SET n = 5")
    try:
        with impatient.app_context(), db.engine.connect() as writer:
            probe(writer)
            started = time.monotonic()
            with pytest.raises(OperationalError, match="database is locked"):
                writer.exec_driver_sql("UPDATE busy_probe SET n = n + 1")
            assert 0.25 <= time.monotonic() - started < 5
    finally:
        holder.rollback()
        holder.close()
