"""The audit log for credentialing staff, program managers and admins: read, filter, export."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template, request
from sqlalchemy import func, select

from app.audit import AuditEntry, audit_verify
from app.auth.decorators import roles_required
from app.auth.roles import Role
from app.extensions import db

bp = Blueprint("audit_log", __name__)
PAGE_SIZE = 100


def _filtered():
    query = select(AuditEntry).order_by(AuditEntry.seq.desc())
    action = (request.args.get("action") or "").strip()
    target = (request.args.get("target") or "").strip()
    if action:
        query = query.where(AuditEntry.action == action)
    if target:
        query = query.where(AuditEntry.target_id == target)
    return query, action, target


@bp.route("/")
@roles_required(Role.CREDENTIALING, Role.MANAGER, Role.ADMIN)
def index():
    """Newest entries first, filterable by action and target; `?format=csv` exports them all."""
    query, action, target = _filtered()
    if request.args.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["seq", "at", "actor", "action", "target_type", "target_id", "details", "hash"])
        for e in db.session.execute(query.order_by(None).order_by(AuditEntry.seq)).scalars():
            writer.writerow([e.seq, e.at.isoformat(), e.actor_label, e.action, e.target_type,
                             e.target_id, e.details, e.hash])
        return Response(out.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})
    page = max(1, request.args.get("page", 1, type=int))
    entries = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).scalars().all()
    actions = db.session.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars().all()
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    verdict = audit_verify() if request.args.get("check") == "1" else None
    return render_template("audit/index.html", entries=entries, actions=actions, action=action,
                           target=target, page=page, pages=max(1, -(-total // PAGE_SIZE)), total=total,
                           verdict=verdict)
