"""`flask content check | sync | render | export`."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask, current_app

from app.courses.loader import load_tree, normalize_newlines
from app.courses.services import ContentError, content_export, content_sync
from app.markdown import render_markdown
from app.models import utcnow


def _content_dir(directory: str | None) -> tuple[Path, str]:
    if directory:
        return Path(directory), directory
    path = Path(current_app.config["CONTENT_DIR"])
    try:
        return path, str(path.relative_to(Path.cwd()))
    except ValueError:
        return path, str(path)


def _refuse(problems, closing: str) -> None:
    """Print each problem and what was not done, then exit 1."""
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(closing, err=True)
    raise SystemExit(1)


def register_content_commands(app: Flask) -> None:
    """Add the `flask content` group."""

    @app.cli.group("content")
    def content_group() -> None:
        """Check, load, render and export the curriculum."""

    @content_group.command("check")
    @click.argument("directory", required=False)
    def check_command(directory: str | None) -> None:
        """Validate the content tree; print path:line: message per problem."""
        path, shown = _content_dir(directory)
        tree = load_tree(path, shown)
        for problem in tree.problems:
            click.echo(str(problem))
        if tree.problems:
            click.echo(f"{len(tree.problems)} problem(s) found", err=True)
            raise SystemExit(1)
        click.echo(f"content OK: {len(tree.lessons)} lessons, {len(tree.courses)} courses", err=True)

    @content_group.command("sync")
    @click.argument("directory", required=False)
    def sync_command(directory: str | None) -> None:
        """Load or update courses and lessons; idempotent."""
        path, shown = _content_dir(directory)
        started = time.perf_counter()
        tree = load_tree(path, shown)
        try:
            summary = content_sync(tree=tree, actor="content sync", now=utcnow())
        except ContentError as error:
            _refuse(error.problems, "nothing was loaded: fix the problems above first")
        click.echo(f"synced in {time.perf_counter() - started:.2f} s: {summary}")

    @content_group.command("render")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    def render_command(file: str) -> None:
        """Print the sanitized HTML of one lesson file, as the lesson page shows it."""
        text = normalize_newlines(Path(file).read_text(encoding="utf-8-sig"))
        lines = text.split("\n")
        if lines and lines[0].strip() == "---":
            end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
            if end is not None:
                text = "\n".join(lines[end + 1:])
        click.echo(render_markdown(text))

    @content_group.command("import-gift")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--bank", "bank_key", default=None, help="Bank to import into (default: the file name).")
    @click.option("--subject", default=None, help="Subject area of a new bank.")
    def import_gift_command(file: str, bank_key: str | None, subject: str | None) -> None:
        """Import a Moodle GIFT file whole or not at all; print how many questions were imported."""
        from app.assessments.gift import slugify
        from app.assessments.services import GiftImportError, bank_import_gift

        path = Path(file)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise click.ClickException(f"{file}: not UTF-8 text ({error.reason})") from None
        try:
            count = bank_import_gift(text=text, path=file, bank_key=bank_key or slugify(path.stem),
                                     subject=subject, now=utcnow(), actor="content import-gift")
        except GiftImportError as error:
            _refuse(error.problems, "nothing was imported")
        click.echo(f"{count} questions imported")

    @content_group.command("export-gift")
    @click.argument("bank")
    @click.argument("out", type=click.Path(dir_okay=False))
    def export_gift_command(bank: str, out: str) -> None:
        """Write a bank as GIFT."""
        from app.assessments.services import bank_export_gift

        try:
            text, count = bank_export_gift(bank_key=bank)
        except LookupError as error:
            raise click.ClickException(str(error)) from None
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"wrote {count} questions to {out}")

    @content_group.command("export")
    @click.argument("directory")
    def export_command(directory: str) -> None:
        """Write the current published lessons and courses back as files."""
        written = content_export(target=Path(directory))
        click.echo(f"wrote {len(written)} files under {directory}")
