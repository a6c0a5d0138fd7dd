"""Sign-in and sign-out."""
from __future__ import annotations

from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.auth.decorators import roles_required
from app.auth.forms import LoginForm, LogoutForm, TokenForm
from app.auth.models import ApiToken
from app.auth.roles import Role
from app.extensions import db
from app.auth.safety import is_safe_next
from app.auth.services import user_sign_in
from app.models import utcnow
from app.ratelimit.limiter import rate_limited

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@rate_limited("login", methods=["POST"], refund_if=lambda response: response.status_code == 302)
def login():
    """Show the sign-in form and sign a user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        now = utcnow()
        result = user_sign_in(
            email=form.email.data, password=form.password.data,
            remote_addr=request.remote_addr, now=now,
        )
        if result.ok:
            session.clear()  # a fresh session on sign-in (no fixation)
            login_user(result.user)
            session["last_seen"] = now.timestamp()
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("main.index"))
        if result.locked_until is not None:
            minutes = max(1, round((result.locked_until - now).total_seconds() / 60))
            flash(
                "Too many failed sign-ins. This account is locked for "
                f"{minutes} more minute{'s' if minutes != 1 else ''}.", "error")
        else:
            flash("The email or password is not correct.", "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST only, with a CSRF token)."""
    if LogoutForm().validate_on_submit():
        logout_user()
        session.clear()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


IDLE_CLOCK_STEP = 30  # seconds


def enforce_idle_timeout():
    """End a signed-in session idle for longer than IDLE_TIMEOUT (AC-12)."""
    if not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    last = session.get("last_seen")
    limit = current_app.config["IDLE_TIMEOUT"].total_seconds()
    if last is not None and now - last > limit:
        logout_user()
        session.clear()
        flash("Your session ended after a period of inactivity. Please sign in again.", "info")
        if request.path.startswith("/api/"):
            return None
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")
                                if request.method == "GET" else None))
    # Static files do not count as activity. The clock is moved on at most every
    # IDLE_CLOCK_STEP seconds: a session may end that much early, never late, and most
    # responses then need no new session cookie (signing one costs more than the page's query).
    if request.endpoint != "static" and (last is None or now - last >= IDLE_CLOCK_STEP):
        session["last_seen"] = now
    return None


@bp.route("/account/tokens", methods=["GET", "POST"])
@roles_required(Role.CREDENTIALING)
def tokens():
    """Credentialing staff create API tokens (shown once) and revoke them."""
    from app.api.tokens import token_create

    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        _token, secret = token_create(user=current_user, name=form.name.data, actor=current_user, now=utcnow())
    rows = db.session.execute(select(ApiToken).where(ApiToken.user_id == current_user.id)
                              .order_by(ApiToken.created_at.desc())).scalars().all()
    return render_template("auth/tokens.html", form=form, tokens=rows, secret=secret,
                           revoke_form=LogoutForm())


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required(Role.CREDENTIALING)
def token_revoke_view(token_id: int):
    """Revoke one of the user's API tokens."""
    from app.api.tokens import token_revoke

    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if LogoutForm().validate_on_submit():
        token_revoke(token=token, actor=current_user, now=utcnow())
        flash(f"Token {token.prefix}… revoked.", "success")
    return redirect(url_for("auth.tokens"))
