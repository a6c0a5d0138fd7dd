"""Queries and use cases for agencies and agreements."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.agencies.models import Agency, Agreement, AgreementStatus
from app.auth.models import User
from app.auth.roles import Role
from app.extensions import db


@dataclass(frozen=True)
class AgencyRow:
    id: int
    name: str
    ori: str
    state: str
    field_office: str | None
    active_models: tuple[str, ...]
    officers: int


def agency_overview(*, state: str | None = None, model: str | None = None) -> list[AgencyRow]:
    """Return every agency with its active program models and officer count, in two queries."""
    officer_counts = (
        select(User.agency_id, func.count(User.id).label("n"))
        .where(User.role == Role.OFFICER.value, User.active.is_(True))
        .group_by(User.agency_id).subquery()
    )
    query = (
        select(Agency, func.coalesce(officer_counts.c.n, 0))
        .outerjoin(officer_counts, officer_counts.c.agency_id == Agency.id)
        .order_by(Agency.state, Agency.name)
    )
    if state:
        query = query.where(Agency.state == state)
    if model:
        query = query.where(Agency.id.in_(
            select(Agreement.agency_id).where(
                Agreement.model == model, Agreement.status == AgreementStatus.ACTIVE.value)))
    rows = db.session.execute(query).all()
    models: dict[int, set[str]] = {}
    for agency_id, model_name in db.session.execute(
        select(Agreement.agency_id, Agreement.model)
        .where(Agreement.status == AgreementStatus.ACTIVE.value)
    ):
        models.setdefault(agency_id, set()).add(model_name)
    return [
        AgencyRow(a.id, a.name, a.ori, a.state, a.field_office,
                  tuple(sorted(models.get(a.id, ()))), n)
        for a, n in rows
    ]
