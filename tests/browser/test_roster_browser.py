"""A program manager imports an agency roster in a real browser: a bad file, then a good one."""
import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.main.demo import demo_load
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

HEADER = "agency_ori,agency_name,state,officer_email,officer_name,badge_number,supervisor_email"
ROWS = [
    # Jordan Reyes is a demo officer of Palmetto: the badge number is an update.
    "SC0990100,Palmetto County Sheriff's Office,SC,jordan.reyes@demo.example,Jordan Reyes,P-214,",
    "GA0990600,Chattahoochee County Sheriff's Office,GA,kim.adair@chattahoochee.example,Kim Adair,C-12,"
    "sgt.boone@chattahoochee.example",
    "GA0990600,Chattahoochee County Sheriff's Office,GA,lou.pratt@chattahoochee.example,Lou Pratt,,",
]
BAD_ROW = "GA0990600,Chattahoochee County Sheriff's Office,GQ,noel.west@chattahoochee.example,Noel West,,"


@pytest.fixture()
def files(app, tmp_path):
    demo_load(password=app.config["DEMO_PASSWORD"])
    bad = tmp_path / "chattahoochee-draft.csv"
    bad.write_text("\r\n".join([HEADER, *ROWS, BAD_ROW]) + "\r\n", encoding="utf-8-sig")
    good = tmp_path / "chattahoochee.csv"
    good.write_text("\r\n".join([HEADER, *ROWS]) + "\r\n", encoding="utf-8-sig")
    return {"bad": bad, "good": good, "password": app.config["DEMO_PASSWORD"]}


def test_manager_previews_a_bad_file_then_imports_the_fixed_one(page, files, db):
    sign_in(page, "manager@demo.example", files["password"])
    page.wait_for_url(lambda url: "/login" not in url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agencies").click()
    page.get_by_role("link", name="Import a roster").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Import a roster"
    assert_accessible(page)

    page.get_by_label("Roster CSV file").set_input_files(str(files["bad"]))
    page.get_by_role("button", name="Check the file").click()
    alert = page.get_by_role("alert")
    assert "line 5: unknown state 'GQ'" in alert.inner_text()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="5", exact=True))
    assert "error" in row.inner_text() and "unknown state 'GQ'" in row.inner_text()
    assert page.get_by_role("button", name="Import").count() == 0
    assert_accessible(page)

    page.get_by_label("Roster CSV file").set_input_files(str(files["good"]))
    page.get_by_role("button", name="Check the file").click()
    assert "2 created, 1 updated, 0 unchanged; 1 agency created" in page.get_by_role("status").inner_text()
    table = page.get_by_role("table", name="Every row of chattahoochee.csv")
    assert table.get_by_role("row").count() == 4  # the header row and three rows
    assert_accessible(page)
    page.get_by_role("button", name="Import 3 rows").click()
    page.wait_for_url("**/agencies/")
    assert ("Imported chattahoochee.csv: 2 created, 1 updated, 0 unchanged; 1 agency created."
            in page.get_by_role("status").first.inner_text())
    assert page.get_by_role("link", name="Chattahoochee County Sheriff's Office").count() == 1
    assert_accessible(page)
    assert db.session.execute(select(func.count(User.id)).where(
        User.email.like("%@chattahoochee.example"))).scalar_one() == 2
