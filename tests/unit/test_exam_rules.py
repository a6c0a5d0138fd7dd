"""The IADP examination rules, by table: 70% pass, one remediation, two failures disqualify."""
from datetime import UTC, datetime, timedelta

import pytest

from app.assessments.rules import AttemptRecord, ExamRules, next_attempt, passed, standing

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
EXAMS = ("exam-1", "exam-2", "exam-3")
IADP = ExamRules()


def attempts(*rows):
    """rows: (exam, score, remediation?) in time order."""
    return [AttemptRecord(exam, score, T0 + timedelta(days=i), bool(rest and rest[0]))
            for i, (exam, score, *rest) in enumerate(rows)]


@pytest.mark.parametrize("score, expected", [(70, True), (69.99, False), (100, True), (0, False), (70.0000000001, True)])
def test_pass_mark_is_70_percent_inclusive(score, expected):
    assert passed(score, IADP) is expected


@pytest.mark.parametrize("rows, statuses, failures, disqualified", [
    ((), ("not_taken",) * 3, 0, False),
    ((("exam-1", 85),), ("passed", "not_taken", "not_taken"), 0, False),
    ((("exam-1", 60),), ("failed", "not_taken", "not_taken"), 1, False),
    # fail, then pass the remediation, then pass the rest: completes
    ((("exam-1", 60), ("exam-1", 75, True), ("exam-2", 90), ("exam-3", 70)), ("passed",) * 3, 1, False),
    # fail, fail the remediation: disqualified
    ((("exam-1", 60), ("exam-1", 65, True)), ("failed", "not_taken", "not_taken"), 2, True),
    # fail one exam, pass its remediation, fail another: two failures disqualify
    ((("exam-1", 60), ("exam-1", 80, True), ("exam-2", 50)), ("passed", "failed", "not_taken"), 2, True),
    # fail two different exams without a remediation in between
    ((("exam-1", 60), ("exam-2", 50)), ("failed", "failed", "not_taken"), 2, True),
])
def test_standing_table(rows, statuses, failures, disqualified):
    result = standing(IADP, EXAMS, attempts(*rows))
    assert tuple(result.exams[k].status for k in EXAMS) == statuses
    assert result.failures == failures and result.disqualified is disqualified
    if disqualified:
        assert "disqualify" in result.reason
    assert result.all_passed is (statuses == ("passed",) * 3)


@pytest.mark.parametrize("rows, exam, allowed, remediation, reason", [
    ((), "exam-1", True, False, "First attempt"),
    ((("exam-1", 90),), "exam-1", False, False, "passed this examination"),
    ((("exam-1", 60),), "exam-1", True, True, "Remediation"),
    ((("exam-1", 60),), "exam-2", True, False, "First attempt"),
    ((("exam-1", 60), ("exam-1", 80, True)), "exam-2", True, False, "First attempt"),
    # a later failure after the remediation was used: disqualified, nothing more
    ((("exam-1", 60), ("exam-1", 80, True), ("exam-2", 60)), "exam-2", False, False, "disqualified"),
    ((("exam-1", 60), ("exam-1", 60, True)), "exam-3", False, False, "disqualified"),
    ((), "exam-9", False, False, "not part of the course"),
])
def test_next_attempt_table(rows, exam, allowed, remediation, reason):
    decision = next_attempt(IADP, standing(IADP, EXAMS, attempts(*rows)), exam)
    assert (decision.allowed, decision.remediation) == (allowed, remediation)
    assert reason in decision.reason


def test_reinstatement_forgives_earlier_failures_and_restores_one_remediation():
    rows = attempts(("exam-1", 60), ("exam-1", 62, True))
    assert standing(IADP, EXAMS, rows).disqualified
    reinstated = [T0 + timedelta(days=1, hours=12)]
    after = standing(IADP, EXAMS, rows, reinstated)
    assert not after.disqualified and after.failures == 0 and after.remediations_used == 0
    decision = next_attempt(IADP, after, "exam-1")
    assert decision.allowed and decision.remediation
    # A failure after reinstatement counts again from zero.
    more = rows + [AttemptRecord("exam-1", 50, T0 + timedelta(days=3), True)]
    assert standing(IADP, EXAMS, more, reinstated).failures == 1


def test_reinstatement_keeps_passed_exams_passed():
    rows = attempts(("exam-1", 90), ("exam-2", 50), ("exam-2", 55, True))
    after = standing(IADP, EXAMS, rows, [T0 + timedelta(days=5)])
    assert after.exams["exam-1"].status == "passed" and after.exams["exam-2"].status == "failed"


@pytest.mark.parametrize("rules, rows, disqualified, can_retake", [
    # a refresher with no remediation: one failure ends it
    (ExamRules(pass_mark=70, remediations=0, max_failures=1), (("exam-1", 60),), True, False),
    # a stricter pass mark
    (ExamRules(pass_mark=80, remediations=1, max_failures=2), (("exam-1", 75),), False, True),
    # two remediations allowed, three failures disqualify
    (ExamRules(pass_mark=70, remediations=2, max_failures=3), (("exam-1", 60), ("exam-1", 65, True)), False, True),
])
def test_rules_are_configurable_per_course(rules, rows, disqualified, can_retake):
    result = standing(rules, EXAMS, attempts(*rows))
    assert result.disqualified is disqualified
    assert next_attempt(rules, result, "exam-1").allowed is can_retake


def test_rules_from_course_file_mapping():
    assert ExamRules.from_mapping({"pass_mark": 75, "remediations": 0}) == ExamRules(75.0, 0, 2)
    assert ExamRules.from_mapping(None) == ExamRules()


def test_attempt_order_is_by_time_not_by_list_order():
    rows = attempts(("exam-1", 60), ("exam-1", 80, True))
    assert standing(IADP, EXAMS, list(reversed(rows))).exams["exam-1"].status == "passed"
