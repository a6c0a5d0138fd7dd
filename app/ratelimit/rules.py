"""Fixed-window rate limits as pure functions: parse a limit, place a moment in its window, decide.

A limit such as "20/minute" allows `count` hits in each window of `window`
seconds. Windows are aligned to the Unix epoch (a one-minute window starts on
the minute), so every process computes the same window for the same moment
and one shared counter per key and window is enough. A client can send up to
twice the limit across a window boundary; that is the price of one counter
and one statement per hit.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_LIMIT = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d*)\s*(second|minute|hour|day)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per window of `window` seconds."""

    count: int
    window: int


@dataclass(frozen=True)
class Decision:
    """The answer for one hit: allowed or not, and when the window it fell in ends."""

    allowed: bool
    remaining: int
    retry_after: int  # whole seconds until the window ends; 0 when allowed
    window_start: int


@lru_cache(maxsize=64)
def parse_limit(text: str) -> Limit:
    """Parse "20/minute", "120 per minute", "5/10 minutes" or "1000/day" (ValueError otherwise)."""
    match = _LIMIT.match(text or "")
    if not match:
        raise ValueError(f"rate limit {text!r} is not like '20/minute' or '5/10 minutes'")
    count, multiple, period = int(match.group(1)), int(match.group(2) or 1), match.group(3).lower()
    if count < 1 or multiple < 1:
        raise ValueError(f"rate limit {text!r} must allow at least one hit per window")
    return Limit(count=count, window=multiple * PERIODS[period])


def window_start(now: float, window: int) -> int:
    """The start (Unix seconds) of the window of `window` seconds that contains `now`."""
    return int(now // window) * window


def decide(*, limit: Limit, count: int, now: float) -> Decision:
    """Decide a hit, given `count`: the hits in the current window including this one."""
    start = window_start(now, limit.window)
    if count <= limit.count:
        return Decision(allowed=True, remaining=limit.count - count, retry_after=0, window_start=start)
    wait = max(1, math.ceil(start + limit.window - now))
    return Decision(allowed=False, remaining=0, retry_after=wait, window_start=start)


def purge_before(now: float, windows: list[int]) -> int:
    """The oldest window start still worth keeping: anything before it is two windows old."""
    return int(now) - 2 * max(windows or [1])


def describe_wait(seconds: int | None) -> str:
    """Put a wait in words for people: "45 seconds", "2 minutes" (rounded up), "a minute" if unknown."""
    if not seconds or seconds < 1:
        return "a minute"
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    if seconds < 3600:
        minutes = math.ceil(seconds / 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = math.ceil(seconds / 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"
