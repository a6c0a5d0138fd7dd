"""Question banks and revisions, exam attempts and answers, disqualifications, completions.

A question revision is immutable; an attempt freezes which revisions it asked
and in what order, so later edits never change a score or a review.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import TimestampMixin, UTCDateTime, utcnow


class QuestionBank(TimestampMixin, db.Model):
    """A named set of questions on one subject (from content/ or a GIFT import)."""

    __tablename__ = "question_bank"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(10))  # content | gift
    source_path: Mapped[str | None] = mapped_column(String(300), default=None)


class QuestionRevision(db.Model):
    """One text of one question: stem, options with their key, feedback, citation."""

    __tablename__ = "question_revision"
    __table_args__ = (UniqueConstraint("question_key", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_key: Mapped[str] = mapped_column(String(120), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_bank.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(20))
    lesson_key: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(60))
    cite: Mapped[str] = mapped_column(Text)
    tags: Mapped[list] = mapped_column(JSON)
    stem_md: Mapped[str] = mapped_column(Text)        # as written, for export
    feedback_md: Mapped[str] = mapped_column(Text)
    stem_html: Mapped[str] = mapped_column(Text)      # rendered once, by the one pipeline
    feedback_html: Mapped[str] = mapped_column(Text)
    # Options, pairs and the answer key, with each option's rendered HTML.
    spec: Mapped[dict] = mapped_column(JSON)
    source_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bank = relationship("QuestionBank")


class ExamAttempt(db.Model):
    """One officer's attempt at one examination of their pinned course version."""

    __tablename__ = "exam_attempt"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "exam_key", "number"),
        CheckConstraint("status IN ('open', 'submitted', 'expired')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"))
    exam_key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10))  # graded | practice
    number: Mapped[int] = mapped_column(Integer)
    remediation: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    status: Mapped[str] = mapped_column(String(10), default="open")
    # [{"revision_id": int, "presentation": {...}}], frozen at start
    items: Mapped[list] = mapped_column(JSON)
    item_scores: Mapped[list | None] = mapped_column(JSON, default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)  # percent, as graded
    # Pass or fail of the effective score under the course rules, kept for reporting.
    passed: Mapped[bool | None] = mapped_column(Boolean, default=None)
    override_score: Mapped[float | None] = mapped_column(Float, default=None)
    override_reason: Mapped[str | None] = mapped_column(Text, default=None)
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), default=None)
    override_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    enrollment = relationship("Enrollment")
    answers = relationship("AttemptAnswer", order_by="AttemptAnswer.index",
                           back_populates="attempt")

    @property
    def effective_score(self) -> float | None:
        return self.override_score if self.override_score is not None else self.score

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class AttemptAnswer(db.Model):
    """The officer's latest saved answer to one question of an attempt."""

    __tablename__ = "attempt_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    answer: Mapped[dict | None] = mapped_column(JSON, default=None)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt = relationship("ExamAttempt", back_populates="answers")


class Disqualification(db.Model):
    """A trainee removed from a course under the rules; reversed only by an instructor, in writing."""

    __tablename__ = "disqualification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), default=None)
    reversal_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # reinstated: an instructor forgave the failures; override: a corrected score undid it
    reversal_kind: Mapped[str | None] = mapped_column(String(12), default=None)

    reversed_by = relationship("User")


class CourseCompletion(db.Model):
    """Every required lesson complete and every graded exam passed: the record a certificate cites."""

    __tablename__ = "course_completion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"), unique=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scores: Mapped[dict] = mapped_column(JSON)  # exam key -> effective percent

    enrollment = relationship("Enrollment")
