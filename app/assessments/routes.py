"""The officer's examinations: overview, take (with autosave), submit, review."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from app.assessments.attempts import (
    attempt_revisions_and_answers,
    ExamError, answered_fields, attempt_expire_if_due, attempt_save_answer, attempt_save_answers,
    attempt_start, attempt_submit,
    enrollment_standing, exam_definition, review_allowed, start_decision,
)
from app.assessments.models import CourseCompletion, Disqualification, ExamAttempt
from app.assessments.types import QUESTION_TYPES
from app.auth.decorators import roles_required
from app.auth.roles import Role
from app.courses.classes import completed_positions
from app.courses.models import Enrollment
from app.extensions import db
from app.models import utcnow

bp = Blueprint("assessments", __name__)


class ExamForm(FlaskForm):
    """CSRF for the exam pages' POSTs."""


def _own_enrollment(enrollment_id: int) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.officer_id != current_user.id:
        abort(404)
    return enrollment


def _own_attempt(attempt_id: int) -> ExamAttempt:
    attempt = db.session.get(ExamAttempt, attempt_id)
    if attempt is None or attempt.enrollment.officer_id != current_user.id:
        abort(404)
    return attempt


@bp.route("/enrollment/<int:enrollment_id>")
@roles_required(Role.OFFICER)
def overview(enrollment_id: int):
    """The course's examinations with each one's status and what the officer may do next."""
    enrollment = _own_enrollment(enrollment_id)
    version = enrollment.course_version
    now = utcnow()
    attempts = db.session.execute(select(ExamAttempt).where(
        ExamAttempt.enrollment_id == enrollment.id).order_by(ExamAttempt.id)).scalars().all()
    for attempt in attempts:
        attempt_expire_if_due(attempt=attempt, now=now)
    rules, current = enrollment_standing(enrollment)
    completed = completed_positions(enrollment.id)
    rows = []
    for exam in version.exams or []:
        mine = [a for a in attempts if a.exam_key == exam["id"]]
        rows.append({
            "exam": exam, "attempts": mine,
            "open": next((a for a in mine if a.is_open), None),
            "decision": start_decision(enrollment, exam, completed, rules, current),
            "standing": current.exams.get(exam["id"]),
        })
    disqualification = db.session.execute(select(Disqualification).where(
        Disqualification.enrollment_id == enrollment.id,
        Disqualification.reversed_at.is_(None))).scalar_one_or_none()
    completion = db.session.execute(select(CourseCompletion).where(
        CourseCompletion.enrollment_id == enrollment.id)).scalar_one_or_none()
    return render_template("assessments/overview.html", enrollment=enrollment, rows=rows,
                           rules=rules, standing=current, form=ExamForm(),
                           disqualification=disqualification, completion=completion)


@bp.route("/enrollment/<int:enrollment_id>/<exam_key>/start", methods=["POST"])
@roles_required(Role.OFFICER)
def start(enrollment_id: int, exam_key: str):
    """Start or resume an attempt."""
    enrollment = _own_enrollment(enrollment_id)
    if not ExamForm().validate_on_submit():
        abort(400)
    try:
        attempt = attempt_start(enrollment=enrollment, exam_key=exam_key, now=utcnow())
    except ExamError as error:
        flash(str(error), "error")
        return redirect(url_for("assessments.overview", enrollment_id=enrollment.id))
    return redirect(url_for("assessments.take", attempt_id=attempt.id))


def _questions(attempt: ExamAttempt) -> list[dict]:
    """The attempt's questions for display: stems and options in the frozen order, no key."""
    revisions, answers = attempt_revisions_and_answers(attempt)
    questions = []
    for index, item in enumerate(attempt.items):
        revision = revisions[item["revision_id"]]
        spec, presentation = revision.spec, item["presentation"]
        view = {"index": index, "type": revision.type, "stem_html": revision.stem_html,
                "answer": answers.get(index) or {}, "revision": revision}
        if revision.type in ("single", "multiple"):
            html = {o["id"]: o["html"] for o in spec["options"]}
            view["options"] = [{"id": oid, "html": html[oid]} for oid in presentation["order"]]
        elif revision.type == "matching":
            left = {p["id"]: p["left_html"] for p in spec["pairs"]}
            right = {p["right_id"]: p["right_html"] for p in spec["pairs"]}
            right.update({d["id"]: d["html"] for d in spec.get("distractors", [])})
            view["left"] = [{"id": lid, "html": left[lid]} for lid in presentation["left"]]
            view["right"] = [{"id": rid, "html": right[rid]} for rid in presentation["right"]]
        questions.append(view)
    return questions


@bp.route("/attempts/<int:attempt_id>")
@roles_required(Role.OFFICER)
def take(attempt_id: int):
    """The exam page: every question, answers saved as they are given, the server's deadline."""
    attempt = _own_attempt(attempt_id)
    attempt_expire_if_due(attempt=attempt, now=utcnow())
    if not attempt.is_open:
        return redirect(url_for("assessments.review", attempt_id=attempt.id))
    exam = exam_definition(attempt.enrollment.course_version, attempt.exam_key)
    return render_template("assessments/take.html", attempt=attempt, exam=exam,
                           questions=_questions(attempt), form=ExamForm())


@bp.route("/attempts/<int:attempt_id>/answers/<int:index>", methods=["POST"])
@roles_required(Role.OFFICER)
def save_answer(attempt_id: int, index: int):
    """Save one answer (the page's autosave); JSON for scripts, a redirect otherwise."""
    attempt = _own_attempt(attempt_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        attempt_save_answer(attempt=attempt, index=index, values=request.form, now=utcnow())
    except ExamError as error:
        if wants_json:
            return jsonify({"saved": False, "message": str(error)}), 409
        flash(str(error), "error")
        return redirect(url_for("assessments.take", attempt_id=attempt.id))
    if wants_json:
        return jsonify({"saved": True})
    return redirect(url_for("assessments.take", attempt_id=attempt.id, _anchor=f"q{index}"))


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@roles_required(Role.OFFICER)
def submit(attempt_id: int):
    """Save the whole form's answers and submit; a second submission changes nothing."""
    attempt = _own_attempt(attempt_id)
    if not ExamForm().validate_on_submit():
        abort(400)
    if request.form.get("action") == "save":
        try:
            attempt_save_answers(attempt=attempt, indexes=answered_fields(attempt, request.form),
                                 values=request.form, now=utcnow())
        except ExamError as error:
            flash(str(error), "error")
        else:
            flash("Your answers are saved. You can come back to this exam from any device.", "success")
        return redirect(url_for("assessments.take", attempt_id=attempt.id))
    scored = attempt_submit(attempt=attempt, values=request.form, now=utcnow())
    if attempt.status == "expired":
        flash("Time ran out before you submitted: your answers saved in time were scored.", "info")
    elif scored:
        flash("Your examination was submitted and scored.", "success")
    return redirect(url_for("assessments.review", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/review")
@roles_required(Role.OFFICER)
def review(attempt_id: int):
    """The score and pass/fail; the right answers and feedback when the exam's setting allows."""
    attempt = _own_attempt(attempt_id)
    attempt_expire_if_due(attempt=attempt, now=utcnow())
    if attempt.is_open:
        return redirect(url_for("assessments.take", attempt_id=attempt.id))
    enrollment = attempt.enrollment
    exam = exam_definition(enrollment.course_version, attempt.exam_key)
    rules, current = enrollment_standing(enrollment)
    show = review_allowed(exam, attempt, rules, current)
    questions = _questions(attempt) if show else []
    for q in questions:
        spec = q["revision"].spec
        q["score"] = attempt.item_scores[q["index"]]
        q["correct"] = QUESTION_TYPES[q["type"]].correct_answer(spec)
        q["feedback_html"] = q["revision"].feedback_html
        q["given"] = describe_answer(q, spec)
    return render_template("assessments/review.html", attempt=attempt, exam=exam, rules=rules,
                           standing=current, show=show, questions=questions,
                           passed=(attempt.effective_score or 0) + 1e-9 >= rules.pass_mark)


def describe_answer(question: dict, spec: dict) -> str:
    """Put the officer's answer in words for the review."""
    answer = question["answer"]
    if not answer:
        return "No answer"
    kind = question["type"]
    if kind in ("single", "multiple"):
        texts = {o["id"]: o["text"] for o in spec["options"]}
        chosen = [answer.get("choice")] if kind == "single" else answer.get("choices", [])
        return "; ".join(texts.get(c, "?") for c in chosen)
    if kind == "truefalse":
        return "True" if answer.get("value") else "False"
    if kind == "matching":
        left = {p["id"]: p["left"] for p in spec["pairs"]}
        right = {p["right_id"]: p["right"] for p in spec["pairs"]}
        right.update({d["id"]: d["text"] for d in spec.get("distractors", [])})
        return "; ".join(f"{left.get(k, '?')} → {right.get(v, '?')}" for k, v in answer.get("pairs", {}).items())
    return answer.get("raw") or answer.get("text") or "No answer"


from app.assessments import instructor_routes  # noqa: E402,F401  (register their views)
