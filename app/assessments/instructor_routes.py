"""Instructors' views of examinations: gradebook (and CSV), attempt detail, score
override, item analysis, and reinstatement after disqualification."""
from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DecimalField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from app.assessments.analysis import AttemptRecord as ItemAttempt
from app.assessments.analysis import analyze_items, exam_stats
from app.assessments.attempts import ExamError, attempt_revisions_and_answers, graded_keys
from app.assessments.completion import attempt_override, enrollment_reinstate
from app.assessments.models import (
    AttemptAnswer, CourseCompletion, Disqualification, ExamAttempt, QuestionRevision,
)
from app.assessments.routes import bp, describe_answer
from app.assessments.rules import ExamRules, passed
from app.assessments.types import QUESTION_TYPES
from app.auth.decorators import roles_required
from app.auth.roles import Role
from app.courses.class_routes import _class_or_404
from app.courses.models import Enrollment, TrainingClass
from app.extensions import db
from app.models import utcnow

VIEWERS = (Role.INSTRUCTOR, Role.MANAGER, Role.ADMIN)
MANAGERS = (Role.INSTRUCTOR, Role.ADMIN)


class OverrideForm(FlaskForm):
    score = DecimalField("Corrected score (percent)", places=2,
                         validators=[DataRequired(), NumberRange(min=0, max=100)])
    reason = TextAreaField("Reason (kept in the audit log)",
                           validators=[DataRequired(), Length(min=10, max=2000)])


class ReinstateForm(FlaskForm):
    reason = TextAreaField("Reason for reinstatement (kept in the audit log)",
                           validators=[DataRequired(), Length(min=10, max=2000)])


def _gradebook_rows(training_class: TrainingClass):
    """Officers × graded exams, in four queries whatever the class size."""
    version = training_class.course_version
    exams = [e for e in version.exams or [] if e["kind"] == "graded"]
    enrollments = db.session.execute(
        select(Enrollment).where(Enrollment.class_id == training_class.id)
        .options(db.joinedload(Enrollment.officer))).scalars().all()
    ids = [e.id for e in enrollments]
    attempts = db.session.execute(select(ExamAttempt).where(
        ExamAttempt.enrollment_id.in_(ids), ExamAttempt.kind == "graded")
        .order_by(ExamAttempt.id)).scalars().all() if ids else []
    disqualified = {d.enrollment_id: d for d in db.session.execute(select(Disqualification).where(
        Disqualification.enrollment_id.in_(ids), Disqualification.reversed_at.is_(None))).scalars()} if ids else {}
    completed = {c.enrollment_id: c for c in db.session.execute(select(CourseCompletion).where(
        CourseCompletion.enrollment_id.in_(ids))).scalars()} if ids else {}
    by_cell: dict[tuple[int, str], list[ExamAttempt]] = {}
    for attempt in attempts:
        by_cell.setdefault((attempt.enrollment_id, attempt.exam_key), []).append(attempt)
    rows = [{"enrollment": e, "cells": [by_cell.get((e.id, exam["id"]), []) for exam in exams],
             "disqualification": disqualified.get(e.id), "completion": completed.get(e.id)}
            for e in sorted(enrollments, key=lambda e: e.officer.name)]
    return exams, rows


@bp.route("/classes/<int:class_id>/gradebook")
@roles_required(*VIEWERS)
def gradebook(class_id: int):
    """The class gradebook; `?format=csv` downloads it."""
    training_class = _class_or_404(class_id, manage=False)
    exams, rows = _gradebook_rows(training_class)
    rules = ExamRules.from_mapping(training_class.course_version.rules)
    if request.args.get("format") == "csv":
        return _gradebook_csv(training_class, exams, rows, rules)
    can_manage = current_user.role == Role.ADMIN or any(
        i.id == current_user.id for i in training_class.instructors)
    return render_template("assessments/gradebook.html", training_class=training_class,
                           exams=exams, rows=rows, rules=rules, can_manage=can_manage,
                           reinstate_form=ReinstateForm())


def _gradebook_csv(training_class, exams, rows, rules) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["officer", "email", "agency_id"]
                    + [f"{e['id']} score" for e in exams] + [f"{e['id']} attempts" for e in exams]
                    + ["status"])
    for row in rows:
        officer = row["enrollment"].officer
        latest = [cell[-1].effective_score if cell and not cell[-1].is_open else "" for cell in row["cells"]]
        counts = [len(cell) for cell in row["cells"]]
        status = ("disqualified" if row["disqualification"] else
                  "complete" if row["completion"] else "in progress")
        writer.writerow([officer.name, officer.email, officer.agency_id or ""] + latest + counts + [status])
    filename = f"gradebook-class-{training_class.id}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _attempt_for_staff(attempt_id: int, *, manage: bool) -> ExamAttempt:
    attempt = db.session.get(ExamAttempt, attempt_id) or abort(404)
    _class_or_404(attempt.enrollment.class_id, manage=manage)
    return attempt


@bp.route("/attempts/<int:attempt_id>/detail")
@roles_required(*VIEWERS)
def attempt_detail(attempt_id: int):
    """One attempt as graded: each answer, the right answer and the item score."""
    attempt = _attempt_for_staff(attempt_id, manage=False)
    revisions, answers = attempt_revisions_and_answers(attempt)
    questions = []
    for index, item in enumerate(attempt.items):
        revision = revisions[item["revision_id"]]
        view = {"index": index, "type": revision.type, "answer": answers.get(index) or {}}
        questions.append({
            "index": index, "revision": revision,
            "given": describe_answer(view, revision.spec),
            "correct": QUESTION_TYPES[revision.type].correct_answer(revision.spec),
            "score": attempt.item_scores[index] if attempt.item_scores else None,
        })
    training_class = attempt.enrollment.training_class
    can_manage = current_user.role == Role.ADMIN or any(
        i.id == current_user.id for i in training_class.instructors)
    form = OverrideForm()
    return render_template("assessments/attempt_detail.html", attempt=attempt,
                           questions=questions, form=form, can_manage=can_manage,
                           training_class=training_class)


@bp.route("/attempts/<int:attempt_id>/override", methods=["POST"])
@roles_required(*MANAGERS)
def override(attempt_id: int):
    """Correct a graded attempt's score, with a written reason (audited)."""
    attempt = _attempt_for_staff(attempt_id, manage=True)
    form = OverrideForm()
    if not form.validate_on_submit():
        flash("Give a score from 0 to 100 and a reason of at least a sentence.", "error")
    else:
        try:
            attempt_override(attempt=attempt, score=float(form.score.data), reason=form.reason.data,
                             actor=current_user, now=utcnow())
        except ExamError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            flash("Score corrected and recorded in the audit log.", "success")
    return redirect(url_for("assessments.attempt_detail", attempt_id=attempt.id))


@bp.route("/enrollments/<int:enrollment_id>/reinstate", methods=["POST"])
@roles_required(*MANAGERS)
def reinstate(enrollment_id: int):
    """Reverse a disqualification in writing (audited)."""
    enrollment = db.session.get(Enrollment, enrollment_id) or abort(404)
    _class_or_404(enrollment.class_id, manage=True)
    form = ReinstateForm()
    if not form.validate_on_submit():
        flash("Give the reason for the reinstatement in a sentence.", "error")
    else:
        try:
            enrollment_reinstate(enrollment=enrollment, reason=form.reason.data,
                                 actor=current_user, now=utcnow())
        except ExamError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            flash(f"{enrollment.officer.name} is reinstated and may take a remediation examination.",
                  "success")
    return redirect(url_for("assessments.gradebook", class_id=enrollment.class_id))


@bp.route("/classes/<int:class_id>/items")
@roles_required(*VIEWERS)
def item_analysis(class_id: int):
    """Facility, discrimination and option distribution for each question of one exam."""
    training_class = _class_or_404(class_id, manage=False)
    version = training_class.course_version
    keys = graded_keys(version)
    exam_key = request.args.get("exam") or (keys[0] if keys else None)
    if exam_key not in keys:
        abort(404)
    attempts = db.session.execute(
        select(ExamAttempt).join(Enrollment, Enrollment.id == ExamAttempt.enrollment_id)
        .where(Enrollment.class_id == training_class.id, ExamAttempt.exam_key == exam_key,
               ExamAttempt.status != "open")).scalars().all()
    revision_ids = {i["revision_id"] for a in attempts for i in a.items}
    revisions = {r.id: r for r in db.session.execute(select(QuestionRevision).where(
        QuestionRevision.id.in_(revision_ids))).scalars()} if revision_ids else {}
    answers: dict[tuple[int, int], dict] = {}
    if attempts:
        for row in db.session.execute(select(AttemptAnswer).where(
                AttemptAnswer.attempt_id.in_([a.id for a in attempts]))).scalars():
            answers[(row.attempt_id, row.index)] = row.answer or {}
    records = []
    for attempt in attempts:
        scores, choices = {}, {}
        for index, item in enumerate(attempt.items):
            key = revisions[item["revision_id"]].question_key
            scores[key] = attempt.item_scores[index]
            answer = answers.get((attempt.id, index), {})
            choices[key] = answer.get("choice") or answer.get("choices")
        records.append(ItemAttempt(scores=scores, choices=choices))
    by_key = {r.question_key: r for r in revisions.values()}
    stats = analyze_items(records, options={
        key: [o["id"] for o in r.spec.get("options", [])] for key, r in by_key.items()})
    rules = ExamRules.from_mapping(version.rules)
    summary = exam_stats([a.effective_score or 0 for a in attempts], rules.pass_mark)
    exam = next(e for e in version.exams if e["id"] == exam_key)
    return render_template("assessments/items.html", training_class=training_class, exam=exam,
                           exams=[e for e in version.exams if e["kind"] == "graded"],
                           stats=stats, revisions=by_key, summary=summary,
                           passed_count=sum(1 for a in attempts if passed(a.effective_score or 0, rules)))
