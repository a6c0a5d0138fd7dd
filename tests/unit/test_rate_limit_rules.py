"""The fixed-window rate-limit rules: parsing a limit, windows, decisions, purging, waits in words."""
import ast
from pathlib import Path

import pytest

from app.ratelimit.rules import Decision, Limit, decide, describe_wait, parse_limit, purge_before, window_start

T = 1_800_057_600  # a Unix time on a day boundary (2027-01-16 00:00 UTC)


@pytest.mark.parametrize("text, expected", [
    ("20/minute", Limit(20, 60)),
    ("120 per minute", Limit(120, 60)),
    ("600/minutes", Limit(600, 60)),
    ("5/10 minutes", Limit(5, 600)),
    ("5/10minutes", Limit(5, 600)),
    ("1/second", Limit(1, 1)),
    ("1000/Day", Limit(1000, 86400)),
    ("  3 / hour ", Limit(3, 3600)),
    ("7/2 hours", Limit(7, 7200)),
])
def test_parse_limit(text, expected):
    assert parse_limit(text) == expected


@pytest.mark.parametrize("text", [
    "", "20", "minute", "20/fortnight", "0/minute", "5/0 minutes", "-1/minute", "20/minute per IP",
    "twenty/minute", "2.5/minute",
])
def test_parse_limit_refuses_what_it_cannot_read(text):
    with pytest.raises(ValueError):
        parse_limit(text)


@pytest.mark.parametrize("now, window, start", [
    (T, 60, T),
    (T + 59.999, 60, T),
    (T + 60, 60, T + 60),
    (T + 61, 60, T + 60),
    (T + 3599, 3600, T),
    (T + 86_399, 86_400, T),
    (T + 86_400, 86_400, T + 86_400),
    (T + 0.5, 1, T),
])
def test_windows_are_aligned_to_the_epoch(now, window, start):
    assert window_start(now, window) == start


L = Limit(count=3, window=60)


@pytest.mark.parametrize("count, now, expected", [
    (1, T, Decision(True, 2, 0, T)),
    (2, T + 10, Decision(True, 1, 0, T)),
    (3, T + 10, Decision(True, 0, 0, T)),            # the limit itself is allowed
    (4, T + 10, Decision(False, 0, 50, T)),          # one over: wait for the window to end
    (400, T + 10, Decision(False, 0, 50, T)),        # far over: the same wait
    (4, T + 59.2, Decision(False, 0, 1, T)),         # rounds up: never "retry after 0"
    (4, T + 59.999, Decision(False, 0, 1, T)),
    (4, T + 0.4, Decision(False, 0, 60, T)),
    (4, T + 60, Decision(False, 0, 60, T + 60)),     # a new window (the caller counted 4 in it)
    (1, T + 61, Decision(True, 2, 0, T + 60)),
])
def test_decide(count, now, expected):
    assert decide(limit=L, count=count, now=now) == expected


def test_a_limit_of_one():
    one = Limit(count=1, window=3600)
    assert decide(limit=one, count=1, now=T + 5).allowed
    assert decide(limit=one, count=2, now=T + 5) == Decision(False, 0, 3595, T)


@pytest.mark.parametrize("now, windows, before", [
    (T + 100, [60], T - 20),
    (T + 100, [60, 3600, 60], T + 100 - 7200),       # the longest window decides
    (T + 100.9, [1], T + 98),
    (T, [], T - 2),
])
def test_purge_keeps_two_of_the_longest_windows(now, windows, before):
    assert purge_before(now, windows) == before


@pytest.mark.parametrize("seconds, words", [
    (None, "a minute"), (0, "a minute"), (1, "1 second"), (45, "45 seconds"), (59, "59 seconds"),
    (60, "1 minute"), (61, "2 minutes"), (3599, "60 minutes"), (3600, "1 hour"), (5400, "2 hours"),
])
def test_describe_wait(seconds, words):
    assert describe_wait(seconds) == words


def test_the_rules_module_imports_neither_flask_nor_the_database():
    source = Path(__file__).resolve().parents[2] / "app" / "ratelimit" / "rules.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "math", "re", "dataclasses", "functools"}, imported
