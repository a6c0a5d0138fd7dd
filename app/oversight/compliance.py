"""Training compliance across agencies, aggregated in SQL (a fixed number of queries).

Definitions (also shown on the dashboard):
- an officer is *trained* on D when a certificate counts on D: completed on
  or before D, valid until D or later, and not revoked by D;
- an officer is *designated* on D when their agency's agreement is in force
  on D and they hold a grant that took effect by D, with no withdrawal since
  that grant;
- a partner agency is *in full compliance* on D when every officer it has
  designated is trained on D (the GAO-21-186 measure). Agencies with an active
  agreement but no designated officer yet are counted apart, not as compliant.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from app.agencies.models import Agency, Agreement
from app.auth.models import User
from app.authority.models import AuthorityGrant, AuthorityWithdrawal
from app.certificates.models import Certificate
from app.extensions import db


@dataclass(frozen=True)
class Filters:
    state: str | None = None
    model: str | None = None
    field_office: str | None = None

    def as_args(self) -> dict:
        return {k: v for k, v in (("state", self.state), ("model", self.model),
                                  ("field_office", self.field_office)) if v}


def agreement_in_force(on: date):
    return and_(Agreement.signed_on <= on,
                or_(Agreement.terminated_on.is_(None), Agreement.terminated_on > on))


def certificate_counts(on: date, cert=Certificate):
    return and_(cert.completed_on <= on, cert.valid_until >= on,
                or_(cert.revoked_at.is_(None), func.date(cert.revoked_at) > on))


def trained_on(on: date, officer_id_column):
    cert = aliased(Certificate)
    return exists(select(literal(1)).where(cert.officer_id == officer_id_column, certificate_counts(on, cert)))


def designated_on(on: date, filters: Filters):
    """Return a select of (officer_id, agency_id) designated on D under the filters."""
    grant, agreement, withdrawal = aliased(AuthorityGrant), aliased(Agreement), aliased(AuthorityWithdrawal)
    query = (
        select(grant.officer_id.label("officer_id"), agreement.agency_id.label("agency_id"))
        .join(agreement, agreement.id == grant.agreement_id)
        .join(Agency, Agency.id == agreement.agency_id)
        .where(grant.effective_on <= on, agreement.signed_on <= on,
               or_(agreement.terminated_on.is_(None), agreement.terminated_on > on),
               ~exists(select(literal(1)).where(
                   withdrawal.officer_id == grant.officer_id,
                   withdrawal.effective_on >= grant.effective_on, withdrawal.effective_on <= on)))
        .distinct()
    )
    return _filter_agency(query, filters, agreement)


def _filter_agency(query, filters: Filters, agreement=Agreement):
    if filters.state:
        query = query.where(Agency.state == filters.state)
    if filters.field_office:
        query = query.where(Agency.field_office == filters.field_office)
    if filters.model:
        query = query.where(agreement.model == filters.model)
    return query


@dataclass(frozen=True)
class ComplianceFigure:
    on: date
    agencies_with_designated: int
    agencies_compliant: int
    agencies_without_designated: int

    @property
    def percent(self) -> float | None:
        if not self.agencies_with_designated:
            return None
        return round(100 * self.agencies_compliant / self.agencies_with_designated, 1)


def compliance_on(on: date, filters: Filters) -> ComplianceFigure:
    """Return the share of partner agencies in full compliance on D, in one query."""
    designated = designated_on(on, filters).subquery()
    per_agency = (
        select(designated.c.agency_id,
               func.max(case((~trained_on(on, designated.c.officer_id), 1), else_=0)).label("gap"))
        .group_by(designated.c.agency_id).subquery())
    active_agencies = _filter_agency(
        select(Agreement.agency_id).join(Agency, Agency.id == Agreement.agency_id)
        .where(agreement_in_force(on)).distinct(), filters).subquery()
    row = db.session.execute(select(
        select(func.count()).select_from(per_agency).scalar_subquery(),
        select(func.count()).select_from(per_agency).where(per_agency.c.gap == 0).scalar_subquery(),
        select(func.count()).select_from(active_agencies).where(
            active_agencies.c.agency_id.not_in(select(per_agency.c.agency_id))).scalar_subquery(),
    )).one()
    return ComplianceFigure(on, int(row[0]), int(row[1]), int(row[2]))


def month_ends(today: date, months: int = 12) -> list[date]:
    """Return the last day of each of the `months` months up to today (today for this month)."""
    ends = [today]
    year, month = today.year, today.month
    for _ in range(months - 1):
        previous = date(year, month, 1) - timedelta(days=1)
        ends.append(previous)
        year, month = previous.year, previous.month
    return list(reversed(ends))


@dataclass(frozen=True)
class OfficerFigures:
    on_rosters: int
    trained: int
    active_authority: int
    due_within_90: int
    overdue: int
    lapsed: int


def filter_agencies(query, filters: Filters):
    """Restrict a query that joins Agency to the filtered agencies (model: any agreement of it)."""
    if filters.state:
        query = query.where(Agency.state == filters.state)
    if filters.field_office:
        query = query.where(Agency.field_office == filters.field_office)
    if filters.model:
        query = query.where(exists(select(literal(1)).where(
            Agreement.agency_id == Agency.id, Agreement.model == filters.model)))
    return query


def _officers_query(filters: Filters):
    return filter_agencies(select(User.id).join(Agency, Agency.id == User.agency_id)
                           .where(User.role == "officer", User.active.is_(True)), filters)


def officer_figures(on: date, filters: Filters) -> OfficerFigures:
    """Count officers by training and authority status on D, in one query."""
    officers = _officers_query(filters).subquery()
    officer_id = officers.c.id
    cert, later, old = aliased(Certificate), aliased(Certificate), aliased(Certificate)
    trained = exists(select(literal(1)).where(cert.officer_id == officer_id, certificate_counts(on, cert)))
    beyond_90 = exists(select(literal(1)).where(
        later.officer_id == officer_id, certificate_counts(on, later),
        later.valid_until > on + timedelta(days=90)))
    ever_trained = exists(select(literal(1)).where(old.officer_id == officer_id, old.completed_on <= on))
    grant, agreement, withdrawal = aliased(AuthorityGrant), aliased(Agreement), aliased(AuthorityWithdrawal)
    held = (select(literal(1)).select_from(grant).join(agreement, agreement.id == grant.agreement_id)
            .where(grant.officer_id == officer_id, grant.effective_on <= on,
                   agreement.signed_on <= on,
                   or_(agreement.terminated_on.is_(None), agreement.terminated_on > on),
                   ~exists(select(literal(1)).where(
                       withdrawal.officer_id == grant.officer_id,
                       withdrawal.effective_on >= grant.effective_on, withdrawal.effective_on <= on))))
    designated = exists(held)
    current_grant = exists(held.where(grant.expires_on >= on))
    one = lambda condition: func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # noqa: E731
    row = db.session.execute(select(
        func.count(),
        one(trained),
        one(and_(current_grant, trained)),
        one(and_(trained, ~beyond_90)),
        one(and_(ever_trained, ~trained)),
        one(and_(designated, or_(~current_grant, ~trained))),
    ).select_from(officers)).one()
    return OfficerFigures(*(int(v) for v in row))
