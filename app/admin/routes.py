"""Admins list, create and change user accounts."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from wtforms.fields.choices import SelectChoice

from app.agencies.models import Agency
from app.auth.decorators import roles_required
from app.auth.forms import UserCreateForm, UserEditForm
from app.auth.models import User
from app.auth.roles import ROLE_VALUES, Role
from app.auth.services import AccountError, user_create, user_update
from app.extensions import db
from app.models import utcnow

bp = Blueprint("admin", __name__)
PAGE_SIZE = 50


def _agency_choices() -> list[SelectChoice]:
    agencies = db.session.execute(
        select(Agency.id, Agency.name, Agency.ori).order_by(Agency.name)).all()
    return [SelectChoice("", "No agency")] + [
        SelectChoice(str(i), f"{name} ({ori})") for i, name, ori in agencies]


def _agency_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    """List accounts, searchable by name or email and filterable by role."""
    q = (request.args.get("q") or "").strip()
    role = request.args.get("role") if request.args.get("role") in ROLE_VALUES else None
    page = max(1, request.args.get("page", 1, type=int))
    query = select(User).order_by(User.name)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    if role:
        query = query.where(User.role == role)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(
        query.options(db.joinedload(User.agency))
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).scalars().all()
    return render_template("admin/users.html", users=rows, q=q, role=role, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), total=total,
                           roles=list(Role))


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new():
    """Create an account."""
    form = UserCreateForm()
    form.agency_id.choices = _agency_choices()
    if form.validate_on_submit():
        try:
            user = user_create(
                email=form.email.data, name=form.name.data, role=form.role.data,
                password=form.password.data, agency_id=_agency_id(form.agency_id.data),
                actor=current_user, now=utcnow())
        except AccountError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            flash(f"Account created for {user.email}.", "success")
            return redirect(url_for("admin.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    """Change an account's name, role, agency, active flag or password."""
    user = db.session.get(User, user_id) or abort(404)
    form = UserEditForm(obj=user)
    form.agency_id.choices = _agency_choices()
    if request.method == "GET":
        form.agency_id.data = str(user.agency_id or "")
    if form.validate_on_submit():
        try:
            user_update(
                user=user, name=form.name.data, role=form.role.data,
                agency_id=_agency_id(form.agency_id.data), active=form.active.data,
                new_password=form.new_password.data or None, actor=current_user,
                now=utcnow())
        except AccountError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            flash(f"Saved changes to {user.email}.", "success")
            return redirect(url_for("admin.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=user), status
