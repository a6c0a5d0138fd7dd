"""Instructors schedule classes and enroll officers."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from wtforms.fields.choices import SelectChoice

from app.auth.decorators import roles_required
from app.auth.models import User
from app.auth.roles import Role
from app.courses.classes import ClassError, class_create, class_enroll, class_roster, parse_email_list
from app.courses.forms import ClassForm, EnrollForm
from app.courses.models import ClassInstructor, Course, CourseVersion, TrainingClass
from app.courses.routes import bp
from app.extensions import db
from app.models import utcnow

SEARCH_LIMIT = 25


def _teaches(training_class: TrainingClass) -> bool:
    return any(i.id == current_user.id for i in training_class.instructors)


def _class_or_404(class_id: int, *, manage: bool) -> TrainingClass:
    training_class = db.session.get(TrainingClass, class_id)
    if training_class is None:
        abort(404)
    if current_user.role == Role.ADMIN or (not manage and current_user.role == Role.MANAGER):
        return training_class
    if current_user.role == Role.INSTRUCTOR and _teaches(training_class):
        return training_class
    abort(403)


@bp.route("/classes")
@roles_required(Role.INSTRUCTOR, Role.MANAGER, Role.ADMIN)
def classes():
    """Classes: an instructor's own, or every class for managers and admins."""
    query = (select(TrainingClass).options(
        db.joinedload(TrainingClass.course_version).joinedload(CourseVersion.course))
        .order_by(TrainingClass.start_date.desc()))
    if current_user.role == Role.INSTRUCTOR:
        query = query.join(ClassInstructor).where(ClassInstructor.user_id == current_user.id)
    rows = db.session.execute(query).unique().scalars().all()
    return render_template("courses/classes.html", classes=rows)


@bp.route("/classes/new", methods=["GET", "POST"])
@roles_required(Role.INSTRUCTOR, Role.ADMIN)
def class_new():
    """Schedule a class of one course version."""
    form = ClassForm()
    version_rows = db.session.execute(
        select(CourseVersion).join(Course).options(db.joinedload(CourseVersion.course))
        .order_by(Course.code, CourseVersion.number.desc())).scalars().all()
    form.course_version_id.choices = [
        SelectChoice(str(v.id), f"{v.course.code} {v.title}: version {v.number} ({v.content_hash[:10]})")
        for v in version_rows]
    instructors = db.session.execute(
        select(User).where(User.role == Role.INSTRUCTOR.value, User.active.is_(True),
                           User.id != current_user.id).order_by(User.name)).scalars().all()
    form.instructor_ids.choices = [SelectChoice(str(u.id), u.name) for u in instructors]
    if form.validate_on_submit():
        version = db.session.get(CourseVersion, int(form.course_version_id.data))
        try:
            training_class = class_create(
                title=form.title.data, course_version=version, start_date=form.start_date.data,
                location=form.location.data,
                instructor_ids=[int(i) for i in form.instructor_ids.data or []],
                actor=current_user, now=utcnow())
        except ClassError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            flash(f"Class “{training_class.title}” scheduled.", "success")
            return redirect(url_for("courses.class_detail", class_id=training_class.id))
    return render_template("courses/class_form.html", form=form), (400 if form.errors or form.form_errors else 200)


@bp.route("/classes/<int:class_id>")
@roles_required(Role.INSTRUCTOR, Role.MANAGER, Role.ADMIN)
def class_detail(class_id: int):
    """A class: its course version, instructors, officers and their progress."""
    training_class = _class_or_404(class_id, manage=False)
    can_manage = current_user.role == Role.ADMIN or _teaches(training_class)
    form = EnrollForm()
    q = (request.args.get("q") or "").strip()
    found = []
    if q and can_manage:
        like = f"%{q.lower()}%"
        found = db.session.execute(
            select(User).where(User.role == Role.OFFICER.value, User.active.is_(True),
                               or_(func.lower(User.name).like(like), User.email.like(like)))
            .options(db.joinedload(User.agency)).order_by(User.name).limit(SEARCH_LIMIT)
        ).scalars().all()
    form.officer_ids.choices = [SelectChoice(str(u.id), u.name) for u in found]
    return render_template("courses/class_detail.html", training_class=training_class,
                           roster=class_roster(training_class), form=form, q=q, found=found,
                           can_manage=can_manage, search_limit=SEARCH_LIMIT)


@bp.route("/classes/<int:class_id>/enroll", methods=["POST"])
@roles_required(Role.INSTRUCTOR, Role.ADMIN)
def class_enroll_view(class_id: int):
    """Enroll officers chosen from a search or pasted as email addresses."""
    training_class = _class_or_404(class_id, manage=True)
    form = EnrollForm()
    form.officer_ids.choices = [SelectChoice(v, v) for v in request.form.getlist("officer_ids")]
    if not form.validate_on_submit():
        abort(400)
    result = class_enroll(
        training_class=training_class, emails=parse_email_list(form.emails.data or ""),
        officer_ids=[int(i) for i in form.officer_ids.data or [] if i.isdigit()],
        actor=current_user, now=utcnow())
    if result.enrolled:
        flash(f"Enrolled {len(result.enrolled)} officer(s): {', '.join(result.enrolled)}.", "success")
    for label, emails in (("Already in this class", result.already),
                          ("No account with these addresses", result.unknown),
                          ("Not officer accounts", result.not_officers),
                          ("Not email addresses", result.invalid)):
        if emails:
            flash(f"{label}: {', '.join(emails)}.", "error" if label != "Already in this class" else "info")
    if not any((result.enrolled, result.already, result.unknown, result.not_officers, result.invalid)):
        flash("Choose officers from the search or paste their email addresses.", "info")
    return redirect(url_for("courses.class_detail", class_id=training_class.id))
