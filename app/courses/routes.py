"""Catalog, course outlines, version previews and the officer's reading pages."""
from __future__ import annotations

from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, send_from_directory,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from app.auth.decorators import roles_required
from app.auth.roles import Role
from app.courses.classes import (
    completed_positions, enrollment_touch, lesson_complete,
)
from app.courses.lesson_pages import LessonPage, VersionPages, version_pages
from app.courses.models import (
    Course, CourseVersion, CourseVersionItem, Enrollment, LessonRevision,
)
from app.courses.progress import may_open, progress, resume_position
from app.extensions import db
from app.models import utcnow

bp = Blueprint("courses", __name__)
REVIEWERS = (Role.INSTRUCTOR, Role.MANAGER, Role.ADMIN, Role.CREDENTIALING)


def latest_version(course: Course) -> CourseVersion:
    return db.session.execute(
        select(CourseVersion).where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.number.desc()).limit(1)).scalar_one()


def outline_rows(version: CourseVersion, completed: set[int] | None = None) -> list[dict]:
    """Return the version's weeks and days with their lessons, in one query."""
    items = {item.position: item for item in db.session.execute(
        select(CourseVersionItem).where(CourseVersionItem.version_id == version.id)
        .options(db.joinedload(CourseVersionItem.lesson))).scalars()}
    weeks = []
    for week in version.outline:
        positions = [p for day in week["days"] for p in day["positions"]]
        weeks.append({
            "title": week["title"], "number": week["number"],
            "progress": progress(positions, completed or set()),
            "minutes": sum(items[p].lesson.minutes for p in positions),
            "days": [{"title": day["title"], "items": [items[p] for p in day["positions"]]}
                     for day in week["days"]],
        })
    return weeks


@bp.route("/")
@login_required
def catalog():
    """Every course with its current version."""
    newest = (select(CourseVersion.course_id, func.max(CourseVersion.number).label("n"))
              .group_by(CourseVersion.course_id).subquery())
    rows = db.session.execute(
        select(CourseVersion, func.count(CourseVersionItem.id), func.sum(LessonRevision.minutes))
        .join(newest, (newest.c.course_id == CourseVersion.course_id)
              & (newest.c.n == CourseVersion.number))
        .join(CourseVersionItem, CourseVersionItem.version_id == CourseVersion.id)
        .join(LessonRevision, LessonRevision.id == CourseVersionItem.lesson_revision_id)
        .group_by(CourseVersion.id)).all()
    courses = {c.id: c for c in db.session.execute(select(Course)).scalars()}
    versions = sorted(((v, courses[v.course_id], n, minutes) for v, n, minutes in rows),
                      key=lambda r: (r[1].kind, r[1].code))
    return render_template("courses/catalog.html", versions=versions)


@bp.route("/<course_key>")
@login_required
def outline(course_key: str):
    """A course's current outline by week and day."""
    course = db.session.execute(select(Course).where(Course.key == course_key)).scalar_one_or_none()
    if course is None:
        abort(404)
    version = latest_version(course)
    return render_template("courses/outline.html", course=course, version=version,
                           weeks=outline_rows(version), enrollment=None)


@bp.route("/<course_key>/versions")
@roles_required(Role.INSTRUCTOR, Role.MANAGER, Role.ADMIN)
def versions(course_key: str):
    """Every version of a course, newest first, with its content hash."""
    course = db.session.execute(select(Course).where(Course.key == course_key)).scalar_one_or_none()
    if course is None:
        abort(404)
    return render_template("courses/versions.html", course=course,
                           versions=list(reversed(course.versions)))


@bp.route("/<course_key>/v/<int:number>/lessons/<lesson_key>")
@roles_required(*REVIEWERS)
def preview_lesson(course_key: str, number: int, lesson_key: str):
    """A lesson exactly as one version of a course shows it."""
    version_id = db.session.execute(
        select(CourseVersion.id).join(Course)
        .where(Course.key == course_key, CourseVersion.number == number)).scalar_one_or_none()
    pages = version_pages(version_id) if version_id is not None else None
    page = pages.lessons.get(lesson_key) if pages else None
    if page is None:
        abort(404)
    return render_template("courses/lesson.html", page=page, pages=pages, enrollment=None,
                           completed=set(), form=None,
                           url_for_item=lambda link: url_for(
                               "courses.preview_lesson", course_key=course_key,
                               number=number, lesson_key=link.lesson_key))


@bp.route("/images/<path:name>")
@login_required
def image(name: str):
    """Serve an image from content/images/."""
    return send_from_directory(current_app.config["CONTENT_DIR"] / "images", name)


# --- the officer's reading ----------------------------------------------------

def _own_enrollment(enrollment_id: int) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.officer_id != current_user.id:
        abort(404)  # never confirm that someone else's enrollment exists
    return enrollment


class CompleteForm(FlaskForm):
    """Mark a lesson complete (a POST with a CSRF token)."""


@bp.route("/learn/<int:enrollment_id>")
@roles_required(Role.OFFICER)
def learn(enrollment_id: int):
    """An officer's course: outline with progress per week and a Continue link."""
    enrollment = _own_enrollment(enrollment_id)
    version = enrollment.course_version
    completed = completed_positions(enrollment.id)
    weeks = outline_rows(version, completed)
    positions = [i.position for w in weeks for d in w["days"] for i in d["items"]]
    resume = resume_position(positions, completed, enrollment.last_position)
    resume_item = next((i for w in weeks for d in w["days"] for i in d["items"]
                        if i.position == resume), None)
    return render_template(
        "courses/outline.html", course=version.course, version=version, weeks=weeks,
        enrollment=enrollment, completed=completed, overall=progress(positions, completed),
        resume_item=resume_item,
        may_open=lambda p: may_open(p, positions=positions, completed=completed,
                                    require_order=version.require_order))


@bp.route("/learn/<int:enrollment_id>/lessons/<lesson_key>")
@roles_required(Role.OFFICER)
def lesson(enrollment_id: int, lesson_key: str):
    """One lesson of the officer's pinned course version."""
    enrollment = _own_enrollment(enrollment_id)
    pages, page = _pinned_lesson(enrollment, lesson_key)
    completed = completed_positions(enrollment.id)
    if not may_open(page.position, positions=pages.positions, completed=completed,
                    require_order=pages.require_order):
        flash("This course is taken in order: finish the lessons before this one first.", "info")
        return redirect(url_for("courses.learn", enrollment_id=enrollment.id))
    html = render_template(
        "courses/lesson.html", page=page, pages=pages, enrollment=enrollment,
        completed=completed, overall=progress(list(pages.positions), completed), form=CompleteForm(),
        url_for_item=lambda link: url_for("courses.lesson", enrollment_id=enrollment.id,
                                          lesson_key=link.lesson_key))
    enrollment_touch(enrollment=enrollment, position=page.position)
    return html


@bp.route("/learn/<int:enrollment_id>/lessons/<lesson_key>/complete", methods=["POST"])
@roles_required(Role.OFFICER)
def complete(enrollment_id: int, lesson_key: str):
    """Mark a lesson complete and go on to the next one."""
    enrollment = _own_enrollment(enrollment_id)
    pages, page = _pinned_lesson(enrollment, lesson_key)
    if not may_open(page.position, positions=pages.positions,
                    completed=completed_positions(enrollment.id),
                    require_order=pages.require_order):
        abort(403)
    if CompleteForm().validate_on_submit():
        lesson_complete(enrollment=enrollment, position=page.position,
                        lesson_revision_id=page.revision_id, now=utcnow())
        flash(f"Marked “{page.title}” complete.", "success")
    if page.next is not None:
        return redirect(url_for("courses.lesson", enrollment_id=enrollment.id,
                                lesson_key=page.next.lesson_key))
    return redirect(url_for("courses.learn", enrollment_id=enrollment.id))


def _pinned_lesson(enrollment: Enrollment, lesson_key: str) -> tuple[VersionPages, LessonPage]:
    """The lesson as the enrollment's pinned version has it, or 404."""
    pages = version_pages(enrollment.course_version_id)
    page = pages.lessons.get(lesson_key) if pages else None
    if page is None:
        abort(404)
    return pages, page


from app.courses import authoring_routes, class_routes  # noqa: E402,F401  (register their views)
