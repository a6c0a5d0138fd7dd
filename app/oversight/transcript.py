"""An officer's training transcript: classes, progress, exam attempts, certificates, authority events.

Built in a fixed number of queries, and turned into plain data so the page
and the PDF show the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from app.agencies.models import Agreement
from app.assessments.models import ExamAttempt
from app.authority.models import AuthorityGrant, AuthorityWithdrawal
from app.certificates.models import Certificate
from app.courses.models import CourseVersion, CourseVersionItem, Enrollment, LessonCompletion
from app.extensions import db
from app.oversight.officers import officer_statuses


@dataclass(frozen=True)
class AttemptLine:
    exam: str
    number: int
    remediation: bool
    status: str
    score: float | None
    passed: bool | None
    closed_at: datetime | None


@dataclass(frozen=True)
class EnrollmentLine:
    course: str
    version: int
    version_hash: str
    class_title: str
    location: str
    start_date: date
    lessons_done: int
    lessons_total: int
    attempts: list[AttemptLine] = field(default_factory=list)


@dataclass(frozen=True)
class Event:
    on: date
    what: str


@dataclass(frozen=True)
class Transcript:
    name: str
    email: str
    agency: str
    generated_on: date
    status: str
    status_reason: str
    refresher_due: date | None
    enrollments: list[EnrollmentLine]
    certificates: list[tuple[str, str, date, date, str]]  # serial, course, completed, valid until, status
    events: list[Event]


def officer_transcript(officer, today: date) -> Transcript:
    """Assemble an officer's transcript (eight queries, whatever the history's length)."""
    enrollments = db.session.execute(
        select(Enrollment).where(Enrollment.officer_id == officer.id)
        .options(db.joinedload(Enrollment.training_class),
                 db.joinedload(Enrollment.course_version).joinedload(CourseVersion.course))
        .order_by(Enrollment.enrolled_at)).scalars().all()
    ids = [e.id for e in enrollments]
    totals = dict(db.session.execute(
        select(CourseVersionItem.version_id, func.count()).where(
            CourseVersionItem.version_id.in_({e.course_version_id for e in enrollments}))
        .group_by(CourseVersionItem.version_id)).all()) if ids else {}
    done = dict(db.session.execute(
        select(LessonCompletion.enrollment_id, func.count()).where(LessonCompletion.enrollment_id.in_(ids))
        .group_by(LessonCompletion.enrollment_id)).all()) if ids else {}
    attempts: dict[int, list[AttemptLine]] = {}
    if ids:
        for a in db.session.execute(select(ExamAttempt).where(ExamAttempt.enrollment_id.in_(ids))
                                    .order_by(ExamAttempt.id)).scalars():
            attempts.setdefault(a.enrollment_id, []).append(AttemptLine(
                a.exam_key, a.number, a.remediation, a.status, a.effective_score, a.passed, a.closed_at))
    lines = [EnrollmentLine(
        course=e.course_version.course.code, version=e.course_version.number,
        version_hash=e.course_version.content_hash, class_title=e.training_class.title,
        location=e.training_class.location, start_date=e.training_class.start_date,
        lessons_done=done.get(e.id, 0), lessons_total=totals.get(e.course_version_id, 0),
        attempts=attempts.get(e.id, [])) for e in enrollments]
    certificates = db.session.execute(select(Certificate).where(Certificate.officer_id == officer.id)
                                      .order_by(Certificate.issued_at)).scalars().all()
    events: list[Event] = []
    for c in certificates:
        events.append(Event(c.issued_at.date(), f"Certificate {c.serial} issued for {c.course_code}"))
        if c.revoked_at:
            events.append(Event(c.revoked_at.date(), f"Certificate {c.serial} revoked: {c.revocation_reason}"))
    for g in db.session.execute(select(AuthorityGrant).where(AuthorityGrant.officer_id == officer.id)).scalars():
        kind = "renewed" if g.renewal_of_id else "granted"
        events.append(Event(g.effective_on, f"Authority {kind} (letter {g.letter_number}) until {g.expires_on}"))
    for w in db.session.execute(select(AuthorityWithdrawal).where(
            AuthorityWithdrawal.officer_id == officer.id)).scalars():
        events.append(Event(w.effective_on, f"Authority withdrawn: {w.reason}"))
    if officer.agency_id:
        for a in db.session.execute(select(Agreement).where(
                Agreement.agency_id == officer.agency_id, Agreement.terminated_on.is_not(None))).scalars():
            events.append(Event(a.terminated_on, f"Agency's {a.model} agreement ended: {a.termination_reason}"))
    status = officer_statuses([officer.id], today)[officer.id]
    return Transcript(
        name=officer.name, email=officer.email, agency=officer.agency.name if officer.agency else "",
        generated_on=today, status=status.status, status_reason=status.reason,
        refresher_due=status.refresher_due, enrollments=lines,
        certificates=[(c.serial, c.course_code, c.completed_on, c.valid_until, c.status_on(today))
                      for c in certificates],
        events=sorted(events, key=lambda e: e.on))
