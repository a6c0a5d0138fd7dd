"""Sign-in and sign-out."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.auth.forms import LoginForm, LogoutForm
from app.auth.safety import is_safe_next
from app.auth.services import user_sign_in
from app.models import utcnow

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
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
    # Writing the session on every request keeps the idle clock honest;
    # static files do not count as activity.
    if request.endpoint != "static":
        session["last_seen"] = now
    return None
