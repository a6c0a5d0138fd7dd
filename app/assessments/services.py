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
        tags=question.tags, stem_md=question.stem, feedback_md=question.feedback,
        stem_html=render_markdown(question.stem),
        feedback_html=render_markdown(question.feedback), spec=_rendered_spec(question.spec),
        source_text=question.source_text, created_at=now)


def _source_spec(spec: dict) -> dict:
    """Return a stored spec without the rendered HTML (what a writer or exporter needs)."""
    spec = dict(spec)
    for name in ("options", "pairs", "distractors"):
        if name in spec:
            spec[name] = [{k: v for k, v in item.items() if not k.endswith("html")} for item in spec[name]]
    return spec


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


def bank_import_gift(*, text: str, path: str, bank_key: str, subject: str | None, now: datetime,
                     actor) -> int:
    """Import a GIFT file into a bank, every question or none; return how many were imported.

    Raises ContentProblems naming each malformed block by its line.
    """
    from app.assessments.gift import gift_to_question_sources, parse_gift
    from app.audit import audit_record
    from app.courses.loader import SUBJECT_AREAS, Problem

    questions, problems = parse_gift(text, path)
    bank = db.session.execute(select(QuestionBank).where(QuestionBank.key == bank_key)).scalar_one_or_none()
    if bank is not None and bank.origin != "gift":
        problems.append(Problem(path, 0, f"bank '{bank_key}' comes from content/; import into a new bank"))
    if bank is None and subject not in SUBJECT_AREAS:
        problems.append(Problem(path, 0, f"give --subject, one of: {', '.join(SUBJECT_AREAS)}"))
    sources = gift_to_question_sources(questions)
    taken = dict(db.session.execute(
        select(QuestionRevision.question_key, QuestionRevision.bank_id)
        .where(QuestionRevision.question_key.in_([q.key for q in sources]))).all()) if sources else {}
    for source in sources:
        if source.key in taken and (bank is None or taken[source.key] != bank.id):
            problems.append(Problem(path, source.line, f"question '{source.key}' already exists in another bank"))
    if not sources and not problems:
        problems.append(Problem(path, 1, "the file holds no questions"))
    if problems:
        raise GiftImportError(problems)
    if bank is None:
        bank = QuestionBank(key=bank_key, title=bank_key.replace("-", " ").title(), subject=subject,
                            status="official", origin="gift", source_path=None)
        db.session.add(bank)
        db.session.flush()
    known = set(db.session.execute(select(QuestionRevision.question_key, QuestionRevision.content_hash)
                                   .where(QuestionRevision.bank_id == bank.id)).all())
    imported = 0
    for source in sources:
        imported += 1
        if (source.key, source.content_hash) not in known:
            db.session.add(_new_revision(source, bank, bank.subject, now))
    audit_record(actor=actor, action="bank.import_gift", target_type="question_bank", target_id=bank.key,
                 now=now, details={"file": path, "questions": imported})
    db.session.commit()
    return imported


class GiftImportError(ValueError):
    """A GIFT file that was not imported, with a problem per malformed block."""

    def __init__(self, problems):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def bank_export_gift(*, bank_key: str) -> tuple[str, int]:
    """Write a bank's current questions as GIFT text; return it and the question count."""
    from types import SimpleNamespace

    from app.assessments.gift import write_gift

    bank = db.session.execute(select(QuestionBank).where(QuestionBank.key == bank_key)).scalar_one_or_none()
    if bank is None:
        raise LookupError(f"no bank '{bank_key}'")
    revisions = sorted((r for r in current_question_revisions().values() if r.bank_id == bank.id),
                       key=lambda r: r.question_key)
    text = write_gift([SimpleNamespace(key=r.question_key, type=r.type, stem=r.stem_md,
                                       spec=_source_spec(r.spec), feedback=r.feedback_md,
                                       category=bank.key, answer_feedback={}) for r in revisions])
    return text, len(revisions)
