"""What a lesson page shows of one course version, read once per process and kept.

A published course version never changes (its items and lesson revisions are
immutable), so everything on a lesson page except the officer's own progress
can be read from the database once and reused for every officer and request.
That turns the lesson page from nine queries into three (user, enrollment,
completions). The cache lives on the app, so two apps in one process (tests)
never share it; `lesson_pages_forget` empties it when a database is reset.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import load_only

from app.courses.models import Course, CourseVersion, CourseVersionItem, LessonRevision
from app.extensions import db

_CACHE_KEY = "lesson_pages"


@dataclass(frozen=True)
class LessonLink:
    lesson_key: str
    title: str


@dataclass(frozen=True)
class LessonPage:
    """One lesson as a version presents it, with its neighbours and the version's facts."""

    lesson_key: str
    revision_id: int
    position: int
    week: int
    day: int
    title: str
    minutes: int
    subject: str
    sample: bool
    objectives: tuple[str, ...]
    references: tuple[str, ...]
    html: str
    previous: LessonLink | None
    next: LessonLink | None


@dataclass(frozen=True)
class VersionPages:
    """Every lesson page of one course version, plus what the in-order rule needs."""

    course_key: str
    course_code: str
    version_number: int
    require_order: bool
    positions: tuple[int, ...]
    lessons: dict[str, LessonPage]


def version_pages(version_id: int) -> VersionPages | None:
    """Return the version's lesson pages, reading them from the database on first use."""
    cache: dict[int, VersionPages] = current_app.extensions.setdefault(_CACHE_KEY, {})
    pages = cache.get(version_id)
    if pages is None:
        # Two threads may both read a version the first time; the pages are equal, and
        # a dict assignment is atomic, so either result may stay.
        pages = _read(version_id)
        if pages is not None:
            cache[version_id] = pages
    return pages


def lesson_pages_forget() -> None:
    """Drop every cached version (tests empty the database between cases)."""
    current_app.extensions.pop(_CACHE_KEY, None)


def _read(version_id: int) -> VersionPages | None:
    head = db.session.execute(
        select(Course.key, Course.code, CourseVersion.number, CourseVersion.require_order)
        .join(CourseVersion.course).where(CourseVersion.id == version_id)).first()
    if head is None:
        return None
    rows = db.session.execute(
        select(CourseVersionItem, LessonRevision)
        .join(LessonRevision, LessonRevision.id == CourseVersionItem.lesson_revision_id)
        .where(CourseVersionItem.version_id == version_id)
        .order_by(CourseVersionItem.position)
        .options(load_only(LessonRevision.title, LessonRevision.minutes, LessonRevision.subject,
                           LessonRevision.status, LessonRevision.objectives,
                           LessonRevision.references, LessonRevision.html))).all()
    links = [LessonLink(item.lesson_key, lesson.title) for item, lesson in rows]
    lessons = {}
    for index, (item, lesson) in enumerate(rows):
        lessons[item.lesson_key] = LessonPage(
            lesson_key=item.lesson_key, revision_id=item.lesson_revision_id, position=item.position, week=item.week, day=item.day,
            title=lesson.title, minutes=lesson.minutes, subject=lesson.subject,
            sample=lesson.status == "sample", objectives=tuple(lesson.objectives),
            references=tuple(lesson.references), html=lesson.html,
            previous=links[index - 1] if index > 0 else None,
            next=links[index + 1] if index + 1 < len(links) else None)
    return VersionPages(course_key=head.key, course_code=head.code, version_number=head.number,
                        require_order=head.require_order,
                        positions=tuple(item.position for item, _ in rows), lessons=lessons)
