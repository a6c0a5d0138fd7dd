"""The dashboard's figures, computed together and kept for a few minutes.

At national scale (2,000 agencies, 25,000 officers, 600,000 attempts) the
figures take about three seconds of SQL: twelve month-end compliance queries,
the officer statuses and the per-course table over every attempt. A program
manager's dashboard does not need them to the second, and several managers
open it at the same time, so each process keeps the figures for
DASHBOARD_CACHE_SECONDS (default 300) per day and filter, computes them once
for concurrent requests (the others wait for that result instead of starting
the same queries), and the page says when they were computed. 0 turns the
cache off (the test suite uses that, to see each change at once).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app

from app.models import utcnow
from app.oversight.compliance import (
    ComplianceFigure, Filters, OfficerFigures, compliance_on, month_ends, officer_figures,
)
from app.oversight.courses import CourseRow, course_rows

_CACHE_KEY = "dashboard_figures"


@dataclass(frozen=True)
class DashboardFigures:
    officers: OfficerFigures
    trend: list[ComplianceFigure]
    courses: list[CourseRow]
    computed_at: datetime


class _Cache:
    """Figures by (day, filters) with their expiry, and one lock per key for single-flight."""

    def __init__(self):
        self.entries: dict[tuple, tuple[float, DashboardFigures]] = {}
        self.locks: dict[tuple, threading.Lock] = {}
        self.guard = threading.Lock()

    def lock_for(self, key: tuple) -> threading.Lock:
        with self.guard:
            return self.locks.setdefault(key, threading.Lock())

    def forget_expired(self, *, keep: tuple) -> None:
        """Drop expired figures and their idle locks, so filters and days cannot grow the cache for ever."""
        now = time.monotonic()
        with self.guard:
            self.entries = {k: v for k, v in self.entries.items() if v[0] > now}
            self.locks = {k: lock for k, lock in self.locks.items()
                          if k == keep or k in self.entries or lock.locked()}


def dashboard_figures(today: date, filters: Filters, *, fresh: bool = False) -> DashboardFigures:
    """The figures for `today` under `filters`, from this process's cache when young enough."""
    seconds = current_app.config.get("DASHBOARD_CACHE_SECONDS", 0)
    if seconds <= 0:
        return _compute(today, filters)
    cache: _Cache = current_app.extensions.setdefault(_CACHE_KEY, _Cache())
    key = (today, filters)
    with cache.lock_for(key):
        entry = cache.entries.get(key)
        if entry is not None and not fresh and entry[0] > time.monotonic():
            return entry[1]
        figures = _compute(today, filters)
        cache.entries[key] = (time.monotonic() + seconds, figures)
        cache.forget_expired(keep=key)
        return figures


def _compute(today: date, filters: Filters) -> DashboardFigures:
    return DashboardFigures(
        officers=officer_figures(today, filters),
        trend=[compliance_on(day, filters) for day in month_ends(today, 12)],
        courses=course_rows(filters), computed_at=utcnow())
