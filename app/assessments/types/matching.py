"""Matching: each left-hand item takes one of the shuffled right-hand answers.

Partial credit: the score is the share of items matched correctly.
"""
from __future__ import annotations

from .base import GradeResult, answer_field, shuffled


class Matching:
    key = "matching"
    label = "Matching"

    def validate(self, spec):
        pairs = spec.get("pairs") or []
        problems = []
        if len(pairs) < 2:
            problems.append("a matching question needs at least 2 pairs")
        if len({p.get("id") for p in pairs}) != len(pairs):
            problems.append("two left-hand items are the same")
        if any(not p.get("right_id") for p in pairs):
            problems.append("every pair needs a right-hand answer")
        return problems

    def _right_ids(self, spec):
        ids = [p["right_id"] for p in spec.get("pairs") or []]
        ids += [d["id"] for d in spec.get("distractors") or []]
        return list(dict.fromkeys(ids))  # two items may share one answer

    def present(self, spec, rng):
        return {"left": shuffled([p["id"] for p in spec.get("pairs") or []], rng),
                "right": shuffled(self._right_ids(spec), rng)}

    def parse_answer(self, field, values, presentation):
        right = set(presentation.get("right", ()))
        pairs = {}
        for left in presentation.get("left", ()):
            chosen = (values.getlist(f"{field}-{left}") or [""])[0]
            if chosen in right:
                pairs[left] = chosen
        return {"pairs": pairs} if pairs else None

    def grade(self, spec, answer):
        pairs = spec.get("pairs") or []
        given = answer_field(answer, "pairs", dict)
        if not given or not pairs:
            return GradeResult(0.0)
        right = sum(1 for p in pairs if given.get(p["id"]) == p["right_id"])
        return GradeResult(right / len(pairs))

    def correct_answer(self, spec):
        return "; ".join(f"{p['left']} → {p['right']}" for p in spec.get("pairs") or [])
