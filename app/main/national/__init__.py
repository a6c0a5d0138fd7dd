"""`flask demo --scale national`: the plain demo, then national-scale data bulk-inserted on top.

Issue 7's figures at fraction 1: 2,000 agencies with their agreements,
25,000 officers, 80,000 enrollments, 600,000 exam attempts and 50,000
certificates with their audit entries, dated December 2022 to November 2026.
`--fraction` scales every count (tests use 0.005).

How:
- a plan is made first by pure, seeded functions (`plan`,
  `history`, `records`, `exams`): the same seed
  always gives the same data;
- it is written with Core `insert()` executemany batches (`write`),
  never the ORM per row, in ONE transaction: either all of it lands or none,
  so a failed run leaves nothing half-made and can simply be repeated;
- certificates are `origin='imported'` records carried over from the earlier
  system, without PDF (signing 50,000 PDFs would take hours and there are no
  frozen bytes for records that were issued elsewhere); their serials are
  real, so `/verify/<serial>` and the API find them;
- the audit log gets one `certificate.import` entry per certificate and one
  `authority.import` entry per grant or withdrawal, chained in Python with
  `app.audit.entry_values` (the function `audit_record` uses), and the head
  row moves to the last one, so `flask audit verify` still passes;
- every generated account shares ONE scrypt hash of the demo password:
  hashing 25,000 passwords one by one would take minutes.

A second run finds the generated agencies (the third character of their ORI
is `N`) and does nothing.
"""
from __future__ import annotations

import random
import time
from collections import Counter
from datetime import date

import click
from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from app.agencies.models import Agency
from app.assessments.exams import QuestionMeta
from app.assessments.rules import ExamRules
from app.assessments.services import current_question_revisions
from app.courses.models import Course, CourseVersion, CourseVersionItem
from app.extensions import db
from app.main.national import history
from app.main.national import plan
from app.main.national import records
from app.main.demo import demo_load
from app.main.national.data import FIRST_NAMES, LAST_NAMES
from app.main.national.exams import Question, build_forms, question_traits
from app.models import utcnow

SEED = 287
FORMS_PER_EXAM = 40
CLASS_SIZES = {"iadp": 44, "iadrp": 36, "tfm": 60, "wso": 80}
STAFF = (("instructor", 24, "fletc.example"), ("credentialing", 12, "ice-credentialing.example"),
         ("manager", 27, "ice-oversight.example"))


def national_agencies() -> int:
    """How many generated agencies exist (their ORI's third character is the mark)."""
    return db.session.execute(select(func.count(Agency.id)).where(
        Agency.ori.like(f"__{plan.ORI_MARK}%"))).scalar_one()


class Reference:
    """What the generator reads from the database first: course versions, questions, settings."""

    def __init__(self, rng: random.Random):
        config = current_app.config
        self.years = {m: int(y) for m, y in config["REFRESHER_YEARS"].items()}
        self.grant_years = int(config["AUTHORIZATION_YEARS"])
        self.official = config["ISSUING_OFFICIAL_NAME"]
        self.courses: dict[str, dict] = {}
        for course in db.session.execute(select(Course).order_by(Course.key)).scalars():
            version = db.session.execute(select(CourseVersion).where(CourseVersion.course_id == course.id)
                                         .order_by(CourseVersion.number.desc()).limit(1)).scalar_one()
            items = db.session.execute(select(CourseVersionItem).where(CourseVersionItem.version_id == version.id)
                                       .order_by(CourseVersionItem.position)).scalars().all()
            self.courses[course.key] = {
                "course_id": course.id, "code": course.code, "kind": course.kind, "version_id": version.id,
                "title": version.title, "hash": version.content_hash, "models": list(version.models or []),
                "exams": list(version.exams or []), "rules": ExamRules.from_mapping(version.rules),
                "lessons": [i.lesson_revision_id for i in items],
                "lesson_week": {i.lesson_key: i.week for i in items},
                "spec": plan.course_spec(key=course.key, kind=course.kind, outline=version.outline,
                                         exams=version.exams or [], class_size=CLASS_SIZES.get(course.key, 40))}
        missing = set(CLASS_SIZES) - set(self.courses)
        if missing:
            raise click.ClickException(f"the curriculum lacks {', '.join(sorted(missing))}; run flask content sync")
        self.specs = {k: c["spec"] for k, c in self.courses.items()}
        self.forms, self.limits = self._forms(rng)

    def _forms(self, rng: random.Random):
        revisions = current_question_revisions()
        metas, questions = [], {}
        for key in sorted(revisions):
            r = revisions[key]
            metas.append(QuestionMeta(r.question_key, r.bank.key, r.subject, r.lesson_key, tuple(r.tags)))
            difficulty, slope = question_traits(rng)
            questions[key] = Question(r.id, r.type, r.spec, difficulty, slope)
        forms, limits = {}, {}
        for course in self.courses.values():
            for exam in course["exams"]:
                forms[exam["id"]] = build_forms(rng, exam, metas, course["lesson_week"], questions, FORMS_PER_EXAM)
                limits[exam["id"]] = exam.get("time_limit_minutes")
                if not all(f.questions for f in forms[exam["id"]]):
                    raise click.ClickException(f"exam {exam['id']} draws no questions; run flask content sync")
        return forms, limits


def staff_plan(rng: random.Random) -> list[tuple[str, str, str]]:
    """(name, email, role) of the generated instructors, credentialing staff and program managers."""
    staff, emails = [], set()
    for role, count, domain in STAFF:
        for _ in range(count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email, n = f"{first}.{last}@{domain}".lower(), 1
            while email in emails:
                n += 1
                email = f"{first}.{last}{n}@{domain}".lower()
            emails.add(email)
            staff.append((f"{first} {last}", email, role))
    return staff


class NationalPlan:
    """Everything to write, planned in memory from one seed."""

    def __init__(self, rng: random.Random, ref: Reference, targets: dict[str, int]):
        self.targets = targets
        self.staff = staff_plan(rng)
        self.agencies = plan.plan_agencies(rng, targets["agencies"])
        self.officers = plan.plan_officers(rng, self.agencies, targets["officers"])
        enrollments = []
        for index, officer in enumerate(self.officers):
            enrollments += history.plan_history(rng, index, officer, self.agencies[officer.agency], ref.specs)
        history.fill_enrollments(rng, enrollments, self.officers, self.agencies, ref.specs, targets["enrollments"])
        history.fit_completions(rng, enrollments, ref.specs, targets["certificates"])
        history.fill_practice(rng, enrollments, targets["attempts"])
        enrollments.sort(key=lambda e: (e.start, e.officer, e.course))
        self.enrollments = enrollments
        self.classes = history.plan_classes(enrollments, ref.specs, {k: c["code"] for k, c in ref.courses.items()})
        models = {k: c["models"] for k, c in ref.courses.items()}
        self.certificates = records.plan_certificates(rng, enrollments, self.officers, self.agencies, models, ref.years)
        self.grants, self.withdrawals = records.plan_authority(rng, self.officers, self.agencies,
                                                               self.certificates, ref.grant_years)

    def describe(self) -> str:
        return (f"{len(self.agencies)} agencies, {len(self.officers)} officers, {len(self.classes)} classes, "
                f"{len(self.enrollments)} enrollments, "
                f"{sum(len(e.graded) + sum(e.practice.values()) for e in self.enrollments)} attempts, "
                f"{len(self.certificates)} certificates, {len(self.grants)} grants")


def national_load(*, password: str, content_dir, fraction: float = 1.0, seed: int = SEED,
                  echo=click.echo) -> dict[str, int]:
    """Load the plain demo, then the national-scale data on top; return what was written (empty if present)."""
    from app.main.national.rows import write_plan

    started = time.perf_counter()
    made = demo_load(password=password, content_dir=content_dir)
    echo("demo data: " + ", ".join(f"{n} {k} created" for k, n in made.items()))
    existing = national_agencies()
    if existing:
        echo(f"national demo data is already loaded ({existing} generated agencies, ORI like "
             f"'__{plan.ORI_MARK}%'): nothing to do")
        return {}
    rng = random.Random(seed)
    ref = Reference(random.Random(seed + 1))
    national = NationalPlan(rng, ref, plan.scaled(fraction))
    echo(f"planned in {time.perf_counter() - started:.1f} s: {national.describe()}")
    # One hash for every generated account (scrypt is slow on purpose): they sign in with the demo password.
    password_hash = generate_password_hash(password, method="scrypt")
    now = utcnow()
    db.session.commit()
    db.session.close()
    with db.engine.begin() as conn:
        counts = write_plan(conn, national, ref, password_hash=password_hash, now=now, seed=seed, echo=echo)
    if db.engine.dialect.name == "postgresql":
        # Freshly loaded tables have no planner statistics until autovacuum gets to them; without
        # them the dashboard's plans were six times slower (30 s instead of 5 s, measured).
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    _summary(counts, national, now.date(), echo)
    return counts


def _summary(counts: dict, national: NationalPlan, today: date, echo) -> None:
    states = Counter()
    for cert in national.certificates:
        if cert.status != "valid":
            states[cert.status] += 1
        else:
            states["expired" if today > cert.valid_until else "valid"] += 1
    echo("national demo data written:")
    for label, value in counts.items():
        if label != "seconds":
            echo(f"  {label:<22} {value:>9,}")
    echo("  certificates by status: " + ", ".join(f"{n:,} {s}" for s, n in sorted(states.items())))
    echo(f"done in {counts['seconds']} s")
