"""Roster import pages: upload a CSV, preview every row's outcome, confirm once."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from app.agencies.roster import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from app.agencies.roster_service import (
    roster_confirm as roster_confirm_service, roster_plan, roster_upload_find, roster_upload_store,
)
from app.agencies.routes import bp
from app.auth.decorators import roles_required
from app.auth.roles import Role
from app.models import utcnow

IMPORTERS = (Role.MANAGER, Role.ADMIN)


class RosterUploadForm(FlaskForm):
    """The roster file to preview."""

    file = FileField("Roster CSV file", validators=[FileRequired("Choose the roster CSV file to import.")],
                     description="UTF-8 CSV with a header row. Nothing is written until you confirm the preview.")


class RosterConfirmForm(FlaskForm):
    """Only the CSRF token."""


def _summary(counts: dict[str, int]) -> str:
    """Return the counts as one sentence."""
    agencies = counts["agencies_created"]
    return (f"{counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged; "
            f"{agencies} agenc{'y' if agencies == 1 else 'ies'} created")


def _page(form, plan=None, upload=None, status=200):
    """Render the upload page, with the preview of `plan` when there is one."""
    return render_template(
        "agencies/roster.html", form=form, plan=plan, upload=upload,
        confirm_form=RosterConfirmForm(), summary=_summary(plan.counts) if plan else None,
        required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS), status


@bp.route("/roster", methods=["GET", "POST"])
@roles_required(*IMPORTERS)
def roster():
    """Upload a roster CSV and preview what importing it would do to each row."""
    form = RosterUploadForm()
    if not form.validate_on_submit():
        return _page(form, status=400 if form.is_submitted() else 200)
    file = form.file.data
    filename = (file.filename or "roster.csv").replace("\\", "/").rsplit("/", 1)[-1] or "roster.csv"
    plan = roster_plan(file.read(), filename=filename)
    upload = roster_upload_store(plan, actor=current_user, now=utcnow()) if plan.ok else None
    return _page(form, plan, upload)


@bp.route("/roster/<token>/confirm", methods=["POST"])
@roles_required(*IMPORTERS)
def roster_confirm(token: str):
    """Import a previewed upload if it is still clean; a second confirmation changes nothing."""
    form = RosterConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    upload = roster_upload_find(token, actor=current_user) or abort(404)
    result = roster_confirm_service(upload, actor=current_user, now=utcnow())
    if result.status == "already":
        flash(f"{upload.filename} was already imported; nothing changed.", "info")
        return redirect(url_for("agencies.roster"))
    if result.status == "problems":
        flash("The records changed since the preview and the file no longer imports cleanly; "
              "nothing was imported. Fix the rows below and upload the file again.", "error")
        return _page(RosterUploadForm(formdata=None), result.plan, status=409)
    flash(f"Imported {upload.filename}: {_summary(result.counts)}.", "success")
    return redirect(url_for("agencies.index"))
