"""Every registered route × every role → the expected status.

A new route without an entry here fails `test_every_route_is_in_the_matrix`,
so nobody can add a page without deciding who may see it.
"""
import pytest

from tests.conftest import ROLES, csrf_token_from

ANON = "anonymous"
ALL = (ANON,) + ROLES
STAFF = ("credentialing", "manager", "admin")


def only(*allowed, ok=200, anon=302):
    """Expected statuses: `ok` for the allowed roles, 403 for the others."""
    return {role: (anon if role == ANON else ok if role in allowed else 403) for role in ALL}


def everyone(status):
    return {role: status for role in ALL}


# endpoint -> (method, URL arguments, {role: status})
MATRIX = {
    "static": ("GET", lambda w: {"filename": "site.css"}, everyone(200)),
    "main.healthz": ("GET", lambda w: {}, everyone(200)),
    "main.index": ("GET", lambda w: {}, everyone(302)),
    "main.officer_home": ("GET", lambda w: {}, only("officer")),
    "main.instructor_home": ("GET", lambda w: {}, only("instructor")),
    "main.credentialing_home": ("GET", lambda w: {}, only("credentialing")),
    "main.manager_home": ("GET", lambda w: {}, only("manager")),
    "auth.login": ("GET", lambda w: {}, {**everyone(302), ANON: 200}),
    "auth.logout": ("POST", lambda w: {}, everyone(302)),
    "admin.users": ("GET", lambda w: {}, only("admin")),
    "admin.user_new": ("GET", lambda w: {}, only("admin")),
    "admin.user_edit": ("GET", lambda w: {"user_id": w["user"].id}, only("admin")),
    "agencies.index": ("GET", lambda w: {}, only(*STAFF)),
    "agencies.detail": ("GET", lambda w: {"agency_id": w["agency"].id}, only(*STAFF)),
}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(MATRIX) == set(), "routes missing from the access matrix"
    assert set(MATRIX) - endpoints == set(), "matrix entries for routes that do not exist"


@pytest.mark.parametrize("role", ALL)
def test_route_access(app, client, auth, make, role):
    from flask import url_for

    agency = make.agency()
    world = {"agency": agency, "user": make.user("instructor")}
    if role != ANON:
        auth.login_as(role, **({"agency": agency} if role == "officer" else {}))
    mismatches = []
    for endpoint, (method, args, expected) in MATRIX.items():
        with app.test_request_context():
            url = url_for(endpoint, **args(world))
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf_token_from(client, "/login")})
        response.close()
        if response.status_code != expected[role]:
            mismatches.append(f"{method} {url}: {response.status_code}, expected {expected[role]}")
        if endpoint == "auth.logout" and role != ANON:
            # Signing out ended the session; sign back in for the remaining routes.
            auth.login_as(role, **({"agency": agency} if role == "officer" else {}))
    assert mismatches == []
