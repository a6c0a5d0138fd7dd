"""Signing in and out, lockout, idle timeout, CSRF and redirects."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import SignInAttempt
from tests.conftest import TEST_PASSWORD, csrf_token_from


def test_sign_in_lands_on_the_role_home(client, auth, make):
    officer = make.user("officer")
    response = auth.login(officer.email)
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/officer")
    page = client.get("/officer").get_data(as_text=True)
    assert officer.name in page and "My training" in page


def test_email_is_case_insensitive(client, auth, make):
    make.user("manager", email="teresa@program.example")
    assert auth.login("  Teresa@Program.EXAMPLE ").status_code == 302


def test_wrong_password_is_refused_with_a_generic_message(client, auth, make):
    user = make.user("instructor")
    response = auth.login(user.email, "not-the-password-at-all")
    assert response.status_code == 401
    assert "email or password is not correct" in response.get_data(as_text=True)
    assert client.get("/instructor").status_code == 302  # still signed out


def test_unknown_email_gets_the_same_answer(client, auth):
    response = auth.login("nobody@nowhere.example", "whatever-password-1")
    assert response.status_code == 401
    assert "email or password is not correct" in response.get_data(as_text=True)


def test_inactive_account_cannot_sign_in(auth, make):
    user = make.user("credentialing", active=False)
    assert auth.login(user.email).status_code == 401


def test_six_wrong_passwords_lock_the_account_even_for_the_right_one(client, auth, make, db):
    user = make.user("officer")
    for _ in range(5):
        assert auth.login(user.email, "wrong-password-123").status_code == 401
    sixth = auth.login(user.email, "wrong-password-123")
    assert "locked" in sixth.get_data(as_text=True)
    right = auth.login(user.email, TEST_PASSWORD)
    assert right.status_code == 401
    assert "locked for 15 more minutes" in right.get_data(as_text=True)
    outcomes = db.session.execute(
        select(SignInAttempt.outcome).where(SignInAttempt.email == user.email)
        .order_by(SignInAttempt.id)).scalars().all()
    assert outcomes == ["failure"] * 5 + ["locked", "locked"]


def test_lockout_ends_after_its_duration(client, auth, make, db):
    user = make.user("officer")
    for _ in range(5):
        auth.login(user.email, "wrong-password-123")
    # Age the failures by 16 minutes, as if the clock had moved on.
    for attempt in db.session.execute(select(SignInAttempt)).scalars():
        attempt.at = attempt.at - timedelta(minutes=16)
    db.session.commit()
    assert auth.login(user.email).status_code == 302


def test_a_success_clears_earlier_failures(auth, make):
    user = make.user("officer")
    for _ in range(4):
        auth.login(user.email, "wrong-password-123")
    assert auth.login(user.email).status_code == 302
    auth.logout()
    for _ in range(4):
        auth.login(user.email, "wrong-password-123")
    assert auth.login(user.email).status_code == 302


def test_post_without_csrf_token_is_refused(client, make):
    user = make.user("officer")
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert client.get("/officer").status_code == 302


def test_sign_out_needs_post_and_a_token(client, auth):
    auth.login_as("officer")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/officer").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/officer").status_code == 302


@pytest.mark.parametrize("next_url, lands", [
    ("/agencies/", "/agencies/"),
    ("https://evil.example/steal", "/"),
    ("//evil.example/", "/"),
])
def test_next_only_redirects_locally(client, make, next_url, lands):
    user = make.user("manager")
    token = csrf_token_from(client)
    response = client.post("/login", query_string={"next": next_url},
                           data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == lands


def test_protected_page_sends_anonymous_users_to_sign_in_and_back(client, make):
    response = client.get("/agencies/?state=SC")
    assert response.status_code == 302
    assert "/login?next=/agencies/?state%3DSC" in response.headers["Location"] \
        or "/login?next=%2Fagencies%2F%3Fstate%3DSC" in response.headers["Location"]


def test_idle_session_ends_after_the_timeout(client, auth, app):
    auth.login_as("officer")
    assert client.get("/officer").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] -= app.config["IDLE_TIMEOUT"].total_seconds() + 1
    response = client.get("/officer")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "inactivity" in client.get("/login").get_data(as_text=True)
    assert client.get("/officer").status_code == 302


def test_activity_keeps_the_session_alive(client, auth, app):
    auth.login_as("officer")
    with client.session_transaction() as session:
        session["last_seen"] -= app.config["IDLE_TIMEOUT"].total_seconds() - 30
    assert client.get("/officer").status_code == 200
    assert client.get("/officer").status_code == 200


def test_session_cookie_flags(client, make):
    user = make.user("officer")
    token = csrf_token_from(client)
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD,
                                           "csrf_token": token})
    cookie = next(v for k, v in response.headers.items()
                  if k == "Set-Cookie" and v.startswith("lms_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
