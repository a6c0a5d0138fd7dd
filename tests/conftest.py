"""Shared fixtures: the app on a real database, clients, the CLI runner, factories.

The database is SQLite in a temporary file by default, or PostgreSQL when
DATABASE_URL is set (CI runs the suite both ways). The schema is built once
per run by the real migrations, and every table is emptied after each test.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.security import generate_password_hash

from config import TestingConfig, normalize_database_url

# One hash computed once: scrypt is slow on purpose, and tests make many users.
TEST_PASSWORD = "correct-horse-battery-42"
_TEST_PASSWORD_HASH = generate_password_hash(TEST_PASSWORD, method="scrypt")
ROLES = ("officer", "instructor", "credentialing", "manager", "admin")
CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalize_database_url(url)
    return f"sqlite:///{tmp_root / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory) -> Path:
    """The program's signing keys for this test run, made once."""
    from app.certificates.keys import keys_init

    directory = tmp_path_factory.mktemp("keys") / "keys"
    keys_init(directory)
    return directory


@pytest.fixture(scope="session")
def _session_app(database_url, keys_dir):
    """Build the app once and upgrade an empty database with the migrations."""
    from flask_migrate import upgrade

    from app import create_app

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        KEYS_DIR = keys_dir
        PUBLIC_BASE_URL = "https://training.example.gov"

    app = create_app(Config)
    with app.app_context():
        from app.extensions import db

        if db.engine.dialect.name == "postgresql":
            if "test" not in (db.engine.url.database or ""):
                raise RuntimeError("refusing to reset a database whose name lacks 'test'")
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def fresh_app(database_url, keys_dir):
    """Build a second app on the same database, for tests that must add routes or config."""
    from app import create_app
    from app.extensions import db

    made = []

    def build(config_base=TestingConfig, **settings):
        settings.setdefault("KEYS_DIR", keys_dir)
        config = type("FreshConfig", (config_base,), {
            "SQLALCHEMY_DATABASE_URI": database_url, **settings})
        made.append(create_app(config))
        return made[-1]

    yield build
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _empty_all_tables(db) -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    db.session.remove()
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture()
def app(_session_app):
    """The app inside an app context; every table is emptied afterwards."""
    from app.extensions import db

    from app.courses.lesson_pages import lesson_pages_forget

    with _session_app.app_context():
        yield _session_app
        _empty_all_tables(db)
        lesson_pages_forget()  # ids are reused once the tables are emptied


@pytest.fixture()
def db(app):
    from app.extensions import db as _db

    return _db


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own app context.

    The `app` fixture keeps an app context pushed for the test's own database
    work; without this, requests would reuse it and share `g` and the
    database session with the test and with each other, unlike production.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture()
def client(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


# --- factories --------------------------------------------------------------

_TREES: dict = {}


def _parsed_tree(content_dir):
    """Parse a content tree once per run: the real curriculum does not change during tests."""
    from app.courses.loader import load_tree

    if content_dir != CONTENT_DIR:
        return load_tree(content_dir)
    if content_dir not in _TREES:
        _TREES[content_dir] = load_tree(content_dir)
    return _TREES[content_dir]


class Factory:
    """Make records with sensible defaults; each call commits."""

    def __init__(self, db):
        self.db = db
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def agency(self, **kw):
        from app.agencies.models import Agency

        n = self._next()
        agency = Agency(
            name=kw.pop("name", f"Test County Sheriff's Office {n}"),
            ori=kw.pop("ori", f"SC{n:07d}"),
            state=kw.pop("state", "SC"),
            field_office=kw.pop("field_office", "Atlanta"),
            poc_email=kw.pop("poc_email", f"poc{n}@agency.example"),
            **kw,
        )
        self.db.session.add(agency)
        self.db.session.commit()
        return agency

    def agreement(self, agency, **kw):
        from datetime import date

        from app.agencies.models import Agreement

        agreement = Agreement(agency_id=agency.id, model=kw.pop("model", "JEM"),
                              signed_on=kw.pop("signed_on", date(2024, 1, 15)), **kw)
        self.db.session.add(agreement)
        self.db.session.commit()
        return agreement

    def user(self, role: str = "officer", **kw):
        from app.auth.models import User

        n = self._next()
        if role == "officer" and "agency" not in kw and "agency_id" not in kw:
            kw["agency"] = self.agency()
        user = User(
            email=kw.pop("email", f"{role}{n}@test.example"),
            name=kw.pop("name", f"Test {role.title()} {n}"),
            role=role,
            active=kw.pop("active", True),
            password_hash=_TEST_PASSWORD_HASH,
            **kw,
        )
        self.db.session.add(user)
        self.db.session.commit()
        return user


    def course_world(self, content_dir=None):
        """Sync the real curriculum (or `content_dir`) and return the IADP course and version."""
        from sqlalchemy import select

        from app.courses.models import Course, CourseVersion
        from app.courses.services import content_sync
        from app.models import utcnow

        tree = _parsed_tree(content_dir or CONTENT_DIR)
        content_sync(tree=tree, actor="tests", now=utcnow())
        course = self.db.session.execute(select(Course).where(Course.key == "iadp")).scalar_one()
        version = self.db.session.execute(
            select(CourseVersion).where(CourseVersion.course_id == course.id)
            .order_by(CourseVersion.number.desc()).limit(1)).scalar_one()
        return {"course": course, "version": version}

    def training_class(self, version, instructor, **kw):
        from datetime import date

        from app.courses.models import ClassInstructor, TrainingClass

        training_class = TrainingClass(
            title=kw.pop("title", "IADP class test"), course_version_id=version.id,
            start_date=kw.pop("start_date", date(2026, 11, 2)),
            location=kw.pop("location", "FLETC Charleston, SC"), created_by_id=instructor.id)
        self.db.session.add(training_class)
        self.db.session.flush()
        self.db.session.add(ClassInstructor(class_id=training_class.id, user_id=instructor.id))
        self.db.session.commit()
        return training_class

    def enroll(self, training_class, officer):
        from app.courses.models import Enrollment

        enrollment = Enrollment(class_id=training_class.id, officer_id=officer.id,
                                course_version_id=training_class.course_version_id)
        self.db.session.add(enrollment)
        self.db.session.commit()
        return enrollment

    def complete_weeks(self, enrollment, weeks: int):
        """Mark every lesson of weeks 1..`weeks` complete."""
        from app.courses.classes import lesson_complete
        from app.models import utcnow

        for item in enrollment.course_version.items:
            if item.week <= weeks:
                lesson_complete(enrollment=enrollment, position=item.position,
                                lesson_revision_id=item.lesson_revision_id, now=utcnow())

    def attempt(self, enrollment, exam_key: str, *, submit: bool = False, seed: int = 7):
        """Start an attempt (completing the lessons it needs); submit it blank if asked."""
        import random

        from app.assessments.attempts import attempt_start, attempt_submit, exam_definition
        from app.models import utcnow

        exam = exam_definition(enrollment.course_version, exam_key)
        self.complete_weeks(enrollment, exam.get("after_week", 0))
        attempt = attempt_start(enrollment=enrollment, exam_key=exam_key, now=utcnow(),
                                rng=random.Random(seed))
        if submit:
            attempt_submit(attempt=attempt, now=utcnow())
        return attempt

    def certificate(self, enrollment, *, completed_at=None):
        """Record the enrollment's course complete and issue its signed certificate."""
        from app.assessments.models import CourseCompletion
        from app.certificates.services import certificate_issue
        from app.models import utcnow

        now = completed_at or utcnow()
        completion = CourseCompletion(enrollment_id=enrollment.id, officer_id=enrollment.officer_id,
                                      course_version_id=enrollment.course_version_id,
                                      completed_at=now, scores={})
        self.db.session.add(completion)
        self.db.session.commit()
        return certificate_issue(completion=completion, now=now)

    def grant(self, officer, agreement, actor, *, on=None):
        from app.authority.services import authority_grant
        from app.models import utcnow

        now = utcnow()
        return authority_grant(officer=officer, agreement=agreement, on=on or now.date(), actor=actor, now=now)

    def api_token(self, user):
        """Create an API token for `user`; the secret is kept on the record as `.secret` for tests."""
        from app.api.tokens import token_create
        from app.models import utcnow

        token, secret = token_create(user=user, name="tests", actor=user, now=utcnow())
        token.secret = secret
        return token


@pytest.fixture()
def make(db) -> Factory:
    return Factory(db)


# --- signing in -------------------------------------------------------------

_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_CSRF_FIELD = re.compile(r'<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)">')


def csrf_token_from(client, path: str = "/login") -> str:
    """Return the CSRF token of the client's session, read from a page's meta tag or form.

    Signed-in pages carry the meta tag; public pages carry the token only in their forms.
    """
    response = client.get(path, follow_redirects=True)
    page = response.get_data(as_text=True)
    match = _CSRF_META.search(page) or _CSRF_FIELD.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Auth:
    """Sign a test client in and out through the real forms."""

    def __init__(self, client, make: Factory):
        self.client = client
        self.make = make

    def login(self, email: str, password: str = TEST_PASSWORD):
        token = csrf_token_from(self.client, "/login")
        return self.client.post("/login", data={
            "email": email, "password": password, "csrf_token": token})

    def login_as(self, role: str, **kw):
        """Create a user of `role`, sign in as them and return the user."""
        user = self.make.user(role, **kw)
        response = self.login(user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    def logout(self):
        token = csrf_token_from(self.client, "/")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture()
def auth(client, make) -> Auth:
    return Auth(client, make)


class QueryCounter:
    """Count the SQL statements the app sends while a block runs."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _listen(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        from sqlalchemy import event

        self.statements.clear()
        event.listen(self.engine, "before_cursor_execute", self._listen)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._listen)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture()
def count_queries(db):
    return QueryCounter(db.engine)
