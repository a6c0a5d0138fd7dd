"""Exam attempts and lesson progress for the national-scale demo, as pure functions.

An attempt stores the questions it asked (`items`: revision id and frozen
presentation, the shape `attempt_start` writes) and one score per question
(`item_scores`), from which `score` and `passed` follow under the course
rules. Drawing 600,000 attempts from the banks one by one would dominate the
run, so each exam gets a few dozen forms, each a real draw by
`choose_questions` with options shuffled by the question type, serialized
once (compact JSON); an attempt takes one form. Item scores come from a small
item-response model (officer ability against question difficulty, with a few
questions that discriminate poorly or the wrong way), so the item analysis
page shows facility and discrimination that vary by question, while each
graded attempt passes or fails as the plan decided. Saved answers
(`attempt_answer`) are not generated: one row per question asked would be
about eight million rows; the review pages then read "No answer".
"""
from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from app.assessments.exams import QuestionMeta, choose_questions
from app.assessments.rules import AttemptRecord, ExamRules, standing
from app.assessments.types import QUESTION_TYPES
from app.main.national.plan import CourseSpec, EnrollmentPlan

MEAN_ABILITY = 2.1
P_EXPIRED = 0.015   # graded attempts closed by the clock rather than submitted


@dataclass(frozen=True)
class Question:
    revision_id: int
    type: str
    spec: dict
    difficulty: float
    slope: float        # 1: a good item; near 0: poor discrimination; negative: the wrong way


def question_traits(rng: random.Random) -> tuple[float, float]:
    """Difficulty and slope of one question: most are sound, a few too hard, too easy or misleading."""
    roll = rng.random()
    if roll < 0.04:
        return rng.gauss(4.0, 0.4), 1.0       # too hard
    if roll < 0.10:
        return rng.gauss(-2.5, 0.5), 1.0      # too easy
    if roll < 0.13:
        return rng.gauss(0.0, 0.5), 0.1       # poor discrimination
    if roll < 0.15:
        return rng.gauss(0.5, 0.4), -0.8      # the key is probably wrong
    return rng.gauss(0.0, 0.8), 1.0


@dataclass(frozen=True)
class ExamForm:
    items_json: str
    questions: tuple[Question, ...]


def build_forms(rng: random.Random, exam: dict, metas: list[QuestionMeta], lesson_week: dict[str, int],
                questions: dict[str, Question], count: int) -> list[ExamForm]:
    """Draw `count` forms of an exam the way `attempt_start` does; serialize each once."""
    forms = []
    for _ in range(count):
        keys = choose_questions(exam, metas, lesson_week, rng)
        chosen = [questions[k] for k in keys]
        items = [{"revision_id": q.revision_id, "presentation": QUESTION_TYPES[q.type].present(q.spec, rng)}
                 for q in chosen]
        forms.append(ExamForm(json.dumps(items, separators=(",", ":")), tuple(chosen)))
    return forms


def passing_count(n: int, pass_mark: float) -> int:
    """The fewest right answers out of n that pass, by the app's own rounding and tolerance."""
    return next((k for k in range(n + 1) if round(100 * k / n, 2) + 1e-9 >= pass_mark), n + 1)


class Scorer:
    """Draw item scores for one attempt; probabilities cached per form and ability level."""

    def __init__(self, pass_mark: float):
        self.pass_mark = pass_mark
        self._p: dict[tuple[int, float], list[float]] = {}

    def _probabilities(self, form: ExamForm, ability: float) -> list[float]:
        level = round(ability * 4) / 4
        key = (id(form), level)
        if key not in self._p:
            self._p[key] = [1 / (1 + math.exp(-((MEAN_ABILITY - q.difficulty) + q.slope * (level - MEAN_ABILITY))))
                            for q in form.questions]
        return self._p[key]

    def draw(self, rng: random.Random, form: ExamForm, ability: float, want: bool | None) -> list[int]:
        """Return 0/1 per question; when `want` is given, the attempt passes (True) or fails (False)."""
        if want is False:
            ability -= 1.4
        chances = self._probabilities(form, ability)
        need = passing_count(len(chances), self.pass_mark)
        draws = []
        for _ in range(4):
            draws = [1 if rng.random() < p else 0 for p in chances]
            if want is None or (sum(draws) >= need) == want:
                return draws
        order = list(range(len(draws)))
        rng.shuffle(order)
        for i in order:   # nudge the last draw over (or under) the pass mark
            if (sum(draws) >= need) == want:
                break
            draws[i] = 1 if want else 0
        return draws


_SCORE_TEXT = ("0.0", "1.0")


@dataclass
class EnrollmentOutcome:
    """What one enrollment's attempts add up to."""

    attempts: list[dict]
    lessons: list[dict]
    last_position: int | None
    completed_at: datetime | None = None
    scores: dict | None = None
    disqualified_at: datetime | None = None
    disqualified_reason: str | None = None


def _at(day, minutes: int) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(minutes=minutes)


def enrollment_outcome(rng: random.Random, plan: EnrollmentPlan, *, enrollment_id: int, version_id: int,
                       spec: CourseSpec, forms: dict[str, list[ExamForm]], limits: dict[str, int | None],
                       lesson_revisions: list[int], rules: ExamRules, ability: float,
                       scorer: Scorer) -> EnrollmentOutcome:
    """Expand one planned enrollment into attempt and lesson-completion rows, in time order."""
    events = []   # (started_at, exam key, kind, remediation, want)
    for key, day in spec.practice:
        count = plan.practice.get(key, 0)
        span = max(1, min(plan.reached_day, day + 6) - day + 1)
        per_day = max(1, math.ceil(count / span))
        for j in range(count):
            start = plan.start + timedelta(days=day + j // per_day)
            events.append((_at(start, 12 * 60 + 25 * (j % per_day) + rng.randint(0, 10)), key, "practice", False, None))
    for key, day, passed, remediation in plan.graded:
        events.append((_at(plan.start + timedelta(days=day), 15 * 60 + rng.randint(0, 120)), key, "graded",
                       remediation, passed))
    events.sort(key=lambda e: e[0])
    numbers: dict[str, int] = {}
    attempts, records, best = [], [], {}
    completed_at = disqualified_at = None
    for started, key, kind, remediation, want in events:
        form = forms[key][rng.randrange(len(forms[key]))]
        draws = scorer.draw(rng, form, ability, want)
        score = round(100 * sum(draws) / len(draws), 2)
        limit = limits.get(key)
        deadline = started + timedelta(minutes=limit) if limit else None
        expired = kind == "graded" and limit and rng.random() < P_EXPIRED
        closed = deadline if expired else started + timedelta(
            minutes=rng.randint(6, max(7, (limit or 25) - 3)), seconds=rng.randint(0, 59))
        numbers[key] = numbers.get(key, 0) + 1
        attempts.append({
            "enrollment_id": enrollment_id, "course_version_id": version_id, "exam_key": key, "kind": kind,
            "number": numbers[key], "remediation": remediation, "started_at": started, "deadline": deadline,
            "closed_at": closed, "status": "expired" if expired else "submitted", "items": form.items_json,
            "item_scores": "[" + ",".join([_SCORE_TEXT[d] for d in draws]) + "]", "score": score,
            "passed": score + 1e-9 >= rules.pass_mark})
        if kind == "graded":
            records.append(AttemptRecord(key, score, closed, remediation))
            best[key] = max(best.get(key, 0.0), score)
            if want:
                completed_at = closed
            elif sum(1 for r in records if r.score + 1e-9 < rules.pass_mark) >= rules.max_failures:
                disqualified_at = closed
    outcome = EnrollmentOutcome(attempts, [], None)
    if plan.completed_day is not None:
        outcome.completed_at, outcome.scores = completed_at, best
    elif disqualified_at is not None:
        outcome.disqualified_at = disqualified_at
        outcome.disqualified_reason = standing(rules, [k for k, _ in spec.graded], records).reason
    per_day: dict[int, int] = {}
    for position, day in enumerate(spec.lesson_days, start=1):
        if day > plan.reached_day:
            continue
        per_day[day] = per_day.get(day, 0) + 1
        outcome.lessons.append({
            "enrollment_id": enrollment_id, "position": position, "lesson_revision_id": lesson_revisions[position - 1],
            "completed_at": _at(plan.start + timedelta(days=day), 10 * 60 + 20 * per_day[day] + rng.randint(0, 15))})
        outcome.last_position = position
    return outcome
