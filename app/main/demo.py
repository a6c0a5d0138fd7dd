"""`flask demo`: demonstration agencies, agreements and one account per role.

Idempotent: records are found by their natural keys (ORI, email) and only
missing ones are created, so a second run changes nothing. Refused in
production.
"""
from __future__ import annotations

from datetime import date

import click
from flask import Flask, current_app
from sqlalchemy import select

from app.agencies.models import Agency, Agreement
from app.auth.models import User
from app.auth.services import user_create
from app.extensions import db
from app.models import utcnow

# Fictional agencies: realistic in shape, not real departments.
DEMO_AGENCIES = [
    # ORI, name, state, ICE field office, point of contact, [(model, signed)]
    ("SC0990100", "Palmetto County Sheriff's Office", "SC", "Atlanta",
     "287g@palmetto-county.example", [("JEM", date(2019, 6, 3))]),
    ("FL0990200", "Cypress County Sheriff's Office", "FL", "Miami",
     "compliance@cypress-sheriff.example", [("JEM", date(2020, 2, 14)), ("TFM", date(2025, 3, 10))]),
    ("TX0990300", "Pecos Valley Police Department", "TX", "Houston",
     "training@pecos-valley-pd.example", [("TFM", date(2025, 4, 22))]),
    ("NC0990400", "Blue Ridge County Sheriff's Office", "NC", "Atlanta",
     "jail@blue-ridge-so.example", [("WSO", date(2021, 9, 1))]),
    ("AZ0990500", "Saguaro County Sheriff's Office", "AZ", "Phoenix",
     "moa@saguaro-so.example", [("JEM", date(2018, 1, 8))]),
]

DEMO_ACCOUNTS = [
    # email, name, role, agency ORI
    ("officer@demo.example", "Dana Whitfield", "officer", "SC0990100"),
    ("instructor@demo.example", "Marcus Ellery", "instructor", None),
    ("credentialing@demo.example", "Priya Raman", "credentialing", None),
    ("manager@demo.example", "Teresa Okafor", "manager", None),
    ("admin@demo.example", "Lee Harmon", "admin", None),
]

DEMO_OFFICERS = [
    ("jordan.reyes@demo.example", "Jordan Reyes", "SC0990100"),
    ("casey.nguyen@demo.example", "Casey Nguyen", "FL0990200"),
    ("morgan.blake@demo.example", "Morgan Blake", "FL0990200"),
    ("avery.castillo@demo.example", "Avery Castillo", "TX0990300"),
    ("riley.thompson@demo.example", "Riley Thompson", "NC0990400"),
    ("sam.delgado@demo.example", "Sam Delgado", "AZ0990500"),
]


DEMO_CLASS_TITLE = "IADP class 26-11 (demonstration)"


def demo_load(*, password: str, content_dir=None) -> dict[str, int]:
    """Create whatever demo records are missing; return how many of each were made."""
    now = utcnow()
    made = {"agencies": 0, "agreements": 0, "users": 0, "classes": 0}
    agencies = {a.ori: a for a in db.session.execute(select(Agency)).scalars()}
    for ori, name, state, office, poc, agreements in DEMO_AGENCIES:
        agency = agencies.get(ori)
        if agency is None:
            agency = Agency(ori=ori, name=name, state=state, field_office=office, poc_email=poc)
            db.session.add(agency)
            db.session.flush()
            agencies[ori] = agency
            made["agencies"] += 1
        existing = {(a.model, a.signed_on) for a in agency.agreements}
        for model, signed in agreements:
            if (model, signed) not in existing:
                db.session.add(Agreement(agency_id=agency.id, model=model, signed_on=signed))
                made["agreements"] += 1
    db.session.commit()
    emails = set(db.session.execute(select(User.email)).scalars())
    accounts = DEMO_ACCOUNTS + [(e, n, "officer", o) for e, n, o in DEMO_OFFICERS]
    for email, name, role, ori in accounts:
        if email in emails:
            continue
        user_create(email=email, name=name, role=role, password=password,
                    agency_id=agencies[ori].id if ori else None, actor="demo", now=now)
        made["users"] += 1
    if content_dir is not None:
        made["classes"] = _demo_class(content_dir, now)
        made["certificates"] = _demo_graduate(now)
    return made


def right_answer_values(revision, presentation: dict, field: str) -> dict[str, list[str]]:
    """Return the form values that answer a question right (demo data and tests only)."""
    spec = revision.spec
    if revision.type == "single":
        return {field: [next(o["id"] for o in spec["options"] if o["weight"] >= 1)]}
    if revision.type == "multiple":
        return {field: [o["id"] for o in spec["options"] if o["weight"] > 0]}
    if revision.type == "truefalse":
        return {field: ["true" if spec["answer"] else "false"]}
    if revision.type == "matching":
        return {f"{field}-{p['id']}": [p["right_id"]] for p in spec["pairs"]}
    if revision.type == "numeric":
        full = next(a for a in spec["answers"] if a["weight"] >= 1)
        return {field: [repr((full["min"] + full["max"]) / 2)]}
    return {field: [next(a["text"] for a in spec["answers"] if a["weight"] >= 1)]}


def _demo_graduate(now) -> int:
    """Take Jordan Reyes through the whole IADP course and grant authority; 1 if done now."""
    from werkzeug.datastructures import MultiDict

    from app.assessments.attempts import attempt_start, attempt_submit, graded_keys
    from app.assessments.models import QuestionRevision
    from app.authority.models import AuthorityGrant
    from app.authority.services import authority_grant
    from app.certificates.keys import KeysError
    from app.certificates.models import Certificate
    from app.courses.classes import lesson_complete
    from app.courses.models import Enrollment

    officer = db.session.execute(select(User).where(User.email == "jordan.reyes@demo.example")).scalar_one()
    if db.session.execute(select(Certificate.id).where(Certificate.officer_id == officer.id)).first():
        return 0
    enrollment = db.session.execute(select(Enrollment).where(Enrollment.officer_id == officer.id)).scalar_one()
    for item in enrollment.course_version.items:
        lesson_complete(enrollment=enrollment, position=item.position,
                        lesson_revision_id=item.lesson_revision_id, now=now)
    try:
        for exam_key in graded_keys(enrollment.course_version):
            attempt = attempt_start(enrollment=enrollment, exam_key=exam_key, now=now)
            values = MultiDict()
            for index, item in enumerate(attempt.items):
                revision = db.session.get(QuestionRevision, item["revision_id"])
                for name, answers in right_answer_values(revision, item["presentation"], f"q{index}").items():
                    values.setlist(name, answers)
            attempt_submit(attempt=attempt, values=values, now=now)
    except KeysError:
        raise click.ClickException("run `flask keys init` before `flask demo`: certificates are signed")
    certificate = db.session.execute(select(Certificate).where(Certificate.officer_id == officer.id)).scalar_one_or_none()
    if certificate is None:
        raise click.ClickException("the demo officer completed IADP but no certificate was issued; "
                                   "run `flask keys init`, then `flask certificates issue-pending`")
    agreement = next(a for a in officer.agency.agreements if a.model == "JEM" and a.status == "active")
    if not db.session.execute(select(AuthorityGrant.id).where(AuthorityGrant.officer_id == officer.id)).first():
        credentialing = db.session.execute(
            select(User).where(User.email == "credentialing@demo.example")).scalar_one()
        authority_grant(officer=officer, agreement=agreement, on=now.date(), actor=credentialing, now=now)
    return 1


def _demo_class(content_dir, now) -> int:
    """Load the curriculum and put the demo officers in an IADP class; 1 if created."""
    from app.courses.classes import class_create, class_enroll
    from app.courses.loader import load_tree
    from app.courses.models import Course, CourseVersion, TrainingClass
    from app.courses.services import content_sync

    if db.session.execute(select(TrainingClass.id).where(
            TrainingClass.title == DEMO_CLASS_TITLE)).first():
        return 0
    tree = load_tree(content_dir)
    if tree.problems:
        raise click.ClickException(f"content has problems; run flask content check {content_dir}")
    content_sync(tree=tree, actor="demo", now=now)
    version = db.session.execute(
        select(CourseVersion).join(Course).where(Course.key == "iadp")
        .order_by(CourseVersion.number.desc()).limit(1)).scalar_one()
    instructor = db.session.execute(
        select(User).where(User.email == "instructor@demo.example")).scalar_one()
    training_class = class_create(
        title=DEMO_CLASS_TITLE, course_version=version, start_date=date(2026, 11, 2),
        location="FLETC Charleston, SC", instructor_ids=[], actor=instructor, now=now)
    class_enroll(training_class=training_class, actor=instructor, now=now, emails=[
        "officer@demo.example", "jordan.reyes@demo.example", "casey.nguyen@demo.example"])
    return 1


def register_demo_command(app: Flask) -> None:
    """Add `flask demo [--scale standard|national]`."""

    @app.cli.command("demo")
    @click.option("--scale", type=click.Choice(["standard", "national"]), default="standard", show_default=True,
                  help="standard: the demo accounts and class; national: those, then 2,000 agencies, "
                       "25,000 officers and their four years of training records, bulk-inserted.")
    @click.option("--fraction", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
                  envvar="DEMO_FRACTION", help="national only: scale every count (0.01 for a quick run).")
    @click.option("--seed", type=int, default=287, show_default=True,
                  help="national only: the random seed; one seed always gives the same data.")
    def demo_command(scale: str, fraction: float, seed: int) -> None:
        """Create the demo data; running it twice changes nothing."""
        if not current_app.config["DEMO_ALLOWED"]:
            raise click.ClickException("demo data never loads in production")
        if scale == "national":
            from app.main.national import national_load

            national_load(password=current_app.config["DEMO_PASSWORD"],
                          content_dir=current_app.config["CONTENT_DIR"], fraction=fraction, seed=seed)
            return
        made = demo_load(password=current_app.config["DEMO_PASSWORD"],
                         content_dir=current_app.config["CONTENT_DIR"])
        click.echo("demo data: " + ", ".join(f"{n} {k} created" for k, n in made.items()))
