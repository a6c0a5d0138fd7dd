"""Progress through a course version, as pure functions of plain data.

Positions are 1-based places of lessons in the version's order. A course that
requires order lets an officer open a lesson only when every lesson before it
is complete; any course lets them reopen a lesson already completed.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        """Whole percent complete, rounded down so 100 means truly finished."""
        return (100 * self.done) // self.total if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total


def progress(positions: Iterable[int], completed: set[int]) -> Progress:
    """Return how many of `positions` are in `completed`."""
    positions = list(positions)
    return Progress(sum(1 for p in positions if p in completed), len(positions))


def first_incomplete(positions: Sequence[int], completed: set[int]) -> int | None:
    """Return the first position not yet completed, or None when all are."""
    return next((p for p in sorted(positions) if p not in completed), None)


def may_open(position: int, *, positions: Sequence[int], completed: set[int],
             require_order: bool) -> bool:
    """Return True when an officer may open the lesson at `position`."""
    if position not in positions:
        return False
    if not require_order or position in completed:
        return True
    return all(p in completed for p in positions if p < position)


def resume_position(positions: Sequence[int], completed: set[int],
                    last_position: int | None) -> int | None:
    """Return where "Continue" should take an officer.

    The last lesson opened, unless it is complete, in which case the first
    incomplete lesson; None when the course is finished.
    """
    if last_position in positions and last_position not in completed:
        return last_position
    return first_incomplete(positions, completed)
