"""The `@rate_limited` view decorator, the 429 exception, the counter's engine, `flask ratelimit purge`.

Limits come from settings named `RATELIMIT_<RULE>` ("20/minute"); setting
`RATELIMIT_ENABLED` false turns every limit off (the benchmark does). The
client is `request.remote_addr`: behind a reverse proxy, set `PROXY_FIX_X_FOR`
so that it is the client's address, not the proxy's (README "Deployment and
scaling"). A failure of the counter's own database statement lets the request
through and logs it: the limits protect the service, they must not take it down.

The counter has an engine of its own on the app's database, in autocommit mode:
each hit is one statement (on PostgreSQL one round trip: no BEGIN, no COMMIT, no
pool pre-ping) that does not wait for the WAL flush (synchronous_commit=off on
these connections only: a crash may forget the last few hits, harmless for a rate
limit). Measured in process on a local PostgreSQL: about 0.12 ms a hit, against
0.4 to 2 ms for a committed transaction on the app's own pool (the flush varies
with the disk). Without pre-ping, the first hit on a connection the database
dropped fails open and the pool reconnects.
"""
from __future__ import annotations

import hashlib
import random
import time
import weakref
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import wraps

import click
from flask import Flask, Response, current_app, g, make_response, request
from sqlalchemy import create_engine, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import TooManyRequests

from app.extensions import db
from app.ratelimit.rules import Limit, parse_limit, purge_before
from app.ratelimit.services import rate_limit_hit, rate_limit_purge, rate_limit_refund

_NOT_LIMITS = {"RATELIMIT_ENABLED", "RATELIMIT_PURGE_PROBABILITY"}


class RateLimited(TooManyRequests):
    """Raised when a client is over a limit; the 429 handler answers with Retry-After."""

    def __init__(self, *, rule: str, retry_after: int):
        super().__init__(description="Too many requests.", retry_after=retry_after)
        self.rule = rule


def retry_after_seconds(error: Exception) -> int | None:
    """Whole seconds a 429 asks the client to wait, if it says."""
    value = getattr(error, "retry_after", None)
    if isinstance(value, datetime):
        return max(1, round((value - datetime.now(UTC)).total_seconds()))
    return int(value) if value else None


def _counter_engine_for(uri: str) -> Engine | None:
    """An autocommit engine on the app's database for the counters (None: use the app's engine)."""
    url = make_url(uri)
    backend = url.get_backend_name()
    if backend == "sqlite" and url.database in (None, "", ":memory:"):
        return None  # an in-memory database exists only on the app's own connection
    options: dict = {"isolation_level": "AUTOCOMMIT", "pool_size": 2, "max_overflow": 10}
    if backend == "postgresql":
        options["connect_args"] = {"options": "-c synchronous_commit=off"}
    return create_engine(url, **options)


def counter_engine() -> Engine:
    """The engine the current app counts hits with."""
    return current_app.extensions.get("ratelimit") or db.engine


def _now() -> float:
    """The clock the limits read (Unix seconds); tests replace it."""
    return time.time()


def key_prefix(rule: str, limit: Limit) -> str:
    """Keys start with the rule and its window length ("login/60:"), so that purging one
    rule's ended windows never touches a longer window, even one another server's settings use."""
    return f"{rule}/{limit.window}:"


def _client_key(prefix: str, per: str) -> str:
    if per == "token" and g.get("api_user") is not None:
        # Only a token that authenticated gets its own budget: made-up tokens count by address.
        secret = (request.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        return f"{prefix}token:{hashlib.sha256(secret.encode()).hexdigest()[:32]}"
    return f"{prefix}ip:{request.remote_addr or 'unknown'}"


def configured_limits(config) -> dict[str, Limit]:
    """Every configured limit by rule name ("login" for RATELIMIT_LOGIN); validates them, too."""
    limits = {}
    for name, value in config.items():
        if name.startswith("RATELIMIT_") and name not in _NOT_LIMITS:
            try:
                limits[name[len("RATELIMIT_"):].lower()] = parse_limit(value)
            except (TypeError, ValueError) as error:
                raise RuntimeError(f"{name}: {error}") from None
    return limits


def _maybe_purge(rule: str, limit: Limit, now: float) -> None:
    """Now and then (1% of hits by default) delete this rule's windows that have long ended."""
    if random.random() >= current_app.config.get("RATELIMIT_PURGE_PROBABILITY", 0.01):
        return
    try:
        rate_limit_purge(engine=counter_engine(), before=purge_before(now, [limit.window]),
                         prefix=key_prefix(rule, limit))
    except SQLAlchemyError:
        current_app.logger.warning("Could not purge old rate-limit windows", exc_info=True)


def purge_all(now: float) -> int:
    """Purge every configured rule's ended windows, and anything two days (or two of the
    longest windows) old whatever its rule: counters of limits since changed or removed."""
    limits = configured_limits(current_app.config)
    engine = counter_engine()
    deleted = sum(rate_limit_purge(engine=engine, before=purge_before(now, [limit.window]),
                                   prefix=key_prefix(rule, limit)) for rule, limit in limits.items())
    horizon = [86_400, *(limit.window for limit in limits.values())]
    return deleted + rate_limit_purge(engine=engine, before=purge_before(now, horizon))


def rate_limited(rule: str, *, per: str = "ip", methods: Iterable[str] | None = None,
                 refund_if: Callable[[Response], bool] | None = None):
    """Count each request in the `rule` limit (setting RATELIMIT_<RULE>) and refuse with 429 past it.

    `per` is "ip" (the client address) or "token" (the API token that authenticated the
    request, else the address). `methods` limits counting to those methods; `refund_if`
    takes the hit back when the response passes it (a successful sign-in is not counted).
    """
    if per not in {"ip", "token"}:
        raise ValueError(f"per must be 'ip' or 'token', not {per!r}")
    setting = f"RATELIMIT_{rule.upper()}"
    counted = frozenset(m.upper() for m in methods) if methods else None

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            config = current_app.config
            if not config["RATELIMIT_ENABLED"] or (counted and request.method not in counted):
                return view(*args, **kwargs)
            now = _now()
            limit = parse_limit(config[setting])
            key = _client_key(key_prefix(rule, limit), per)
            try:
                decision = rate_limit_hit(engine=counter_engine(), key=key, limit=limit, now=now)
            except SQLAlchemyError:
                current_app.logger.warning("Rate limit %s not checked", rule, exc_info=True)
                return view(*args, **kwargs)
            if not decision.allowed:
                raise RateLimited(rule=rule, retry_after=decision.retry_after)
            _maybe_purge(rule, limit, now)
            if refund_if is None:
                return view(*args, **kwargs)
            response = make_response(view(*args, **kwargs))
            if refund_if(response):
                try:
                    rate_limit_refund(engine=counter_engine(), key=key, start=decision.window_start)
                except SQLAlchemyError:
                    current_app.logger.warning("Rate limit %s not refunded", rule, exc_info=True)
            return response

        wrapped.rate_limit = rule
        return wrapped

    return decorator


def init_app(app: Flask) -> None:
    """Check the RATELIMIT_* settings at start-up, make the counter's engine, add `flask ratelimit purge`."""
    configured_limits(app.config)
    engine = _counter_engine_for(app.config["SQLALCHEMY_DATABASE_URI"])
    app.extensions["ratelimit"] = engine
    if engine is not None:
        # An app thrown away (tests build many) closes its counter connections, at the latest at exit.
        weakref.finalize(app, engine.dispose)

    @app.cli.group("ratelimit")
    def ratelimit_group():
        """Rate-limit counters kept in the database."""

    @ratelimit_group.command("purge")
    def purge_command():
        """Delete counters of windows that ended long ago (safe on any host, at any time)."""
        click.echo(f"deleted {purge_all(_now())} old rate-limit window(s)")
