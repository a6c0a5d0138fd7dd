"""Per-course figures for program managers, aggregated in SQL (three queries)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from app.agencies.models import Agency
from app.assessments.models import CourseCompletion, Disqualification, ExamAttempt
from app.auth.models import User
from app.courses.models import Course, CourseVersion, Enrollment
from app.extensions import db
from app.oversight.compliance import Filters, filter_agencies


@dataclass(frozen=True)
class CourseRow:
    code: str
    title: str
    enrollments: int
    completions: int
    first_attempts: int
    first_attempts_passed: int
    remediations: int
    disqualifications: int

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def completion_rate(self) -> float | None:
        return self._rate(self.completions, self.enrollments)

    @property
    def first_attempt_pass_rate(self) -> float | None:
        return self._rate(self.first_attempts_passed, self.first_attempts)

    @property
    def final_pass_rate(self) -> float | None:
        """Completed, out of those whose course is decided (completed or disqualified)."""
        return self._rate(self.completions, self.completions + self.disqualifications)


def _scoped(query, filters: Filters):
    return filter_agencies(
        query.join(User, User.id == Enrollment.officer_id).join(Agency, Agency.id == User.agency_id), filters)


def course_rows(filters: Filters) -> list[CourseRow]:
    """Enrollments, completion and pass rates, remediations and disqualifications per course."""
    base = (select(Course.id).select_from(Enrollment)
            .join(CourseVersion, CourseVersion.id == Enrollment.course_version_id)
            .join(Course, Course.id == CourseVersion.course_id))
    enrolled = db.session.execute(_scoped(
        select(Course.id, Course.code, Course.title, func.count(Enrollment.id), func.count(CourseCompletion.id))
        .select_from(Enrollment)
        .join(CourseVersion, CourseVersion.id == Enrollment.course_version_id)
        .join(Course, Course.id == CourseVersion.course_id)
        .outerjoin(CourseCompletion, CourseCompletion.enrollment_id == Enrollment.id), filters)
        .group_by(Course.id, Course.code, Course.title)).all()
    first = and_(ExamAttempt.kind == "graded", ExamAttempt.number == 1, ExamAttempt.status != "open")
    attempts = {row[0]: row[1:] for row in db.session.execute(_scoped(
        base.add_columns(
            func.coalesce(func.sum(case((first, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(first, ExamAttempt.passed.is_(True)), 1), else_=0)), 0),
            func.coalesce(func.sum(case((ExamAttempt.remediation.is_(True), 1), else_=0)), 0))
        .join(ExamAttempt, ExamAttempt.enrollment_id == Enrollment.id), filters)
        .group_by(Course.id)).all()}
    disqualified = dict(db.session.execute(_scoped(
        base.add_columns(func.count(func.distinct(Disqualification.enrollment_id)))
        .join(Disqualification, Disqualification.enrollment_id == Enrollment.id)
        .where(Disqualification.reversed_at.is_(None)), filters)
        .group_by(Course.id)).all())
    rows = []
    for course_id, code, title, enrollments, completions in enrolled:
        first_n, first_passed, remediations = attempts.get(course_id, (0, 0, 0))
        rows.append(CourseRow(code, title, int(enrollments), int(completions), int(first_n),
                              int(first_passed), int(remediations), int(disqualified.get(course_id, 0))))
    return sorted(rows, key=lambda r: r.code)
