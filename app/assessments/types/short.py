"""Short text: matched against accepted answers ignoring case, punctuation and spacing."""
from __future__ import annotations

from .base import GradeResult, answer_field, clamp, normalize_text


class ShortText:
    key = "short"
    label = "Short answer"

    def validate(self, spec):
        answers = spec.get("answers") or []
        if not answers or not any(a.get("weight", 0) >= 1 for a in answers):
            return ["a short-answer question needs at least one accepted answer"]
        if any(not normalize_text(a.get("text", "")) for a in answers):
            return ["an accepted answer is empty once punctuation is removed"]
        return []

    def present(self, spec, rng):
        return {}

    def parse_answer(self, field, values, presentation):
        text = (values.getlist(field) or [""])[0].strip()
        return {"text": text[:200]} if text else None

    def grade(self, spec, answer):
        given = normalize_text(answer_field(answer, "text", str) or "")
        if not given:
            return GradeResult(0.0)
        best = 0.0
        for accepted in spec.get("answers") or []:
            if normalize_text(accepted["text"]) == given:
                best = max(best, float(accepted.get("weight", 0)))
        return GradeResult(clamp(best))

    def correct_answer(self, spec):
        return " or ".join(a["text"] for a in spec["answers"] if a.get("weight", 0) >= 1)
