"""Lockout is kept in the database, so it holds across server processes and restarts."""
import pytest

from tests.conftest import TEST_PASSWORD
from tests.servers import Browserless, gunicorn

pytestmark = pytest.mark.slow


def test_six_wrong_passwords_across_two_processes_lock_the_account(make, database_url):
    user = make.user("officer")
    with gunicorn(database_url) as first, gunicorn(database_url) as second:
        a, b = Browserless(first), Browserless(second)
        for i in range(6):
            status, _ = (a if i % 2 == 0 else b).login(user.email, "wrong-password-123")
            assert status == 401
        for client in (Browserless(first), Browserless(second)):
            status, page = client.login(user.email, TEST_PASSWORD)
            assert status == 401 and "locked" in page
    # A restart does not forget the lockout.
    with gunicorn(database_url) as again:
        status, page = Browserless(again).login(user.email, TEST_PASSWORD)
        assert status == 401 and "locked" in page


def test_a_session_from_one_process_is_honoured_by_another(make, database_url):
    user = make.user("manager")
    with gunicorn(database_url) as first, gunicorn(database_url) as second:
        client = Browserless(first)
        assert client.login(user.email, TEST_PASSWORD)[0] == 302
        client.base = second
        status, page = client.request("/oversight/")
        assert status == 200 and "Program overview" in page
