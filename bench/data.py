"""The data a benchmark run works on: demo data, optionally national scale, and exam takers.

Signing in hundreds of officers through the form would spend most of the set-up
in scrypt, which is not what the benchmark measures. So the officers who take
exams in the benchmark share one password hash, and their session cookies are
made the way Flask makes them (the app's own signing serializer, after
`login_user`), with a CSRF token from that session: to the app, each is an
ordinary signed-in officer.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "lms-bench/1"


@dataclass
class Taker:
    """One officer with an open attempt: their cookie, CSRF token and the answers to send."""

    cookie: str
    token: str
    attempt_id: int
    answers: list[str]          # one url-encoded body per question, right answers
    submit_body: str            # the whole form, as the exam page would post it


@dataclass
class BenchData:
    serial: str
    pdf: bytes
    officer_cookie: str
    enrollment_id: int
    lesson_key: str
    manager_cookie: str
    transcript_officer_id: int
    savers: list[Taker] = field(default_factory=list)
    submitters: list[Taker] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def prepare(env: dict, *, scale: str, savers: int, submitters: int) -> BenchData:
    """Create the database, keys, content, demo data (and national data), and exam takers."""
    os.environ.update(env)
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app import create_app
    from app.auth.models import User
    from app.certificates.keys import keys_init
    from app.certificates.models import Certificate
    from app.courses.models import Enrollment
    from app.extensions import db
    from app.main.demo import demo_load
    from config import DevelopmentConfig

    app = create_app(DevelopmentConfig)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        keys_init(Path(env["KEYS_DIR"]))
        if scale == "national":
            from app.main.national import national_load

            national_load(password=env["DEMO_PASSWORD"], content_dir=ROOT / "content", echo=print)
        else:
            demo_load(password=env["DEMO_PASSWORD"], content_dir=ROOT / "content")
        officer = _user(User, "officer@demo.example")
        enrollment = db.session.execute(select(Enrollment).where(
            Enrollment.officer_id == officer.id)).scalar_one()
        _complete_week_one([enrollment])
        takers = _exam_takers(app, officer, savers + submitters)
        # A certificate that was signed here (national data adds imported records without a PDF).
        certificate = db.session.execute(select(Certificate).where(
            Certificate.pdf.is_not(None)).order_by(Certificate.id).limit(1)).scalar_one()
        jordan = _user(User, "jordan.reyes@demo.example")
        counts = {name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
                  for name, table in _counted_tables().items()}
        return BenchData(
            serial=certificate.serial, pdf=bytes(certificate.pdf),
            officer_cookie=session_cookie(app, officer)[0], enrollment_id=enrollment.id,
            lesson_key=enrollment.course_version.items[3].lesson_key,
            manager_cookie=session_cookie(app, _user(User, "manager@demo.example"))[0],
            transcript_officer_id=jordan.id, savers=takers[:savers], submitters=takers[savers:],
            counts=counts)


def _user(User, email: str):
    from sqlalchemy import select

    from app.extensions import db

    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def _counted_tables() -> dict:
    from app.agencies.models import Agency
    from app.assessments.models import ExamAttempt
    from app.audit import AuditEntry
    from app.auth.models import User
    from app.certificates.models import Certificate
    from app.courses.models import Enrollment

    return {"agencies": Agency, "users": User, "enrollments": Enrollment,
            "exam_attempts": ExamAttempt, "certificates": Certificate, "audit_entries": AuditEntry}


def session_cookie(app, user) -> tuple[str, str]:
    """Return a signed session cookie for `user`, as the app would set at sign-in, and its CSRF token."""
    from flask import session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    from app.models import utcnow

    # A fresh app context: Flask-WTF keeps the token it made in `g`, which would
    # otherwise hand the first officer's token to every later session.
    with app.app_context(), app.test_request_context(
            "/", headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        login_user(user)
        session["last_seen"] = utcnow().timestamp()
        token = generate_csrf()
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config['SESSION_COOKIE_NAME']}={value}", token


def _complete_week_one(enrollments) -> None:
    """Mark week 1's lessons done (bulk), so the first examination opens."""
    from sqlalchemy import insert, select

    from app.courses.models import LessonCompletion
    from app.extensions import db
    from app.models import utcnow

    if not enrollments:
        return
    items = [i for i in enrollments[0].course_version.items if i.week == 1]
    done = set(db.session.execute(select(LessonCompletion.enrollment_id, LessonCompletion.position).where(
        LessonCompletion.enrollment_id.in_([e.id for e in enrollments]))).all())
    rows = [{"enrollment_id": e.id, "position": i.position, "lesson_revision_id": i.lesson_revision_id,
             "completed_at": utcnow()} for e in enrollments for i in items if (e.id, i.position) not in done]
    if rows:
        db.session.execute(insert(LessonCompletion), rows)
        db.session.commit()


def _exam_takers(app, template_officer, count: int) -> list[Taker]:
    """Create `count` officers in the demo class, each with week 1 done and exam 1 started."""
    from urllib.parse import urlencode

    from sqlalchemy import insert, select
    from werkzeug.datastructures import MultiDict

    from app.assessments.attempts import attempt_start
    from app.assessments.models import QuestionRevision
    from app.auth.models import User
    from app.courses.models import Enrollment, TrainingClass
    from app.extensions import db
    from app.main.demo import DEMO_CLASS_TITLE, right_answer_values
    from app.models import utcnow

    klass = db.session.execute(select(TrainingClass).where(
        TrainingClass.title == DEMO_CLASS_TITLE)).scalar_one()
    emails = [f"bench.taker{n:04d}@bench.example" for n in range(count)]
    db.session.execute(insert(User), [
        {"email": email, "name": f"Bench Taker {n}", "role": "officer", "active": True,
         "agency_id": template_officer.agency_id, "password_hash": template_officer.password_hash}
        for n, email in enumerate(emails)])
    ids = list(db.session.execute(select(User.id).where(User.email.in_(emails))).scalars())
    db.session.execute(insert(Enrollment), [
        {"class_id": klass.id, "officer_id": i, "course_version_id": klass.course_version_id}
        for i in ids])
    db.session.commit()
    enrollments = list(db.session.execute(select(Enrollment).where(Enrollment.officer_id.in_(ids))).scalars())
    _complete_week_one(enrollments)
    takers = []
    for enrollment in enrollments:
        attempt = attempt_start(enrollment=enrollment, exam_key="iadp-exam-1", now=utcnow())
        answers, form = [], MultiDict()
        for index, item in enumerate(attempt.items):
            revision = db.session.get(QuestionRevision, item["revision_id"])
            values = right_answer_values(revision, item["presentation"], f"q{index}")
            answers.append(urlencode([(k, v) for k, vs in values.items() for v in vs]))
            for name, vs in values.items():
                form.setlist(name, vs)
        cookie, token = session_cookie(app, enrollment.officer)
        body = urlencode([("csrf_token", token), *((k, v) for k, vs in form.lists() for v in vs)])
        takers.append(Taker(cookie=cookie, token=token, attempt_id=attempt.id, answers=answers,
                            submit_body=body))
    return takers
