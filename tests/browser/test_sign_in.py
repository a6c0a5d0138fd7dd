"""Each role signs in in a real browser, lands on its home page, and signs out."""
import pytest

from app.main.demo import DEMO_ACCOUNTS, demo_load
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

HOMES = {
    "officer": ("/officer", "My training"),
    "instructor": ("/instructor", "Teaching"),
    "credentialing": ("/credentialing", "Credentialing"),
    "manager": ("/oversight/", "Program overview"),
    "admin": ("/admin/users", "Users"),
}


@pytest.fixture()
def demo(app):
    demo_load(password=app.config["DEMO_PASSWORD"])
    return {role: email for email, _name, role, _ori in DEMO_ACCOUNTS}


@pytest.mark.parametrize("role", list(HOMES))
def test_role_signs_in_lands_home_and_signs_out(page, demo, app, role):
    path, heading = HOMES[role]
    page.goto("/login")
    assert_accessible(page)
    page.get_by_label("Email").fill(demo[role])
    page.get_by_label("Password").fill(app.config["DEMO_PASSWORD"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{path}")
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert_accessible(page)
    # Every page in this role's navigation is axe-clean too.
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    for href in [links.nth(i).get_attribute("href") for i in range(links.count())]:
        page.goto(href)
        assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert "You are signed out" in page.content()
    page.goto(path)
    assert "/login" in page.url


def test_wrong_password_shows_an_accessible_error(page, demo):
    page.goto("/login")
    page.get_by_label("Email").fill(demo["officer"])
    page.get_by_label("Password").fill("not-the-right-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "The email or password is not correct."
    assert_accessible(page)


def test_error_pages_are_accessible(page, demo, app):
    page.goto("/no/such/page")
    assert "There is no page at this address" in page.content()
    assert_accessible(page)
