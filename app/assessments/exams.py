"""Which questions an examination draws, as pure functions.

A draw filters the question pool by any of: the weeks of the course whose
lessons the questions examine, subject area, bank, and tag; then takes
`count` at random. Fixed questions come first; draws never repeat a question.
"""
from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionMeta:
    key: str
    bank: str
    subject: str
    lesson: str
    tags: tuple[str, ...] = ()


def draw_pool(draw: Mapping, questions: Iterable[QuestionMeta],
              lesson_week: Mapping[str, int]) -> list[QuestionMeta]:
    """Return the questions a draw may choose from, in a stable order."""
    weeks = set(draw.get("weeks") or ())
    pool = []
    for q in questions:
        if weeks and lesson_week.get(q.lesson) not in weeks:
            continue
        if draw.get("subject") and q.subject != draw["subject"]:
            continue
        if draw.get("bank") and q.bank != draw["bank"]:
            continue
        if draw.get("tag") and draw["tag"] not in q.tags and draw["tag"] != q.subject:
            continue
        pool.append(q)
    return sorted(pool, key=lambda q: q.key)


def pool_problems(exam: Mapping, questions: Sequence[QuestionMeta],
                  lesson_week: Mapping[str, int]) -> list[str]:
    """Return why an exam cannot be assembled from the pool (empty when it can)."""
    known = {q.key for q in questions}
    problems = [f"exam '{exam['id']}': unknown question '{key}'"
                for key in exam.get("questions", ()) if key not in known]
    taken = set(exam.get("questions", ()))
    for draw in exam.get("draws", ()):
        available = [q for q in draw_pool(draw, questions, lesson_week) if q.key not in taken]
        if len(available) < draw["count"]:
            problems.append(
                f"exam '{exam['id']}': a draw asks for {draw['count']} questions "
                f"but only {len(available)} match {dict((k, v) for k, v in draw.items() if k != 'count')}")
        taken |= {q.key for q in available[:draw["count"]]}
    return problems


def choose_questions(exam: Mapping, questions: Sequence[QuestionMeta],
                     lesson_week: Mapping[str, int], rng: random.Random) -> list[str]:
    """Return the question keys for one attempt: fixed ones, then each draw, shuffled."""
    chosen = list(dict.fromkeys(exam.get("questions", ())))
    taken = set(chosen)
    for draw in exam.get("draws", ()):
        available = [q.key for q in draw_pool(draw, questions, lesson_week) if q.key not in taken]
        picked = rng.sample(available, min(draw["count"], len(available)))
        chosen.extend(picked)
        taken.update(picked)
    rng.shuffle(chosen)
    return chosen


def lesson_weeks(weeks: Sequence[tuple[str, Sequence[str]]]) -> dict[str, int]:
    """Map each lesson key to its 1-based week, from [(week title, [lesson keys])]."""
    return {key: n for n, (_title, keys) in enumerate(weeks, start=1) for key in keys}
