"""Credentialing: an officer's authority, the grant gate, grants, withdrawals, MOA termination."""
from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.agencies.models import Agreement, AgreementStatus
from app.auth.decorators import roles_required
from app.auth.models import User
from app.auth.roles import Role
from app.authority.models import AuthorityGrant, AuthorityWithdrawal
from app.authority.services import (
    AuthorityError, agreement_terminate, authority_grant, authority_withdraw, grant_gate,
    officer_authority,
)
from app.certificates.models import Certificate
from app.dates import parse_day
from app.extensions import db
from app.models import utcnow

bp = Blueprint("authority", __name__)
VIEWERS = (Role.CREDENTIALING, Role.MANAGER, Role.ADMIN)
DECIDERS = (Role.CREDENTIALING, Role.ADMIN)


class GrantForm(FlaskForm):
    agreement_id = SelectField("Agreement", coerce=str, validators=[DataRequired()])
    effective_on = DateField("Effective date", validators=[DataRequired()])


class WithdrawForm(FlaskForm):
    effective_on = DateField("Effective date of the withdrawal", validators=[DataRequired()])
    reason = TextAreaField("Reason (the written notice)", validators=[DataRequired(), Length(min=10, max=2000)])


class TerminateForm(FlaskForm):
    terminated_on = DateField("Date the agreement ends", validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(min=10, max=2000)])


def _officer_or_404(officer_id: int) -> User:
    officer = db.session.get(User, officer_id)
    if officer is None or officer.role != Role.OFFICER:
        abort(404)
    return officer


def _on_date() -> date:
    return parse_day(request.args.get("on"), today=utcnow().date()) or abort(400)


@bp.route("/officers/<int:officer_id>")
@roles_required(*VIEWERS)
def officer(officer_id: int):
    """An officer's certificates, authority on a date, the gate, grants and withdrawals."""
    officer = _officer_or_404(officer_id)
    on = _on_date()
    agreements = db.session.execute(select(Agreement).where(
        Agreement.agency_id == officer.agency_id).order_by(Agreement.signed_on)).scalars().all() \
        if officer.agency_id else []
    gates = {a.id: grant_gate(officer, a, on, a.model) for a in agreements
             if a.status == AgreementStatus.ACTIVE}
    grant_form = GrantForm()
    grant_form.agreement_id.choices = [SelectChoice(str(a.id), f"{a.model_enum.label} (signed {a.signed_on})")
                                       for a in agreements if a.status == AgreementStatus.ACTIVE]
    grant_form.effective_on.data = on
    withdraw_form = WithdrawForm()
    withdraw_form.effective_on.data = on
    return render_template(
        "authority/officer.html", officer=officer, on=on, status=officer_authority(officer, on),
        certificates=db.session.execute(select(Certificate).where(Certificate.officer_id == officer.id)
                                        .order_by(Certificate.issued_at.desc())).scalars().all(),
        grants=db.session.execute(select(AuthorityGrant).where(AuthorityGrant.officer_id == officer.id)
                                  .order_by(AuthorityGrant.effective_on.desc())).scalars().all(),
        withdrawals=db.session.execute(select(AuthorityWithdrawal).where(
            AuthorityWithdrawal.officer_id == officer.id)).scalars().all(),
        agreements=agreements, gates=gates, grant_form=grant_form, withdraw_form=withdraw_form,
        can_decide=current_user.role in DECIDERS, today=utcnow().date())


@bp.route("/officers/<int:officer_id>/grant", methods=["POST"])
@roles_required(*DECIDERS)
def grant(officer_id: int):
    """Grant or renew delegated authority, if the gate allows it."""
    officer = _officer_or_404(officer_id)
    form = GrantForm()
    form.agreement_id.choices = [SelectChoice(v, v) for v in request.form.getlist("agreement_id")]
    if not form.validate_on_submit():
        flash("Choose the agreement and the effective date.", "error")
        return redirect(url_for("authority.officer", officer_id=officer.id))
    agreement = db.session.get(Agreement, int(form.agreement_id.data)) or abort(404)
    try:
        made = authority_grant(officer=officer, agreement=agreement, on=form.effective_on.data,
                               actor=current_user, now=utcnow())
    except AuthorityError as error:
        db.session.rollback()
        flash("Authority not granted: " + "; ".join(error.reasons) + ".", "error")
    else:
        flash(f"Authority granted from {made.effective_on} to {made.expires_on}; "
              f"authorization letter {made.letter_number} is signed.", "success")
    return redirect(url_for("authority.officer", officer_id=officer.id))


@bp.route("/officers/<int:officer_id>/withdraw", methods=["POST"])
@roles_required(*DECIDERS)
def withdraw(officer_id: int):
    """Withdraw an officer's authority by written notice from a date."""
    officer = _officer_or_404(officer_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash("Give the effective date and the reason for the withdrawal.", "error")
    else:
        try:
            authority_withdraw(officer=officer, effective_on=form.effective_on.data,
                               reason=form.reason.data, actor=current_user, now=utcnow())
        except AuthorityError as error:
            db.session.rollback()
            flash("; ".join(error.reasons), "error")
        else:
            flash(f"Authority withdrawn effective {form.effective_on.data}.", "success")
    return redirect(url_for("authority.officer", officer_id=officer.id))


@bp.route("/grants/<int:grant_id>/letter.pdf")
@roles_required(Role.OFFICER, *VIEWERS)
def letter(grant_id: int):
    """The signed authorization letter, exactly as issued."""
    made = db.session.get(AuthorityGrant, grant_id)
    if made is None or (current_user.role == Role.OFFICER and made.officer_id != current_user.id):
        abort(404)
    return send_file(BytesIO(made.letter_pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"authorization-{made.letter_number}.pdf", max_age=0)


@bp.route("/agreements/<int:agreement_id>/terminate", methods=["GET", "POST"])
@roles_required(*DECIDERS)
def terminate(agreement_id: int):
    """End an agency's agreement: every officer's authority under it ends that day."""
    agreement = db.session.get(Agreement, agreement_id) or abort(404)
    form = TerminateForm()
    if request.method == "GET":
        form.terminated_on.data = utcnow().date()
    elif form.validate_on_submit():
        try:
            agreement_terminate(agreement=agreement, on=form.terminated_on.data, reason=form.reason.data,
                                actor=current_user, now=utcnow())
        except AuthorityError as error:
            db.session.rollback()
            form.form_errors.extend(error.reasons)
        else:
            flash(f"The {agreement.model_enum.label} agreement ends on {agreement.terminated_on}; "
                  "every officer's authority under it ends that day.", "success")
            return redirect(url_for("agencies.detail", agency_id=agreement.agency_id))
    status = 400 if request.method == "POST" else 200
    return render_template("authority/terminate.html", agreement=agreement, form=form), status
