"""The notice schedule, as pure rules: which notices should exist on a day, to whom, with what key."""
from __future__ import annotations

import ast
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.notices.schedule import (
    KEY_MAX, OfficerFacts, dedupe_key, long_date, refresher_kind, scheduled_notices,
    termination_notices, withdrawal_notices,
)

TODAY = date(2026, 3, 2)
OFFICER = OfficerFacts(officer_id=7, email="jordan.reyes@sheriff.example", name="Jordan Reyes",
                       agency_name="Berkeley County Sheriff's Office", poc_email="poc@sheriff.example",
                       authority_status="active", grant_id=11)


def officer_due_in(days: int, **changes) -> OfficerFacts:
    return replace(OFFICER, refresher_due=TODAY + timedelta(days=days), **changes)


# days before the due date -> the one refresher notice planned today (None: nothing yet)
THRESHOLD_CASES = [
    (91, None),
    (90, "refresher_due_90"),
    (61, "refresher_due_90"),
    (60, "refresher_due_60"),
    (31, "refresher_due_60"),
    (30, "refresher_due_30"),
    (20, "refresher_due_30"),   # first seen 20 days before: only the 30-day notice
    (1, "refresher_due_30"),
    (0, "refresher_due_30"),    # the due date itself: training still counts today
    (-1, "refresher_overdue"),  # the day after: overdue, authority lapses
    (-400, "refresher_overdue"),
]


@pytest.mark.parametrize(("days", "kind"), THRESHOLD_CASES)
def test_refresher_kind_at_each_boundary(days, kind):
    assert refresher_kind(TODAY, TODAY + timedelta(days=days)) == kind


@pytest.mark.parametrize(("days", "kind"), THRESHOLD_CASES)
def test_one_notice_to_the_officer_and_one_to_the_poc_at_each_boundary(days, kind):
    notices = scheduled_notices(TODAY, [officer_due_in(days)])
    if kind is None:
        assert notices == []
        return
    due = (TODAY + timedelta(days=days)).isoformat()
    assert [(n.kind, n.recipient_email, n.to_officer, n.officer_id, n.dedupe_key) for n in notices] == [
        (kind, "jordan.reyes@sheriff.example", True, 7, f"{kind}:7:{due}:jordan.reyes@sheriff.example"),
        (kind, "poc@sheriff.example", False, 7, f"{kind}:7:{due}:poc@sheriff.example"),
    ]


def test_no_refresher_notice_without_a_due_date():
    assert scheduled_notices(TODAY, [replace(OFFICER, refresher_due=None, authority_status="none")]) == []


@pytest.mark.parametrize(("poc", "recipients"), [
    (None, ["jordan.reyes@sheriff.example"]),
    ("", ["jordan.reyes@sheriff.example"]),
    ("  ", ["jordan.reyes@sheriff.example"]),
    ("Jordan.Reyes@Sheriff.example", ["jordan.reyes@sheriff.example"]),  # the officer's own address
    ("poc@sheriff.example", ["jordan.reyes@sheriff.example", "poc@sheriff.example"]),
])
def test_the_point_of_contact_gets_a_copy_when_there_is_one(poc, recipients):
    notices = scheduled_notices(TODAY, [officer_due_in(30, poc_email=poc)])
    assert [n.recipient_email for n in notices] == recipients


@pytest.mark.parametrize(("status", "kinds"), [
    ("none", ["refresher_overdue"]),
    ("active", ["refresher_overdue"]),  # (not reachable in practice: overdue training lapses authority)
    ("lapsed", ["refresher_overdue", "authority_lapsed"]),
    ("withdrawn", []),     # told when it was withdrawn; no more refresher reminders
    ("terminated", []),
])
def test_status_decides_lapse_notices_and_silences_refresher_reminders(status, kinds):
    notices = scheduled_notices(TODAY, [officer_due_in(-3, authority_status=status, poc_email=None)])
    assert [n.kind for n in notices] == kinds


def test_a_lapse_is_noticed_once_per_grant():
    lapsed = replace(OFFICER, authority_status="lapsed", grant_id=11, poc_email=None,
                     authority_reason="Authorization expired on 2026-02-28")
    first = scheduled_notices(TODAY, [lapsed])
    later = scheduled_notices(TODAY + timedelta(days=40), [lapsed])
    renewed = scheduled_notices(TODAY + timedelta(days=400), [replace(lapsed, grant_id=12)])
    assert [n.dedupe_key for n in first] == ["authority_lapsed:7:11:jordan.reyes@sheriff.example"]
    assert [n.dedupe_key for n in later] == [n.dedupe_key for n in first]
    assert [n.dedupe_key for n in renewed] == ["authority_lapsed:7:12:jordan.reyes@sheriff.example"]
    assert "Authorization expired on 2026-02-28" in first[0].body
    assert scheduled_notices(TODAY, [replace(lapsed, grant_id=None)]) == []


def test_keys_are_stable_from_day_to_day_and_change_with_the_threshold_and_due_date():
    due = TODAY + timedelta(days=25)
    on_day = {day: [n.dedupe_key for n in scheduled_notices(TODAY + timedelta(days=day),
                                                            [replace(OFFICER, refresher_due=due)])]
              for day in range(0, 25)}
    assert len({tuple(keys) for keys in on_day.values()}) == 1  # the same 30-day notice every day
    sixty = scheduled_notices(TODAY, [replace(OFFICER, refresher_due=TODAY + timedelta(days=45))])
    assert set(n.dedupe_key for n in sixty).isdisjoint(on_day[0])
    moved = scheduled_notices(TODAY, [replace(OFFICER, refresher_due=due + timedelta(days=1))])
    assert set(n.dedupe_key for n in moved).isdisjoint(on_day[0])


def test_an_address_too_long_for_the_key_column_is_hashed_but_stays_stable():
    long_email = "a" * 240 + "@sheriff.example"
    key = dedupe_key("refresher_due_30", 7, "2026-03-20", recipient=long_email)
    assert len(key) <= KEY_MAX and key.startswith("refresher_due_30:7:2026-03-20:sha256-")
    assert key == dedupe_key("refresher_due_30", 7, "2026-03-20", recipient=long_email.upper())
    assert dedupe_key("x", 1, recipient="Poc@Sheriff.example") == "x:1:poc@sheriff.example"


def test_the_due_notice_says_what_is_due_by_when_what_happens_and_whom_to_contact():
    officer_notice, poc_notice = scheduled_notices(TODAY, [officer_due_in(20)])
    due, lapse = long_date(TODAY + timedelta(days=20)), long_date(TODAY + timedelta(days=21))
    assert officer_notice.subject == f"Your 287(g) refresher training is due by {due}"
    body = officer_notice.body
    assert body.startswith("Dear Jordan Reyes,")
    for words in ("refresher training (IADRP) must be completed by " + due, "20 days remain",
                  f"lapses on {lapse}, the day after", "poc@sheriff.example"):
        assert words in body
    assert poc_notice.subject == f"Jordan Reyes: 287(g) refresher training due by {due}"
    assert "Berkeley County Sheriff's Office" in poc_notice.body
    assert f"lapses on {lapse}" in poc_notice.body
    assert "287(g) program office" in poc_notice.body


def test_the_overdue_notice_says_authority_has_lapsed():
    officer_notice = scheduled_notices(TODAY, [officer_due_in(-1, authority_status="lapsed")])[0]
    assert "overdue" in officer_notice.subject
    assert f"Since {long_date(TODAY)}, your delegated 287(g) immigration authority has lapsed" \
        in officer_notice.body


def test_withdrawal_notices_go_to_the_officer_and_the_poc():
    notices = withdrawal_notices(OFFICER, withdrawal_id=5, effective_on=date(2026, 4, 1),
                                 reason="Conduct under review by the field office.")
    assert [(n.kind, n.dedupe_key, n.to_officer) for n in notices] == [
        ("authority_withdrawn", "authority_withdrawn:5:jordan.reyes@sheriff.example", True),
        ("authority_withdrawn", "authority_withdrawn:5:poc@sheriff.example", False)]
    assert all("withdrawn effective 1 April 2026" in n.subject for n in notices)
    assert all("Conduct under review by the field office." in n.body for n in notices)


def test_termination_notifies_each_officer_and_sends_the_poc_one_summary():
    other = replace(OFFICER, officer_id=8, email="sam.ortiz@sheriff.example", name="Sam Ortiz")
    notices = termination_notices(
        agreement_id=3, model_name="Jail Enforcement Model", agency_name="Berkeley County Sheriff's Office",
        poc_email="poc@sheriff.example", terminated_on=date(2026, 5, 1),
        reason="The agency withdrew from the program.", officers=[other, OFFICER])
    assert [(n.dedupe_key, n.officer_id) for n in notices] == [
        ("authority_terminated:3:7:jordan.reyes@sheriff.example", 7),
        ("authority_terminated:3:8:sam.ortiz@sheriff.example", 8),
        ("authority_terminated:3:poc:poc@sheriff.example", None)]
    assert "- Jordan Reyes\n- Sam Ortiz" in notices[-1].body
    assert all("ended effective 1 May 2026" in n.body for n in notices)
    none_to_poc = termination_notices(agreement_id=3, model_name="Jail Enforcement Model", agency_name="",
                                      poc_email=None, terminated_on=date(2026, 5, 1), reason="Ended.",
                                      officers=[OFFICER])
    assert [n.to_officer for n in none_to_poc] == [True]


def test_the_schedule_is_pure():
    """No Flask, no database, no application module: only the standard library."""
    source = (Path(__file__).resolve().parents[2] / "app" / "notices" / "schedule.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
