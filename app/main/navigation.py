"""Which links each role sees in the main navigation and where each role lands."""
from __future__ import annotations

from flask import url_for

from app.auth.roles import Role

HOME_ENDPOINTS = {
    Role.OFFICER: "main.officer_home",
    Role.INSTRUCTOR: "main.instructor_home",
    Role.CREDENTIALING: "main.credentialing_home",
    Role.MANAGER: "oversight.dashboard",
    Role.ADMIN: "admin.users",
}

# (endpoint, label, roles that see it)
_LINKS = [
    ("main.officer_home", "My training", {Role.OFFICER}),
    ("main.instructor_home", "Teaching", {Role.INSTRUCTOR}),
    ("main.credentialing_home", "Credentialing", {Role.CREDENTIALING}),
    ("oversight.dashboard", "Program overview", {Role.MANAGER, Role.ADMIN}),
    ("courses.catalog", "Courses", set(Role)),
    ("courses.classes", "Classes", {Role.INSTRUCTOR, Role.MANAGER, Role.ADMIN}),
    ("courses.authoring", "Authoring", {Role.INSTRUCTOR, Role.ADMIN}),
    ("agencies.index", "Agencies", {Role.CREDENTIALING, Role.MANAGER, Role.ADMIN}),
    ("certificates.mine", "Certificates", {Role.OFFICER}),
    ("certificates.manage", "Certificates", {Role.CREDENTIALING, Role.MANAGER, Role.ADMIN}),
    ("audit_log.index", "Audit log", {Role.CREDENTIALING, Role.MANAGER, Role.ADMIN}),
    ("auth.tokens", "API tokens", {Role.CREDENTIALING}),
    ("admin.users", "Users", {Role.ADMIN}),
    ("notices.index", "Notices", set(Role)),
]


def home_endpoint(user) -> str:
    """Return the endpoint of the user's home page."""
    return HOME_ENDPOINTS[Role(user.role)]


def navigation_for(user) -> list[dict]:
    """Return the navigation links for a signed-in user."""
    role = Role(user.role)
    return [{"endpoint": ep, "url": url_for(ep), "label": label}
            for ep, label, roles in _LINKS if role in roles]
