"""The AC-7 lockout rule: 5 failures within 15 minutes lock for 15 minutes."""
from datetime import UTC, datetime, timedelta

import pytest

from app.auth.lockout import locked_until

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
RULE = {"threshold": 5, "window": 15 * M, "duration": 15 * M}


def at(*minutes):
    return [T0 + m * M for m in minutes]


@pytest.mark.parametrize("failures, now, expected", [
    ([], T0, None),
    (at(0, 1, 2, 3), T0 + 4 * M, None),                  # four failures: not locked
    (at(0, 1, 2, 3, 4), T0 + 4 * M, T0 + 19 * M),        # fifth failure locks
    (at(0, 1, 2, 3, 4), T0 + 18 * M, T0 + 19 * M),       # still locked a minute before the end
    (at(0, 1, 2, 3, 4), T0 + 19 * M, None),              # the lockout ends on time
    (at(0, 1, 2, 3, 15), T0 + 15 * M, T0 + 30 * M),      # exactly 15 minutes apart still counts
    (at(0, 1, 2, 3, 16), T0 + 16 * M, None),             # the first failure fell out of the window
    (at(0, 4, 8, 12, 16, 20), T0 + 20 * M, None),        # spread out: never five in 15 minutes
    (at(0, 1, 2, 3, 4, 20, 21, 22, 23), T0 + 23 * M, None),       # second run of four
    (at(0, 1, 2, 3, 4, 20, 21, 22, 23, 24), T0 + 24 * M, T0 + 39 * M),  # second lockout
    (at(10, 0, 3, 1, 2), T0 + 11 * M, T0 + 25 * M),      # order does not matter
    (at(0, 1, 2, 3, 4, 50), T0 + 4 * M, T0 + 19 * M),    # future-dated rows are ignored
])
def test_lockout_table(failures, now, expected):
    assert locked_until(failures, now=now, **RULE) == expected


def test_threshold_is_a_setting():
    assert locked_until(at(0, 1, 2), now=T0 + 2 * M, threshold=3, window=15 * M,
                        duration=30 * M) == T0 + 32 * M
