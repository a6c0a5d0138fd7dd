"""A program manager filters the dashboard and finds the numbers in charts and tables, axe-clean."""
import pytest

from app.main.demo import demo_load
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import CONTENT_DIR

pytestmark = pytest.mark.browser


def test_manager_reads_and_filters_the_dashboard(page, app):
    demo_load(password=app.config["DEMO_PASSWORD"], content_dir=CONTENT_DIR)
    sign_in(page, "manager@demo.example", app.config["DEMO_PASSWORD"])
    page.wait_for_url("**/oversight/")
    assert "(1 of 1 agencies)" in page.content()  # Jordan Reyes is designated and trained
    assert page.get_by_role("img", name="Partner agencies in full compliance, by month").count() == 1
    assert page.get_by_role("img", name="Officers by training and authority status").count() == 1
    assert_accessible(page)
    page.get_by_label("State").select_option("FL")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**state=FL**")
    assert "No agency has designated officers yet" in page.content()
    rows = page.get_by_role("table", name="Officers by status").get_by_role("row")
    assert "On agency rosters" in rows.nth(1).inner_text() and "2" in rows.nth(1).inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").nth(1).click()
    assert download.value.suggested_filename == "officers.csv"
    assert_accessible(page)
