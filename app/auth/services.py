"""Use cases for accounts: sign in with lockout, create and change users."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from app.audit import audit_record
from app.auth.emails import is_email
from app.auth.lockout import locked_until
from app.auth.models import SignInAttempt, User, normalize_email
from app.auth.passwords import password_problems
from app.auth.roles import Role
from app.extensions import db


class AccountError(ValueError):
    """A request to create or change an account that breaks a rule."""


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def _lockout_settings() -> dict:
    cfg = current_app.config
    return {
        "threshold": cfg["LOCKOUT_THRESHOLD"],
        "window": cfg["LOCKOUT_WINDOW"],
        "duration": cfg["LOCKOUT_DURATION"],
    }


def account_locked_until(*, email: str, now: datetime) -> datetime | None:
    """Return the end of the current lockout for this address, if any."""
    settings = _lockout_settings()
    lookback = now - settings["window"] - settings["duration"]
    last_success = db.session.execute(
        select(func.max(SignInAttempt.at)).where(
            SignInAttempt.email == email, SignInAttempt.outcome == "success"
        )
    ).scalar()
    since = max(lookback, last_success) if last_success else lookback
    failures = db.session.execute(
        select(SignInAttempt.at).where(
            SignInAttempt.email == email,
            SignInAttempt.outcome == "failure",
            SignInAttempt.at > since,
        )
    ).scalars().all()
    return locked_until(failures, now=now, **settings)


def user_sign_in(*, email: str, password: str, remote_addr: str | None, now: datetime) -> SignInResult:
    """Check a password, applying the lockout, and record the attempt.

    The lockout is kept per address whether or not an account exists, so the
    answer never tells an attacker which addresses are registered.
    """
    email = normalize_email(email)
    until = account_locked_until(email=email, now=now)
    if until is not None:
        db.session.add(SignInAttempt(email=email, at=now, outcome="locked", remote_addr=remote_addr))
        db.session.commit()
        return SignInResult(None, until)
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    ok = user is not None and user.active and user.check_password(password)
    db.session.add(SignInAttempt(
        email=email, at=now, outcome="success" if ok else "failure", remote_addr=remote_addr,
    ))
    db.session.commit()
    if ok:
        return SignInResult(user)
    # This failure may be the one that reaches the threshold.
    return SignInResult(None, account_locked_until(email=email, now=now))


def _check_password(password: str, *, email: str, name: str) -> None:
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise AccountError(" ".join(problems))


def user_create(
    *, email: str, name: str, role: str, password: str | None, agency_id: int | None,
    actor, now: datetime,
) -> User:
    """Create an account after checking the address, role and password policy."""
    email = normalize_email(email)
    if not is_email(email):
        raise AccountError(f"{email!r} is not an email address.")
    if role not in {r.value for r in Role}:
        raise AccountError(f"Unknown role {role!r}.")
    if not name.strip():
        raise AccountError("A name is required.")
    if role == Role.OFFICER and agency_id is None:
        raise AccountError("An officer belongs to an agency: choose one.")
    if db.session.execute(select(User.id).where(User.email == email)).first():
        raise AccountError(f"An account for {email} already exists.")
    user = User(email=email, name=name.strip(), role=role, agency_id=agency_id, active=True)
    if password is not None:
        _check_password(password, email=email, name=name)
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit_record(actor=actor, action="user.create", target_type="user", target_id=user.id,
                 details={"email": email, "role": role, "agency_id": agency_id}, now=now)
    db.session.commit()
    return user


def user_update(
    *, user: User, name: str, role: str, agency_id: int | None, active: bool,
    new_password: str | None, actor, now: datetime,
) -> User:
    """Change an account's name, role, agency, active flag or password; audited."""
    if getattr(actor, "id", None) == user.id and (role != user.role or not active):
        raise AccountError("You cannot change your own role or deactivate yourself.")
    if role not in {r.value for r in Role}:
        raise AccountError(f"Unknown role {role!r}.")
    if role == Role.OFFICER and agency_id is None:
        raise AccountError("An officer belongs to an agency: choose one.")
    before = {"name": user.name, "role": user.role, "agency_id": user.agency_id, "active": user.active}
    after = {"name": name.strip(), "role": role, "agency_id": agency_id, "active": active}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if new_password:
        _check_password(new_password, email=user.email, name=name)
        user.set_password(new_password)
        changes["password"] = "reset"
    if not changes:
        return user
    user.name, user.role, user.agency_id, user.active = (
        after["name"], role, agency_id, active)
    audit_record(actor=actor, action="user.update", target_type="user", target_id=user.id,
                 details=changes, now=now)
    db.session.commit()
    return user
