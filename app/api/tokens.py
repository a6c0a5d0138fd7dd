"""API tokens: create (shown once), look up by bearer header, revoke."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select

from app.audit import audit_record
from app.auth.models import ApiToken, User
from app.extensions import db

TOKEN_PREFIX = "lms_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user: User, name: str, actor, now: datetime) -> tuple[ApiToken, str]:
    """Create a token for `user`; return the record and the secret, which is never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=(name or "API token").strip()[:100], token_hash=_hash(secret),
                     prefix=secret[:12], created_at=now)
    db.session.add(token)
    db.session.flush()
    audit_record(actor=actor, action="api_token.create", target_type="api_token", target_id=token.id,
                 now=now, details={"user_id": user.id, "name": token.name, "prefix": token.prefix})
    db.session.commit()
    return token, secret


def token_revoke(*, token: ApiToken, actor, now: datetime) -> None:
    """Revoke a token; it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = now
        audit_record(actor=actor, action="api_token.revoke", target_type="api_token", target_id=token.id,
                     now=now, details={"prefix": token.prefix})
        db.session.commit()


def user_for_bearer(header: str | None, *, now: datetime) -> User | None:
    """Return the active user a `Bearer <token>` header belongs to, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    secret = header[len("Bearer "):].strip()
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.execute(select(ApiToken).where(
        ApiToken.token_hash == _hash(secret), ApiToken.revoked_at.is_(None))).scalar_one_or_none()
    if token is None or not token.user.active:
        return None
    token.last_used_at = now
    db.session.commit()
    return token.user
