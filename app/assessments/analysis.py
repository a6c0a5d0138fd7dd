"""Classical item analysis of an exam, for instructors to spot weak questions. Pure.

Input: one record per attempt (an `AttemptRecord`, or a plain mapping of
question key -> item score): the item score of each question the officer was
given, from 0 to 1; optionally the option id(s) chosen per question; and
optionally the attempt total (by default the sum of its item scores, so give
it when questions carry different points).

Per question (`ItemStats`), counting only the attempts that include it (so
exams drawn at random from a bank work too):

* ``facility``: the mean item score, 0 to 1 (the share who got it right, for
  all-or-nothing items). None when nobody took the question.
* ``discrimination``: facility in the upper group minus facility in the lower
  group. Attempts are ranked by total, highest first, ties kept in attempt
  order; the upper group is the first g of that ranking and the lower group
  the last g, with g = max(1, round(0.27 * n)) rounded half up, computed
  exactly (27% of 150 is 40.5: g = 41). None with fewer than 2 attempts.
* ``option_counts``: how many attempts chose each option id; for multiple
  response every chosen id counts (once per attempt). Option ids passed in
  ``options`` are listed even when nobody chose them (a distractor nobody
  picks is doing no work).
* ``flag``: a weak item in words, or None. One flag, the most serious first:

  1. discrimination below ``NEGATIVE_DISCRIMINATION_BELOW`` (0): "negative
     discrimination" -- often a wrong answer key or a trick question;
  2. facility below ``HARD_FACILITY_BELOW`` (0.30): "too hard";
  3. facility above ``EASY_FACILITY_ABOVE`` (0.90): "too easy";
  4. discrimination below ``POOR_DISCRIMINATION_BELOW`` (0.20): "poor
     discrimination" (Ebel's rule of thumb: below 0.20, revise or discard).

  The thresholds are strict: a facility of exactly 0.30 or 0.90, or a
  discrimination of exactly 0.20, is not flagged. Facility and discrimination
  are rounded to ``DECIMALS`` places first, so float noise (0.7 - 0.5 is
  0.19999999999999996) never decides a flag. With a single attempt there is
  no discrimination, so only the facility flags apply.

`exam_stats` summarises attempt scores: n, mean, median, population standard
deviation and pass rate (score >= pass mark). Nothing is computed from no
data: with n = 0 every statistic is None.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

GROUP_SHARE = Fraction(27, 100)
HARD_FACILITY_BELOW = 0.30
EASY_FACILITY_ABOVE = 0.90
POOR_DISCRIMINATION_BELOW = 0.20
NEGATIVE_DISCRIMINATION_BELOW = 0.0
DECIMALS = 9

FLAG_NEGATIVE = "negative discrimination: stronger officers got it wrong more often"
FLAG_TOO_HARD = f"too hard (facility below {HARD_FACILITY_BELOW:.2f})"
FLAG_TOO_EASY = f"too easy (facility above {EASY_FACILITY_ABOVE:.2f})"
FLAG_POOR = f"poor discrimination (below {POOR_DISCRIMINATION_BELOW:.2f})"


@dataclass(frozen=True)
class AttemptRecord:
    """One attempt: item scores by question key, chosen option ids, optional total."""

    scores: Mapping[str, float]
    choices: Mapping[str, str | Iterable[str] | None] = field(default_factory=dict)
    total: float | None = None


@dataclass(frozen=True)
class ItemStats:
    """Classical statistics of one question over the attempts that include it."""

    key: str
    n: int
    facility: float | None
    discrimination: float | None
    option_counts: dict[str, int]
    flag: str | None


@dataclass(frozen=True)
class ExamStats:
    """Summary of attempt scores; every statistic is None when n is 0."""

    n: int
    mean: float | None
    median: float | None
    stdev: float | None
    pass_rate: float | None


def group_size(n: int) -> int:
    """Return the size of the upper and lower groups for n attempts (27%, at least 1)."""
    return max(1, math.floor(GROUP_SHARE * n + Fraction(1, 2)))


def flag_for(facility: float | None, discrimination: float | None) -> str | None:
    """Return the most serious weakness of an item in words, or None."""
    if facility is None:
        return None
    if discrimination is not None and discrimination < NEGATIVE_DISCRIMINATION_BELOW:
        return FLAG_NEGATIVE
    if facility < HARD_FACILITY_BELOW:
        return FLAG_TOO_HARD
    if facility > EASY_FACILITY_ABOVE:
        return FLAG_TOO_EASY
    if discrimination is not None and discrimination < POOR_DISCRIMINATION_BELOW:
        return FLAG_POOR
    return None


def totals(attempts: Iterable[AttemptRecord | Mapping[str, float]]) -> list[float]:
    """Return each attempt's total: the given total, else the sum of its item scores."""
    return [_total(record) for record in _records(attempts)]


def analyze_items(attempts: Iterable[AttemptRecord | Mapping[str, float]], *,
                  keys: Iterable[str] | None = None,
                  options: Mapping[str, Iterable[str]] | None = None) -> list[ItemStats]:
    """Return item statistics per question, in `keys` order (default: first seen)."""
    records = _records(attempts)
    attempt_totals = [_total(record) for record in records]
    if keys is None:
        keys = dict.fromkeys(key for record in records for key in record.scores)
    results = []
    for key in keys:
        taken = [i for i, record in enumerate(records) if key in record.scores]
        scores = [float(records[i].scores[key]) for i in taken]
        n = len(taken)
        facility = _round(math.fsum(scores) / n) if n else None
        discrimination = None
        if n >= 2:
            ranked = sorted(taken, key=lambda i: -attempt_totals[i])  # stable: ties keep attempt order
            g = group_size(n)
            upper = [float(records[i].scores[key]) for i in ranked[:g]]
            lower = [float(records[i].scores[key]) for i in ranked[-g:]]
            discrimination = _round(math.fsum(upper) / g - math.fsum(lower) / g)
        results.append(ItemStats(
            key=key, n=n, facility=facility, discrimination=discrimination,
            option_counts=_option_counts(key, (records[i] for i in taken), (options or {}).get(key, ())),
            flag=flag_for(facility, discrimination)))
    return results


def exam_stats(scores: Iterable[float], pass_mark: float) -> ExamStats:
    """Summarise attempt scores (in the pass mark's units); a score at the mark passes."""
    values = [float(score) for score in scores]
    for score in (*values, pass_mark):
        if not math.isfinite(score):
            raise ValueError(f"scores and the pass mark must be finite numbers, found {score!r}")
    if not values:
        return ExamStats(n=0, mean=None, median=None, stdev=None, pass_rate=None)
    return ExamStats(
        n=len(values),
        mean=_round(math.fsum(values) / len(values)),
        median=_round(statistics.median(values)),
        stdev=_round(statistics.pstdev(values)),
        pass_rate=_round(sum(1 for score in values if score >= pass_mark) / len(values)))


def _records(attempts) -> list[AttemptRecord]:
    """Return the attempts as checked AttemptRecords."""
    records = []
    for index, attempt in enumerate(attempts):
        record = attempt if isinstance(attempt, AttemptRecord) else AttemptRecord(scores=attempt)
        if not isinstance(record.scores, Mapping):
            raise TypeError(f"attempt {index}: item scores must be a mapping of question key to score")
        for key, score in record.scores.items():
            if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
                raise ValueError(f"attempt {index}, question {key!r}: item score must be 0 to 1, found {score!r}")
        if record.total is not None and (isinstance(record.total, bool) or not isinstance(
                record.total, (int, float)) or not math.isfinite(record.total)):
            raise ValueError(f"attempt {index}: total must be a finite number, found {record.total!r}")
        records.append(record)
    return records


def _total(record: AttemptRecord) -> float:
    """Return the given total of an attempt, else the sum of its item scores."""
    return float(record.total) if record.total is not None else math.fsum(map(float, record.scores.values()))


def _option_counts(key: str, records: Iterable[AttemptRecord], known: Iterable[str]) -> dict[str, int]:
    """Count the attempts that chose each option id, most chosen first, then by id."""
    counts = dict.fromkeys(known, 0)
    for record in records:
        for option in _chosen_ids(key, record.choices.get(key)):
            counts[option] = counts.get(option, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _chosen_ids(key: str, chosen) -> list[str]:
    """Return the distinct option ids of one answer: none, one id, or a collection of ids."""
    if chosen is None:
        return []
    if isinstance(chosen, str):
        return [chosen]
    if isinstance(chosen, Mapping) or not isinstance(chosen, Iterable):
        raise TypeError(f"question {key!r}: chosen options must be an id or a list of ids, found {chosen!r}")
    ids = list(dict.fromkeys(chosen))
    if not all(isinstance(option, str) for option in ids):
        raise TypeError(f"question {key!r}: option ids must be strings, found {chosen!r}")
    return ids


def _round(value: float) -> float:
    """Round a statistic so float noise cannot decide a threshold."""
    return round(value, DECIMALS)
