"""Count hits in the database: one upsert per hit, in its own short transaction.

The count is committed on a connection of its own (not the request's session),
so a request that later rolls back still counts, and on SQLite the write lock
is held only for that one statement, never for the rest of the request.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import bindparam, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from app.ratelimit.models import RateLimitBucket
from app.ratelimit.rules import Decision, Limit, decide, window_start

_bucket = RateLimitBucket.__table__


@lru_cache(maxsize=4)
def _upsert(dialect: str):
    """INSERT ... ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1 RETURNING count."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(_bucket).values(key=bindparam("b_key"), window_start=bindparam("b_start"), count=1)
    return stmt.on_conflict_do_update(
        index_elements=[_bucket.c.key, _bucket.c.window_start],
        set_={"count": _bucket.c.count + 1},
    ).returning(_bucket.c.count)


_REFUND = (update(_bucket)
           .where(_bucket.c.key == bindparam("b_key"), _bucket.c.window_start == bindparam("b_start"),
                  _bucket.c.count > 0)
           .values(count=_bucket.c.count - 1))


def rate_limit_hit(*, engine: Engine, key: str, limit: Limit, now: float) -> Decision:
    """Count one hit of `key` in the current window and decide it (one statement, committed)."""
    start = window_start(now, limit.window)
    with engine.begin() as conn:
        count = conn.execute(_upsert(engine.dialect.name), {"b_key": key, "b_start": start}).scalar_one()
    return decide(limit=limit, count=count, now=now)


def rate_limit_refund(*, engine: Engine, key: str, start: int) -> None:
    """Take back one hit of `key` in the window that starts at `start` (never below zero)."""
    with engine.begin() as conn:
        conn.execute(_REFUND, {"b_key": key, "b_start": start})


def rate_limit_purge(*, engine: Engine, before: int, prefix: str | None = None) -> int:
    """Delete the counters of windows that started before `before` (of keys starting with
    `prefix`, if given); return how many."""
    stmt = delete(_bucket).where(_bucket.c.window_start < before)
    if prefix is not None:
        stmt = stmt.where(_bucket.c.key.startswith(prefix, autoescape=True))
    with engine.begin() as conn:
        return conn.execute(stmt).rowcount
