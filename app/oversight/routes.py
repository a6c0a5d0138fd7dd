"""Program managers' dashboard (with CSV exports) and officer transcripts."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from app.agencies.models import Agency, ProgramModel
from app.auth.decorators import roles_required
from app.auth.roles import Role
from app.extensions import db
from app.models import utcnow
from app.oversight.charts import bar_chart, line_chart
from app.oversight.compliance import Filters
from app.oversight.figures import dashboard_figures

bp = Blueprint("oversight", __name__)


def _filters() -> Filters:
    state = (request.args.get("state") or "").strip().upper()[:2] or None
    model = request.args.get("model") if request.args.get("model") in {m.value for m in ProgramModel} else None
    office = (request.args.get("field_office") or "").strip()[:80] or None
    return Filters(state=state, model=model, field_office=office)


def _csv(filename: str, header: list[str], rows: list[list]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    # A BOM so spreadsheet programs read UTF-8 names correctly.
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/")
@roles_required(Role.MANAGER, Role.ADMIN)
def dashboard():
    """Training and authority across agencies, the GAO compliance measure and its trend, per course."""
    filters = _filters()
    today = utcnow().date()
    figures = dashboard_figures(today, filters)
    officers, trend, courses = figures.officers, figures.trend, figures.courses
    current = trend[-1]
    table = request.args.get("table")
    if request.args.get("format") == "csv":
        if table == "officers":
            return _csv("officers.csv", ["measure", "officers"], [[label, value] for label, value in _officer_items(officers)])
        if table == "trend":
            return _csv("compliance-trend.csv",
                        ["month_end", "agencies_with_designated_officers", "agencies_in_full_compliance",
                         "percent", "agencies_without_designated_officers"],
                        [[f.on.isoformat(), f.agencies_with_designated, f.agencies_compliant,
                          "" if f.percent is None else f.percent, f.agencies_without_designated] for f in trend])
        if table == "courses":
            return _csv("courses.csv",
                        ["course", "enrollments", "completions", "completion_rate", "first_attempts",
                         "first_attempt_pass_rate", "final_pass_rate", "remediations", "disqualifications"],
                        [[c.code, c.enrollments, c.completions, _blank(c.completion_rate), c.first_attempts,
                          _blank(c.first_attempt_pass_rate), _blank(c.final_pass_rate), c.remediations,
                          c.disqualifications] for c in courses])
        abort(404)
    options = db.session.execute(select(Agency.state, Agency.field_office).distinct()).all()
    return render_template(
        "oversight/dashboard.html", filters=filters, today=today, officers=officers,
        computed_at=figures.computed_at, cache_minutes=current_app.config["DASHBOARD_CACHE_SECONDS"] // 60,
        officer_items=_officer_items(officers), trend=trend, current=current, courses=courses,
        states=sorted({s for s, _ in options}), offices=sorted({o for _, o in options if o}),
        models=list(ProgramModel),
        officers_chart=Markup(bar_chart(_officer_items(officers), title="Officers by training and authority status",
                                        chart_id="officers-chart")),
        trend_chart=Markup(line_chart([(f.on.strftime("%b %Y"), f.percent) for f in trend],
                                      title="Partner agencies in full compliance, by month",
                                      chart_id="trend-chart")))


@bp.route("/officers/<int:officer_id>/transcript")
@roles_required(Role.OFFICER, Role.INSTRUCTOR, Role.CREDENTIALING, Role.MANAGER, Role.ADMIN)
def transcript(officer_id: int):
    """An officer's transcript (their own, or any officer's for staff); `?format=pdf` for the PDF."""
    from app.auth.models import User
    from app.oversight.transcript import officer_transcript
    from app.oversight.transcript_pdf import transcript_pdf

    officer = db.session.get(User, officer_id)
    if officer is None or officer.role != Role.OFFICER or (
            current_user.role == Role.OFFICER and current_user.id != officer.id):
        abort(404)
    if current_user.role == Role.INSTRUCTOR and not _teaches_officer(officer.id):
        abort(403)
    data = officer_transcript(officer, utcnow().date())
    if request.args.get("format") == "pdf":
        return Response(transcript_pdf(data), mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="transcript-{officer.id}.pdf"'})
    return render_template("oversight/transcript.html", t=data, officer=officer)


def _teaches_officer(officer_id: int) -> bool:
    from app.courses.models import ClassInstructor, Enrollment

    return db.session.execute(select(Enrollment.id).join(
        ClassInstructor, ClassInstructor.class_id == Enrollment.class_id).where(
        Enrollment.officer_id == officer_id, ClassInstructor.user_id == current_user.id)).first() is not None


def _blank(value):
    return "" if value is None else value


def _officer_items(figures) -> list[tuple[str, int]]:
    return [("On agency rosters", figures.on_rosters), ("Trained (training current)", figures.trained),
            ("With active authority", figures.active_authority),
            ("Refresher due within 90 days", figures.due_within_90),
            ("Refresher overdue", figures.overdue), ("Authority lapsed", figures.lapsed)]
