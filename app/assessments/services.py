"""Use cases for question banks: sync from content/, GIFT import and export."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.assessments.banks import QuestionSource
from app.assessments.models import QuestionBank, QuestionRevision
from app.extensions import db
from app.markdown import render_markdown


def render_inline(text: str) -> str:
    """Render a short Markdown text (an option) without its wrapping paragraph."""
    html = render_markdown(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def _rendered_spec(spec: dict) -> dict:
    """Return the spec with each option's, pair's and distractor's HTML added."""
    spec = dict(spec)
    if "options" in spec:
        spec["options"] = [{**o, "html": render_inline(o["text"])} for o in spec["options"]]
    if "pairs" in spec:
        spec["pairs"] = [{**p, "left_html": render_inline(p["left"]),
                          "right_html": render_inline(p["right"])} for p in spec["pairs"]]
    if "distractors" in spec:
        spec["distractors"] = [{**d, "html": render_inline(d["text"])} for d in spec["distractors"]]
    return spec


def _new_revision(question: QuestionSource, bank: QuestionBank, subject: str,
                  now: datetime) -> QuestionRevision:
    return QuestionRevision(
        question_key=question.key, bank_id=bank.id, content_hash=question.content_hash,
        type=question.type, lesson_key=question.lesson, subject=subject, cite=question.cite,
        tags=question.tags, stem_html=render_markdown(question.stem),
        feedback_html=render_markdown(question.feedback), spec=_rendered_spec(question.spec),
        source_text=question.source_text, created_at=now)


def banks_sync(*, banks: dict, lessons: dict, now: datetime) -> tuple[int, int]:
    """Add new question revisions for changed questions; the caller commits. Idempotent."""
    existing_banks = {b.key: b for b in db.session.execute(select(QuestionBank)).scalars()}
    known = set(db.session.execute(
        select(QuestionRevision.question_key, QuestionRevision.content_hash)).all())
    seen = created = 0
    for source in banks.values():
        bank = existing_banks.get(source.key)
        if bank is None:
            bank = QuestionBank(key=source.key, title=source.title, subject=source.subject,
                                status=source.status, origin="content", source_path=source.path)
            db.session.add(bank)
            db.session.flush()
        else:
            bank.title, bank.subject, bank.status = source.title, source.subject, source.status
        for question in source.questions:
            seen += 1
            if (question.key, question.content_hash) in known:
                continue
            lesson = lessons.get(question.lesson)
            subject = lesson.subject if lesson is not None else source.subject
            db.session.add(_new_revision(question, bank, subject, now))
            created += 1
    db.session.flush()
    return seen, created


def current_question_revisions(keys=None) -> dict[str, QuestionRevision]:
    """Return the newest revision of every question (or of `keys`), in one query."""
    newest = select(func.max(QuestionRevision.id)).group_by(QuestionRevision.question_key)
    query = select(QuestionRevision).where(QuestionRevision.id.in_(newest))
    if keys is not None:
        query = query.where(QuestionRevision.question_key.in_(list(keys)))
    return {r.question_key: r for r in db.session.execute(query).scalars()}
