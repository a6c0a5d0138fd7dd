"""`flask users create`."""
from __future__ import annotations

import sys

import click
from flask import Flask
from sqlalchemy import select

from app.agencies.models import Agency
from app.auth.roles import ROLE_VALUES
from app.auth.services import AccountError, user_create
from app.extensions import db
from app.models import utcnow


def register_user_commands(app: Flask) -> None:
    """Add the `flask users` group."""

    @app.cli.group("users")
    def users_group() -> None:
        """Manage user accounts."""

    @users_group.command("create")
    @click.argument("email")
    @click.option("--role", required=True, type=click.Choice(ROLE_VALUES))
    @click.option("--name", required=True)
    @click.option("--agency", "agency_ori", default=None, help="The agency's ORI code (officers).")
    def create_command(email: str, role: str, name: str, agency_ori: str | None) -> None:
        """Create an account; the password is read from standard input."""
        agency_id = None
        if agency_ori:
            agency_id = db.session.execute(
                select(Agency.id).where(Agency.ori == agency_ori.strip().upper())
            ).scalar_one_or_none()
            if agency_id is None:
                raise click.ClickException(f"no agency with ORI {agency_ori}")
        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        try:
            user = user_create(email=email, name=name, role=role, password=password,
                               agency_id=agency_id, actor="cli", now=utcnow())
        except AccountError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        click.echo(f"created {user.role} {user.email}")
