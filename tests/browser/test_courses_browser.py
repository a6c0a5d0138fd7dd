"""Reading the course and authoring a lesson in a real browser, axe-clean throughout."""
import re

import pytest

from app.main.demo import demo_load
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import CONTENT_DIR

pytestmark = pytest.mark.browser


@pytest.fixture()
def demo(app):
    demo_load(password=app.config["DEMO_PASSWORD"], content_dir=CONTENT_DIR)
    return app.config["DEMO_PASSWORD"]


def course_progress(page) -> tuple[int, int]:
    bar = page.get_by_role("progressbar", name="Course progress")
    return int(bar.get_attribute("value")), int(bar.get_attribute("max"))


def test_officer_reads_the_whole_iadp_course_and_progress_is_remembered(page, demo):
    sign_in(page, "officer@demo.example", demo)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("IADP: Immigration Authority")).click()
    assert_accessible(page)
    assert course_progress(page) == (0, 46)
    page.get_by_role("link", name=re.compile("^Start: ")).click()
    titles = []
    for number in range(1, 47):
        heading = page.get_by_role("heading", level=1).inner_text()
        titles.append(heading)
        assert f"Lesson {number} ·" in page.content()
        if number in (1, 2, 23, 46):  # a sample of lesson pages; all share one template
            assert_accessible(page)
        before = course_progress(page)[0]
        page.get_by_role("button", name=re.compile("^Mark complete")).click()
        page.wait_for_load_state()
        if number < 46:
            assert course_progress(page)[0] == before + 1
    assert len(set(titles)) == 46
    assert "You have completed every lesson of this course" in page.content()
    assert course_progress(page) == (46, 46)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "officer@demo.example", demo)
    assert page.get_by_role("progressbar", name="IADP progress").get_attribute("value") == "46"


def test_officer_resumes_where_they_left_off_after_signing_in_again(page, demo):
    sign_in(page, "officer@demo.example", demo)
    page.get_by_role("link", name=re.compile("IADP: Immigration Authority")).click()
    page.get_by_role("link", name=re.compile("^Start: ")).click()
    page.get_by_role("button", name=re.compile("^Mark complete")).click()
    second = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "officer@demo.example", demo)
    page.get_by_role("link", name=re.compile("IADP: Immigration Authority")).click()
    page.get_by_role("link", name=f"Continue: {second}").click()
    assert page.get_by_role("heading", level=1).inner_text() == second
    assert course_progress(page) == (1, 46)


def test_instructor_edits_previews_and_publishes_a_lesson(page, demo):
    sign_in(page, "instructor@demo.example", demo)
    assert_accessible(page)
    page.get_by_role("link", name="Authoring").click()
    assert_accessible(page)
    page.get_by_role("link", name="Language access").click()
    assert_accessible(page)
    editor = page.get_by_label("Lesson file (front matter and Markdown)")
    text = editor.input_value()
    editor.fill(text.replace("## Key points", "!!! note \"Field tip\"\n    Ask which language first.\n\n## Key points"))
    preview = page.locator("#preview")
    preview.get_by_text("Ask which language first.").wait_for()
    assert preview.locator(".admonition.note").count() == 1
    assert_accessible(page)
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/history"))
    assert "New course versions: IADP version 2" in page.content()
    assert page.locator("pre.diff ins", has_text="Ask which language first.").count() == 1
    assert_accessible(page)
    page.goto("/courses/iadp/versions")
    assert_accessible(page)
    assert page.get_by_role("rowheader", name="2").count() == 1


def test_instructor_schedules_a_class_and_enrolls_officers(page, demo):
    sign_in(page, "instructor@demo.example", demo)
    page.get_by_role("link", name="Schedule a class").click()
    assert_accessible(page)
    page.get_by_label("Class title").fill("IADP class 27-02")
    page.get_by_label("Start date").fill("2027-02-08")
    page.get_by_role("button", name="Schedule class").click()
    page.get_by_role("heading", name="IADP class 27-02").wait_for()
    page.get_by_label("Find officers by name or email").fill("delgado")
    page.get_by_role("button", name="Search").click()
    page.get_by_label(re.compile("Sam Delgado")).check()
    page.get_by_label("Officers' email addresses").fill("morgan.blake@demo.example\nghost@nowhere.example")
    page.get_by_role("button", name="Enroll").click()
    assert page.get_by_role("status").filter(has_text="Enrolled 2 officer(s)").count() == 1
    assert "No account with these addresses: ghost@nowhere.example" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("rowheader", name="Sam Delgado").count() == 1
    assert_accessible(page)
