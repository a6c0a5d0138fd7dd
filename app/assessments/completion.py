"""Course completion, instructor score overrides and reinstatement after disqualification."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.assessments.attempts import ExamError, enrollment_standing, record_disqualification
from app.assessments.models import CourseCompletion, Disqualification, ExamAttempt
from app.assessments.rules import passed
from app.audit import audit_record
from app.courses.models import CourseVersionItem, Enrollment, LessonCompletion
from app.extensions import db


def completion_check(*, enrollment: Enrollment, now: datetime) -> CourseCompletion | None:
    """Record the course complete once every lesson is done and every graded exam passed."""
    existing = db.session.execute(select(CourseCompletion).where(
        CourseCompletion.enrollment_id == enrollment.id)).scalar_one_or_none()
    if existing is not None:
        return existing
    total = db.session.execute(select(func.count()).where(
        CourseVersionItem.version_id == enrollment.course_version_id)).scalar_one()
    done = db.session.execute(select(func.count()).where(
        LessonCompletion.enrollment_id == enrollment.id)).scalar_one()
    if done < total:
        return None
    _rules, current = enrollment_standing(enrollment)
    if current.disqualified or (current.exams and not current.all_passed):
        return None
    scores = {key: exam.best_score for key, exam in current.exams.items()}
    completion = CourseCompletion(
        enrollment_id=enrollment.id, officer_id=enrollment.officer_id,
        course_version_id=enrollment.course_version_id, completed_at=now, scores=scores)
    db.session.add(completion)
    db.session.flush()
    audit_record(actor=enrollment.officer, action="course.complete", target_type="enrollment",
                 target_id=enrollment.id, now=now, details={
                     "course_version_id": enrollment.course_version_id, "scores": scores})
    try:
        db.session.commit()
    except IntegrityError:  # completed by a concurrent request: that record stands
        db.session.rollback()
        return db.session.execute(select(CourseCompletion).where(
            CourseCompletion.enrollment_id == enrollment.id)).scalar_one()
    _issue_certificate(completion, now)
    return completion


def _issue_certificate(completion: CourseCompletion, now: datetime) -> None:
    """Issue the certificate right away; if signing is unavailable, it stays pending.

    The completion is already recorded, so nothing is lost:
    `flask certificates issue-pending` issues it once the keys are in place.
    """
    from flask import current_app

    from app.certificates.keys import KeysError
    from app.certificates.services import certificate_issue

    try:
        certificate_issue(completion=completion, now=now)
    except KeysError as error:
        db.session.rollback()
        current_app.logger.warning("certificate for completion %s left pending: %s", completion.id, error)


def attempt_override(*, attempt: ExamAttempt, score: float, reason: str, actor,
                     now: datetime) -> ExamAttempt:
    """Replace a graded attempt's score with a written reason; audited. Commits."""
    if attempt.is_open or attempt.kind != "graded":
        raise ExamError("Only a closed, graded attempt can have its score overridden.")
    if not reason or len(reason.strip()) < 10:
        raise ExamError("Give the reason for the override in a sentence.")
    if not 0 <= score <= 100:
        raise ExamError("A score is a percent from 0 to 100.")
    before = attempt.effective_score
    attempt.override_score, attempt.override_reason = round(float(score), 2), reason.strip()
    attempt.override_by_id, attempt.override_at = actor.id, now
    db.session.flush()
    enrollment = db.session.get(Enrollment, attempt.enrollment_id)
    rules, current = enrollment_standing(enrollment)
    attempt.passed = passed(attempt.override_score, rules)
    record_disqualification(enrollment=enrollment, current=current, now=now)
    audit_record(actor=actor, action="exam.override", target_type="exam_attempt",
                 target_id=attempt.id, now=now, details={
                     "exam": attempt.exam_key, "from": before, "to": attempt.override_score,
                     "reason": attempt.override_reason})
    db.session.commit()
    completion_check(enrollment=enrollment, now=now)
    return attempt


def enrollment_reinstate(*, enrollment: Enrollment, reason: str, actor, now: datetime) -> Disqualification:
    """Reverse a disqualification in writing: earlier failures stop counting. Audited; commits."""
    row = db.session.execute(select(Disqualification).where(
        Disqualification.enrollment_id == enrollment.id,
        Disqualification.reversed_at.is_(None))).scalar_one_or_none()
    if row is None:
        raise ExamError("This officer is not disqualified.")
    if not reason or len(reason.strip()) < 10:
        raise ExamError("Give the reason for the reinstatement in a sentence.")
    row.reversed_at, row.reversed_by_id = now, actor.id
    row.reversal_reason, row.reversal_kind = reason.strip(), "reinstated"
    audit_record(actor=actor, action="enrollment.reinstate", target_type="enrollment",
                 target_id=enrollment.id, now=now, details={
                     "disqualification_id": row.id, "reason": row.reversal_reason})
    db.session.commit()
    return row
