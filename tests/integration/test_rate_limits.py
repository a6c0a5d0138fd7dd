"""Rate limits kept in the database: sign-in, the public verify pages and the API answer 429 past them.

Each test builds an app with small limits (`fresh_app`) on the suite's database and
fixes the limiter's clock, so no test depends on where a window boundary falls.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.auth.models import SignInAttempt
from app.extensions import db
from app.ratelimit import limiter
from app.ratelimit.models import RateLimitBucket
from app.ratelimit.rules import Limit
from app.ratelimit.services import rate_limit_hit
from tests.concurrency import run_together
from tests.conftest import TEST_PASSWORD, QueryCounter, csrf_token_from
from tests.integration.test_api import bearer, error_of, schema_errors, undocumented_keys

ROOT = Path(__file__).resolve().parents[2]
T = 1_800_057_600  # a window boundary for every window length used here
SERIAL = "7K3Q-9W2M-XC4T-8R1P-H"  # no such certificate: a 404 is counted like any answer


@pytest.fixture()
def clock(monkeypatch):
    """The limiter's clock, fixed at 15 seconds into a minute; set `clock.now` to move it."""
    class Clock:
        now = T + 15

    monkeypatch.setattr(limiter, "_now", lambda: Clock.now)
    return Clock


@pytest.fixture()
def limited(app, fresh_app, clock):
    """Build an app with these RATELIMIT_* settings (purging off unless asked) and return a client."""
    built_apps = []

    def build(**settings):
        settings.setdefault("RATELIMIT_PURGE_PROBABILITY", 0.0)
        built_apps.append(fresh_app(**settings))
        return built_apps[-1].test_client()

    yield build
    for built in built_apps:
        if built.extensions["ratelimit"] is not None:
            built.extensions["ratelimit"].dispose()


def rows() -> list[tuple[str, int, int]]:
    """Every counter as (key, window start, count)."""
    db.session.commit()  # end the test's own transaction: see what the requests committed since
    found = db.session.execute(select(RateLimitBucket)).scalars()
    return sorted((b.key, b.window_start, b.count) for b in found)


def buckets() -> dict[str, int]:
    """The counts by key (tests that stay in one window)."""
    return {key: count for key, _start, count in rows()}


def sign_in(client, email: str, password: str = "wrong-password-123"):
    token = csrf_token_from(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


# --- the public verify pages ------------------------------------------------------------------

def test_verify_pages_answer_429_past_the_limit_with_retry_after_and_a_page(limited, clock):
    client = limited(RATELIMIT_VERIFY="3/minute")
    assert [client.get(f"/verify/{SERIAL}").status_code for _ in range(3)] == [404] * 3
    refused = client.get(f"/verify/{SERIAL}")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "45"
    assert refused.mimetype == "text/html"
    page = refused.get_data(as_text=True)
    assert "<h1>Too many requests" in page and "wait 45 seconds" in page
    assert 'href="/login"' in page
    # The upload page shares the budget; the next window starts afresh.
    assert client.get("/verify").status_code == 429
    clock.now = T + 60
    assert client.get("/verify").status_code == 200
    assert rows() == [("verify/60:ip:127.0.0.1", T, 5), ("verify/60:ip:127.0.0.1", T + 60, 1)]


def test_each_client_address_has_its_own_budget(limited):
    client = limited(RATELIMIT_VERIFY="2/minute")
    first = {"REMOTE_ADDR": "203.0.113.9"}
    second = {"REMOTE_ADDR": "2001:db8::17"}
    assert [client.get(f"/verify/{SERIAL}", environ_base=first).status_code for _ in range(3)] == [404, 404, 429]
    assert client.get(f"/verify/{SERIAL}", environ_base=second).status_code == 404
    assert buckets() == {"verify/60:ip:203.0.113.9": 3, "verify/60:ip:2001:db8::17": 1}


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(limited):
    spoofing = limited(RATELIMIT_VERIFY="1/minute")
    assert spoofing.get("/verify", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert spoofing.get("/verify", headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 429

    db.session.execute(RateLimitBucket.__table__.delete())
    db.session.commit()
    behind_proxy = limited(RATELIMIT_VERIFY="1/minute", PROXY_FIX_X_FOR=1)
    for address in ("198.51.100.1", "198.51.100.2"):
        assert behind_proxy.get("/verify", headers={"X-Forwarded-For": address}).status_code == 200
    assert behind_proxy.get("/verify", headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 429
    assert set(buckets()) == {"verify/60:ip:198.51.100.1", "verify/60:ip:198.51.100.2"}


# --- signing in -----------------------------------------------------------------------------

def test_spraying_many_accounts_from_one_address_is_refused(limited, make, db):
    client = limited(RATELIMIT_LOGIN="3/minute")
    victims = [make.user("officer") for _ in range(4)]
    assert [sign_in(client, v.email).status_code for v in victims[:3]] == [401] * 3
    # The fourth attempt is refused before any password is checked, even the right one.
    refused = sign_in(client, victims[3].email, TEST_PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "45"
    assert "Too many requests" in refused.get_data(as_text=True)
    db.session.commit()
    attempts = db.session.execute(select(SignInAttempt.email)).scalars().all()
    assert sorted(attempts) == sorted(v.email for v in victims[:3])
    # Showing the form is never limited.
    assert client.get("/login").status_code == 200


def test_successful_sign_ins_do_not_count(limited, make):
    """A classroom behind one address signs in at the start of a session: nobody is refused."""
    client = limited(RATELIMIT_LOGIN="2/minute")
    for officer in [make.user("officer") for _ in range(5)]:
        assert sign_in(client, officer.email, TEST_PASSWORD).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token_from(client, "/")})
    assert buckets() == {"login/60:ip:127.0.0.1": 0}
    assert sign_in(client, "typo@test.example").status_code == 401
    assert sign_in(client, "typo2@test.example").status_code == 401
    assert sign_in(client, "typo3@test.example").status_code == 429


def test_the_account_lockout_still_works_under_a_generous_rate_limit(limited, make):
    client = limited(RATELIMIT_LOGIN="100/minute")
    user = make.user("officer")
    for _ in range(5):
        assert sign_in(client, user.email).status_code == 401
    locked = sign_in(client, user.email, TEST_PASSWORD)
    assert locked.status_code == 401 and "locked" in locked.get_data(as_text=True)
    assert buckets() == {"login/60:ip:127.0.0.1": 6}


# --- the API --------------------------------------------------------------------------------

def test_api_answers_429_as_a_json_error_the_document_describes(limited, clock):
    client = limited(RATELIMIT_API="2/minute")
    document = client.get("/api/v1/openapi.json").get_json()
    for _ in range(2):
        assert client.get(f"/api/v1/certificates/{SERIAL}").status_code == 404
    refused = client.get(f"/api/v1/certificates/{SERIAL}")
    message = error_of(refused, 429, "too_many_requests")
    assert "45 seconds" in message and refused.headers["Retry-After"] == "45"
    upload = client.post("/api/v1/certificates/verify", data={}, content_type="multipart/form-data")
    error_of(upload, 429, "too_many_requests")
    for path, method, response in [("/certificates/{serial}", "get", refused),
                                   ("/certificates/verify", "post", upload)]:
        spec = document["paths"][path][method]["responses"]["429"]
        schema = spec["content"]["application/json"]["schema"]
        assert schema_errors(schema, response.get_json(), document) == []
        assert undocumented_keys(schema, response.get_json(), document) == []
        assert spec["headers"]["Retry-After"]["schema"] == {"type": "integer"}
        assert int(response.headers["Retry-After"]) > 0
    # The document itself is not limited.
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_api_tokens_have_their_own_budget_and_made_up_ones_count_by_address(limited, make):
    client = limited(RATELIMIT_API="2/minute")
    first, second = make.api_token(make.user("credentialing")), make.api_token(make.user("credentialing"))
    officer = make.user("officer")
    url = f"/api/v1/officers/{officer.id}/authority"
    assert [client.get(url, headers=bearer(first.secret)).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(url, headers=bearer(second.secret)).status_code == 200
    # The address's own budget is untouched by the tokens' requests...
    assert client.get(f"/api/v1/certificates/{SERIAL}").status_code == 404
    # ...and invalid tokens are refused (401) before they are counted anywhere.
    assert client.get(url, headers=bearer("lms_made-up")).status_code == 401
    counts = buckets()
    assert counts.pop("api/60:ip:127.0.0.1") == 1
    assert sorted(counts.values()) == [1, 3] and all(k.startswith("api/60:token:") for k in counts)
    assert not any(first.secret in k or second.secret in k for k in counts), "keys hold no secrets"


# --- the counter ----------------------------------------------------------------------------

def test_disabled_limits_count_nothing(limited):
    client = limited(RATELIMIT_ENABLED=False, RATELIMIT_VERIFY="1/minute", RATELIMIT_API="1/minute")
    for _ in range(5):
        assert client.get(f"/verify/{SERIAL}").status_code == 404
        assert client.get(f"/api/v1/certificates/{SERIAL}").status_code == 404
    assert buckets() == {}


def test_rate_limit_enabled_false_in_the_environment_turns_limits_off():
    """What the benchmark sets: RATELIMIT_ENABLED=false, in every environment."""
    env = {**os.environ, "RATELIMIT_ENABLED": "false", "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"}
    code = ("from config import CONFIGS; "
            "print(sorted({c.RATELIMIT_ENABLED for c in CONFIGS.values()}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[False]"


def test_the_check_is_one_statement_on_a_connection_of_its_own(limited, db):
    client = limited(RATELIMIT_VERIFY="100/minute")
    off = limited(RATELIMIT_ENABLED=False)
    counted = {}
    for name, each in (("on", client), ("off", off)):
        each.get(f"/verify/{SERIAL}")  # warm up
        with each.application.app_context():
            app_engine, own_engine = db.engine, limiter.counter_engine()
        assert own_engine is not app_engine
        with QueryCounter(app_engine) as app_statements, QueryCounter(own_engine) as own_statements:
            each.get(f"/verify/{SERIAL}")
        counted[name] = (list(app_statements.statements), list(own_statements.statements))
    assert counted["on"][0] == counted["off"][0]  # the request's own queries are unchanged
    [statement] = counted["on"][1]
    assert statement.startswith("INSERT INTO rate_limit_bucket") and "ON CONFLICT" in statement
    assert "RETURNING" in statement
    assert counted["off"][1] == []


def test_a_count_survives_the_request_rolling_back(app, fresh_app, clock):
    """The count commits on its own connection: the view's failure and rollback do not undo it."""
    from app.auth.models import User

    built = fresh_app(RATELIMIT_VERIFY="2/minute", RATELIMIT_PURGE_PROBABILITY=0.0)

    @built.route("/boom")
    @limiter.rate_limited("verify")
    def boom():
        db.session.add(User(email="rolled-back@test.example", name="Rolled Back", role="admin",
                            password_hash="x"))
        db.session.flush()  # the request's own transaction now holds a write (SQLite's lock)
        raise RuntimeError("the view fails after writing")

    client = built.test_client()
    assert [client.get("/boom").status_code for _ in range(3)] == [500, 500, 429]
    assert buckets() == {"verify/60:ip:127.0.0.1": 3}
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def test_simultaneous_hits_are_counted_exactly(app):
    """Sixteen threads hit one key at once: the counts handed back are exactly 1..16."""
    limit = Limit(count=10, window=60)

    def job(go):
        go()
        return rate_limit_hit(engine=limiter.counter_engine(), key="verify/60:ip:192.0.2.1", limit=limit,
                              now=T + 1)

    decisions = run_together(app, [job] * 16)
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(10))
    assert sum(not d.allowed for d in decisions) == 6
    assert buckets() == {"verify/60:ip:192.0.2.1": 16}


def test_a_failing_counter_lets_the_request_through_and_logs(limited, monkeypatch, caplog):
    client = limited(RATELIMIT_VERIFY="1/minute")

    def broken(**kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(limiter, "rate_limit_hit", broken)
    assert [client.get("/verify").status_code for _ in range(3)] == [200] * 3
    assert "Rate limit verify not checked" in caplog.text


def _old_and_new_windows():
    db.session.add_all([
        RateLimitBucket(key="verify/60:ip:192.0.2.1", window_start=T - 7200, count=5),     # ended long ago
        RateLimitBucket(key="login/60:ip:192.0.2.1", window_start=T - 120, count=5),       # two minutes ago
        RateLimitBucket(key="login/60:ip:192.0.2.1", window_start=T, count=1),             # this minute
        # A day window (another server's settings, or a change under way) is still running...
        RateLimitBucket(key="login/86400:ip:192.0.2.1", window_start=T - 86_400, count=2),
        # ...and a rule no longer configured left a counter three days ago.
        RateLimitBucket(key="retired/60:ip:192.0.2.1", window_start=T - 3 * 86_400, count=1)])
    db.session.commit()


def test_flask_ratelimit_purge_deletes_each_rules_windows_two_windows_after_they_start(app, clock):
    _old_and_new_windows()
    clock.now = T + 30
    result = app.test_cli_runner().invoke(args=["ratelimit", "purge"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "deleted 3 old rate-limit window(s)"
    assert rows() == [("login/60:ip:192.0.2.1", T, 1), ("login/86400:ip:192.0.2.1", T - 86_400, 2)]


def test_hits_now_and_then_purge_their_own_rules_ended_windows(limited, clock):
    _old_and_new_windows()
    client = limited(RATELIMIT_PURGE_PROBABILITY=1.0)
    clock.now = T + 30
    assert client.get("/verify").status_code == 200
    assert rows() == [("login/60:ip:192.0.2.1", T - 120, 5), ("login/60:ip:192.0.2.1", T, 1),
                      ("login/86400:ip:192.0.2.1", T - 86_400, 2),
                      ("retired/60:ip:192.0.2.1", T - 3 * 86_400, 1), ("verify/60:ip:127.0.0.1", T, 1)]


def test_a_malformed_limit_stops_the_app_from_starting(fresh_app):
    with pytest.raises(RuntimeError, match="RATELIMIT_VERIFY"):
        fresh_app(RATELIMIT_VERIFY="lots")
