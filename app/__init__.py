"""The application factory."""
from __future__ import annotations

import logging
import random
import re
import sqlite3
import time

from flask import (
    Flask, current_app, has_app_context, has_request_context, jsonify, render_template, request,
    session,
)
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
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection.

    Also take BEGIN away from the sqlite3 driver (isolation_level None, as the
    SQLAlchemy SQLite dialect documents): `_sqlite_begin_statement` emits it.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    timeout = current_app.config["SQLITE_BUSY_TIMEOUT_MS"] if has_app_context() else 10_000
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()
    dbapi_connection.isolation_level = None
    connection_record.info[_SQLITE_BUSY_MS] = int(timeout)


# SQLite transactions (WAL mode), so that concurrent writers wait instead of failing.
#
# SQLite answers "database is locked" at once, without waiting, when a transaction
# that has read then tries to write and another connection has committed since its
# snapshot (SQLITE_BUSY_SNAPSHOT) or holds the write lock (the busy handler is not
# called for a transaction that already reads). So every write goes through BEGIN
# IMMEDIATE, which waits for the write lock, before its first INSERT/UPDATE/DELETE
# (or DDL, or SAVEPOINT); from there the transaction is serialised.
#
# Reads before that first write: in a request, a plain deferred BEGIN gives them one
# snapshot (readers never queue behind a writer); the first write swaps that read
# transaction, which has nothing to lose, for BEGIN IMMEDIATE. Outside requests (CLI
# commands, jobs, a test's own session) they run outside any transaction, as under
# the sqlite3 driver's legacy mode, so a long job neither pins an old WAL snapshot
# nor misses what other processes committed. Either way reads before the first write
# see the database as under PostgreSQL's READ COMMITTED, which is all the services
# rely on (guarded UPDATEs, unique constraints, the audit head row taken first).
#
# Not taken: BEGIN IMMEDIATE for every POST and outside requests. It holds the write
# lock across whatever precedes the write (an 80 ms scrypt check at sign-in) and
# deadlocks a request, or a test, against its own second connection: the rate
# limiter's refund after a sign-in waited out the busy timeout (10 s sign-ins, then
# 500s), and the suite's in-process requests waited on the test's own session.
#
# BEGIN is emitted lazily, with the first statement, and never for a PRAGMA, so the
# PRAGMAs that only work outside a transaction still do (migrations/env.py turns
# foreign keys off so) and migrations run as real transactions (transactional DDL).
_SQLITE_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|SAVEPOINT)\b", re.I)
_SQLITE_PRAGMA = re.compile(r"\s*PRAGMA\b", re.I)
_SQLITE_TXN = "sqlite_txn"          # in the connection's info: "snapshot", "autocommit", "read", "write"
_SQLITE_BUSY_MS = "sqlite_busy_ms"  # the connection's busy timeout


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """Note that SQLAlchemy began a transaction; BEGIN itself waits for the first statement."""
    if conn.dialect.name == "sqlite":
        conn.info[_SQLITE_TXN] = "snapshot" if has_request_context() else "autocommit"


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _sqlite_end(conn) -> None:
    conn.info.pop(_SQLITE_TXN, None)


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_begin_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    """Emit BEGIN IMMEDIATE before a transaction's first write; in a request, BEGIN before its first read."""
    state = conn.info.get(_SQLITE_TXN)
    if state is None or state == "write":
        return
    dbapi_connection = cursor.connection
    if _SQLITE_WRITE.match(statement):
        if dbapi_connection.in_transaction:
            dbapi_connection.execute("ROLLBACK")  # only reads so far: nothing is lost
        _sqlite_begin_immediate(dbapi_connection, conn.info.get(_SQLITE_BUSY_MS, 10_000))
        conn.info[_SQLITE_TXN] = "write"
    elif state == "snapshot" and not _SQLITE_PRAGMA.match(statement):
        dbapi_connection.execute("BEGIN")
        conn.info[_SQLITE_TXN] = "read"


def _sqlite_begin_immediate(dbapi_connection, busy_ms: int) -> None:
    """BEGIN IMMEDIATE, waiting up to `busy_ms` for the write lock in short sleeps.

    SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 and then
    100 ms between tries, so under steady contention a writer that missed the lock a
    few times sleeps through many free moments while newcomers take it: answer saves
    waited up to 450 ms at p99 for a lock held about 1 ms. Here a waiter tries again
    after 0.25..4 ms (jittered, doubling), which cut that wait to about 100 ms.
    """
    deadline = time.monotonic() + busy_ms / 1000
    delay = 0.0005
    dbapi_connection.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                    raise
            time.sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, 0.004)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")


logging.getLogger("werkzeug").setLevel(logging.WARNING)
