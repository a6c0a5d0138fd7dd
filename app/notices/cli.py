"""`flask notices schedule` and `flask notices send` (run from cron; see README "Notices")."""
from __future__ import annotations

import os
import socket

import click
from flask import Flask

from app.models import utcnow
from app.notices.services import SendResult, notices_schedule, notices_send


def default_worker() -> str:
    """A name that tells concurrent senders apart in the outbox: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def register_notice_commands(app: Flask) -> None:
    """Add the `flask notices` group."""

    @app.cli.group("notices")
    def notices_group() -> None:
        """Schedule refresher and authority notices and send them by SMTP."""

    @notices_group.command("schedule")
    def schedule_command() -> None:
        """Store today's refresher and lapse notices that are not stored yet (idempotent)."""
        result = notices_schedule(utcnow())
        click.echo(f"checked {result.officers} officers: {result.planned} notices due, "
                   f"{result.created} new")

    @notices_group.command("send")
    @click.option("--batch", default=50, show_default=True, type=click.IntRange(1, 1000),
                  help="Notices claimed at a time.")
    @click.option("--max-attempts", default=5, show_default=True, type=click.IntRange(1, 50),
                  help="Attempts before a notice is marked failed.")
    @click.option("--worker", default=None, help="Name recorded on claimed notices (default host:pid).")
    def send_command(batch: int, max_attempts: int, worker: str | None) -> None:
        """Send the pending notices that are due, batch after batch until none is left."""
        worker = worker or default_worker()
        total = SendResult()
        while True:
            result = notices_send(worker=worker, now=utcnow(), batch=batch, max_attempts=max_attempts)
            total += result
            if result.claimed < batch:
                break
        line = f"claimed {total.claimed}, sent {total.sent}, retried {total.retried}, failed {total.failed}"
        if total.skipped:
            line += f", skipped {total.skipped} (taken over by another sender)"
        click.echo(line)
