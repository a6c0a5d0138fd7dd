"""The signed-in user's own notices: what was sent to them, newest first."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import roles_required
from app.auth.roles import Role
from app.extensions import db
from app.notices.models import Notice
from app.notices.schedule import KIND_LABELS

bp = Blueprint("notices", __name__)
SHOWN = 200  # the newest ones; older notices stay in the outbox


@bp.route("/")
@roles_required(*Role)
def index():
    """Every notice addressed to the signed-in user, newest first, with its delivery status.

    A point of contact sees the notices sent to their address when it belonged to an account at
    the time the notice was stored.
    """
    notices = db.session.execute(
        select(Notice).where(Notice.recipient_user_id == current_user.id)
        .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(SHOWN)).scalars().all()
    return render_template("notices/index.html", notices=notices, labels=KIND_LABELS, shown=SHOWN)
