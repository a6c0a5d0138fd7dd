"""Use cases for taking an examination: start, save, submit, expire, review.

The server owns the clock: each attempt stores its deadline, an answer that
arrives after it is refused, and an attempt found open past its deadline is
closed with the answers saved in time. Closing is one guarded UPDATE
(`... WHERE status = 'open'`), so two submissions of one attempt, however
close together, score it once.
"""
from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.assessments.exams import QuestionMeta, choose_questions
from app.assessments.models import AttemptAnswer, Disqualification, ExamAttempt, QuestionRevision
from app.assessments.rules import (
    AttemptRecord, Decision, ExamRules, Standing, next_attempt, passed, standing,
)
from app.assessments.services import current_question_revisions
from app.assessments.types import QUESTION_TYPES
from app.audit import audit_record
from app.courses.classes import completed_positions
from app.courses.models import CourseVersion, CourseVersionItem, Enrollment
from app.extensions import db


class ExamError(ValueError):
    """An examination that cannot be started or answered now, with the reason."""


def exam_definition(version: CourseVersion, exam_key: str) -> dict | None:
    return next((e for e in version.exams or [] if e["id"] == exam_key), None)


def graded_keys(version: CourseVersion) -> list[str]:
    return [e["id"] for e in version.exams or [] if e["kind"] == "graded"]


def exam_opens(exam: dict, version: CourseVersion, completed: set[int]) -> bool:
    """Return True when every lesson of the weeks before the exam is complete."""
    needed = [p for week in version.outline if week["number"] <= exam.get("after_week", 0)
              for day in week["days"] for p in day["positions"]]
    return all(p in completed for p in needed)


def enrollment_standing(enrollment: Enrollment) -> tuple[ExamRules, Standing]:
    """Return the course rules and where the officer stands on its graded exams."""
    version = enrollment.course_version
    rules = ExamRules.from_mapping(version.rules)
    attempts = db.session.execute(select(ExamAttempt).where(
        ExamAttempt.enrollment_id == enrollment.id, ExamAttempt.kind == "graded",
        ExamAttempt.status != "open")).scalars()
    records = [AttemptRecord(a.exam_key, a.effective_score or 0.0, a.closed_at, a.remediation)
               for a in attempts]
    reinstated = db.session.execute(select(Disqualification.reversed_at).where(
        Disqualification.enrollment_id == enrollment.id,
        Disqualification.reversal_kind == "reinstated")).scalars().all()
    return rules, standing(rules, graded_keys(version), records, reinstated)


def start_decision(enrollment: Enrollment, exam: dict, completed: set[int],
                   rules: ExamRules, current: Standing) -> Decision:
    """Decide whether the officer may start `exam` now."""
    if not exam_opens(exam, enrollment.course_version, completed):
        week = exam.get("after_week", 0)
        return Decision(False, False, f"Opens when you finish the lessons of week{'s 1 to' if week > 1 else ''} {week}.")
    if exam["kind"] == "practice":
        if current.disqualified:
            return Decision(False, False, "Disqualified: quizzes are closed too.")
        return Decision(True, False, "Practice quiz: not graded, take it as often as you like.")
    return next_attempt(rules, current, exam["id"])


def open_attempt(enrollment: Enrollment, exam_key: str, now: datetime) -> ExamAttempt | None:
    """Return the officer's open attempt at an exam, closing it first if its time ran out."""
    attempt = db.session.execute(select(ExamAttempt).where(
        ExamAttempt.enrollment_id == enrollment.id, ExamAttempt.exam_key == exam_key,
        ExamAttempt.status == "open")).scalar_one_or_none()
    if attempt is not None and attempt_expire_if_due(attempt=attempt, now=now):
        return None
    return attempt


def attempt_start(*, enrollment: Enrollment, exam_key: str, now: datetime,
                  rng: random.Random | None = None) -> ExamAttempt:
    """Start (or resume) an attempt, freezing its questions, versions and option order."""
    version = enrollment.course_version
    exam = exam_definition(version, exam_key)
    if exam is None:
        raise ExamError("This examination is not part of your course.")
    existing = open_attempt(enrollment, exam_key, now)
    if existing is not None:
        return existing
    rules, current = enrollment_standing(enrollment)
    decision = start_decision(enrollment, exam, completed_positions(enrollment.id), rules, current)
    if not decision.allowed:
        raise ExamError(decision.reason)
    rng = rng or random.Random(secrets.randbits(64))
    revisions = current_question_revisions()
    lesson_week = dict(db.session.execute(select(CourseVersionItem.lesson_key, CourseVersionItem.week)
                                          .where(CourseVersionItem.version_id == version.id)).all())
    metas = [QuestionMeta(r.question_key, r.bank.key, r.subject, r.lesson_key, tuple(r.tags))
             for r in db.session.execute(select(QuestionRevision).where(
                 QuestionRevision.id.in_([r.id for r in revisions.values()]))
                 .options(db.joinedload(QuestionRevision.bank))).scalars()]
    keys = choose_questions(exam, metas, lesson_week, rng)
    if not keys:
        raise ExamError("No questions are available for this examination yet.")
    items = [{"revision_id": revisions[k].id,
              "presentation": QUESTION_TYPES[revisions[k].type].present(revisions[k].spec, rng)}
             for k in keys]
    number = db.session.execute(select(func.count()).where(
        ExamAttempt.enrollment_id == enrollment.id, ExamAttempt.exam_key == exam_key)).scalar_one() + 1
    limit = exam.get("time_limit_minutes")
    attempt = ExamAttempt(
        enrollment_id=enrollment.id, course_version_id=version.id, exam_key=exam_key,
        kind=exam["kind"], number=number, remediation=decision.remediation, started_at=now,
        deadline=now + timedelta(minutes=limit) if limit else None, status="open", items=items)
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:  # a second tab started it at the same moment: resume that one
        db.session.rollback()
        resumed = open_attempt(enrollment, exam_key, now)
        if resumed is None:
            raise ExamError("This attempt was just closed; reload the page.") from None
        return resumed
    return attempt


def _lock_if_open(attempt_id: int) -> bool:
    """Take the attempt's row lock if it is still open (a no-op UPDATE, guarded)."""
    result = db.session.execute(update(ExamAttempt).where(
        ExamAttempt.id == attempt_id, ExamAttempt.status == "open")
        .values(status="open").execution_options(synchronize_session=False))
    return result.rowcount == 1


def _question_revisions(attempt: ExamAttempt, indexes=None) -> dict[int, QuestionRevision]:
    """The frozen revisions of an attempt's questions (all, or those at `indexes`), in one query."""
    items = attempt.items if indexes is None else [attempt.items[i] for i in indexes]
    return {r.id: r for r in db.session.execute(select(QuestionRevision).where(
        QuestionRevision.id.in_({i["revision_id"] for i in items}))).scalars()}


def _upsert_answers(attempt: ExamAttempt, indexes: list[int], values, now: datetime,
                    revisions: dict[int, QuestionRevision]) -> None:
    """Store the answers `values` gives for the questions at `indexes`: one query, then writes."""
    if not indexes:
        return
    saved = {a.index: a for a in db.session.execute(select(AttemptAnswer).where(
        AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.index.in_(indexes))).scalars()}
    for index in indexes:
        item = attempt.items[index]
        revision = revisions[item["revision_id"]]
        answer = QUESTION_TYPES[revision.type].parse_answer(f"q{index}", values, item["presentation"])
        row = saved.get(index)
        if row is None:
            db.session.add(AttemptAnswer(attempt_id=attempt.id, index=index, answer=answer, saved_at=now))
        else:
            row.answer, row.saved_at = answer, now


def answered_fields(attempt: ExamAttempt, values) -> list[int]:
    """Return the questions a submitted form says something about.

    A browser sends nothing for a radio or checkbox group left empty, so a
    whole-page form (perhaps from an older tab) must not erase an answer that
    autosave stored for a question the form is silent on.
    """
    names = set(values.keys())
    return [index for index in range(len(attempt.items))
            if f"q{index}" in names or any(n.startswith(f"q{index}-") for n in names)]


def _time_is_up(attempt: ExamAttempt, now: datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline


def attempt_save_answer(*, attempt: ExamAttempt, index: int, values, now: datetime) -> None:
    """Save one answer as it is given. Refused once the attempt is closed or time is up."""
    attempt_save_answers(attempt=attempt, indexes=[index], values=values, now=now)


def attempt_save_answers(*, attempt: ExamAttempt, indexes: list[int], values, now: datetime) -> None:
    """Save the answers `values` gives for the questions at `indexes`, in one transaction.

    Refused, saving none, if any index is not a question of the attempt, once the
    attempt is closed, or when time is up.
    """
    if not all(0 <= index < len(attempt.items) for index in indexes):
        raise ExamError("There is no such question in this attempt.")
    if _time_is_up(attempt, now):
        attempt_expire_if_due(attempt=attempt, now=now)
        raise ExamError("Time is up: this answer was not saved. Your answers saved in time were scored.")
    if not _lock_if_open(attempt.id):
        db.session.rollback()
        raise ExamError("This attempt has been submitted; answers can no longer change.")
    _upsert_answers(attempt, indexes, values, now, _question_revisions(attempt, indexes))
    db.session.commit()


def attempt_submit(*, attempt: ExamAttempt, values=None, now: datetime) -> bool:
    """Submit an attempt (saving the form's answers if in time); True if this call scored it."""
    if _time_is_up(attempt, now):
        return attempt_expire_if_due(attempt=attempt, now=now)
    if not _close(attempt, status="submitted", closed_at=now):
        return False
    revisions = _question_revisions(attempt)
    if values is not None:
        _upsert_answers(attempt, answered_fields(attempt, values), values, now, revisions)
        db.session.flush()
    _grade_and_record(attempt, now, revisions)
    return True


def attempt_expire_if_due(*, attempt: ExamAttempt, now: datetime) -> bool:
    """Close an open attempt whose deadline has passed; True if this call closed it."""
    if not attempt.is_open or not _time_is_up(attempt, now):
        return False
    if not _close(attempt, status="expired", closed_at=attempt.deadline):
        return False
    _grade_and_record(attempt, now)
    return True


def _close(attempt: ExamAttempt, *, status: str, closed_at: datetime) -> bool:
    """Move open -> submitted/expired exactly once, whatever runs concurrently."""
    result = db.session.execute(update(ExamAttempt).where(
        ExamAttempt.id == attempt.id, ExamAttempt.status == "open")
        .values(status=status, closed_at=closed_at).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(attempt)
        return False
    attempt.status, attempt.closed_at = status, closed_at
    return True


def attempt_revisions_and_answers(attempt: ExamAttempt) -> tuple[dict[int, QuestionRevision], dict[int, dict | None]]:
    """Load an attempt's frozen question revisions (by id) and saved answers (by index): two queries."""
    answers = {a.index: a.answer for a in db.session.execute(select(AttemptAnswer).where(
        AttemptAnswer.attempt_id == attempt.id)).scalars()}
    return _question_revisions(attempt), answers


def grade_items(attempt: ExamAttempt, revisions: dict[int, QuestionRevision],
                answers: dict[int, dict | None]) -> list[float]:
    """Score each question of an attempt from 0 to 1."""
    return [QUESTION_TYPES[revisions[item["revision_id"]].type].grade(
        revisions[item["revision_id"]].spec, answers.get(index)).score
        for index, item in enumerate(attempt.items)]


def _grade_and_record(attempt: ExamAttempt, now: datetime,
                      revisions: dict[int, QuestionRevision] | None = None) -> None:
    """Grade a just-closed attempt, then record disqualification and completion. Commits."""
    revisions = revisions if revisions is not None else _question_revisions(attempt)
    rows = db.session.execute(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)).scalars()
    cutoff = attempt.deadline
    answers = {a.index: a.answer for a in rows if cutoff is None or a.saved_at <= cutoff}
    scores = grade_items(attempt, revisions, answers)
    attempt.item_scores = scores
    attempt.score = round(100 * sum(scores) / len(scores), 2)
    db.session.flush()
    enrollment = db.session.get(Enrollment, attempt.enrollment_id)
    attempt.passed = passed(attempt.score, ExamRules.from_mapping(enrollment.course_version.rules))
    if attempt.kind == "graded":
        rules, current = enrollment_standing(enrollment)
        record_disqualification(enrollment=enrollment, current=current, now=now)
        audit_record(actor=enrollment.officer, action="exam.score", target_type="exam_attempt",
                     target_id=attempt.id, now=now, details={
                         "exam": attempt.exam_key, "number": attempt.number,
                         "remediation": attempt.remediation, "status": attempt.status,
                         "score": attempt.score, "passed": passed(attempt.score, rules)})
    db.session.commit()
    from app.assessments.completion import completion_check

    completion_check(enrollment=enrollment, now=now)


def record_disqualification(*, enrollment: Enrollment, current: Standing, now: datetime) -> None:
    """Open a disqualification when the rules say so; close it when a correction undoes it."""
    open_row = db.session.execute(select(Disqualification).where(
        Disqualification.enrollment_id == enrollment.id,
        Disqualification.reversed_at.is_(None))).scalar_one_or_none()
    if current.disqualified and open_row is None:
        row = Disqualification(enrollment_id=enrollment.id, at=now, reason=current.reason)
        db.session.add(row)
        db.session.flush()
        audit_record(actor="exam rules", action="enrollment.disqualify", target_type="enrollment",
                     target_id=enrollment.id, now=now, details={"reason": current.reason})
    elif not current.disqualified and open_row is not None:
        open_row.reversed_at, open_row.reversal_kind = now, "override"
        open_row.reversal_reason = "A corrected score means the rules no longer disqualify."


def review_allowed(exam: dict, attempt: ExamAttempt, rules: ExamRules, current: Standing) -> bool:
    """Return True when the officer may see which answers were wrong, per the exam's setting."""
    if attempt.is_open:
        return False
    mode = "immediately" if attempt.kind == "practice" else exam.get("review", "immediately")
    if mode == "immediately":
        return True
    if mode == "never":
        return False
    # after_close: once no further attempt at this exam is possible for the officer
    return not next_attempt(rules, current, attempt.exam_key).allowed
