"""200 officers take an examination at once against gunicorn: nothing lost, nothing doubled.

A class starts an exam in the same minute (issue 7, item 4). Every officer is
a thread with its own cookie, speaking plain HTTP to gunicorn (two workers of
eight threads, on the suite's database: SQLite or PostgreSQL). Phase one:
all sign in through the real form, open the exams page and start the
examination (every fourth one clicks Start twice) and load it. Phase two:
all answer at once, changing their minds on some questions, then send the
submission twice at the same moment. Afterwards the database must hold, per
officer, one attempt with every answer exactly as last saved, one score,
and one audit entry, and the audit chain must still verify.

The load accounts share one cheap PBKDF2 hash (real accounts use scrypt,
about 80 ms a check): 200 scrypt checks would spend the test's time on
password hashing, not on what it measures.
"""
from __future__ import annotations

import statistics
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.security import generate_password_hash

from app.assessments.models import AttemptAnswer, CourseCompletion, Disqualification, ExamAttempt
from app.assessments.types import QUESTION_TYPES
from app.audit import AuditEntry, audit_verify
from app.auth.models import SignInAttempt, User
from app.courses.models import Enrollment, LessonCompletion
from app.models import utcnow
from tests.conftest import TEST_PASSWORD
from tests.integration.test_exams import answer_fields, revisions_of
from tests.servers import Client, gunicorn

pytestmark = pytest.mark.slow

OFFICERS = 200
EXAM = "iadp-exam-1"
ANSWERED = 16        # of the exam's 20 questions; the rest stay blank
CHANGED = (0, 1, 2)  # answered wrong-then-right (or right-then-wrong): the last save must win
FAST_HASH = generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1000")
DEADLINE = 240  # seconds any one phase may take before the test fails instead of hanging


# --- a class of officers, made in bulk ------------------------------------------------------

def officers_in_class(make, db, count: int, *, prefix: str = "load", weeks_done: int = 1):
    """Create `count` officers enrolled in one IADP class with weeks 1..`weeks_done` done.

    Bulk inserts (three flushes and one commit), not one service call per row.
    Returns [(email, enrollment_id)] in creation order.
    """
    world = make.course_world()
    version = world["version"]
    training_class = make.training_class(version, make.user("instructor"))
    agency = make.agency()
    users = [User(email=f"{prefix}{n}@load.example", name=f"Load Officer {n}", role="officer",
                  agency_id=agency.id, active=True, password_hash=FAST_HASH) for n in range(count)]
    db.session.add_all(users)
    db.session.flush()
    enrollments = [Enrollment(class_id=training_class.id, officer_id=u.id,
                              course_version_id=version.id) for u in users]
    db.session.add_all(enrollments)
    db.session.flush()
    now = utcnow()
    done = [item for item in version.items if item.week <= weeks_done]
    db.session.add_all([LessonCompletion(enrollment_id=e.id, position=item.position,
                                         lesson_revision_id=item.lesson_revision_id, completed_at=now)
                        for e in enrollments for item in done])
    db.session.commit()
    return [(u.email, e.id) for u, e in zip(users, enrollments)]


def run_threads(targets, *, timeout: float = DEADLINE) -> None:
    """Start one thread per callable behind one barrier; fail on any error or on a hang."""
    barrier = threading.Barrier(len(targets))
    errors: list[str] = []

    def run(target):
        try:
            barrier.wait(timeout=timeout)
            target()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
            barrier.abort()

    threads = [threading.Thread(target=run, args=(t,), daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a client did not finish in time"
    assert not errors, errors[:5]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Log:
    """Statuses per kind of request, and answer-save latencies; shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.save_ms: list[float] = []

    def record(self, kind: str, status: int, ms: float | None = None) -> None:
        with self.lock:
            self.statuses[(kind, status)] += 1
            if ms is not None:
                self.save_ms.append(ms)

    def unexpected(self, allowed: dict[str, set[int]]) -> dict:
        return {k: n for k, n in self.statuses.items() if k[1] not in allowed.get(k[0], set())}


# --- the test ---------------------------------------------------------------------------

def test_two_hundred_officers_take_an_exam_at_once_and_nothing_is_lost_or_doubled(make, db, database_url):
    started = time.perf_counter()
    roster = officers_in_class(make, db, OFFICERS)
    audit_before = db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    log = Log()
    attempt_of: dict[int, int] = {}
    output: list[str] = []

    with gunicorn(database_url, workers=2, threads=8, output=output) as base:
        clients = [Client(base) for _ in roster]

        def begin(n: int, email: str, enrollment_id: int):
            def officer():
                client = clients[n]
                status = client.login(email, TEST_PASSWORD)
                log.record("login", status)
                assert status == 302, f"{email} could not sign in ({status})"
                client.csrf(f"/exams/enrollment/{enrollment_id}")  # the exams page; asserts 200
                clicks = 2 if n % 4 == 0 else 1
                locations = set()
                for _ in range(clicks):
                    status, _, location = client.request(
                        "POST", f"/exams/enrollment/{enrollment_id}/{EXAM}/start",
                        {"csrf_token": client.token})
                    log.record("start", status)
                    locations.add(location)
                assert len(locations) == 1, f"{email}: two clicks on Start opened {locations}"
                attempt_id = int(locations.pop().rstrip("/").rsplit("/", 1)[1])
                status, _, _ = client.request("GET", f"/exams/attempts/{attempt_id}")
                log.record("take", status)
                attempt_of[n] = attempt_id
            return officer

        phase_one = time.perf_counter()
        run_threads([begin(n, email, eid) for n, (email, eid) in enumerate(roster)])
        phase_one = time.perf_counter() - phase_one

        # What each officer will answer, from the questions their attempt froze.
        plans = {}
        for n in range(OFFICERS):
            attempt = db.session.get(ExamAttempt, attempt_of[n])
            revisions = revisions_of(attempt)
            right_up_to = 10 + n % 7  # 10..16 right: scores 50..80, some pass, some fail
            final, first = {}, {}
            for index in range(ANSWERED):
                right = index < right_up_to
                presentation = attempt.items[index]["presentation"]
                final[index] = answer_fields(index, revisions[index], presentation, right=right)
                if index in CHANGED:
                    first[index] = answer_fields(index, revisions[index], presentation, right=not right)
            plans[n] = {"revisions": revisions, "final": final, "first": first,
                        "score": round(100 * min(right_up_to, ANSWERED) / len(attempt.items), 2)}
        db.session.rollback()

        def answer(n: int):
            def officer():
                client, plan, attempt_id = clients[n], plans[n], attempt_of[n]
                saves = [(i, plan["first"].get(i, fields)) for i, fields in plan["final"].items()]
                saves += [(i, plan["final"][i]) for i in CHANGED]
                for index, fields in saves:
                    t0 = time.perf_counter()
                    status, body, _ = client.request(
                        "POST", f"/exams/attempts/{attempt_id}/answers/{index}", fields, json=True)
                    log.record("save", status, (time.perf_counter() - t0) * 1000)
                    assert status == 200 and '"saved":true' in body.replace(" ", ""), (status, body[:200])
                # The submission, sent twice at the same moment (a double click, two tabs).
                form = [("csrf_token", client.token), ("action", "submit")]
                form += [pair for fields in plan["final"].values() for pair in fields]
                twin = Client(base)
                twin.cookie, twin.token = client.cookie, client.token
                results = []

                def submit(c):
                    results.append(c.request("POST", f"/exams/attempts/{attempt_id}/submit", form))

                other = threading.Thread(target=submit, args=(twin,))
                other.start()
                submit(client)
                other.join(DEADLINE)
                for status, _, location in results:
                    log.record("submit", status)
                    assert status == 302 and location.endswith(f"/exams/attempts/{attempt_id}/review"), \
                        (status, location)
            return officer

        phase_two = time.perf_counter()
        run_threads([answer(n) for n in range(OFFICERS)])
        phase_two = time.perf_counter() - phase_two

    bad = log.unexpected({"login": {302}, "start": {302}, "take": {200},
                          "save": {200}, "submit": {302}})
    assert not bad, f"unexpected statuses {bad}; server said:\n{output[0][-3000:]}"
    assert "Traceback" not in output[0], output[0][-3000:]

    # --- the database afterwards ---------------------------------------------------------
    db.session.expire_all()
    enrollment_ids = [eid for _, eid in roster]
    attempts = db.session.execute(select(ExamAttempt).where(
        ExamAttempt.enrollment_id.in_(enrollment_ids))).scalars().all()
    per_enrollment = Counter(a.enrollment_id for a in attempts)
    assert len(attempts) == OFFICERS and set(per_enrollment.values()) == {1}, "one attempt each"
    answers: dict[int, dict[int, dict]] = {}
    for row in db.session.execute(select(AttemptAnswer).where(
            AttemptAnswer.attempt_id.in_([a.id for a in attempts]))).scalars():
        answers.setdefault(row.attempt_id, {})[row.index] = row.answer
    for n in range(OFFICERS):
        plan = plans[n]
        attempt = db.session.get(ExamAttempt, attempt_of[n])
        assert attempt.status == "submitted" and attempt.closed_at is not None
        assert attempt.score == plan["score"], (n, attempt.score, plan["score"])
        expected = {index: QUESTION_TYPES[plan["revisions"][index].type].parse_answer(
                        f"q{index}", MultiDict(fields), attempt.items[index]["presentation"])
                    for index, fields in plan["final"].items()}
        assert answers.get(attempt.id) == expected, f"officer {n}: answers differ from the last saved"
    scored = db.session.execute(select(AuditEntry.target_id).where(
        AuditEntry.action == "exam.score")).scalars().all()
    assert sorted(scored) == sorted(str(a.id) for a in attempts), "one exam.score entry per attempt"
    assert db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() \
        == audit_before + OFFICERS, "the run audited nothing but the scores"
    verdict = audit_verify()
    assert verdict.ok, verdict
    assert db.session.execute(select(func.count()).select_from(SignInAttempt).where(
        SignInAttempt.outcome == "success")).scalar_one() == OFFICERS
    assert db.session.execute(select(func.count()).select_from(Disqualification)).scalar_one() == 0
    assert db.session.execute(select(func.count()).select_from(CourseCompletion)).scalar_one() == 0

    saves = log.save_ms
    print(f"\n{OFFICERS} officers on {db.engine.dialect.name}: {len(saves)} answer saves, "
          f"p50 {percentile(saves, 50):.1f} ms, p99 {percentile(saves, 99):.1f} ms, "
          f"mean {statistics.fmean(saves):.1f} ms; sign-in and start {phase_one:.1f} s, "
          f"answers and submit {phase_two:.1f} s, whole test {time.perf_counter() - started:.1f} s")
