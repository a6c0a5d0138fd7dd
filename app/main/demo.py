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


def demo_load(*, password: str) -> dict[str, int]:
    """Create whatever demo records are missing; return how many of each were made."""
    now = utcnow()
    made = {"agencies": 0, "agreements": 0, "users": 0}
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
    return made


def register_demo_command(app: Flask) -> None:
    """Add `flask demo`."""

    @app.cli.command("demo")
    def demo_command() -> None:
        """Create the demo data; running it twice changes nothing."""
        if not current_app.config["DEMO_ALLOWED"]:
            raise click.ClickException("demo data never loads in production")
        made = demo_load(password=current_app.config["DEMO_PASSWORD"])
        click.echo("demo data: " + ", ".join(f"{n} {k} created" for k, n in made.items()))
