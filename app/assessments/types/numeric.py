"""Numeric: a number within an accepted range (value ± tolerance, or min..max)."""
from __future__ import annotations

import math

from .base import GradeResult, answer_field, clamp


def parse_number(raw: str) -> float | None:
    """Read a number as people type it: spaces and thousands commas allowed."""
    text = (raw or "").strip().replace(",", "").replace(" ", "")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class Numeric:
    key = "numeric"
    label = "Numeric"

    def validate(self, spec):
        answers = spec.get("answers") or []
        if not answers:
            return ["a numeric question needs an answer"]
        problems = []
        for a in answers:
            bounds = (a.get("min"), a.get("max"))
            if not all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b)
                       for b in bounds):
                problems.append("each numeric answer needs a number")
            elif a["min"] > a["max"]:
                problems.append("a numeric range runs from low to high")
        if not any(a.get("weight", 0) >= 1 for a in answers):
            problems.append("a numeric question needs one fully right answer")
        return problems

    def present(self, spec, rng):
        return {}

    def parse_answer(self, field, values, presentation):
        raw = (values.getlist(field) or [""])[0].strip()
        return {"raw": raw[:40]} if raw else None

    def grade(self, spec, answer):
        value = parse_number(answer_field(answer, "raw", str) or "")
        if value is None:
            return GradeResult(0.0)
        best = 0.0
        for accepted in spec.get("answers") or []:
            if accepted["min"] - 1e-9 <= value <= accepted["max"] + 1e-9:
                best = max(best, float(accepted.get("weight", 0)))
        return GradeResult(clamp(best))

    def correct_answer(self, spec):
        full = next(a for a in spec["answers"] if a.get("weight", 0) >= 1)
        if full["min"] == full["max"]:
            return _number_text(full["min"])
        middle = (full["min"] + full["max"]) / 2
        return f"{_number_text(middle)} (accepted {_number_text(full['min'])} to {_number_text(full['max'])})"


def _number_text(value: float) -> str:
    """Write a number as people read it: 1234567, 0.1234567, 3.5 (no exponent, no float noise)."""
    text = f"{round(value, 9):.9f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
