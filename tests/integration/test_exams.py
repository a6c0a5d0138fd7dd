"""Examinations end to end: the rules, gating, freezing, timing, resume, secrecy, review, access.

Time is an input: services get `now` explicitly, and the exam routes read a
controlled clock (the `clock` fixture), so no test sleeps. Answers are built
from each question revision's spec and the attempt's frozen presentation, so
a test can produce any score it needs.
"""
from __future__ import annotations

import html
import random
import re
import shutil
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from flask import url_for
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.assessments.attempts import (
    ExamError, attempt_save_answer, attempt_start, attempt_submit, enrollment_standing,
)
from app.assessments.completion import completion_check
from app.assessments.models import (
    AttemptAnswer, CourseCompletion, Disqualification, ExamAttempt, QuestionRevision,
)
from app.assessments.services import current_question_revisions
from app.assessments.types import QUESTION_TYPES
from app.audit import AuditEntry
from app.courses.classes import lesson_complete
from app.courses.models import Course, CourseVersion
from app.extensions import db
from tests.conftest import CONTENT_DIR, csrf_token_from

T0 = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
GRADED = ("iadp-exam-1", "iadp-exam-2", "iadp-exam-3", "iadp-exam-4")
TIME_UP = "Time is up"
HIDDEN_REVIEW = "The right answers and feedback are shown once this examination is closed for you"


# --- a controlled clock ---------------------------------------------------------

class Clock:
    """The time the exam routes see; tests move it by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture()
def clock(monkeypatch):
    clock = Clock(T0)
    monkeypatch.setattr("app.assessments.routes.utcnow", clock)
    return clock


# --- the world: a class of the real IADP course ------------------------------------

@pytest.fixture()
def world(make):
    world = make.course_world()
    instructor = make.user("instructor")
    world.update(instructor=instructor, training_class=make.training_class(world["version"], instructor))
    return world


@pytest.fixture()
def me(auth, make, world, clock):
    """The signed-in officer, enrolled in the class."""
    officer = auth.login_as("officer")
    return SimpleNamespace(officer=officer, enrollment=make.enroll(world["training_class"], officer))


def complete_weeks(enrollment, weeks: int, now: datetime = T0) -> None:
    """Mark every lesson of weeks 1..`weeks` complete, through the service."""
    for item in enrollment.course_version.items:
        if item.week <= weeks:
            lesson_complete(enrollment=enrollment, position=item.position,
                            lesson_revision_id=item.lesson_revision_id, now=now)


def reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def audit_actions(action: str) -> list[AuditEntry]:
    return db.session.execute(select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.seq)).scalars().all()


# --- answering: right or wrong, from the spec and the frozen presentation -----------

def revisions_of(attempt) -> list[QuestionRevision]:
    return [db.session.get(QuestionRevision, item["revision_id"]) for item in attempt.items]


def answer_fields(index: int, revision: QuestionRevision, presentation: dict, *, right: bool):
    """The form fields a browser sends for question `index`, answered right or wrong."""
    name, spec = f"q{index}", revision.spec
    kind = revision.type
    if kind == "single":
        return [(name, next(o["id"] for o in spec["options"] if (o["weight"] >= 1) == right))]
    if kind == "multiple":
        key = [o["id"] for o in spec["options"] if o["weight"] > 0]
        every = [o["id"] for o in spec["options"]]
        chosen = key if right else (every if set(every) != set(key) else key[:-1])
        return [(name, choice) for choice in chosen]
    if kind == "truefalse":
        return [(name, "true" if spec["answer"] == right else "false")]
    if kind == "matching":
        fields = []
        for pair in spec["pairs"]:
            other = next((r for r in presentation["right"] if r != pair["right_id"]), "")
            fields.append((f"{name}-{pair['id']}", pair["right_id"] if right else other))
        return fields
    if kind == "numeric":
        full = next(a for a in spec["answers"] if a["weight"] >= 1)
        wrong = max(a["max"] for a in spec["answers"]) + 1000
        return [(name, f"{(full['min'] + full['max']) / 2:g}" if right else f"{wrong:g}")]
    if kind == "short":
        return [(name, next(a["text"] for a in spec["answers"] if a["weight"] >= 1) if right
                 else "not the answer")]
    raise AssertionError(f"no answer builder for {kind}")


def form_values(attempt, right: int | None = None, only=None) -> MultiDict:
    """Answers to every question (or those in `only`): the first `right` right, the rest wrong."""
    right = len(attempt.items) if right is None else right
    values = MultiDict()
    for index, (item, revision) in enumerate(zip(attempt.items, revisions_of(attempt))):
        if only is None or index in only:
            for key, value in answer_fields(index, revision, item["presentation"], right=index < right):
                values.add(key, value)
    return values


def right_for(attempt, percent: float) -> int:
    """How many right answers give `percent` on this attempt (exactly)."""
    right = round(len(attempt.items) * percent / 100)
    assert round(100 * right / len(attempt.items), 2) == percent, "pick a reachable score"
    return right


def sit(enrollment, exam_key: str, *, percent: float = 100, now: datetime = T0, seed: int = 0):
    """Start and submit one attempt through the services, scoring `percent`."""
    attempt = attempt_start(enrollment=enrollment, exam_key=exam_key, now=now, rng=random.Random(seed))
    values = form_values(attempt, right=right_for(attempt, percent))
    assert attempt_submit(attempt=attempt, values=values, now=now + timedelta(minutes=20)) is True
    assert attempt.score == percent
    return attempt


# --- the routes -------------------------------------------------------------------

def overview_url(enrollment) -> str:
    return f"/exams/enrollment/{enrollment.id}"


def token(client) -> str:
    return csrf_token_from(client, "/")


def http_start(client, enrollment, exam_key: str):
    return client.post(f"{overview_url(enrollment)}/{exam_key}/start", data={"csrf_token": token(client)})


def http_started_attempt(client, enrollment, exam_key: str) -> ExamAttempt:
    response = http_start(client, enrollment, exam_key)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    match = re.fullmatch(r".*/exams/attempts/(\d+)", response.headers["Location"])
    assert match, f"start did not lead to an attempt: {response.headers['Location']}"
    return db.session.get(ExamAttempt, int(match.group(1)))


def http_submit(client, attempt, values: MultiDict, action: str = "submit"):
    data = MultiDict(values)
    data.add("csrf_token", token(client))
    data.add("action", action)
    return client.post(f"/exams/attempts/{attempt.id}/submit", data=data)


def http_autosave(client, attempt, index: int, values: MultiDict):
    return client.post(f"/exams/attempts/{attempt.id}/answers/{index}", data=values,
                       headers={"Accept": "application/json", "X-CSRFToken": token(client)})


def http_sit(client, clock, enrollment, exam_key: str, *, percent: float = 100) -> ExamAttempt:
    """Start from the overview and submit the whole form, as an officer does."""
    attempt = http_started_attempt(client, enrollment, exam_key)
    assert client.get(f"/exams/attempts/{attempt.id}").status_code == 200
    clock.advance(minutes=20)
    response = http_submit(client, attempt, form_values(attempt, right=right_for(attempt, percent)))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/exams/attempts/{attempt.id}/review")
    clock.advance(minutes=10)
    attempt = reload(attempt)
    assert attempt.status == "submitted" and attempt.score == percent
    return attempt


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.headers.get("Location"))
    return response.get_data(as_text=True)


def visible_text(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def flashes(markup: str) -> list[str]:
    return [visible_text(m) for m in re.findall(r'<p class="flash flash-\w+"[^>]*>(.*?)</p>', markup, re.S)]


class PageForm(HTMLParser):
    """What a browser makes of a page: its controls in order, what is pre-filled, every attribute."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.controls: list[tuple[str, str]] = []  # (name, value) of choices, in page order
        self.tags: list[tuple[str, dict]] = []
        self.filled = MultiDict()
        self.submitted = MultiDict()  # what the browser sends for the form as it stands
        self._select = self._chosen = None
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        kind = a.get("type")
        if tag == "input" and kind in ("radio", "checkbox"):
            self.controls.append((a["name"], a["value"]))
            if "checked" in a:
                self.filled.add(a["name"], a["value"])
                self.submitted.add(a["name"], a["value"])
        elif tag == "input" and kind == "text":
            self.submitted.add(a["name"], a.get("value") or "")
            if a.get("value"):
                self.filled.add(a["name"], a["value"])
        elif tag == "select":
            self._select, self._chosen = a["name"], None
        elif tag == "option" and self._select:
            self.controls.append((self._select, a.get("value", "")))
            if self._chosen is None or "selected" in a:
                self._chosen = a.get("value", "")
            if "selected" in a:
                self.filled.add(self._select, a["value"])

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self.submitted.add(self._select, self._chosen or "")
            self._select = None

    def choices(self, name: str) -> list[str]:
        return [value for n, value in self.controls if n == name and value]

    def select_names(self, prefix: str) -> list[str]:
        return list(dict.fromkeys(n for n, _ in self.controls if n.startswith(prefix + "-")))


def same_answers(a: MultiDict, b: MultiDict) -> bool:
    return {k: sorted(a.getlist(k)) for k in a} == {k: sorted(b.getlist(k)) for k in b}


# === 1. The rules, end to end ========================================================

def test_passing_all_four_exams_completes_the_course_exactly_once(client, clock, me):
    enrollment = me.enrollment
    complete_weeks(enrollment, 3)
    for exam_key in GRADED[:3]:
        http_sit(client, clock, enrollment, exam_key)
    assert count(CourseCompletion) == 0, "exam 4 and week 4 are still to do"
    complete_weeks(enrollment, 4)
    assert count(CourseCompletion) == 0
    last = http_sit(client, clock, enrollment, "iadp-exam-4", percent=75)

    completion = db.session.execute(select(CourseCompletion)).scalar_one()
    assert completion.enrollment_id == enrollment.id and completion.officer_id == me.officer.id
    assert completion.course_version_id == enrollment.course_version_id
    assert completion.completed_at == last.closed_at
    assert completion.scores == {"iadp-exam-1": 100.0, "iadp-exam-2": 100.0,
                                 "iadp-exam-3": 100.0, "iadp-exam-4": 75.0}
    assert [e.target_id for e in audit_actions("course.complete")] == [str(enrollment.id)]
    assert len(audit_actions("exam.score")) == 4
    # Running the checks again (another lesson click, a late request) records nothing more.
    complete_weeks(enrollment, 4, now=T0 + timedelta(days=3))
    completion_check(enrollment=enrollment, now=T0 + timedelta(days=3))
    assert count(CourseCompletion) == 1 and len(audit_actions("course.complete")) == 1
    overview = page(client, overview_url(enrollment))
    assert "Course complete on" in overview and "Start examination" not in overview


def test_pass_mark_is_seventy_percent_inclusive(me):
    complete_weeks(me.enrollment, 2)
    sit(me.enrollment, "iadp-exam-1", percent=70)
    sit(me.enrollment, "iadp-exam-2", percent=65, now=T0 + timedelta(hours=1))
    _rules, current = enrollment_standing(reload(me.enrollment))
    assert current.exams["iadp-exam-1"].status == "passed"
    assert current.exams["iadp-exam-2"].status == "failed" and current.failures == 1


def test_fail_then_pass_the_remediation_then_the_rest_completes(client, clock, me):
    enrollment = me.enrollment
    complete_weeks(enrollment, 4)
    first = http_sit(client, clock, enrollment, "iadp-exam-1", percent=50)
    assert not first.remediation
    overview = page(client, overview_url(enrollment))
    assert overview.count("Start remediation examination") == 1
    assert "Remediation examination: your one retake for this course." in overview
    assert "Not passed" in overview

    retake = http_sit(client, clock, enrollment, "iadp-exam-1", percent=80)
    assert retake.remediation and retake.number == 2
    for exam_key in GRADED[1:]:
        http_sit(client, clock, enrollment, exam_key)

    completion = db.session.execute(select(CourseCompletion)).scalar_one()
    assert completion.scores["iadp-exam-1"] == 80.0
    assert count(Disqualification) == 0 and len(audit_actions("course.complete")) == 1
    overview = page(client, overview_url(enrollment))
    assert "Course complete on" in overview and "(remediation)" in overview


@pytest.mark.parametrize("path", [
    [("iadp-exam-1", 50), ("iadp-exam-1", 60)],                          # the remediation failed
    [("iadp-exam-1", 50), ("iadp-exam-1", 90), ("iadp-exam-2", 65)],     # another exam failed after it
], ids=["remediation-failed", "another-exam-failed-after-remediation"])
def test_a_second_failure_disqualifies(client, clock, me, path):
    enrollment = me.enrollment
    complete_weeks(enrollment, 4)
    for exam_key, percent in path:
        http_sit(client, clock, enrollment, exam_key, percent=percent)

    row = db.session.execute(select(Disqualification)).scalar_one()
    assert row.enrollment_id == enrollment.id and row.reversed_at is None
    assert row.reason.startswith("2 failed examinations (")
    assert "2 failures disqualify under the course rules" in row.reason
    assert [e.target_id for e in audit_actions("enrollment.disqualify")] == [str(enrollment.id)]

    overview = page(client, overview_url(enrollment))
    assert "You are disqualified from this course." in overview
    assert row.reason in visible_text(overview)
    assert "Start examination" not in overview and "Start remediation examination" not in overview

    for exam_key in GRADED:
        with pytest.raises(ExamError, match="You are disqualified from this course: 2 failed"):
            attempt_start(enrollment=enrollment, exam_key=exam_key, now=clock.advance(minutes=5))
    response = http_start(client, enrollment, "iadp-exam-3")
    assert response.status_code == 302 and response.headers["Location"].endswith(overview_url(enrollment))
    refused = flashes(page(client, overview_url(enrollment)))
    assert any(f.startswith("You are disqualified from this course: 2 failed") for f in refused), refused
    assert count(ExamAttempt, ExamAttempt.exam_key == "iadp-exam-3") == 0
    assert count(CourseCompletion) == 0


def test_practice_quizzes_never_count_and_may_be_retaken(client, clock, me):
    enrollment = me.enrollment
    complete_weeks(enrollment, 1)
    for n in range(3):
        quiz = http_sit(client, clock, enrollment, "iadp-quiz-1", percent=0)
        assert quiz.kind == "practice" and quiz.number == n + 1 and quiz.deadline is None
    _rules, current = enrollment_standing(reload(enrollment))
    assert current.failures == 0 and current.remediations_used == 0 and not current.disqualified
    assert count(Disqualification) == 0 and audit_actions("exam.score") == []
    overview = page(client, overview_url(enrollment))
    assert "Start quiz" in overview and "Start remediation examination" not in overview

    exam = http_sit(client, clock, enrollment, "iadp-exam-1", percent=100)
    assert exam.number == 1 and not exam.remediation
    http_sit(client, clock, enrollment, "iadp-quiz-1", percent=0)  # still open after a pass
    assert count(ExamAttempt, ExamAttempt.kind == "practice") == 4


# === 2. Gating ===================================================================

def test_an_exam_does_not_start_before_its_weeks_lessons_are_complete(client, clock, me):
    enrollment = me.enrollment
    with pytest.raises(ExamError, match=r"^Opens when you finish the lessons of week 1\.$"):
        attempt_start(enrollment=enrollment, exam_key="iadp-exam-1", now=T0)
    week_one = [i for i in enrollment.course_version.items if i.week == 1]
    for item in week_one[:-1]:
        lesson_complete(enrollment=enrollment, position=item.position,
                        lesson_revision_id=item.lesson_revision_id, now=T0)
    with pytest.raises(ExamError, match="Opens when you finish the lessons of week 1"):
        attempt_start(enrollment=enrollment, exam_key="iadp-quiz-1", now=T0)

    response = http_start(client, enrollment, "iadp-exam-1")
    assert response.status_code == 302 and response.headers["Location"].endswith(overview_url(enrollment))
    overview = page(client, response.headers["Location"])
    assert "Opens when you finish the lessons of week 1." in flashes(overview)
    assert count(ExamAttempt) == 0

    complete_weeks(enrollment, 1)
    assert attempt_start(enrollment=enrollment, exam_key="iadp-exam-1", now=T0).is_open
    with pytest.raises(ExamError, match=r"^Opens when you finish the lessons of weeks 1 to 2\.$"):
        attempt_start(enrollment=enrollment, exam_key="iadp-exam-2", now=T0)
    response = http_start(client, enrollment, "iadp-exam-2")
    assert "Opens when you finish the lessons of weeks 1 to 2." in flashes(page(client, response.headers["Location"]))


def test_an_unknown_exam_is_refused(client, me):
    complete_weeks(me.enrollment, 1)
    with pytest.raises(ExamError, match="not part of your course"):
        attempt_start(enrollment=me.enrollment, exam_key="iadp-exam-9", now=T0)
    response = http_start(client, me.enrollment, "iadp-exam-9")
    assert "This examination is not part of your course." in flashes(page(client, response.headers["Location"]))


# === 3. Freezing ==================================================================

def _edit_question(tree, key: str) -> None:
    """Change a single-choice question's stem and move its right answer, in a content tree."""
    for path in (tree / "banks").glob("*.md"):
        text = path.read_text()
        start = text.find(f"## {key}\n")
        if start < 0:
            continue
        end = text.find("\n## ", start + 1)
        end = len(text) if end < 0 else end
        section = text[start:end]
        stem_at = section.index("\n\n") + 2
        section = section[:stem_at] + "Edited after the attempt started. " + section[stem_at:]
        section = (section.replace("- [x] ", "- [RIGHT] ").replace("- [ ] ", "- [x] ", 1)
                   .replace("- [RIGHT] ", "- [ ] "))
        path.write_text(text[:start] + section + text[end:])
        return
    raise AssertionError(f"question {key} not found")


def test_an_attempt_keeps_its_questions_and_order_after_the_bank_is_edited(
        client, clock, auth, make, runner, tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, tree)
    world = make.course_world(tree)
    officer = auth.login_as("officer")
    enrollment = make.enroll(make.training_class(world["version"], make.user("instructor")), officer)
    complete_weeks(enrollment, 1)
    attempt = attempt_start(enrollment=enrollment, exam_key="iadp-exam-1", now=T0, rng=random.Random(3))
    frozen_items = [dict(i) for i in attempt.items]
    index, old = next((n, r) for n, r in enumerate(revisions_of(attempt)) if r.type == "single")
    before = page(client, f"/exams/attempts/{attempt.id}")

    _edit_question(tree, old.question_key)
    result = runner.invoke(args=["content", "sync", str(tree)])
    assert result.exit_code == 0, result.output
    assert "(1 new revisions)" in result.output
    new = current_question_revisions([old.question_key])[old.question_key]
    assert new.id != old.id and "Edited after the attempt started." in new.stem_html
    assert QUESTION_TYPES["single"].correct_answer(new.spec) != QUESTION_TYPES["single"].correct_answer(old.spec)

    attempt = reload(attempt)
    assert attempt.items == frozen_items
    after = page(client, f"/exams/attempts/{attempt.id}")
    assert "Edited after the attempt started." not in after and old.stem_html in after
    assert PageForm(after).controls == PageForm(before).controls

    clock.advance(minutes=30)
    http_submit(client, attempt, form_values(attempt))  # right by the frozen revision
    attempt = reload(attempt)
    assert attempt.score == 100.0 and attempt.item_scores[index] == 1.0
    # Graded by the new revision, the same answer would have been wrong.
    answer = db.session.execute(select(AttemptAnswer.answer).where(
        AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.index == index)).scalar_one()
    assert QUESTION_TYPES["single"].grade(new.spec, answer).score == 0.0


# === 4. Timing ====================================================================

@pytest.fixture()
def timed(me):
    """An open attempt at exam 1 (45 minutes), started at T0."""
    complete_weeks(me.enrollment, 1)
    attempt = attempt_start(enrollment=me.enrollment, exam_key="iadp-exam-1", now=T0, rng=random.Random(1))
    assert attempt.deadline == T0 + timedelta(minutes=45)
    return attempt


def test_answers_saved_in_time_count_and_a_late_save_is_refused(client, clock, timed):
    attempt = timed
    clock.advance(minutes=10)
    response = http_autosave(client, attempt, 0, form_values(attempt, only={0}))
    assert response.status_code == 200 and response.get_json() == {"saved": True}
    clock.now = attempt.deadline  # the last instant still counts
    assert http_autosave(client, attempt, 1, form_values(attempt, only={1})).get_json() == {"saved": True}

    clock.advance(seconds=1)
    response = http_autosave(client, attempt, 2, form_values(attempt, only={2}))
    assert response.status_code == 409
    body = response.get_json()
    assert body["saved"] is False and body["message"].startswith(TIME_UP)

    attempt = reload(attempt)
    assert attempt.status == "expired" and attempt.closed_at == attempt.deadline
    assert attempt.score == 10.0 and attempt.item_scores[:3] == [1.0, 1.0, 0.0]
    assert count(AttemptAnswer, AttemptAnswer.attempt_id == attempt.id) == 2
    [entry] = audit_actions("exam.score")
    assert '"status": "expired"' in entry.details and '"score": 10.0' in entry.details


def test_a_late_save_through_the_service_is_refused_with_time_is_up(timed):
    attempt = timed
    attempt_save_answer(attempt=attempt, index=0, values=form_values(attempt, only={0}),
                        now=T0 + timedelta(minutes=44))
    with pytest.raises(ExamError, match=f"^{TIME_UP}"):
        attempt_save_answer(attempt=attempt, index=1, values=form_values(attempt, only={1}),
                            now=T0 + timedelta(minutes=46))
    attempt = reload(attempt)
    assert attempt.status == "expired" and attempt.score == 5.0


def test_the_save_button_after_the_deadline_flashes_time_is_up(client, clock, timed):
    clock.advance(minutes=50)
    response = http_submit(client, timed, form_values(timed), action="save")
    assert response.status_code == 302
    shown = flashes(page(client, f"/exams/attempts/{timed.id}/review"))
    assert any(f.startswith(TIME_UP) for f in shown), shown
    assert reload(timed).status == "expired" and reload(timed).score == 0.0


@pytest.mark.parametrize("where", ["take", "overview", "review"])
def test_an_attempt_found_open_past_its_deadline_is_closed_as_expired(client, clock, me, timed, where):
    attempt = timed
    attempt_save_answer(attempt=attempt, index=0, values=form_values(attempt, only={0}),
                        now=T0 + timedelta(minutes=5))
    clock.advance(hours=2)
    url = {"take": f"/exams/attempts/{attempt.id}", "overview": overview_url(me.enrollment),
           "review": f"/exams/attempts/{attempt.id}/review"}[where]
    response = client.get(url)
    if where == "take":
        assert response.status_code == 302 and response.headers["Location"].endswith(
            f"/exams/attempts/{attempt.id}/review")
    else:
        assert response.status_code == 200
    attempt = reload(attempt)
    assert attempt.status == "expired" and attempt.closed_at == T0 + timedelta(minutes=45)
    assert attempt.score == 5.0
    assert len(audit_actions("exam.score")) == 1
    review = page(client, f"/exams/attempts/{attempt.id}/review")
    assert "closed when time ran out" in review


def test_a_submit_after_the_deadline_does_not_count_the_forms_answers(client, clock, timed):
    attempt = timed
    attempt_save_answer(attempt=attempt, index=0, values=form_values(attempt, only={0}),
                        now=T0 + timedelta(minutes=1))
    clock.now = attempt.deadline + timedelta(seconds=1)
    response = http_submit(client, attempt, form_values(attempt))  # every answer right, too late
    assert response.status_code == 302 and response.headers["Location"].endswith("/review")
    attempt = reload(attempt)
    assert attempt.status == "expired" and attempt.closed_at == attempt.deadline
    assert attempt.score == 5.0
    saved = db.session.execute(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)).scalars().all()
    assert [a.index for a in saved] == [0] and saved[0].saved_at == T0 + timedelta(minutes=1)


def test_a_late_submit_is_told_time_ran_out_not_that_it_was_submitted(client, clock, timed):
    """The officer whose Submit arrives late must learn that the form's answers were not counted."""
    clock.now = timed.deadline + timedelta(seconds=1)
    response = http_submit(client, timed, form_values(timed))
    shown = flashes(page(client, response.headers["Location"]))
    assert "Time ran out before you submitted: your answers saved in time were scored." in shown, shown
    assert "Your examination was submitted and scored." not in shown


def test_a_submit_in_time_counts_the_forms_answers(client, clock, timed):
    clock.now = timed.deadline
    response = http_submit(client, timed, form_values(timed, right=right_for(timed, 85)))
    assert "Your examination was submitted and scored." in flashes(page(client, response.headers["Location"]))
    attempt = reload(timed)
    assert attempt.status == "submitted" and attempt.closed_at == timed.deadline and attempt.score == 85.0


# === 5. Resume ====================================================================

def test_starting_again_resumes_the_open_attempt_with_saved_answers_prefilled(client, clock, me):
    complete_weeks(me.enrollment, 1)
    attempt = attempt_start(enrollment=me.enrollment, exam_key="iadp-exam-1", now=T0, rng=random.Random(0))
    kinds = {r.type for r in revisions_of(attempt)}
    assert {"single", "multiple", "truefalse", "matching", "short"} <= kinds, \
        f"seed 0 no longer draws every kind of control: {kinds}"
    saved = form_values(attempt, right=7)  # some right, some wrong: both are restored
    for index in range(len(attempt.items)):
        clock.advance(seconds=30)
        fields = MultiDict([(k, v) for k, v in saved.items(multi=True)
                            if k == f"q{index}" or k.startswith(f"q{index}-")])
        assert http_autosave(client, attempt, index, fields).get_json() == {"saved": True}

    again = http_started_attempt(client, me.enrollment, "iadp-exam-1")
    assert again.id == attempt.id
    assert attempt_start(enrollment=me.enrollment, exam_key="iadp-exam-1", now=clock.now).id == attempt.id
    assert count(ExamAttempt) == 1

    take = page(client, f"/exams/attempts/{attempt.id}")
    form = PageForm(take)
    assert same_answers(form.filled, saved), (form.filled, saved)
    assert take.count("Saved.") == len(attempt.items)
    for index, revision in enumerate(revisions_of(attempt)):
        value = saved.getlist(f"q{index}")
        if revision.type == "single":
            assert f'id="q{index}-{value[0]}" value="{value[0]}" checked>' in take
        elif revision.type in ("short", "numeric"):
            assert f'id="q{index}-input" value="{html.escape(value[0])}"' in take
        elif revision.type == "matching":
            pair = revision.spec["pairs"][0]
            chosen = saved.get(f"q{index}-{pair['id']}")
            select_html = re.search(rf'<select name="q{index}-{pair["id"]}".*?</select>', take, re.S).group(0)
            assert f'<option value="{chosen}" selected>' in select_html


def test_the_save_button_keeps_the_whole_form_for_later(client, clock, me):
    complete_weeks(me.enrollment, 1)
    attempt = http_started_attempt(client, me.enrollment, "iadp-exam-1")
    saved = form_values(attempt, right=right_for(attempt, 55))
    clock.advance(minutes=5)
    response = http_submit(client, attempt, saved, action="save")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/exams/attempts/{attempt.id}")
    take = page(client, response.headers["Location"])
    assert "Your answers are saved. You can come back to this exam from any device." in flashes(take)
    assert reload(attempt).is_open and same_answers(PageForm(take).filled, saved)
    clock.advance(minutes=5)
    http_submit(client, attempt, PageForm(take).submitted)
    attempt = reload(attempt)
    assert attempt.status == "submitted" and attempt.score == 55.0


def test_submitting_from_a_page_opened_before_the_autosaves_keeps_the_saved_answers(client, clock, me):
    """Answers are saved as they are given, to resume on any device: a second, older tab must not erase them.

    The old tab's form has no value at all for a radio or checkbox question
    (a browser sends nothing for a group with nothing checked), so it says
    nothing about those questions; the answers saved for them must count.
    """
    complete_weeks(me.enrollment, 1)
    attempt = http_started_attempt(client, me.enrollment, "iadp-exam-1")
    old_tab = PageForm(page(client, f"/exams/attempts/{attempt.id}"))
    for index in range(len(attempt.items)):
        clock.advance(seconds=40)
        assert http_autosave(client, attempt, index, form_values(attempt, only={index})).get_json() == {"saved": True}
    clock.advance(minutes=1)
    http_submit(client, attempt, old_tab.submitted)
    attempt = reload(attempt)
    choice_questions = [n for n, r in enumerate(revisions_of(attempt)) if r.type in ("single", "multiple", "truefalse")]
    assert choice_questions and [attempt.item_scores[n] for n in choice_questions] == [1.0] * len(choice_questions), \
        "a form that says nothing about a question erased the answer saved for it"


# === 6. No answer key reaches the browser ===========================================

def test_no_answer_key_reaches_the_browser_while_an_attempt_is_open(client, clock, me):
    enrollment = me.enrollment
    complete_weeks(enrollment, 2)
    attempts = [attempt_start(enrollment=enrollment, exam_key=key, now=T0, rng=random.Random(0))
                for key in ("iadp-exam-1", "iadp-exam-2")]
    assert {"numeric", "short", "truefalse", "matching", "multiple"} <= {
        r.type for a in attempts for r in revisions_of(a)}
    # Answer a few choice questions (wrongly): the autosave replies say nothing more than "saved".
    replies = []
    for attempt in attempts:
        for index, revision in enumerate(revisions_of(attempt)):
            if revision.type in ("single", "multiple", "matching") and len(replies) < 6:
                reply = http_autosave(client, attempt, index, form_values(attempt, right=0, only={index}))
                replies.append(reply.get_data(as_text=True))
    assert replies and all(r.strip().replace(" ", "") == '{"saved":true}' for r in replies), replies

    overview = page(client, overview_url(enrollment))
    spec_order_differs = False
    for attempt in attempts:
        take = page(client, f"/exams/attempts/{attempt.id}")
        form = PageForm(take)
        for markup in (take, overview):
            assert "feedback" not in markup.lower()
            assert not re.search(r"weight\s*[=:\"']", markup), "an option weight on the page"
            data_attributes = {k for _tag, a in PageForm(markup).tags for k in a if k.startswith("data-")}
            assert data_attributes <= {"data-index", "data-save-url"}, data_attributes
        text = visible_text(take)
        shown_content = visible_text(" ".join(
            [r.stem_html for r in revisions_of(attempt)]
            + [o["html"] for r in revisions_of(attempt) for o in r.spec.get("options", [])]))
        questions_text = visible_text(re.sub(r"<legend>.*?</legend>", "", " ".join(
            re.findall(r'<fieldset class="question".*?</fieldset>', take, re.S)), flags=re.S))
        for index, (item, revision) in enumerate(zip(attempt.items, revisions_of(attempt))):
            spec, presentation = revision.spec, item["presentation"]
            feedback = visible_text(revision.feedback_html)
            for markup in (text, visible_text(overview)):
                assert feedback[:60] not in markup, f"feedback of {revision.question_key} on the page"
            fieldset = re.search(rf'<fieldset class="question" id="q{index}".*?</fieldset>', take, re.S).group(0)
            controls = re.sub(r'<div class="stem".*?</div>|<legend>.*?</legend>', "", fieldset, flags=re.S)
            if revision.type in ("numeric", "short"):
                key = QUESTION_TYPES[revision.type].correct_answer(spec)
                accepted = [key] + [a["text"] for a in spec.get("answers", []) if "text" in a]
                for answer in accepted:
                    assert not re.search(rf"(?<![\w-]){re.escape(answer)}(?![\w-])", controls), \
                        f"the answer to {revision.question_key} is in its controls"
                if key not in shown_content:
                    assert key not in questions_text, f"the answer to {revision.question_key} is on the page"
            if revision.type == "truefalse":
                assert "checked" not in controls
            if revision.type in ("single", "multiple"):
                order = presentation["order"]
                assert form.choices(f"q{index}") == order, "options not in the frozen order"
                spec_order_differs |= order != [o["id"] for o in spec["options"]]
                # The right option's markup is the same as any other's, up to its id.
                inputs = {re.sub(re.escape(oid), "ID", m) for oid in order
                          for m in re.findall(rf'<input[^>]*value="{oid}"[^>]*>', controls)}
                inputs = {re.sub(r" checked", "", i) for i in inputs}
                assert len(inputs) == 1, inputs
            if revision.type == "matching":
                assert form.select_names(f"q{index}") == [f"q{index}-{left}" for left in presentation["left"]]
                for name in form.select_names(f"q{index}"):
                    assert form.choices(name) == presentation["right"]
    assert spec_order_differs, "with these seeds some question must be shuffled"


# === 7. Review modes =================================================================

def review_page(client, attempt) -> str:
    return page(client, f"/exams/attempts/{attempt.id}/review")


def shows_answers(markup: str, attempt) -> bool:
    """True when the review shows the right answers and feedback (checked both ways)."""
    feedback = [visible_text(r.feedback_html)[:60] for r in revisions_of(attempt)]
    text = visible_text(markup)
    shown = "Your answers" in markup and all(f in text for f in feedback)
    hidden = "Your answers" not in markup and not any(f in text for f in feedback) and "Right answer:" not in markup
    assert shown or hidden, "a review that is neither complete nor hidden"
    return shown


def test_practice_quizzes_show_answers_immediately(client, clock, me):
    complete_weeks(me.enrollment, 1)
    quiz = http_sit(client, clock, me.enrollment, "iadp-quiz-1", percent=50)
    review = review_page(client, quiz)
    assert shows_answers(review, quiz)
    assert review.count("Right answer:") == 4


def test_after_close_reviews_wait_until_no_further_attempt_is_possible(client, clock, me):
    enrollment = me.enrollment
    complete_weeks(enrollment, 2)
    failed = http_sit(client, clock, enrollment, "iadp-exam-1", percent=50)
    review = review_page(client, failed)
    assert not shows_answers(review, failed) and HIDDEN_REVIEW in review
    assert "Not passed" in review and "50%" in review

    passed_first_time = http_sit(client, clock, enrollment, "iadp-exam-2", percent=90)
    assert shows_answers(review_page(client, passed_first_time), passed_first_time)

    retake = http_sit(client, clock, enrollment, "iadp-exam-1", percent=75)
    assert shows_answers(review_page(client, retake), retake)
    review = review_page(client, failed)
    assert shows_answers(review, failed) and review.count("Right answer:") == 10


def test_after_close_reviews_open_after_disqualification(client, clock, me):
    complete_weeks(me.enrollment, 1)
    first = http_sit(client, clock, me.enrollment, "iadp-exam-1", percent=40)
    assert not shows_answers(review_page(client, first), first)
    second = http_sit(client, clock, me.enrollment, "iadp-exam-1", percent=45)
    assert count(Disqualification) == 1
    for attempt in (first, second):
        review = review_page(client, attempt)
        assert shows_answers(review, attempt) and "2 failures disqualify" in review


def test_a_never_exam_never_shows_its_answers(client, clock, auth, make, runner, tmp_path):
    make.course_world()
    tree = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, tree)
    course_file = tree / "courses/iadp.yml"
    source = course_file.read_text()
    assert source.count("review: after_close") == 4
    course_file.write_text(source.replace("review: after_close", "review: never"))
    result = runner.invoke(args=["content", "sync", str(tree)])
    assert result.exit_code == 0 and "IADP v2" in result.output, result.output
    version = db.session.execute(select(CourseVersion).join(Course).where(
        Course.key == "iadp", CourseVersion.number == 2)).scalar_one()
    officer = auth.login_as("officer")
    enrollment = make.enroll(make.training_class(version, make.user("instructor")), officer)
    complete_weeks(enrollment, 2)

    quiz = http_sit(client, clock, enrollment, "iadp-quiz-1", percent=50)  # practice still shows
    assert shows_answers(review_page(client, quiz), quiz)
    passed = http_sit(client, clock, enrollment, "iadp-exam-1", percent=100)
    failed = http_sit(client, clock, enrollment, "iadp-exam-2", percent=30)
    again = http_sit(client, clock, enrollment, "iadp-exam-2", percent=35)
    assert count(Disqualification) == 1
    for attempt in (passed, failed, again):
        review = review_page(client, attempt)
        assert not shows_answers(review, attempt)
        assert "This examination's answers are not shown." in visible_text(review)


# === 8. Double submit ================================================================

def test_a_double_submit_scores_once(client, clock, me):
    complete_weeks(me.enrollment, 1)
    attempt = http_started_attempt(client, me.enrollment, "iadp-exam-1")
    clock.advance(minutes=12)
    form = form_values(attempt, right=right_for(attempt, 60))
    first = http_submit(client, attempt, form)
    clock.advance(seconds=2)
    second = http_submit(client, attempt, form)
    review_url = f"/exams/attempts/{attempt.id}/review"
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"].endswith(review_url) and second.headers["Location"].endswith(review_url)
    attempt = reload(attempt)
    assert attempt.score == 60.0 and attempt.closed_at == T0 + timedelta(minutes=12)
    assert len(audit_actions("exam.score")) == 1
    assert count(ExamAttempt) == 1 and count(Disqualification) == 0
    _rules, current = enrollment_standing(reload(me.enrollment))
    assert current.failures == 1 and current.exams["iadp-exam-1"].attempts == 1


# === 9. Someone else's exams ===========================================================

def officer_exam_routes(app):
    """Every officer-only route of the assessments blueprint, with its method."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint.startswith("assessments.") and getattr(view, "allowed_roles", None) == {"officer"}:
            found.append((rule.endpoint, "POST" if "POST" in rule.methods else "GET", rule.arguments))
    return found


def _urls(app, attempt, enrollment):
    values = {"attempt_id": attempt.id, "enrollment_id": enrollment.id, "exam_key": "iadp-exam-1", "index": 0}
    with app.test_request_context():
        return [(endpoint, method, url_for(endpoint, **{a: values[a] for a in arguments}))
                for endpoint, method, arguments in officer_exam_routes(app)]


@pytest.fixture()
def someone_elses(app, make, world):
    """Another officer's enrollment with an open attempt at exam 1 and a closed quiz."""
    other = make.user("officer")
    enrollment = make.enroll(world["training_class"], other)
    complete_weeks(enrollment, 1)
    closed = sit(enrollment, "iadp-quiz-1", percent=50)
    attempt = attempt_start(enrollment=enrollment, exam_key="iadp-exam-1", now=T0, rng=random.Random(2))
    return SimpleNamespace(enrollment=enrollment, attempt=attempt, closed=closed)


def test_another_officers_exams_are_not_found(app, client, clock, me, someone_elses):
    routes = _urls(app, someone_elses.attempt, someone_elses.enrollment)
    assert {e for e, _m, _u in routes} >= {"assessments.overview", "assessments.start", "assessments.take",
                                          "assessments.save_answer", "assessments.submit", "assessments.review"}
    form = form_values(someone_elses.attempt)
    for endpoint, method, url in routes + [("review of a closed quiz", "GET",
                                            f"/exams/attempts/{someone_elses.closed.id}/review")]:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=MultiDict([*form.items(multi=True), ("csrf_token", token(client)),
                                                          ("action", "submit")]))
        assert response.status_code == 404, (endpoint, url, response.status_code)
    attempt = reload(someone_elses.attempt)
    assert attempt.is_open and count(AttemptAnswer, AttemptAnswer.attempt_id == attempt.id) == 0
    assert count(ExamAttempt) == 2


@pytest.mark.parametrize("role", ["instructor", "manager", "credentialing", "admin"])
def test_staff_get_403_on_officer_exam_routes(app, client, auth, clock, role, someone_elses):
    auth.login_as(role)
    for endpoint, method, url in _urls(app, someone_elses.attempt, someone_elses.enrollment):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token(client), "action": "submit"})
        assert response.status_code == 403, (role, endpoint, response.status_code)
    assert reload(someone_elses.attempt).is_open


def test_signed_out_visitors_are_sent_to_sign_in(app, client, someone_elses):
    for endpoint, method, url in _urls(app, someone_elses.attempt, someone_elses.enrollment):
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 302 and "/login" in response.headers["Location"], endpoint


# === 10. Query counts ===================================================================

def test_the_take_page_runs_the_same_queries_whatever_the_answers_saved(client, clock, me, count_queries):
    complete_weeks(me.enrollment, 1)
    attempt = attempt_start(enrollment=me.enrollment, exam_key="iadp-exam-1", now=T0, rng=random.Random(0))
    url = f"/exams/attempts/{attempt.id}"
    page(client, url)  # warm up
    with count_queries as none_saved:
        page(client, url)
    before = none_saved.count
    for index in range(len(attempt.items)):
        attempt_save_answer(attempt=attempt, index=index, values=form_values(attempt, only={index}),
                            now=T0 + timedelta(minutes=1))
    questions = len(attempt.items)
    with count_queries as all_saved:
        markup = page(client, url)
    assert markup.count("Saved.") == questions
    assert all_saved.count == before, "\n\n".join(all_saved.statements)


def test_the_overview_runs_the_same_queries_whatever_the_attempts(client, clock, me, count_queries):
    enrollment = me.enrollment
    complete_weeks(enrollment, 2)
    sit(enrollment, "iadp-quiz-1", percent=50)
    url = overview_url(enrollment)
    page(client, url)
    with count_queries as counter:
        page(client, url)
    few = counter.count
    for n in range(6):
        sit(enrollment, "iadp-quiz-1", percent=25, now=T0 + timedelta(hours=n + 1), seed=n)
        sit(enrollment, "iadp-quiz-2", percent=50, now=T0 + timedelta(hours=n + 1), seed=n)
    sit(enrollment, "iadp-exam-1", percent=50, now=T0 + timedelta(hours=8))
    sit(enrollment, "iadp-exam-1", percent=90, now=T0 + timedelta(hours=9))
    attempt_start(enrollment=enrollment, exam_key="iadp-exam-2", now=T0 + timedelta(hours=10))
    for index in range(5):
        open_attempt = db.session.execute(select(ExamAttempt).where(ExamAttempt.status == "open")).scalar_one()
        attempt_save_answer(attempt=open_attempt, index=index, values=form_values(open_attempt, only={index}),
                            now=T0 + timedelta(hours=10, minutes=1))
    clock.now = T0 + timedelta(hours=10, minutes=5)
    with count_queries as many:
        markup = page(client, url)
    assert markup.count("(remediation)") == 1 and markup.count("in progress") == 1
    assert count(ExamAttempt) == 16
    assert many.count <= few, (few, many.count, many.statements)
