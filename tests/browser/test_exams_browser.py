"""Taking examinations in a real browser: fail, remediate, pass, complete; disqualify; resume."""
import re

import pytest
from sqlalchemy import select

from app.assessments.models import ExamAttempt, QuestionRevision
from app.auth.models import User
from app.courses.models import Enrollment
from app.main.demo import demo_load
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import CONTENT_DIR

pytestmark = pytest.mark.browser


@pytest.fixture()
def officer(app, db, make):
    """The demo officer, enrolled in the demo IADP class, with every lesson complete."""
    demo_load(password=app.config["DEMO_PASSWORD"], content_dir=CONTENT_DIR)
    user = db.session.execute(select(User).where(User.email == "officer@demo.example")).scalar_one()
    enrollment = db.session.execute(select(Enrollment).where(Enrollment.officer_id == user.id)).scalar_one()
    make.complete_weeks(enrollment, 4)
    return {"email": user.email, "password": app.config["DEMO_PASSWORD"], "enrollment": enrollment}


def sign_in_as(page, who):
    sign_in(page, who["email"], who["password"])
    page.wait_for_url("**/officer")


def open_exams(page, who):
    page.goto(f"/exams/enrollment/{who['enrollment'].id}")


def current_attempt(db, who) -> ExamAttempt:
    db.session.expire_all()
    return db.session.execute(select(ExamAttempt).where(
        ExamAttempt.enrollment_id == who["enrollment"].id, ExamAttempt.status == "open")).scalar_one()


def answer(page, db, attempt: ExamAttempt, *, right: bool, only: range | None = None):
    """Answer the questions on the page right (from the key, server side) or wrong."""
    for index, item in enumerate(attempt.items):
        if only is not None and index not in only:
            continue
        revision = db.session.get(QuestionRevision, item["revision_id"])
        spec, field = revision.spec, f"q{index}"
        if revision.type in ("single", "multiple"):
            wanted = [o["id"] for o in spec["options"] if (o["weight"] > 0) == right]
            for option_id in wanted[: (None if revision.type == "multiple" else 1)]:
                page.locator(f"#{field}-{option_id}").check()
        elif revision.type == "truefalse":
            page.locator(f"#{field}-{'true' if spec['answer'] == right else 'false'}").check()
        elif revision.type == "matching":
            pairs = spec["pairs"]
            for n, pair in enumerate(pairs):
                target = pair["right_id"] if right else pairs[(n + 1) % len(pairs)]["right_id"]
                page.locator(f"#{field}-{pair['id']}").select_option(target)
        elif revision.type == "numeric":
            full = next(a for a in spec["answers"] if a["weight"] >= 1)
            value = (full["min"] + full["max"]) / 2 if right else full["max"] + 1000
            page.locator(f"#{field}-input").fill(repr(value))
            page.locator(f"#{field}-input").blur()
        else:
            page.locator(f"#{field}-input").fill(spec["answers"][0]["text"] if right else "no idea")
            page.locator(f"#{field}-input").blur()


def submit(page):
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit examination").click()
    page.wait_for_url(re.compile(r"/review$"))


def take_exam(page, db, who, button, *, right, check_a11y=False):
    open_exams(page, who)
    page.get_by_role("button", name=button).first.click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+$"))
    if check_a11y:
        assert_accessible(page)
    answer(page, db, current_attempt(db, who), right=right)
    submit(page)
    if check_a11y:
        assert_accessible(page)


def test_fail_then_remediate_then_pass_every_exam_and_complete(page, db, officer):
    sign_in_as(page, officer)
    open_exams(page, officer)
    assert_accessible(page)
    take_exam(page, db, officer, "Start examination", right=False, check_a11y=True)
    assert "Not passed" in page.content()
    assert "shown once this examination is closed for you" in page.content()  # after_close review
    open_exams(page, officer)
    assert page.get_by_role("button", name="Start remediation examination").count() == 1
    take_exam(page, db, officer, "Start remediation examination", right=True)
    assert "Passed" in page.content() and "Your answers" in page.content()  # closed: review shown
    assert_accessible(page)
    for _ in range(3):
        take_exam(page, db, officer, "Start examination", right=True)
        assert "100%" in page.content()
    open_exams(page, officer)
    assert "Course complete" in page.get_by_role("status").first.inner_text()
    assert_accessible(page)


def test_a_second_failure_disqualifies(page, db, officer):
    sign_in_as(page, officer)
    take_exam(page, db, officer, "Start examination", right=False)
    take_exam(page, db, officer, "Start remediation examination", right=False)
    open_exams(page, officer)
    alert = page.get_by_role("alert").inner_text()
    assert "You are disqualified from this course" in alert and "2 failed examinations" in alert
    assert page.get_by_role("button", name=re.compile("Start")).count() == 0
    assert_accessible(page)


def test_closing_the_browser_mid_exam_loses_no_saved_answer(browser, live_server, db, officer):
    first = browser.new_context(base_url=live_server)
    page = first.new_page()
    sign_in_as(page, officer)
    open_exams(page, officer)
    page.get_by_role("button", name="Start examination").first.click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+$"))
    attempt = current_attempt(db, officer)
    answer(page, db, attempt, right=True, only=range(0, 6))
    for index in range(6):
        page.locator(f"#q{index}-saved").filter(has_text="Saved.").wait_for()
    first.close()  # the officer's laptop dies
    second = browser.new_context(base_url=live_server)
    page = second.new_page()
    sign_in_as(page, officer)
    open_exams(page, officer)
    page.get_by_role("link", name="Resume").click()
    assert page.url.endswith(f"/exams/attempts/{attempt.id}")
    for index in range(6):
        fieldset = page.locator(f"#q{index}")
        checked = fieldset.locator("input:checked").count()
        selected = fieldset.locator("select").evaluate_all(
            "els => els.filter(e => e.value !== '').length")
        typed = fieldset.locator("input[type=text]").evaluate_all(
            "els => els.filter(e => e.value !== '').length")
        assert checked + selected + typed > 0, f"question {index + 1} lost its answer"
        assert fieldset.locator(".saved-mark").inner_text() == "Saved."
    assert page.locator("#q10 input:checked").count() == 0
    second.close()
