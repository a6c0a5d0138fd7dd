"""Progress, ordering and resume rules."""
import pytest

from app.courses.progress import first_incomplete, may_open, progress, resume_position

POSITIONS = [1, 2, 3, 4, 5]


@pytest.mark.parametrize("completed, done, percent, complete", [
    (set(), 0, 0, False),
    ({1}, 1, 20, False),
    ({1, 2, 4}, 3, 60, False),
    ({1, 2, 3, 4, 5}, 5, 100, True),
    ({1, 2, 3, 99}, 3, 60, False),   # completions outside the set do not count
])
def test_progress(completed, done, percent, complete):
    result = progress(POSITIONS, completed)
    assert (result.done, result.total, result.percent, result.complete) == (done, 5, percent, complete)


def test_progress_rounds_down_and_handles_empty():
    assert progress([1, 2, 3], {1, 2}).percent == 66
    assert progress([], set()).percent == 0 and not progress([], set()).complete


@pytest.mark.parametrize("position, completed, require_order, allowed", [
    (1, set(), True, True),          # the first lesson is always open
    (2, set(), True, False),         # in order: the one before must be done
    (2, {1}, True, True),
    (4, {1, 2}, True, False),        # a gap before it
    (4, {1, 2, 3}, True, True),
    (3, {1, 2, 3}, True, True),      # reopening a finished lesson
    (5, {5}, True, True),            # completed earlier (before order was required)
    (5, set(), False, True),         # free order: anything open
    (6, set(), False, False),        # not in the course
])
def test_may_open(position, completed, require_order, allowed):
    assert may_open(position, positions=POSITIONS, completed=completed,
                    require_order=require_order) is allowed


@pytest.mark.parametrize("completed, last, expected", [
    (set(), None, 1),
    ({1, 2}, None, 3),
    ({1, 2}, 4, 4),         # resume where they left off
    ({1, 2, 4}, 4, 3),      # last opened is done: first incomplete
    ({1, 2, 3, 4, 5}, 5, None),
    ({1}, 42, 2),           # a stale position from another version is ignored
])
def test_resume_position(completed, last, expected):
    assert resume_position(POSITIONS, completed, last) == expected


def test_first_incomplete_ignores_order_of_input():
    assert first_incomplete([3, 1, 2], {1}) == 2
