"""True or false."""
from __future__ import annotations

from .base import GradeResult, answer_field


class TrueFalse:
    key = "truefalse"
    label = "True or false"

    def validate(self, spec):
        return [] if isinstance(spec.get("answer"), bool) else ["a true/false question needs answer: true or false"]

    def present(self, spec, rng):
        return {}

    def parse_answer(self, field, values, presentation):
        raw = (values.getlist(field) or [""])[0]
        return {"value": raw == "true"} if raw in ("true", "false") else None

    def grade(self, spec, answer):
        value = answer_field(answer, "value", bool)
        if value is None:
            return GradeResult(0.0)
        return GradeResult(1.0 if value is spec["answer"] else 0.0)

    def correct_answer(self, spec):
        return "True" if spec.get("answer") else "False"
