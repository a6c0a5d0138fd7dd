"""`flask keys ...` and `flask certificates ...`."""
from __future__ import annotations

import json
import sys
import os
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from app.certificates.keys import ROOT_CERT, KeysError, keys_init
from app.certificates.models import Certificate
from app.certificates.services import (
    CertificateError, certificate_by_serial, certificate_issue, certificate_revoke, certificate_verify_file,
    certificates_issue_pending, key_material,
)
from app.extensions import db
from app.models import utcnow


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
        try:
            key_material()
        except KeysError as error:
            raise click.ClickException(str(error)) from None
        enrollments = db.session.execute(select(Enrollment).where(Enrollment.class_id == class_id)).scalars().all()
        completions = {c.enrollment_id: c for c in db.session.execute(select(CourseCompletion).where(
            CourseCompletion.enrollment_id.in_([e.id for e in enrollments]))).scalars()} if enrollments else {}
        issued_before = set(db.session.execute(select(Certificate.completion_id).where(
            Certificate.completion_id.in_([c.id for c in completions.values()]))).scalars()) if completions else set()
        counts = {"issued": 0, "already issued": 0, "not complete": 0}
        with click.progressbar(enrollments, label="Issuing certificates", file=sys.stderr) as bar:
            for enrollment in bar:
                completion = completions.get(enrollment.id)
                if completion is None:
                    counts["not complete"] += 1
                elif completion.id in issued_before:
                    counts["already issued"] += 1
                else:
                    certificate_issue(completion=completion, now=utcnow())
                    counts["issued"] += 1
        click.echo(", ".join(f"{n} {label}" for label, n in counts.items()))

    @certificates_group.command("issue-pending")
    def issue_pending_command() -> None:
        """Issue certificates for completions that have none yet."""
        try:
            key_material()
        except KeysError as error:
            raise click.ClickException(str(error)) from None
        issued = certificates_issue_pending(now=utcnow())
        click.echo(f"issued {len(issued)} certificate(s)")
