"""Route guards: every view names the roles that may use it."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app.auth.roles import Role


def roles_required(*roles: Role):
    """Allow the view only to signed-in users holding one of `roles` (403 otherwise)."""
    allowed = {Role(r).value for r in roles}

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(allowed)
        return wrapped

    return decorator
