"""Courses, immutable course versions and lesson revisions, classes, enrollments, progress.

A lesson revision and a course version are written once and never changed:
an enrollment pins the version it started on, so later edits never change
what an enrolled officer reads or what their certificate will cite.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import TimestampMixin, UTCDateTime, utcnow


class LessonRevision(db.Model):
    """One published text of one lesson, identified by the hash of its source."""

    __tablename__ = "lesson_revision"
    __table_args__ = (UniqueConstraint("lesson_key", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lesson_key: Mapped[str] = mapped_column(String(120), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    source_path: Mapped[str] = mapped_column(String(300))
    source_text: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(60))
    minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    objectives: Mapped[list] = mapped_column(JSON)
    references: Mapped[list] = mapped_column(JSON)
    html: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(10))  # sync | publish
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), default=None)

    created_by = relationship("User")


class Course(TimestampMixin, db.Model):
    """A course (IADP, IADRP, TFM, WSO); what it contains lives in its versions."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(12))  # basic | refresher

    versions = relationship("CourseVersion", back_populates="course",
                            order_by="CourseVersion.number")


class CourseVersion(db.Model):
    """An immutable snapshot of a course: its settings, outline and lesson revisions."""

    __tablename__ = "course_version"
    __table_args__ = (
        UniqueConstraint("course_id", "number"),
        UniqueConstraint("course_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    models: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    require_order: Mapped[bool] = mapped_column(Boolean)
    # [{"title": week title, "days": [{"title": day title, "positions": [..]}]}]
    outline: Mapped[list] = mapped_column(JSON)
    rules: Mapped[dict] = mapped_column(JSON, default=dict)   # pass mark, remediations, failures
    exams: Mapped[list] = mapped_column(JSON, default=list)   # exam definitions, in order
    source_path: Mapped[str] = mapped_column(String(300))
    source_text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(10))  # sync | publish
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), default=None)

    course = relationship("Course", back_populates="versions")
    items = relationship("CourseVersionItem", order_by="CourseVersionItem.position",
                         back_populates="version")

    @property
    def label(self) -> str:
        return f"{self.course.code} version {self.number} ({self.content_hash[:10]})"


class CourseVersionItem(db.Model):
    """One lesson's place in one course version."""

    __tablename__ = "course_version_item"
    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        UniqueConstraint("version_id", "lesson_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1-based, in course order
    week: Mapped[int] = mapped_column(Integer)      # 1-based
    day: Mapped[int] = mapped_column(Integer)       # 1-based within the course
    lesson_key: Mapped[str] = mapped_column(String(120))
    lesson_revision_id: Mapped[int] = mapped_column(ForeignKey("lesson_revision.id"), index=True)

    version = relationship("CourseVersion", back_populates="items")
    lesson = relationship("LessonRevision")


class LessonDraft(db.Model):
    """An instructor's unpublished edit of a lesson (one per lesson)."""

    __tablename__ = "lesson_draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lesson_key: Mapped[str] = mapped_column(String(120), unique=True)
    source_text: Mapped[str] = mapped_column(Text)
    base_revision_id: Mapped[int] = mapped_column(ForeignKey("lesson_revision.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    updated_by = relationship("User")
    base_revision = relationship("LessonRevision")


class TrainingClass(TimestampMixin, db.Model):
    """A scheduled delivery of one course version, with its instructors and officers."""

    __tablename__ = "training_class"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    course_version = relationship("CourseVersion")
    instructors = relationship("User", secondary="class_instructor", order_by="User.name")
    enrollments = relationship("Enrollment", back_populates="training_class")


class ClassInstructor(db.Model):
    """An instructor who teaches a class."""

    __tablename__ = "class_instructor"

    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)


class Enrollment(db.Model):
    """An officer in a class, pinned to the course version they started on."""

    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("class_id", "officer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), default=None)
    last_position: Mapped[int | None] = mapped_column(Integer, default=None)

    training_class = relationship("TrainingClass", back_populates="enrollments")
    officer = relationship("User", foreign_keys=[officer_id])
    course_version = relationship("CourseVersion")


class LessonCompletion(db.Model):
    """An officer marked one lesson of their pinned version complete."""

    __tablename__ = "lesson_completion"
    __table_args__ = (UniqueConstraint("enrollment_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    lesson_revision_id: Mapped[int] = mapped_column(ForeignKey("lesson_revision.id"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
