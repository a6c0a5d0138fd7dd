"""The account lockout rule of NIST SP 800-53 AC-7, as a pure function.

After `threshold` failed sign-ins within `window`, the account is locked for
`duration` from the failure that reached the threshold. A successful sign-in
clears earlier failures; attempts refused during a lockout do not extend it.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta


def locked_until(
    failures: Sequence[datetime],
    *,
    now: datetime,
    threshold: int,
    window: timedelta,
    duration: timedelta,
) -> datetime | None:
    """Return when the lockout ends, or None when the account is not locked.

    `failures` are the times of failed attempts since the last success, in any
    order; attempts refused while locked are not failures.
    """
    times = sorted(t for t in failures if t <= now)
    lock_end: datetime | None = None
    start = 0
    for i, t in enumerate(times):
        if lock_end is not None and t < lock_end:
            continue  # cannot happen for real data; ignore defensively
        while t - times[start] > window:
            start += 1
        if i - start + 1 >= threshold:
            lock_end = t + duration
            start = i + 1  # a new lockout needs a fresh run of failures
    if lock_end is not None and now < lock_end:
        return lock_end
    return None
