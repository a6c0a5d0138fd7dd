"""The program's examination rules, as pure functions of plain data.

The standard MOA: each examination is passed with at least 70%; a trainee
gets one remediation examination for the whole course; failing any two
examinations, the remediation included, disqualifies the trainee. Each
course may set its own numbers (the refresher may differ). An instructor may
reinstate a disqualified trainee with a written reason: failures and
remediations before the reinstatement then no longer count against them,
while exams already passed stay passed.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ExamRules:
    pass_mark: float = 70.0  # percent
    remediations: int = 1    # remediation attempts for the whole course
    max_failures: int = 2    # failed attempts (remediation included) that disqualify

    @classmethod
    def from_mapping(cls, data: dict | None) -> "ExamRules":
        data = data or {}
        return cls(pass_mark=float(data.get("pass_mark", 70)),
                   remediations=int(data.get("remediations", 1)),
                   max_failures=int(data.get("max_failures", 2)))


@dataclass(frozen=True)
class AttemptRecord:
    exam_key: str
    score: float  # effective percent, after any instructor override
    at: datetime  # when it was submitted or closed
    remediation: bool = False


@dataclass(frozen=True)
class ExamStanding:
    exam_key: str
    status: str  # not_taken | passed | failed
    best_score: float | None
    attempts: int


@dataclass(frozen=True)
class Standing:
    exams: dict[str, ExamStanding]
    failures: int            # counted since the last reinstatement
    remediations_used: int   # counted since the last reinstatement
    disqualified: bool
    reason: str | None
    failed_exams: tuple[str, ...] = field(default=())

    @property
    def all_passed(self) -> bool:
        return bool(self.exams) and all(e.status == "passed" for e in self.exams.values())


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remediation: bool
    reason: str


def passed(score: float, rules: ExamRules) -> bool:
    """Return True when a percent score meets the pass mark."""
    return score + 1e-9 >= rules.pass_mark


def standing(rules: ExamRules, exam_keys: Sequence[str], attempts: Iterable[AttemptRecord],
             reinstated_at: Iterable[datetime] = ()) -> Standing:
    """Return where a trainee stands on every graded exam of a course."""
    attempts = sorted(attempts, key=lambda a: a.at)
    since = max(reinstated_at, default=None)
    exams = {}
    for key in exam_keys:
        mine = [a for a in attempts if a.exam_key == key]
        if not mine:
            exams[key] = ExamStanding(key, "not_taken", None, 0)
            continue
        best = max(a.score for a in mine)
        exams[key] = ExamStanding(key, "passed" if passed(best, rules) else "failed", best, len(mine))
    counted = [a for a in attempts if a.exam_key in exams and (since is None or a.at > since)]
    failed = [a for a in counted if not passed(a.score, rules)]
    remediations = sum(1 for a in counted if a.remediation)
    disqualified = len(failed) >= rules.max_failures
    reason = None
    if disqualified:
        names = ", ".join(dict.fromkeys(a.exam_key for a in failed))
        reason = (f"{len(failed)} failed examinations ({names}), the remediation included: "
                  f"{rules.max_failures} failures disqualify under the course rules.")
    return Standing(exams, len(failed), remediations, disqualified, reason,
                    tuple(dict.fromkeys(a.exam_key for a in failed)))


def next_attempt(rules: ExamRules, current: Standing, exam_key: str) -> Decision:
    """Decide whether the trainee may start `exam_key` now, and whether it is the remediation."""
    exam = current.exams.get(exam_key)
    if exam is None:
        return Decision(False, False, "This examination is not part of the course.")
    if current.disqualified:
        return Decision(False, False, "You are disqualified from this course: " + current.reason)
    if exam.status == "passed":
        return Decision(False, False, "You have passed this examination.")
    if exam.status == "not_taken":
        return Decision(True, False, "First attempt.")
    if current.remediations_used < rules.remediations:
        return Decision(True, True, "Remediation examination: your one retake for this course.")
    return Decision(False, False, "You have used the remediation examination this course allows.")
