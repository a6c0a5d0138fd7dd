"""Use cases for course content: sync the tree, publish an edited lesson, export.

Both sync and publish end in `_ensure_course_version`: a course whose settings,
outline or lesson texts hash differently from its latest version gets a new
immutable version; one that hashes the same gets nothing, so both are
idempotent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, or_, select

from app.audit import audit_record
from app.courses.loader import (
    ContentTree, CourseSource, LessonSource, Problem, check_links, course_version_hash,
    parse_course, parse_lesson,
)
from app.courses.models import (
    Course, CourseVersion, CourseVersionItem, LessonDraft, LessonRevision,
)
from app.extensions import db
from app.markdown import render_markdown


class ContentError(ValueError):
    """Content that cannot be published, with the problems that say why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class SyncSummary:
    lessons_seen: int = 0
    lesson_revisions_created: int = 0
    courses_seen: int = 0
    courses_created: int = 0
    questions_seen: int = 0
    question_revisions_created: int = 0
    versions_created: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        versions = ", ".join(self.versions_created) or "none"
        return (f"{self.lessons_seen} lessons ({self.lesson_revisions_created} new revisions), "
                f"{self.questions_seen} questions ({self.question_revisions_created} new revisions), "
                f"{self.courses_seen} courses ({self.courses_created} new); "
                f"new course versions: {versions}")


def _new_revision(lesson: LessonSource, *, origin: str, actor_id: int | None,
                  now: datetime) -> LessonRevision:
    return LessonRevision(
        lesson_key=lesson.key, content_hash=lesson.content_hash, source_path=lesson.path,
        source_text=lesson.source_text, title=lesson.title, subject=lesson.subject,
        minutes=lesson.minutes, status=lesson.status, objectives=lesson.objectives,
        references=lesson.references, html=render_markdown(lesson.body),
        word_count=lesson.word_count, origin=origin, created_at=now, created_by_id=actor_id,
    )


def _latest_versions() -> dict[int, CourseVersion]:
    """Return each course's newest version, in one query."""
    newest = (select(CourseVersion.course_id, func.max(CourseVersion.number).label("n"))
              .group_by(CourseVersion.course_id).subquery())
    rows = db.session.execute(
        select(CourseVersion).join(newest, (newest.c.course_id == CourseVersion.course_id)
                                   & (newest.c.n == CourseVersion.number))
    ).scalars()
    return {v.course_id: v for v in rows}


def _ensure_course_version(
    *, course_row: Course, source: CourseSource, revisions: dict[str, LessonRevision],
    latest: CourseVersion | None, origin: str, actor, now: datetime,
) -> CourseVersion | None:
    """Create a new version when the course hashes differently from `latest`."""
    content_hash = course_version_hash(
        source, {k: revisions[k].content_hash for k in source.lesson_keys()})
    if latest is not None and latest.content_hash == content_hash:
        return None
    version = CourseVersion(
        course_id=course_row.id, number=(latest.number + 1) if latest else 1,
        content_hash=content_hash, title=source.title, description=source.description,
        models=source.models, status=source.status, require_order=source.require_order,
        outline=[], rules=source.rules, exams=source.exams, source_path=source.path, source_text=source.source_text, origin=origin,
        created_at=now, created_by_id=getattr(actor, "id", None),
    )
    db.session.add(version)
    db.session.flush()
    outline, position, day_number = [], 0, 0
    for week_number, week in enumerate(source.weeks, start=1):
        days = []
        for day_title, keys in week.days:
            day_number += 1
            positions = []
            for key in keys:
                position += 1
                positions.append(position)
                db.session.add(CourseVersionItem(
                    version_id=version.id, position=position, week=week_number,
                    day=day_number, lesson_key=key, lesson_revision_id=revisions[key].id))
            days.append({"title": day_title, "number": day_number, "positions": positions})
        outline.append({"title": week.title, "number": week_number, "days": days})
    version.outline = outline
    course_row.title, course_row.code, course_row.kind = source.title, source.code, source.kind
    audit_record(actor=actor, action="course.version_create", target_type="course_version",
                 target_id=version.id, now=now, details={
                     "course": course_row.key, "number": version.number,
                     "content_hash": content_hash, "origin": origin})
    return version


def content_sync(*, tree: ContentTree, actor, now: datetime) -> SyncSummary:
    """Load a checked content tree: new lesson revisions and course versions only. Commits once."""
    if tree.problems:
        raise ContentError(tree.problems)
    summary = SyncSummary(lessons_seen=len(tree.lessons), courses_seen=len(tree.courses))
    existing = {
        (r.lesson_key, r.content_hash): r
        for r in db.session.execute(
            select(LessonRevision).where(LessonRevision.lesson_key.in_(list(tree.lessons)))
        ).scalars()
    }
    revisions: dict[str, LessonRevision] = {}
    actor_id = getattr(actor, "id", None)
    for key, lesson in tree.lessons.items():
        revision = existing.get((key, lesson.content_hash))
        if revision is None:
            revision = _new_revision(lesson, origin="sync", actor_id=actor_id, now=now)
            db.session.add(revision)
            summary.lesson_revisions_created += 1
        revisions[key] = revision
    db.session.flush()
    from app.assessments.services import banks_sync  # the assessments build on courses

    summary.questions_seen, summary.question_revisions_created = banks_sync(
        banks=tree.banks, lessons=tree.lessons, now=now)
    courses = {c.key: c for c in db.session.execute(select(Course)).scalars()}
    latest = _latest_versions()
    for key, source in tree.courses.items():
        course_row = courses.get(key)
        if course_row is None:
            course_row = Course(key=key, code=source.code, title=source.title, kind=source.kind)
            db.session.add(course_row)
            db.session.flush()
            summary.courses_created += 1
        version = _ensure_course_version(
            course_row=course_row, source=source, revisions=revisions,
            latest=latest.get(course_row.id), origin="sync", actor=actor, now=now)
        if version is not None:
            summary.versions_created.append(f"{source.code} v{version.number}")
    db.session.commit()
    return summary


def current_revisions(keys: list[str] | None = None) -> dict[str, LessonRevision]:
    """Return each lesson's current text: the one the newest course versions use.

    A lesson that no course uses yet falls back to its newest revision.
    """
    latest_ids = [v.id for v in _latest_versions().values()]
    used = set(db.session.execute(select(CourseVersionItem.lesson_revision_id).where(
        CourseVersionItem.version_id.in_(latest_ids))).scalars())
    newest = select(func.max(LessonRevision.id)).group_by(LessonRevision.lesson_key)
    query = select(LessonRevision).where(or_(LessonRevision.id.in_(used), LessonRevision.id.in_(newest)))
    if keys is not None:
        query = query.where(LessonRevision.lesson_key.in_(keys))
    current: dict[str, LessonRevision] = {}
    for revision in db.session.execute(query.order_by(LessonRevision.id)).scalars():
        if revision.lesson_key not in current or revision.id in used:
            current[revision.lesson_key] = revision
    return current


def lesson_check_text(*, lesson_key: str, source_path: str, text: str) -> LessonSource:
    """Parse an edited lesson as `flask content check` would; raise ContentError if it fails."""
    problems: list[Problem] = []
    lesson = parse_lesson(text, source_path, problems, expected_key=lesson_key)
    if lesson is not None:
        check_links(lesson, set(current_revisions()), None, source_path, problems)
    if problems or lesson is None:
        raise ContentError(problems)
    lesson.path = source_path
    return lesson


def lesson_publish(*, lesson_key: str, text: str, actor, now: datetime) -> list[CourseVersion]:
    """Publish an edited lesson: a new revision and a new version of every course using it.

    Officers already enrolled keep the version they started on. Commits once.
    """
    current = current_revisions([lesson_key]).get(lesson_key)
    if current is None:
        raise ContentError([Problem(lesson_key, 0, "no such lesson")])
    lesson = lesson_check_text(lesson_key=lesson_key, source_path=current.source_path, text=text)
    if lesson.content_hash == current.content_hash:
        raise ContentError([Problem(current.source_path, 0, "nothing changed since the published text")])
    revision = db.session.execute(select(LessonRevision).where(
        LessonRevision.lesson_key == lesson_key,
        LessonRevision.content_hash == lesson.content_hash)).scalar_one_or_none()
    if revision is None:
        revision = _new_revision(lesson, origin="publish", actor_id=actor.id, now=now)
        db.session.add(revision)
        db.session.flush()
    audit_record(actor=actor, action="lesson.publish", target_type="lesson_revision",
                 target_id=revision.id, now=now, details={
                     "lesson": lesson_key, "content_hash": revision.content_hash,
                     "previous_hash": current.content_hash})
    created = []
    for course_row, latest in _courses_using(lesson_key):
        source = _course_source_of(latest)
        keys = source.lesson_keys()
        revisions = {item.lesson_key: item.lesson for item in latest.items}
        revisions[lesson_key] = revision
        version = _ensure_course_version(
            course_row=course_row, source=source, revisions={k: revisions[k] for k in keys},
            latest=latest, origin="publish", actor=actor, now=now)
        if version is not None:
            created.append(version)
    draft = db.session.execute(
        select(LessonDraft).where(LessonDraft.lesson_key == lesson_key)).scalar_one_or_none()
    if draft is not None:
        db.session.delete(draft)  # the draft became the published text
    db.session.commit()
    return created


def _courses_using(lesson_key: str) -> list[tuple[Course, CourseVersion]]:
    latest = _latest_versions()
    using = []
    for course_id, version in latest.items():
        if any(item.lesson_key == lesson_key for item in version.items):
            using.append((version.course, version))
    return sorted(using, key=lambda pair: pair[0].key)


def _course_source_of(version: CourseVersion) -> CourseSource:
    """Rebuild the parsed course from a stored version's own source text."""
    problems: list[Problem] = []
    parsed = parse_course(version.source_text, version.source_path, problems)
    if parsed is None:  # cannot happen: the text was checked when it was stored
        raise ContentError(problems)
    return parsed[0]


def lesson_draft_save(*, lesson_key: str, text: str, actor, now: datetime) -> LessonDraft:
    """Keep an instructor's unpublished edit of a lesson. Commits."""
    current = current_revisions([lesson_key]).get(lesson_key)
    if current is None:
        raise ContentError([Problem(lesson_key, 0, "no such lesson")])
    draft = db.session.execute(
        select(LessonDraft).where(LessonDraft.lesson_key == lesson_key)).scalar_one_or_none()
    if draft is None:
        draft = LessonDraft(lesson_key=lesson_key, base_revision_id=current.id,
                            source_text=text, updated_by_id=actor.id, updated_at=now)
        db.session.add(draft)
    else:
        draft.source_text, draft.updated_by_id, draft.updated_at = text, actor.id, now
    db.session.commit()
    return draft


def content_export(*, target: Path) -> list[Path]:
    """Write the current published lessons and courses back as files under `target`."""
    written = []
    for revision in current_revisions().values():
        written.append(_write(target / revision.source_path, revision.source_text))
    for version in _latest_versions().values():
        written.append(_write(target / version.source_path, version.source_text))
    return written


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
