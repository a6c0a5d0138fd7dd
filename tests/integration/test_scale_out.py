"""Scale-out: two gunicorn instances on one database behave as one.

Every request of a "browser" here alternates between server A and server B,
which share only the database and the secret key (as N app servers behind a
load balancer would). Sessions, the account lockout, rate limits and exam
attempts must behave exactly as with one server. The suite's database decides
the setup: two processes on one SQLite file, or on one PostgreSQL database
when DATABASE_URL points the suite at PostgreSQL (CI runs both).
"""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from app.assessments.models import AttemptAnswer, ExamAttempt
from app.audit import AuditEntry, audit_verify
from app.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.integration.test_exams import form_values
from tests.servers import Browserless, gunicorn

pytestmark = pytest.mark.slow

# Small limits, counted per day so that no window boundary falls inside a test.
LOGIN_LIMIT, API_LIMIT = 10, 6
LIMITS = {"RATELIMIT_LOGIN": f"{LOGIN_LIMIT}/day", "RATELIMIT_API": f"{API_LIMIT}/day"}


@pytest.fixture(scope="module")
def servers(_session_app, database_url):
    """Servers A and B: one worker each, the same database, the same settings."""
    with gunicorn(database_url, extra_env=LIMITS) as a, gunicorn(database_url, extra_env=LIMITS) as b:
        yield a, b


@pytest.fixture(autouse=True)
def _empty_tables_afterwards(app):
    """Every test starts with empty tables, counters included, whichever fixtures it uses."""
    yield


class Alternating(Browserless):
    """One browser (one cookie jar) whose requests go to A, B, A, B, ... in turn."""

    def __init__(self, servers):
        super().__init__(servers[0])
        self.servers, self.turn = servers, 0
        self.seen: list[tuple[str, str]] = []  # (method, server) of every request

    def request(self, path, data=None):
        self.base = self.servers[self.turn % len(self.servers)]
        self.turn += 1
        self.seen.append(("GET" if data is None else "POST", self.base))
        return super().request(path, data)

    def csrf_token(self, path: str = "/login") -> str:
        _, page = self.request(path)
        return self._token.search(page).group(1)

    def attempts(self, email: str, password: str, token: str) -> tuple[int, str]:
        """Post the sign-in form (one form, many posts: they alternate between the servers)."""
        return self.request("/login", {"email": email, "password": password, "csrf_token": token})

    def posted_to(self) -> set[str]:
        return {base for method, base in self.seen if method == "POST"}

    def on(self, base: str) -> Browserless:
        """The same browser (a copy of its cookies) pinned to one server."""
        other = Browserless(base)
        for cookie in self.jar:
            other.jar.set_cookie(cookie)
        return other


def _not_near_midnight():
    """Day windows end at 00:00 UTC: start a counting test after, not just before."""
    left = 86_400 - time.time() % 86_400
    if left < 30:
        time.sleep(left + 1)


def saved_indexes(attempt) -> list[int]:
    """The question indexes of the attempt's saved answers, one per row, in order."""
    db.session.commit()  # a fresh look at what the servers committed
    return db.session.execute(select(AttemptAnswer.index).where(AttemptAnswer.attempt_id == attempt.id)
                              .order_by(AttemptAnswer.index)).scalars().all()


def test_a_session_made_on_one_server_works_on_the_other(servers, make):
    user = make.user("manager")
    browser = Alternating(servers)
    assert browser.login(user.email, TEST_PASSWORD)[0] == 302  # form from A, posted to B
    for _ in range(4):
        status, page = browser.request("/oversight/")
        assert status == 200 and "Program overview" in page
    assert {base for _, base in browser.seen} == set(servers)
    # Signing out on one server ends the session on both.
    assert browser.request("/logout", {"csrf_token": browser.csrf_token("/oversight/")})[0] == 302
    assert browser.request("/oversight/")[0] == 302
    assert browser.request("/oversight/")[0] == 302


def test_failed_sign_ins_on_both_servers_count_toward_one_lockout(servers, make):
    user = make.user("officer")
    attacker = Alternating(servers)
    token = attacker.csrf_token()
    for _ in range(5):
        assert attacker.attempts(user.email, "wrong-password-123", token)[0] == 401
    assert attacker.posted_to() == set(servers)
    for base in servers:  # locked on both, even for the right password, even for a new browser
        status, page = Browserless(base).login(user.email, TEST_PASSWORD)
        assert status == 401 and "locked" in page


def test_a_client_alternating_servers_is_limited_after_exactly_the_limit(servers):
    _not_near_midnight()
    sprayer = Alternating(servers)
    token = sprayer.csrf_token()
    # Sign-in: one address trying many accounts (each once, so no lockout ever starts).
    for n in range(LOGIN_LIMIT):
        assert sprayer.attempts(f"victim{n}@agency.example", "Spring2026!Spring", token)[0] == 401, n
    for n in range(2):  # then refused, on both servers
        status, page = sprayer.attempts(f"victim-more{n}@agency.example", "Spring2026!Spring", token)
        assert status == 429 and "Too many requests" in page
    assert sprayer.posted_to() == set(servers)
    # The API: its own limit, counted across both servers as well.
    api = Alternating(servers)
    statuses = [api.request("/api/v1/certificates/7K3Q-9W2M-XC4T-8R1P-H")[0] for _ in range(API_LIMIT + 2)]
    assert statuses == [404] * API_LIMIT + [429, 429]
    assert {base for _, base in api.seen} == set(servers)


def test_an_exam_taken_across_both_servers_is_saved_and_scored_once(servers, make):
    world = make.course_world()
    officer = make.user("officer")
    enrollment = make.enroll(make.training_class(world["version"], make.user("instructor")), officer)
    make.complete_weeks(enrollment, 1)
    browser = Alternating(servers)
    assert browser.login(officer.email, TEST_PASSWORD)[0] == 302

    # Start on one server...
    start = f"/exams/enrollment/{enrollment.id}/iadp-exam-1/start"
    token = browser.csrf_token("/officer")  # before copying the cookies: it sets the session's CSRF secret
    assert browser.on(servers[0]).request(start, {"csrf_token": token})[0] == 302
    db.session.commit()  # a fresh look at what the servers committed
    [attempt] = db.session.execute(select(ExamAttempt)).scalars().all()
    answers = form_values(attempt)  # every answer right
    # ...save each answer on A and B in turn (every second one twice, once on each server)...
    for index in range(len(attempt.items)):
        fields = [(k, v) for k, v in answers.items(multi=True) if k == f"q{index}" or k.startswith(f"q{index}-")]
        for _ in range(1 if index % 2 else 2):
            status, _ = browser.request(f"/exams/attempts/{attempt.id}/answers/{index}",
                                        [*fields, ("csrf_token", token)])
            assert status == 302
    assert browser.posted_to() == set(servers)
    assert saved_indexes(attempt) == list(range(len(attempt.items)))
    # ...and submit on both at the same moment (two tabs): one sends the whole page, the
    # other a form silent on every question, so the answers saved above are what it scores.
    forms = {servers[0]: [*answers.items(multi=True), ("csrf_token", token)],
             servers[1]: [("csrf_token", token)]}
    barrier, results = threading.Barrier(2, timeout=30), {}

    def submit(base):
        pinned = browser.on(base)
        barrier.wait()
        results[base] = pinned.request(f"/exams/attempts/{attempt.id}/submit", forms[base])[0]

    threads = [threading.Thread(target=submit, args=(base,)) for base in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == {base: 302 for base in servers}

    db.session.commit()  # a fresh look at what the servers committed
    [closed] = db.session.execute(select(ExamAttempt)).scalars().all()
    assert closed.status == "submitted" and closed.score == 100
    assert saved_indexes(closed) == list(range(len(attempt.items)))  # each answer once
    scored = db.session.execute(select(func.count()).select_from(AuditEntry)
                                .where(AuditEntry.action == "exam.score")).scalar_one()
    assert scored == 1
    assert audit_verify().ok  # two processes appended to one hash chain without breaking it
