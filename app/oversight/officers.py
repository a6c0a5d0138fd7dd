"""Authority status of many officers at once: facts loaded in a fixed number of queries."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from app.agencies.models import Agreement
from app.authority.models import AuthorityGrant, AuthorityWithdrawal
from app.authority.rules import (
    AuthorityStatus, CertificateFact, GrantFact, WithdrawalFact, authority_on,
)
from app.authority.services import agreement_fact
from app.certificates.models import Certificate
from app.extensions import db


def officer_statuses(officer_ids: list[int], on: date) -> dict[int, AuthorityStatus]:
    """Return each officer's authority status on D, in four queries whatever their number."""
    if not officer_ids:
        return {}
    certificates, grants, withdrawals = defaultdict(list), defaultdict(list), defaultdict(list)
    for c in db.session.execute(select(Certificate).where(Certificate.officer_id.in_(officer_ids))).scalars():
        certificates[c.officer_id].append(CertificateFact(
            c.serial, c.kind, c.course_key, c.completed_on, c.valid_until,
            c.revoked_at.date() if c.revoked_at else None))
    grant_rows = db.session.execute(select(AuthorityGrant).where(
        AuthorityGrant.officer_id.in_(officer_ids))).scalars().all()
    for g in grant_rows:
        grants[g.officer_id].append(GrantFact(g.id, g.agreement_id, g.effective_on, g.expires_on))
    for w in db.session.execute(select(AuthorityWithdrawal).where(
            AuthorityWithdrawal.officer_id.in_(officer_ids))).scalars():
        withdrawals[w.officer_id].append(WithdrawalFact(w.effective_on, w.reason))
    agreement_ids = {g.agreement_id for g in grant_rows}
    agreements = [agreement_fact(a) for a in db.session.execute(
        select(Agreement).where(Agreement.id.in_(agreement_ids))).scalars()] if agreement_ids else []
    return {officer_id: authority_on(on, grants=grants[officer_id], withdrawals=withdrawals[officer_id],
                                     agreements=agreements, certificates=certificates[officer_id])
            for officer_id in officer_ids}
