"""Roster imports: plan against the database, then write all rows or none.

`roster_plan` reads and checks a file (`app.agencies.roster`) against a
snapshot loaded in two queries, however many rows the file has: each query
sends the file's ORIs or addresses as one JSON parameter, so there is no
limit on bound variables. `roster_apply` writes the plan in one
transaction with bulk statements (executemany) and one commit; any failure
rolls everything back. The CLI (`flask roster import`) and the upload
pages both go through here; the pages keep the file in a `RosterUpload`
between preview and confirmation, and `roster_confirm` plans it again,
since the database may have changed in between.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, String, bindparam, cast, func, insert, literal, literal_column, select, update

from app.agencies.models import Agency, RosterUpload
from app.agencies.roster import (
    ExistingAgency, ExistingUser, Problem, ReadRoster, RosterCheck, Snapshot, check_roster,
    decode_roster, read_roster, snapshot_of,
)
from app.audit import audit_record
from app.auth.models import User
from app.auth.roles import Role
from app.extensions import db


class RosterError(ValueError):
    """A roster that cannot be imported; `problems` says why, line by line."""

    def __init__(self, problems: tuple[Problem, ...]):
        super().__init__(f"{len(problems)} problem(s) in the roster")
        self.problems = problems


class RosterAlreadyImported(RuntimeError):
    """The upload was confirmed before; confirming again changes nothing."""


@dataclass(frozen=True)
class RosterPlan:
    """A checked roster file and the snapshot it was checked against."""

    check: RosterCheck
    snapshot: Snapshot
    filename: str
    sha256: str
    text: str

    @property
    def ok(self) -> bool:
        """Return True when every row can be imported."""
        return self.check.ok

    @property
    def rows(self):
        """Return every row's outcome, in file order."""
        return self.check.rows

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Return the problems, as `line N: message` when printed."""
        return self.check.problems

    @property
    def counts(self) -> dict[str, int]:
        """Return the number of rows per outcome and of new agencies."""
        return self.check.counts


@dataclass(frozen=True)
class ConfirmResult:
    """What confirming an upload did: `imported`, `already` imported, or `problems` found now."""

    status: str
    plan: RosterPlan | None = None
    counts: dict[str, int] | None = None


def _members(column, values: set[str]):
    """Return `column IN (values)` with the values bound as one JSON parameter."""
    payload = literal(json.dumps(sorted(values)), String)
    if db.session.get_bind().dialect.name == "postgresql":
        members = select(func.json_array_elements_text(cast(payload, JSON)))
    else:  # SQLite's JSON1 table-valued function
        members = select(literal_column("value")).select_from(func.json_each(payload))
    return column.in_(members)


def roster_snapshot(read: ReadRoster) -> Snapshot:
    """Load the agencies and accounts a file names, in two queries."""
    agencies = [
        ExistingAgency(ori=ori, name=name, state=state, id=id_)
        for id_, ori, name, state in db.session.execute(
            select(Agency.id, Agency.ori, Agency.name, Agency.state)
            .where(_members(Agency.ori, read.oris)))
    ] if read.oris else []
    users = [
        ExistingUser(email=email, role=role, agency_ori=ori, name=name, badge_number=badge,
                     supervisor_email=supervisor, id=id_)
        for id_, email, role, ori, name, badge, supervisor in db.session.execute(
            select(User.id, User.email, User.role, Agency.ori, User.name, User.badge_number,
                   User.supervisor_email)
            .outerjoin(Agency, Agency.id == User.agency_id)
            .where(_members(User.email, read.emails)))
    ] if read.emails else []
    return snapshot_of(agencies, users)


def roster_plan(
    data: str | bytes, *, filename: str = "roster.csv", sha256: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> RosterPlan:
    """Read and check a roster file against the database; write nothing."""
    if isinstance(data, bytes):
        sha256 = sha256 or hashlib.sha256(data).hexdigest()
        text, problem = decode_roster(data)
        if problem is not None:
            return RosterPlan(RosterCheck((), (), (problem,)), Snapshot(), filename, sha256, "")
    else:
        text = data.removeprefix("\ufeff")
        sha256 = sha256 or hashlib.sha256(data.encode("utf-8")).hexdigest()
    read = read_roster(text)
    snapshot = roster_snapshot(read) if not read.problems else Snapshot()
    check = check_roster(read, snapshot, progress=progress)
    return RosterPlan(check, snapshot, filename, sha256, text)


def roster_apply(plan: RosterPlan, actor, now: datetime, *, upload: RosterUpload | None = None) -> dict[str, int]:
    """Write a clean plan in one transaction with bulk statements; return the counts."""
    if not plan.ok:
        raise RosterError(plan.problems)
    counts = plan.counts
    try:
        if upload is not None:
            claimed = db.session.execute(
                update(RosterUpload).where(RosterUpload.id == upload.id,
                                           RosterUpload.consumed_at.is_(None))
                .values(consumed_at=now).execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                raise RosterAlreadyImported(upload.token)
        agency_ids = {ori: a.id for ori, a in plan.snapshot.agencies.items()}
        new_agencies = plan.check.new_agencies
        if new_agencies:
            db.session.execute(insert(Agency.__table__), [
                {"ori": r.agency_ori, "name": r.agency_name, "state": r.state,
                 "field_office": None, "poc_email": None, "created_at": now, "updated_at": now}
                for r in new_agencies])
            agency_ids.update(db.session.execute(
                select(Agency.ori, Agency.id)
                .where(_members(Agency.ori, {r.agency_ori for r in new_agencies}))).all())
        created = [o.row for o in plan.rows if o.outcome == "created"]
        if created:
            db.session.execute(insert(User.__table__), [
                {"email": r.officer_email, "name": r.officer_name, "role": Role.OFFICER.value,
                 "agency_id": agency_ids[r.agency_ori], "active": True, "password_hash": None,
                 "badge_number": r.badge_number, "supervisor_email": r.supervisor_email,
                 "created_at": now, "updated_at": now}
                for r in created])
        updated = [o for o in plan.rows if o.outcome == "updated"]
        if updated:
            users = {u.id: u for u in plan.snapshot.users.values()}
            table = User.__table__
            db.session.execute(
                update(table).where(table.c.id == bindparam("b_id")).values(
                    name=bindparam("b_name"), badge_number=bindparam("b_badge"),
                    supervisor_email=bindparam("b_supervisor"), updated_at=bindparam("b_at")),
                [{"b_id": o.user_id, "b_name": o.row.officer_name,
                  "b_badge": o.row.badge_number if "badge_number" in plan.check.columns
                  else users[o.user_id].badge_number,
                  "b_supervisor": o.row.supervisor_email if "supervisor_email" in plan.check.columns
                  else users[o.user_id].supervisor_email,
                  "b_at": now}
                 for o in updated])
        if counts["created"] or counts["updated"]:
            audit_record(actor=actor, action="roster.import", target_type="roster",
                         target_id=plan.sha256, now=now, details={
                             "filename": plan.filename, "sha256": plan.sha256,
                             "rows": len(plan.rows), "created": counts["created"],
                             "updated": counts["updated"], "unchanged": counts["unchanged"],
                             "agencies_created": counts["agencies_created"]})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return {k: counts[k] for k in ("created", "updated", "unchanged", "agencies_created")}


def roster_upload_store(plan: RosterPlan, *, actor, now: datetime) -> RosterUpload:
    """Keep a previewed file under a random token until it is confirmed."""
    upload = RosterUpload(token=secrets.token_urlsafe(32), uploaded_by_id=actor.id, uploaded_at=now,
                          filename=plan.filename[:255], content=plan.text, sha256=plan.sha256)
    db.session.add(upload)
    db.session.commit()
    return upload


def roster_upload_find(token: str, *, actor) -> RosterUpload | None:
    """Return the actor's own upload with this token, or None."""
    return db.session.execute(
        select(RosterUpload).where(RosterUpload.token == token,
                                   RosterUpload.uploaded_by_id == actor.id)
    ).scalar_one_or_none()


def roster_confirm(upload: RosterUpload, *, actor, now: datetime) -> ConfirmResult:
    """Plan a stored upload again and import it if it is still clean; once only."""
    if upload.consumed_at is not None:
        return ConfirmResult("already")
    plan = roster_plan(upload.content, filename=upload.filename, sha256=upload.sha256)
    if not plan.ok:
        db.session.rollback()
        return ConfirmResult("problems", plan)
    try:
        counts = roster_apply(plan, actor, now, upload=upload)
    except RosterAlreadyImported:
        return ConfirmResult("already", plan)
    return ConfirmResult("imported", plan, counts)
