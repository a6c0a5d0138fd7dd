"""The application factory."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request, session
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from config import Config, config_from_env


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the app with `config_class` (by default the one APP_ENV names)."""
    config_class = config_class or config_from_env()
    config_class.validate()
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config_class)
    if app.config.get("PROXY_FIX_X_FOR"):
        # Behind N trusted proxies, take the client's address and scheme from their headers.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    from app.extensions import csrf, db, login_manager, migrate
    from app.models import render_migration_item
    from app.ratelimit.limiter import init_app as init_rate_limits

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True,
                     render_item=render_migration_item)
    csrf.init_app(app)
    init_rate_limits(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from app.auth.models import User

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, url_for

        if request.path.startswith("/api/"):
            return api_error(401, "unauthorized", "Authentication is required.")
        flash(login_manager.login_message, login_manager.login_message_category)
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target))


def register_blueprints(app: Flask) -> None:
    """Register each feature's blueprint."""
    from app.admin.routes import bp as admin_bp
    from app.api.routes import bp as api_bp
    from app.audit_views import bp as audit_bp
    from app.agencies.routes import bp as agencies_bp
    from app.assessments.routes import bp as assessments_bp
    from app.auth.routes import bp as auth_bp
    from app.authority.routes import bp as authority_bp
    from app.certificates.routes import bp as certificates_bp
    from app.certificates.routes import public_bp as verify_bp
    from app.courses.routes import bp as courses_bp
    from app.main.routes import bp as main_bp
    from app.oversight.routes import bp as oversight_bp
    from app.notices import models as _notice_models  # noqa: F401  (registers the outbox table)
    from app.notices.routes import bp as notices_bp
    from app.ratelimit import models as _rate_models  # noqa: F401  (registers the counter table)

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(agencies_bp, url_prefix="/agencies")
    app.register_blueprint(courses_bp, url_prefix="/courses")
    app.register_blueprint(assessments_bp, url_prefix="/exams")
    app.register_blueprint(certificates_bp, url_prefix="/certificates")
    app.register_blueprint(verify_bp)
    app.register_blueprint(authority_bp, url_prefix="/authority")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(audit_bp, url_prefix="/audit")
    app.register_blueprint(notices_bp, url_prefix="/notices")
    app.register_blueprint(oversight_bp, url_prefix="/oversight")


def api_error(status: int, code: str, message: str):
    """Return the API's JSON error shape."""
    return jsonify({"error": {"code": code, "message": message}}), status


def register_errorhandlers(app: Flask) -> None:
    """Friendly HTML error pages; JSON errors under /api/."""
    from app.extensions import db

    def render(status: int, title: str, message: str):
        if request.path.startswith("/api/"):
            return api_error(status, title.lower().replace(" ", "_"), message)
        return render_template("errors/error.html", status=status, title=title,
                               message=message), status

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render(400, "Form expired",
                      "The form could not be accepted because its security token was "
                      "missing or out of date. Go back, reload the page and try again.")

    @app.errorhandler(429)
    def too_many_requests(error: HTTPException):
        """Over a rate limit: Retry-After, and the API's JSON error or a page saying how long to wait."""
        from flask import make_response

        from app.ratelimit.limiter import retry_after_seconds
        from app.ratelimit.rules import describe_wait

        seconds = retry_after_seconds(error)
        wait = describe_wait(seconds)
        if request.path.startswith("/api/"):
            response = make_response(api_error(429, "too_many_requests",
                                               f"Too many requests. Try again in {wait}."))
        else:
            response = make_response(render_template("errors/too_many_requests.html", wait=wait), 429)
        if seconds:
            response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            403: "You do not have permission to see this page. If you think you "
                 "should, ask your program administrator.",
            404: "There is no page at this address. Check the link, or start again "
                 "from your home page.",
        }
        return render(error.code or 500, error.name,
                      messages.get(error.code, error.description or error.name))

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()  # never leave a half-done transaction behind
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render(500, "Server error",
                      "Something went wrong on our side and nothing was saved. "
                      "Try again; if it keeps happening, tell the help desk the time "
                      "it happened.")


def register_request_hooks(app: Flask) -> None:
    """Idle timeout, security headers and the template context."""
    from flask_login import current_user

    from app.auth.forms import LogoutForm
    from app.auth.routes import enforce_idle_timeout
    from app.main.navigation import navigation_for

    app.before_request(enforce_idle_timeout)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
            "base-uri 'self'; form-action 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Read the session, not current_user: after a commit the user row is expired, and
        # asking it whether it is signed in would cost another query on every such page.
        if session.get("_user_id") is not None:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.context_processor
    def layout_context():
        if not current_user.is_authenticated:
            return {"nav_items": [], "logout_form": None}
        # formdata=None: the layout's form never reads the request body (an error page for
        # an oversized upload must not read it again).
        return {"nav_items": navigation_for(current_user), "logout_form": LogoutForm(formdata=None)}


def register_commands(app: Flask) -> None:
    """Add the `flask` subcommands."""
    from app.agencies.cli import register_roster_commands
    from app.audit import register_audit_commands
    from app.auth.cli import register_user_commands
    from app.certificates.cli import register_certificate_commands
    from app.courses.cli import register_content_commands
    from app.main.demo import register_demo_command
    from app.notices.cli import register_notice_commands

    register_audit_commands(app)
    register_user_commands(app)
    register_content_commands(app)
    register_certificate_commands(app)
    register_demo_command(app)
    register_notice_commands(app)
    register_roster_commands(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection."""
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    from flask import current_app, has_app_context

    timeout = current_app.config["SQLITE_BUSY_TIMEOUT_MS"] if has_app_context() else 10_000
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


logging.getLogger("werkzeug").setLevel(logging.WARNING)
