"""Agency list and agency pages for credentialing staff, managers and admins."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from app.agencies.models import Agency, ProgramModel
from app.agencies.services import agency_overview
from app.auth.decorators import roles_required
from app.auth.models import User
from app.auth.roles import Role
from app.extensions import db

bp = Blueprint("agencies", __name__)

STAFF = (Role.CREDENTIALING, Role.MANAGER, Role.ADMIN)


@bp.route("/")
@roles_required(*STAFF)
def index():
    """List agencies, filterable by state and program model."""
    state = (request.args.get("state") or "").strip().upper()[:2] or None
    model = request.args.get("model") or None
    if model not in {m.value for m in ProgramModel}:
        model = None
    rows = agency_overview(state=state, model=model)
    states = sorted({s for (s,) in db.session.execute(select(Agency.state).distinct())})
    return render_template("agencies/index.html", rows=rows, states=states,
                           models=list(ProgramModel), state=state, model=model)


@bp.route("/<int:agency_id>")
@roles_required(*STAFF)
def detail(agency_id: int):
    """One agency: its agreements and its officers."""
    agency = db.session.get(Agency, agency_id) or abort(404)
    officers = db.session.execute(
        select(User).where(User.agency_id == agency.id, User.role == Role.OFFICER.value)
        .order_by(User.name)
    ).scalars().all()
    from app.models import utcnow
    from app.oversight.officers import officer_statuses

    today = utcnow().date()
    return render_template("agencies/detail.html", agency=agency, officers=officers, today=today,
                           statuses=officer_statuses([o.id for o in officers], today))


from app.agencies import roster_routes  # noqa: E402,F401  (registers the roster views on bp)
