"""Instructors edit lessons in the browser: live preview, drafts, publish, history and diff."""
from __future__ import annotations

import difflib

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import roles_required
from app.auth.roles import Role
from app.courses.forms import LessonEditForm
from app.courses.loader import Problem, normalize_newlines, parse_lesson
from app.courses.models import LessonDraft, LessonRevision
from app.courses.routes import bp
from app.courses.services import (
    ContentError, current_revisions, lesson_draft_save, lesson_publish,
)
from app.extensions import db
from app.markdown import render_markdown
from app.models import utcnow

AUTHORS = (Role.INSTRUCTOR, Role.ADMIN)


@bp.route("/authoring")
@roles_required(*AUTHORS)
def authoring():
    """Every lesson in the library, with its subject and any unpublished draft."""
    revisions = sorted(current_revisions().values(), key=lambda r: (r.subject, r.lesson_key))
    drafts = {d.lesson_key: d for d in db.session.execute(
        select(LessonDraft).options(db.joinedload(LessonDraft.updated_by))).scalars()}
    return render_template("courses/authoring.html", revisions=revisions, drafts=drafts)


@bp.route("/authoring/<lesson_key>", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def author_lesson(lesson_key: str):
    """Edit a lesson; save it as a draft or publish it as new course versions."""
    current = current_revisions([lesson_key]).get(lesson_key) or abort(404)
    draft = db.session.execute(
        select(LessonDraft).where(LessonDraft.lesson_key == lesson_key)).scalar_one_or_none()
    form = LessonEditForm()
    problems: list[Problem] = []
    status = 200
    if request.method == "GET":
        form.source.data = draft.source_text if draft else current.source_text
    elif form.validate_on_submit():
        text = normalize_newlines(form.source.data)
        try:
            if request.form.get("action") == "publish":
                versions = lesson_publish(lesson_key=lesson_key, text=text, actor=current_user,
                                          now=utcnow())
                names = ", ".join(f"{v.course.code} version {v.number}" for v in versions)
                flash(f"Published. New course versions: {names or 'none'}. Officers already "
                      "enrolled keep the version they started on.", "success")
                return redirect(url_for("courses.lesson_history", lesson_key=lesson_key))
            lesson_draft_save(lesson_key=lesson_key, text=text, actor=current_user, now=utcnow())
            flash("Draft saved. It is not visible to officers until you publish it.", "success")
            return redirect(url_for("courses.author_lesson", lesson_key=lesson_key))
        except ContentError as error:
            db.session.rollback()
            problems, status = error.problems, 400
    else:
        status = 400
    return render_template("courses/author_lesson.html", form=form, current=current,
                           draft=draft, problems=problems,
                           preview_html=_preview(form.source.data or "")[0]), status


def _preview(text: str) -> tuple[str, list[str]]:
    """Render an edited lesson's body through the lesson pipeline; list its problems."""
    problems: list[Problem] = []
    text = normalize_newlines(text)
    lesson = parse_lesson(text, "draft", problems)
    if lesson is not None:
        return render_markdown(lesson.body), []
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            text = "\n".join(lines[end + 1:])
    return render_markdown(text), [f"line {p.line}: {p.message}" for p in problems]


@bp.route("/authoring/preview", methods=["POST"])
@roles_required(*AUTHORS)
def author_preview():
    """Return the live preview of an edited lesson as JSON {html, problems}."""
    html, problems = _preview(request.form.get("source", "")[:200_000])
    return jsonify({"html": html, "problems": problems})


@bp.route("/authoring/<lesson_key>/history")
@roles_required(*AUTHORS)
def lesson_history(lesson_key: str):
    """Every revision of a lesson, and a line diff between two of them."""
    revisions = db.session.execute(
        select(LessonRevision).where(LessonRevision.lesson_key == lesson_key)
        .options(db.joinedload(LessonRevision.created_by))
        .order_by(LessonRevision.id.desc())).scalars().all()
    if not revisions:
        abort(404)
    by_id = {r.id: r for r in revisions}
    new = by_id.get(request.args.get("b", type=int), revisions[0])
    older = [r for r in revisions if r.id < new.id]
    old = by_id.get(request.args.get("a", type=int), older[0] if older else None)
    diff = _diff(old, new) if old is not None and old.id != new.id else []
    return render_template("courses/lesson_history.html", lesson_key=lesson_key,
                           revisions=revisions, old=old, new=new, diff=diff)


def _diff(old: LessonRevision, new: LessonRevision) -> list[tuple[str, str]]:
    """Return (kind, line) pairs of a unified diff: kind is add, remove, hunk or same."""
    lines = difflib.unified_diff(
        old.source_text.split("\n"), new.source_text.split("\n"),
        fromfile=f"revision {old.id}", tofile=f"revision {new.id}", lineterm="", n=2)
    kinds = {"+": "add", "-": "remove", "@": "hunk"}
    return [(kinds.get(line[:1], "same"), line) for number, line in enumerate(lines)
            if number >= 2]  # the first two lines name the files
