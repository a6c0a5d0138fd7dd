"""Home pages by role and the health check."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, text

from app.agencies.services import agency_overview
from app.auth.decorators import roles_required
from app.auth.roles import Role
from app.authority.services import officer_authority
from app.courses.classes import officer_enrollments
from app.models import utcnow
from app.courses.models import ClassInstructor, CourseVersion, TrainingClass
from app.extensions import db
from app.main.navigation import home_endpoint

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index():
    """Send each user to the home page of their role."""
    return redirect(url_for(home_endpoint(current_user)))


@bp.route("/healthz")
def healthz():
    """Answer 200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        db.session.rollback()
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})


@bp.route("/officer")
@roles_required(Role.OFFICER)
def officer_home():
    """An officer's training, certificates and authority at a glance."""
    agency = current_user.agency
    agreements = [a for a in agency.agreements if a.status == "active"] if agency else []
    today = utcnow().date()
    return render_template("main/officer_home.html", agency=agency, agreements=agreements,
                           enrollments=officer_enrollments(current_user.id),
                           authority=officer_authority(current_user, today), today=today)


@bp.route("/instructor")
@roles_required(Role.INSTRUCTOR)
def instructor_home():
    """An instructor's classes and authoring."""
    classes = db.session.execute(
        select(TrainingClass).join(ClassInstructor)
        .where(ClassInstructor.user_id == current_user.id)
        .options(db.joinedload(TrainingClass.course_version).joinedload(CourseVersion.course))
        .order_by(TrainingClass.start_date.desc())).scalars().all()
    return render_template("main/instructor_home.html", classes=classes)


@bp.route("/credentialing")
@roles_required(Role.CREDENTIALING)
def credentialing_home():
    """Agencies with their agreements, for credentialing decisions."""
    return render_template("main/credentialing_home.html", rows=agency_overview())
