"""Single choice and multiple response: options with weights.

Single choice: the chosen option's weight is the score (1 for the right one;
GIFT may give partial weights). Multiple response: either all-or-nothing
(the chosen set must equal the set of right options) or, for GIFT imports,
the sum of the chosen options' weights, clamped to 0..1.
"""
from __future__ import annotations

from .base import GradeResult, answer_field, clamp, shuffled


def _options(spec):
    return spec.get("options") or []


class _OptionsQuestion:
    """What single choice and multiple response share: a list of options shown in shuffled order."""

    noun = ""
    limits = (2, 8)

    def _option_problems(self, options) -> list[str]:
        low, high = self.limits
        problems = []
        if not low <= len(options) <= high:
            problems.append(f"a {self.noun} question needs {low} to {high} options")
        if len({o.get("id") for o in options}) != len(options):
            problems.append("two options have the same text")
        return problems

    def present(self, spec, rng):
        ids = [o["id"] for o in _options(spec)]
        return {"order": shuffled(ids, rng) if spec.get("shuffle", True) else ids}


class SingleChoice(_OptionsQuestion):
    key = "single"
    label = "Single choice"
    noun, limits = "single-choice", (2, 8)

    def validate(self, spec):
        options = _options(spec)
        problems = self._option_problems(options)
        if sum(1 for o in options if o.get("weight", 0) >= 1) != 1:
            problems.append("a single-choice question needs exactly one right option")
        return problems

    def parse_answer(self, field, values, presentation):
        chosen = [v for v in values.getlist(field) if v in presentation.get("order", ())]
        return {"choice": chosen[0]} if chosen else None

    def grade(self, spec, answer):
        choice = answer_field(answer, "choice", str)
        weights = {o["id"]: float(o.get("weight", 0)) for o in _options(spec)}
        return GradeResult(clamp(weights.get(choice, 0.0)) if choice else 0.0)

    def correct_answer(self, spec):
        return next((o["text"] for o in _options(spec) if o.get("weight", 0) >= 1), "")


class MultipleResponse(_OptionsQuestion):
    key = "multiple"
    label = "Multiple response"
    noun, limits = "multiple-response", (2, 10)

    def validate(self, spec):
        options = _options(spec)
        problems = self._option_problems(options)
        if not any(o.get("weight", 0) > 0 for o in options):
            problems.append("a multiple-response question needs at least one right option")
        if spec.get("scoring", "all_or_nothing") not in ("all_or_nothing", "weights"):
            problems.append("scoring must be all_or_nothing or weights")
        elif spec.get("scoring") == "weights" and \
                round(sum(o.get("weight", 0) for o in options if o.get("weight", 0) > 0), 6) < 1:
            problems.append("the right options' weights must add up to 100%")
        return problems

    def parse_answer(self, field, values, presentation):
        allowed = set(presentation.get("order", ()))
        chosen = sorted({v for v in values.getlist(field) if v in allowed})
        return {"choices": chosen} if chosen else None

    def grade(self, spec, answer):
        choices = answer_field(answer, "choices", list)
        if not choices:
            return GradeResult(0.0)
        chosen = {c for c in choices if isinstance(c, str)}
        options = _options(spec)
        if spec.get("scoring", "all_or_nothing") == "all_or_nothing":
            right = {o["id"] for o in options if o.get("weight", 0) > 0}
            return GradeResult(1.0 if chosen == right else 0.0)
        return GradeResult(clamp(sum(float(o.get("weight", 0)) for o in options if o["id"] in chosen)))

    def correct_answer(self, spec):
        return "; ".join(o["text"] for o in _options(spec) if o.get("weight", 0) > 0)
