"""`flask roster import FILE.csv [--dry-run]`: all rows or none, bad rows named by line."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask

from app.models import utcnow


def _summary(counts: dict[str, int]) -> str:
    """Return the counts as people read them."""
    agencies = counts["agencies_created"]
    return (f"{counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged; {agencies} agenc{'y' if agencies == 1 else 'ies'} created")


def register_roster_commands(app: Flask) -> None:
    """Add the `flask roster` group."""

    @app.cli.group("roster")
    def roster_group() -> None:
        """Import partner agencies' officer rosters."""

    @roster_group.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Check the file and show what would change; write nothing.")
    def import_command(file: str, dry_run: bool) -> None:
        """Import a roster CSV whole or not at all; print line N: message per bad row."""
        from app.agencies.roster import read_roster
        from app.agencies.roster_service import roster_apply, roster_plan

        started = time.perf_counter()
        data = Path(file).read_bytes()
        # The rows are read twice (a cheap CSV split) so the bar knows its length.
        text = data.decode("utf-8-sig", errors="replace")
        total = max(len(read_roster(text).rows), 1)
        with click.progressbar(length=total, label="Checking rows", file=sys.stderr) as bar:
            plan = roster_plan(data, filename=Path(file).name, progress=bar.update)
        if not plan.ok:
            for problem in plan.problems:
                click.echo(str(problem))
            click.echo(f"{file}: {len(plan.problems)} problem(s); nothing was imported", err=True)
            raise SystemExit(1)
        if dry_run:
            click.echo(f"dry run, nothing written: {_summary(plan.counts)}")
            return
        counts = roster_apply(plan, "flask roster import", utcnow())
        click.echo(f"{Path(file).name}: {_summary(counts)} in {time.perf_counter() - started:.2f} s")
