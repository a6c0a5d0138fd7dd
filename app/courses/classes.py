"""Use cases for classes, enrollment and lesson progress."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit import audit_record
from app.auth.emails import is_email, normalize_email
from app.auth.models import User
from app.auth.roles import Role
from app.courses.models import (
    ClassInstructor, CourseVersion, CourseVersionItem, Enrollment, LessonCompletion,
    TrainingClass,
)
from app.courses.progress import Progress
from app.extensions import db

EMAIL_SPLIT = re.compile(r"[\s,;]+")


class ClassError(ValueError):
    """A class or enrollment request that breaks a rule."""


def class_create(
    *, title: str, course_version: CourseVersion, start_date: date, location: str,
    instructor_ids: list[int], actor: User, now: datetime,
) -> TrainingClass:
    """Schedule a class of one course version; the creating instructor teaches it. Commits."""
    if not title.strip() or not location.strip():
        raise ClassError("A class needs a title and a location.")
    ids = set(instructor_ids) | ({actor.id} if actor.role == Role.INSTRUCTOR else set())
    instructors = db.session.execute(
        select(User).where(User.id.in_(ids), User.role == Role.INSTRUCTOR.value,
                           User.active.is_(True))).scalars().all()
    if len(instructors) != len(ids):
        raise ClassError("Every instructor of a class must be an active instructor account.")
    training_class = TrainingClass(
        title=title.strip(), course_version_id=course_version.id, start_date=start_date,
        location=location.strip(), created_by_id=actor.id)
    db.session.add(training_class)
    db.session.flush()
    for instructor in instructors:
        db.session.add(ClassInstructor(class_id=training_class.id, user_id=instructor.id))
    audit_record(actor=actor, action="class.create", target_type="training_class",
                 target_id=training_class.id, now=now, details={
                     "course_version_id": course_version.id, "title": training_class.title,
                     "start_date": start_date.isoformat(), "location": training_class.location,
                     "instructor_ids": sorted(ids)})
    db.session.commit()
    return training_class


@dataclass
class EnrollResult:
    enrolled: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    not_officers: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


def parse_email_list(text: str) -> list[str]:
    """Split pasted text into addresses: by lines, commas, semicolons or spaces; keep order."""
    seen: dict[str, None] = {}
    for token in EMAIL_SPLIT.split(text or ""):
        token = token.strip().strip("<>").strip()
        if token:
            seen.setdefault(normalize_email(token), None)
    return list(seen)


def class_enroll(
    *, training_class: TrainingClass, emails: list[str] | None = None,
    officer_ids: list[int] | None = None, actor: User, now: datetime,
) -> EnrollResult:
    """Enroll officers by email or id, pinning the class's course version.

    Unknown addresses and accounts that are not officers are reported, never
    silently dropped. Commits once.
    """
    result = EnrollResult()
    emails = emails or []
    for email in emails:
        if not is_email(email):
            result.invalid.append(email)
    wanted = [e for e in emails if e not in result.invalid]
    users = list(db.session.execute(select(User).where(User.email.in_(wanted))).scalars()) if wanted else []
    by_email = {u.email: u for u in users}
    result.unknown = [e for e in wanted if e not in by_email]
    if officer_ids:
        users += [u for u in db.session.execute(select(User).where(User.id.in_(officer_ids))).scalars()
                  if u.email not in by_email]
    enrolled_ids = set(db.session.execute(
        select(Enrollment.officer_id).where(Enrollment.class_id == training_class.id)).scalars())
    for user in users:
        if user.role != Role.OFFICER.value or not user.active:
            result.not_officers.append(user.email)
        elif user.id in enrolled_ids:
            result.already.append(user.email)
        else:
            db.session.add(Enrollment(
                class_id=training_class.id, officer_id=user.id,
                course_version_id=training_class.course_version_id, enrolled_at=now,
                enrolled_by_id=actor.id))
            enrolled_ids.add(user.id)
            result.enrolled.append(user.email)
    if result.enrolled:
        audit_record(actor=actor, action="class.enroll", target_type="training_class",
                     target_id=training_class.id, now=now,
                     details={"officers": result.enrolled,
                              "course_version_id": training_class.course_version_id})
        db.session.commit()
    return result


def lesson_complete(*, enrollment: Enrollment, position: int, lesson_revision_id: int,
                    now: datetime) -> bool:
    """Record that the officer finished a lesson; True if newly recorded. Safe to repeat."""
    exists = db.session.execute(select(LessonCompletion.id).where(
        LessonCompletion.enrollment_id == enrollment.id,
        LessonCompletion.position == position)).first()
    if exists:
        return False
    db.session.add(LessonCompletion(enrollment_id=enrollment.id, position=position,
                                    lesson_revision_id=lesson_revision_id, completed_at=now))
    try:
        db.session.commit()
    except IntegrityError:  # a double click raced us; the first one counts
        db.session.rollback()
        return False
    from app.assessments.completion import completion_check  # completion needs exams too

    completion_check(enrollment=enrollment, now=now)
    return True


def enrollment_touch(*, enrollment: Enrollment, position: int) -> None:
    """Remember the lesson an officer opened last, for "Continue"."""
    if enrollment.last_position != position:
        enrollment.last_position = position
        db.session.commit()


def completed_positions(enrollment_id: int) -> set[int]:
    return set(db.session.execute(select(LessonCompletion.position).where(
        LessonCompletion.enrollment_id == enrollment_id)).scalars())


@dataclass(frozen=True)
class EnrollmentSummary:
    enrollment: Enrollment
    progress: Progress


def officer_enrollments(officer_id: int) -> list[EnrollmentSummary]:
    """Return an officer's enrollments with progress, in three queries whatever their number."""
    enrollments = db.session.execute(
        select(Enrollment).where(Enrollment.officer_id == officer_id)
        .options(db.joinedload(Enrollment.training_class),
                 db.joinedload(Enrollment.course_version).joinedload(CourseVersion.course))
        .order_by(Enrollment.enrolled_at.desc())).scalars().all()
    if not enrollments:
        return []
    totals = dict(db.session.execute(
        select(CourseVersionItem.version_id, func.count())
        .where(CourseVersionItem.version_id.in_({e.course_version_id for e in enrollments}))
        .group_by(CourseVersionItem.version_id)).all())
    done = dict(db.session.execute(
        select(LessonCompletion.enrollment_id, func.count())
        .where(LessonCompletion.enrollment_id.in_([e.id for e in enrollments]))
        .group_by(LessonCompletion.enrollment_id)).all())
    return [EnrollmentSummary(e, Progress(done.get(e.id, 0), totals.get(e.course_version_id, 0)))
            for e in enrollments]


def class_roster(training_class: TrainingClass) -> list[tuple[Enrollment, Progress]]:
    """Return a class's officers with their progress, in three queries."""
    enrollments = db.session.execute(
        select(Enrollment).where(Enrollment.class_id == training_class.id)
        .options(db.joinedload(Enrollment.officer).joinedload(User.agency))
    ).scalars().all()
    enrollments.sort(key=lambda e: e.officer.name)
    total = db.session.execute(select(func.count()).where(
        CourseVersionItem.version_id == training_class.course_version_id)).scalar_one()
    done = dict(db.session.execute(
        select(LessonCompletion.enrollment_id, func.count())
        .where(LessonCompletion.enrollment_id.in_([e.id for e in enrollments]))
        .group_by(LessonCompletion.enrollment_id)).all()) if enrollments else {}
    return [(e, Progress(done.get(e.id, 0), total)) for e in enrollments]


