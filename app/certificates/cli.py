"""`flask keys ...` and `flask certificates ...`."""
from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from app.certificates.keys import ROOT_CERT, KeysError, keys_init
from app.certificates.models import Certificate
from app.certificates.services import (
    CertificateError, certificate_by_serial, certificate_revoke, certificate_verify_file, certificates_issue,
    certificates_issue_pending, key_material, pending_batches,
)
from app.extensions import db
from app.models import utcnow


def _require_keys() -> None:
    """Load the signing keys now, so a command without them stops with the reason, not midway."""
    try:
        key_material()
    except KeysError as error:
        raise click.ClickException(str(error)) from None


def register_certificate_commands(app: Flask) -> None:
    """Add the `flask keys` and `flask certificates` groups."""

    @app.cli.group("keys")
    def keys_group() -> None:
        """Create and export the program's signing keys."""

    @keys_group.command("init")
    def keys_init_command() -> None:
        """Create the program root CA and the signing certificate; refuse to overwrite."""
        directory = Path(current_app.config["KEYS_DIR"])
        passphrase = current_app.config.get("SIGNING_KEY_PASSPHRASE")
        try:
            root, signing = keys_init(directory, passphrase=passphrase.encode() if passphrase else None)
        except KeysError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"created {root} (the trust anchor) and {signing}; private keys are 0600")

    @keys_group.command("export-root")
    @click.argument("out", type=click.Path(dir_okay=False))
    def export_root_command(out: str) -> None:
        """Write the root certificate that verifiers trust."""
        source = current_app.config.get("TRUST_ROOT_PATH") or Path(current_app.config["KEYS_DIR"]) / ROOT_CERT
        try:
            data = Path(source).read_bytes()
        except OSError:
            raise click.ClickException(f"no root certificate at {source}; run flask keys init") from None
        Path(out).write_bytes(data)
        click.echo(f"wrote the program root certificate to {out}")

    @app.cli.group("certificates")
    def certificates_group() -> None:
        """List, export, verify, revoke and issue certificates."""

    @certificates_group.command("list")
    @click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
    def list_command(as_json: bool) -> None:
        """List certificates: serial, holder, course, status, issue and expiry dates."""
        today = utcnow().date()
        rows = [{"serial": c.serial, "holder": c.holder_name, "course": c.course_code,
                 "status": c.status_on(today), "issued_at": c.issued_at.isoformat(),
                 "expires_at": c.valid_until.isoformat()}
                for c in db.session.execute(
                    select(Certificate).order_by(Certificate.id)).scalars()]
        if as_json:
            click.echo(json.dumps(rows, indent=2))
            return
        for row in rows:
            click.echo(f"{row['serial']}  {row['status']:<10}  {row['course']:<6}  "
                       f"{row['expires_at']}  {row['holder']}")

    @certificates_group.command("export")
    @click.argument("serial")
    @click.argument("out", type=click.Path(dir_okay=False))
    def export_command(serial: str, out: str) -> None:
        """Write the PDF exactly as issued."""
        certificate = certificate_by_serial(serial)
        if certificate is None:
            raise click.ClickException(f"no certificate with serial {serial}")
        if certificate.origin == "imported" or certificate.pdf is None:
            raise click.ClickException(f"certificate {certificate.serial} is an imported record: no PDF is held "
                                       "in this system (it was carried over from the earlier system)")
        Path(out).write_bytes(certificate.pdf)
        click.echo(f"wrote {certificate.serial} to {out} (sha256 {certificate.sha256})")

    @certificates_group.command("verify")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
    def verify_command(file: str, as_json: bool) -> None:
        """Exit 0 when the certificate file is valid, 1 otherwise, saying why."""
        verdict = certificate_verify_file(Path(file).read_bytes(), today=utcnow().date(),
                                          actor=f"cli:{os.environ.get('USER', 'unknown')}",
                                          now=utcnow())
        if as_json:
            click.echo(json.dumps(verdict.as_json(), indent=2))
        else:
            click.echo(f"{'VALID' if verdict.valid else 'NOT VALID'}: {verdict.reason}")
        if not verdict.valid:
            raise SystemExit(1)

    @certificates_group.command("revoke")
    @click.argument("serial")
    @click.option("--reason", required=True, help="Why the certificate is revoked.")
    def revoke_command(serial: str, reason: str) -> None:
        """Mark a certificate revoked (it is never deleted)."""
        try:
            certificate = certificate_revoke(serial=serial, reason=reason,
                                             actor=f"cli:{os.environ.get('USER', 'unknown')}", now=utcnow())
        except CertificateError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"revoked {certificate.serial}")

    @certificates_group.command("issue-class")
    @click.argument("class_id", type=int)
    def issue_class_command(class_id: int) -> None:
        """Issue certificates for every officer of a class who completed the course."""
        from app.assessments.models import CourseCompletion
        from app.courses.models import Enrollment, TrainingClass

        if db.session.get(TrainingClass, class_id) is None:
            raise click.ClickException(f"no class {class_id}")
        _require_keys()
        enrollment_ids = db.session.execute(
            select(Enrollment.id).where(Enrollment.class_id == class_id)).scalars().all()
        completions = dict(db.session.execute(select(CourseCompletion.enrollment_id, CourseCompletion.id).where(
            CourseCompletion.enrollment_id.in_(enrollment_ids))).all()) if enrollment_ids else {}
        issued_before = set(db.session.execute(select(Certificate.completion_id).where(
            Certificate.completion_id.in_(completions.values()))).scalars()) if completions else set()
        to_issue = sorted(set(completions.values()) - issued_before)
        with click.progressbar(length=len(to_issue), label="Issuing certificates", file=sys.stderr) as bar:
            issued = certificates_issue(completion_ids=to_issue, now=utcnow(), progress=bar.update)
        counts = {"issued": issued, "already issued": len(completions) - issued,
                  "not complete": len(enrollment_ids) - len(completions)}
        click.echo(", ".join(f"{n} {label}" for label, n in counts.items()))

    @certificates_group.command("issue-pending")
    @click.option("--workers", type=click.IntRange(min=0), default=1, show_default=True,
                  help="Processes that render and sign side by side (this one and N-1 more); "
                       "0 means one per CPU.")
    def issue_pending_command(workers: int) -> None:
        """Issue certificates for completions that have none yet.

        Each certificate is committed on its own, so an interrupted run keeps
        what it issued and running again issues the rest, each once.
        """
        _require_keys()
        workers = workers or os.cpu_count() or 1
        now, started = utcnow(), time.perf_counter()
        if workers == 1:
            issued = certificates_issue_pending(now=now)
        else:
            issued = _issue_pending_in_processes(dict(current_app.config), workers=workers, now=now)
        click.echo(f"issued {issued} certificate(s) in {time.perf_counter() - started:.2f} s")


# Completions per batch. The pool hands its workers one batch more than it has workers, so
# that much is the tail the workers may finish after this process has run out.
_BATCH = 10


def _issue_pending_in_processes(settings: dict, *, workers: int, now: datetime) -> int:
    """Issue the pending certificates in this process and `workers - 1` spawned ones.

    The pending completions are cut into batches (one officer's always in
    one) and queued for the worker processes. This process does not wait
    for them to start (about a second of CPU each): it takes batches from
    the far end of the queue, each one it cancels before a worker has taken
    it. A batch runs once, wherever it runs; certificates stay exactly-once
    anyway (see `certificates_issue`).
    """
    officers = pending_batches(size=1)  # each officer's completions, together
    db.session.commit()  # end the read transaction: hold nothing while the workers run
    if not officers:
        return 0
    # Batches of up to _BATCH, smaller for a short run so that it is shared out too.
    size = min(_BATCH, -(-sum(map(len, officers)) // (4 * workers)))
    batches, batch = [], []
    for completions in officers:
        batch.extend(completions)
        if len(batch) >= size:
            batches.append(batch)
            batch = []
    if batch:
        batches.append(batch)
    issued, failures = 0, []
    context = multiprocessing.get_context("spawn")  # not fork: no shared connections or locks
    with ProcessPoolExecutor(max_workers=workers - 1, mp_context=context,
                             initializer=_start_worker, initargs=(settings,)) as pool:
        futures = [pool.submit(_issue_batch, batch, now) for batch in batches]
        try:
            for future, batch in zip(reversed(futures), reversed(batches)):
                if not future.cancel():
                    break  # the workers have reached this batch: the rest is theirs
                issued += certificates_issue(completion_ids=batch, now=now)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        for future in futures:
            if future.cancelled():
                continue
            try:
                issued += future.result()
            except Exception as error:  # noqa: BLE001 - reported below; the other batches still count
                failures.append(str(error) or type(error).__name__)
    if failures:
        raise click.ClickException(
            f"issued {issued} certificate(s), but {len(failures)} batch(es) failed ({failures[0]}). "
            "Run it again to issue the rest.")
    return issued



def _start_worker(settings: dict) -> None:
    """In a worker process: build the app with the parent's settings and keep its context."""
    from app import create_app
    from config import Config

    app = create_app(type("IssuanceWorkerConfig", (Config,), settings))
    app.app_context().push()
    key_material()


def _issue_batch(completion_ids: list[int], now: datetime) -> int:
    """In a worker process: issue one batch."""
    try:
        return certificates_issue(completion_ids=completion_ids, now=now)
    finally:
        db.session.remove()
