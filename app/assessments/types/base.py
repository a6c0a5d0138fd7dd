"""What every question type provides, and the small shared pieces. Pure: no Flask, no database.

A question's `spec` is plain JSON holding its options and answer key; it is
never sent to the browser. An attempt freezes a `presentation` (the order the
officer sees) and stores the officer's `answer`, both plain JSON too.
"""
from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping, Protocol


@dataclass(frozen=True)
class GradeResult:
    """The score of one answer, from 0 to 1."""

    score: float

    @property
    def correct(self) -> bool:
        return self.score >= 1.0


class FormValues(Protocol):
    def getlist(self, key: str) -> list[str]: ...


class QuestionType(Protocol):
    key: str
    label: str

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        """Return what is wrong with a spec (empty when it is usable)."""

    def present(self, spec: Mapping[str, Any], rng: random.Random) -> dict:
        """Return the frozen presentation for one attempt (shuffled order, no key)."""

    def parse_answer(self, field: str, values: FormValues, presentation: Mapping) -> dict | None:
        """Read an answer from submitted form values; None when left blank."""

    def grade(self, spec: Mapping[str, Any], answer: Mapping | None) -> GradeResult:
        """Score an answer from 0 to 1."""

    def correct_answer(self, spec: Mapping[str, Any]) -> str:
        """Describe the right answer in words, for review after the exam."""


def option_id(question_key: str, text: str) -> str:
    """Return an opaque, stable id for an option (its source order must not leak)."""
    return hashlib.sha256(f"{question_key}\x00{text}".encode()).hexdigest()[:10]


def clamp(score: float) -> float:
    """Keep a score within 0..1, rounding away float noise (three 33.33% weights make 1)."""
    return max(0.0, min(1.0, round(score, 6)))


def answer_field(answer, name: str, kind: type | tuple[type, ...]):
    """Return answer[name] if the answer is a dict and the value has the expected type.

    Stored answers come from the browser; anything of the wrong shape scores 0
    rather than raising.
    """
    if not isinstance(answer, dict):
        return None
    value = answer.get(name)
    return value if isinstance(value, kind) and not (kind is not bool and isinstance(value, bool)) else None


_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)


def normalize_text(text: str) -> str:
    """Fold case, Unicode forms, punctuation and spacing, to compare short answers."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _PUNCTUATION.sub(" ", text)
    return " ".join(text.split())


def shuffled(items: list, rng: random.Random) -> list:
    items = list(items)
    rng.shuffle(items)
    return items
