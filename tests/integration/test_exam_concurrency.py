"""One attempt, many simultaneous requests, on the real database (SQLite or PostgreSQL).

Each thread has its own app context and so its own database session and
connection, loads the attempt the way a request would, then waits at a
barrier so that all of them call the service at the same moment. Every wait
is bounded, so a lock that is never released fails the test instead of
hanging it.
"""
from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.assessments.attempts import ExamError, attempt_save_answer, attempt_start, attempt_submit
from app.assessments.models import AttemptAnswer, CourseCompletion, Disqualification, ExamAttempt
from app.assessments.types import QUESTION_TYPES
from app.audit import AuditEntry, audit_verify
from app.extensions import db
from tests.concurrency import run_together
from tests.integration.test_exams import T0, complete_weeks, form_values, revisions_of




class Clock:
    """A clock each thread reads as it acts: strictly increasing, like the server's."""

    def __init__(self, start):
        self._now, self._lock = start, threading.Lock()

    def __call__(self):
        with self._lock:
            self._now += timedelta(milliseconds=1)
            return self._now


def submit_job(attempt_id: int, values, now):
    def job(go):
        attempt = db.session.get(ExamAttempt, attempt_id)
        go()
        return attempt_submit(attempt=attempt, values=values, now=now() if callable(now) else now)
    return job


def save_job(attempt_id: int, index: int, values, now):
    """Returns "saved", or the reason the save was refused."""
    def job(go):
        attempt = db.session.get(ExamAttempt, attempt_id)
        go()
        try:
            attempt_save_answer(attempt=attempt, index=index, values=values,
                                now=now() if callable(now) else now)
        except ExamError as refused:
            return str(refused)
        return "saved"
    return job


@pytest.fixture()
def enrollment(make):
    world = make.course_world()
    training_class = make.training_class(world["version"], make.user("instructor"))
    enrollment = make.enroll(training_class, make.user("officer"))
    complete_weeks(enrollment, 1)
    return enrollment


def fresh(model, *where):
    db.session.expire_all()
    return db.session.execute(select(model).where(*where)).scalars().all()


def count_entries(action: str) -> int:
    return db.session.execute(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == action)).scalar_one()


@pytest.mark.parametrize("threads", [2, 8])
def test_simultaneous_submissions_of_one_attempt_score_it_once(app, runner, enrollment, threads):
    attempt = attempt_start(enrollment=enrollment, exam_key="iadp-exam-1", now=T0, rng=random.Random(5))
    # Each submission sends its own form (different tabs): whichever wins, only it counts.
    forms = [form_values(attempt, right=len(attempt.items) - n) for n in range(threads)]
    jobs = [submit_job(attempt.id, forms[n], T0 + timedelta(minutes=20)) for n in range(threads)]

    results = run_together(app, jobs)

    assert sorted(results) == [False] * (threads - 1) + [True], results
    winner = results.index(True)
    [closed] = fresh(ExamAttempt)
    assert closed.status == "submitted" and closed.closed_at == T0 + timedelta(minutes=20)
    assert closed.score == round(100 * (len(attempt.items) - winner) / len(attempt.items), 2)
    assert len(closed.item_scores) == len(attempt.items)
    answers = fresh(AttemptAnswer, AttemptAnswer.attempt_id == attempt.id)
    assert sorted(a.index for a in answers) == list(range(len(attempt.items)))
    assert count_entries("exam.score") == 1
    assert fresh(Disqualification) == [] and fresh(CourseCompletion) == []
    assert audit_verify().ok
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_simultaneous_submissions_of_a_deciding_attempt_disqualify_once(app, runner, enrollment):
    """The remediation that fails: eight submissions must still open one disqualification."""
    first = attempt_start(enrollment=enrollment, exam_key="iadp-exam-1", now=T0, rng=random.Random(1))
    assert attempt_submit(attempt=first, values=form_values(first, right=0), now=T0 + timedelta(minutes=10))
    retake = attempt_start(enrollment=enrollment, exam_key="iadp-exam-1", now=T0 + timedelta(hours=1),
                           rng=random.Random(2))
    assert retake.remediation
    values = form_values(retake, right=0)
    results = run_together(app, [submit_job(retake.id, values, T0 + timedelta(hours=1, minutes=5))
                                 for _ in range(8)])
    assert results.count(True) == 1
    assert count_entries("exam.score") == 2 and count_entries("enrollment.disqualify") == 1
    assert len(fresh(Disqualification)) == 1
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_simultaneous_autosaves_to_one_question_leave_one_row(app, enrollment):
    attempt = attempt_start(enrollment=enrollment, exam_key="iadp-exam-1", now=T0, rng=random.Random(5))
    index = next(n for n, r in enumerate(revisions_of(attempt)) if r.type == "single")
    options = attempt.items[index]["presentation"]["order"]
    # Writer n chooses option n (cycling) and saves at T0 + n seconds.
    jobs = [save_job(attempt.id, index, MultiDict([(f"q{index}", options[n % len(options)])]),
                     T0 + timedelta(seconds=n + 1)) for n in range(8)]

    results = run_together(app, jobs)

    assert results == ["saved"] * 8
    [row] = fresh(AttemptAnswer, AttemptAnswer.attempt_id == attempt.id)
    assert row.index == index
    writer = int((row.saved_at - T0).total_seconds()) - 1
    assert row.answer == {"choice": options[writer % len(options)]}, "the row mixes two writes"
    # And the last write wins: one more save replaces it.
    later = MultiDict([(f"q{index}", options[0])])
    attempt_save_answer(attempt=fresh(ExamAttempt)[0], index=index, values=later, now=T0 + timedelta(minutes=1))
    [row] = fresh(AttemptAnswer, AttemptAnswer.attempt_id == attempt.id)
    assert row.answer == {"choice": options[0]} and row.saved_at == T0 + timedelta(minutes=1)


@pytest.mark.parametrize("exam_key", ["iadp-exam-1", "iadp-quiz-1"])
def test_a_save_racing_a_submit_never_lands_after_the_close(app, enrollment, exam_key):
    clock = Clock(T0)
    rounds = 1 if exam_key == "iadp-exam-1" else 6  # a practice quiz can be taken again and again
    for n in range(rounds):
        attempt = attempt_start(enrollment=enrollment, exam_key=exam_key, now=clock(), rng=random.Random(n))
        # The autosave sends a wrong answer to question 0; the submitted form has it right.
        first = revisions_of(attempt)[0]
        late_change = form_values(attempt, right=0, only={0})
        form = form_values(attempt)
        saved, scored = run_together(app, [save_job(attempt.id, 0, late_change, clock),
                                           submit_job(attempt.id, form, clock)])

        assert scored is True
        assert saved == "saved" or saved.startswith("This attempt has been submitted"), saved
        [closed] = fresh(ExamAttempt, ExamAttempt.id == attempt.id)
        answers = fresh(AttemptAnswer, AttemptAnswer.attempt_id == attempt.id)
        assert closed.status == "submitted"
        late = [(a.index, a.saved_at) for a in answers if a.saved_at > closed.closed_at]
        assert late == [], f"answers saved after the close at {closed.closed_at}: {late}"
        assert closed.score == 100.0 and closed.item_scores[0] == 1.0
        # What is stored is what was scored: the form's right answer, not the refused late change.
        stored = next(a.answer for a in answers if a.index == 0)
        assert QUESTION_TYPES[first.type].grade(first.spec, stored).score == 1.0, stored
