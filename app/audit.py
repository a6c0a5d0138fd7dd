"""The append-only, hash-chained audit log.

Every decision that grants, withdraws or changes a record appends one entry.
Each entry's hash covers its canonical content and the previous entry's hash,
so editing, inserting or deleting any entry breaks the chain from that point
on; `flask audit verify` walks it. A single-row head table holds the sequence
number and last hash: updating it first takes the write lock on every
database, so concurrent appenders queue instead of forking the chain.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import click
from flask import Flask
from sqlalchemy import ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models import UTCDateTime, utcnow

GENESIS_HASH = "0" * 64


class AuditEntry(db.Model):
    """One audited decision. Rows are only ever inserted."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), default=None)
    # Kept as text too, so the entry still reads right if the account changes.
    actor_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(db.Model):
    """The chain's head: one row, updated with every append."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


def canonical_content(
    *, seq: int, at: datetime, actor_id: int | None, actor_label: str, action: str,
    target_type: str, target_id: str, details: str, prev_hash: str,
) -> bytes:
    """Return the bytes an entry's hash is computed over."""
    return json.dumps(
        {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "actor_label": actor_label,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "details": details,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def entry_hash(entry: AuditEntry) -> str:
    """Return the SHA-256 an entry should carry, from its own fields."""
    return hashlib.sha256(
        canonical_content(
            seq=entry.seq, at=entry.at, actor_id=entry.actor_id,
            actor_label=entry.actor_label, action=entry.action,
            target_type=entry.target_type, target_id=entry.target_id,
            details=entry.details, prev_hash=entry.prev_hash,
        )
    ).hexdigest()


def entry_values(
    *, seq: int, prev_hash: str, actor, action: str, target_type: str, target_id,
    details: dict | None, at: datetime,
) -> dict:
    """Return the column values of the entry that follows `prev_hash`, its hash included.

    Pure (no database): `audit_record` appends one entry with it, and bulk
    loaders (`flask demo --scale national`) chain many in memory the same way.
    """
    values = {
        "seq": seq,
        "at": at,
        "actor_id": getattr(actor, "id", None),
        "actor_label": getattr(actor, "email", None) or str(actor or "system"),
        "action": action,
        "target_type": target_type,
        "target_id": str(target_id),
        "details": json.dumps(details or {}, sort_keys=True, default=str),
        "prev_hash": prev_hash,
    }
    values["hash"] = hashlib.sha256(canonical_content(**values)).hexdigest()
    return values


def audit_record(
    *, actor, action: str, target_type: str, target_id, details: dict | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction; the caller commits."""
    session = db.session
    # Taking the head row's write lock first serialises appenders.
    result = session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
    )
    if result.rowcount == 0:
        session.add(AuditHead(id=1, seq=1, last_hash=GENESIS_HASH))
        session.flush()
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)
    ).scalar_one()
    entry = AuditEntry(**entry_values(
        seq=head.seq, prev_hash=head.last_hash, actor=actor, action=action,
        target_type=target_type, target_id=target_id, details=details, at=now or utcnow(),
    ))
    head.last_hash = entry.hash
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    checked: int
    message: str
    first_bad_seq: int | None = None


def audit_verify(batch_size: int = 5000) -> ChainVerdict:
    """Walk the whole chain and report the first entry that does not fit."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        rows = db.session.execute(
            select(AuditEntry).where(AuditEntry.seq > last_seq)
            .order_by(AuditEntry.seq).limit(batch_size)
        ).scalars().all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return ChainVerdict(False, checked, (
                    f"entry {expected_seq} is missing (next is {entry.seq}): "
                    "an entry was deleted"), expected_seq)
            if entry.prev_hash != expected_prev:
                return ChainVerdict(False, checked, (
                    f"entry {entry.seq} does not follow entry {entry.seq - 1}: "
                    "an entry was inserted, deleted or edited before it"), entry.seq)
            if entry_hash(entry) != entry.hash:
                return ChainVerdict(False, checked, (
                    f"entry {entry.seq} ({entry.action}) was edited: its content "
                    "does not match its hash"), entry.seq)
            expected_prev = entry.hash
            expected_seq += 1
            checked += 1
            last_seq = entry.seq
        db.session.expunge_all()
    head = db.session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.last_hash) if head else (0, GENESIS_HASH)
    if checked > head_seq:
        return ChainVerdict(False, checked, (
            f"entry {head_seq + 1} was inserted: the head records the chain ending at entry "
            f"{head_seq}"), head_seq + 1)
    if head_seq != checked or head_hash != expected_prev:
        return ChainVerdict(False, checked, (
            f"the chain ends at entry {checked} but its head records entry "
            f"{head_seq}: entries were deleted from the end"), checked + 1)
    return ChainVerdict(True, checked, f"audit chain intact: {checked} entries")


def register_audit_commands(app: Flask) -> None:
    """Add `flask audit verify`."""

    @app.cli.group("audit")
    def audit_group() -> None:
        """Inspect the audit log."""

    @audit_group.command("verify")
    def verify_command() -> None:
        """Exit 0 when the chain is intact, else exit 1 naming the first broken entry."""
        verdict = audit_verify()
        if verdict.ok:
            click.echo(verdict.message)
            return
        click.echo(f"audit chain broken: {verdict.message}", err=True)
        raise SystemExit(1)
