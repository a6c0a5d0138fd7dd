"""The JSON API v1: certificate lookup, officer authority with bearer tokens, the token UI,
and the OpenAPI document checked against the routes and against real responses.
"""
from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text

from app.api.tokens import token_create, token_revoke
from app.audit import AuditEntry
from app.auth.models import ApiToken
from app.certificates.serials import new_serial
from app.certificates.services import certificate_revoke
from app.extensions import db
from app.models import utcnow
from tests.conftest import csrf_token_from
from tests.integration.test_certificates import cert_world, issue, reload, visible

CERTIFICATE_KEYS = {"serial", "status", "holder", "course", "issued_at", "expires_at", "origin"}
AUTHORITY_KEYS = {"officer_id", "name", "on", "status", "reason", "refresher_due"}


def error_of(response, status: int, code: str) -> str:
    """Assert the JSON error shape {"error": {"code", "message"}} and return the message."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]["message"]


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture()
def world(make, db):
    return cert_world(make, db)


@pytest.fixture()
def authorized(world, make):
    """An officer of a JEM agency, trained and granted authority today by a credentialing user."""
    staff = make.user("credentialing")
    officer = make.user("officer", name="Jordan A. Whitfield")
    agreement = make.agreement(officer.agency, model="JEM", signed_on=date(2024, 1, 15))
    certificate = issue(world, officer, completed_at=utcnow() - timedelta(days=30))
    grant = make.grant(officer, agreement, staff)
    return SimpleNamespace(staff=staff, officer=officer, agreement=agreement, certificate=certificate,
                           grant=grant, token=make.api_token(staff))


# --- certificate lookup --------------------------------------------------------------------

def test_certificate_lookup_returns_the_documented_fields(world, client):
    officer = world.make.user("officer", name="Jordan A. Whitfield")
    certificate = issue(world, officer, completed_at=datetime(2026, 3, 10, 14, tzinfo=UTC))
    response = client.get(f"/api/v1/certificates/{certificate.serial}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == CERTIFICATE_KEYS
    assert body == {"serial": certificate.serial, "status": "valid", "holder": "Jordan A. Whitfield",
                    "course": "IADP", "issued_at": certificate.issued_at.isoformat(),
                    "expires_at": "2028-03-10", "origin": "issued"}
    assert datetime.fromisoformat(body["issued_at"]).tzinfo is not None


def _revoke(world, certificate):
    certificate_revoke(serial=certificate.serial, reason="Issued to the wrong officer", actor="tests", now=utcnow())


def _supersede(world, certificate):
    issue(world, certificate.officer)


def _years_ago(years: int, plus_days: int = 0) -> datetime:
    today = utcnow().date()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    day -= timedelta(days=plus_days)
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@pytest.mark.parametrize("completed_at, change, status", [
    (lambda: utcnow() - timedelta(days=10), None, "valid"),
    (lambda: _years_ago(2), None, "valid"),                # in force through its valid_until day
    (lambda: _years_ago(2, plus_days=1), None, "expired"),  # expired the day after
    (lambda: _years_ago(3), None, "expired"),
    (lambda: utcnow() - timedelta(days=10), _revoke, "revoked"),
    (lambda: utcnow() - timedelta(days=10), _supersede, "superseded"),
    (lambda: _years_ago(3), _revoke, "revoked"),           # revoked wins over expired
], ids=["valid", "last-valid-day", "first-expired-day", "expired", "revoked", "superseded",
        "revoked-and-expired"])
def test_certificate_lookup_status_values(world, client, completed_at, change, status):
    certificate = issue(world, completed_at=completed_at())
    if change:
        change(world, certificate)
    body = client.get(f"/api/v1/certificates/{certificate.serial}").get_json()
    assert body["status"] == status


@pytest.mark.parametrize("serial", ["unknown-valid", "not-a-serial", "0000"])
def test_certificate_lookup_of_an_unknown_serial_is_a_404_json_error(world, client, serial):
    issue(world)
    serial = new_serial() if serial == "unknown-valid" else serial
    message = error_of(client.get(f"/api/v1/certificates/{serial}"), 404, "not_found")
    assert serial in message


@pytest.mark.parametrize("typed", [str.lower, lambda s: s.replace("-", ""), lambda s: s.replace("-", "").lower()],
                         ids=["lowercase", "hyphenless", "lowercase-hyphenless"])
def test_certificate_lookup_forgives_case_and_hyphens(world, client, typed):
    certificate = issue(world)
    response = client.get(f"/api/v1/certificates/{typed(certificate.serial)}")
    assert response.status_code == 200
    assert response.get_json()["serial"] == certificate.serial


# --- officer authority and bearer tokens -------------------------------------------------------

def test_authority_with_a_credentialing_token(authorized, client):
    officer, secret = authorized.officer, authorized.token.secret
    response = client.get(f"/api/v1/officers/{officer.id}/authority", headers=bearer(secret))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == AUTHORITY_KEYS
    today = utcnow().date()
    assert body["officer_id"] == officer.id and body["name"] == "Jordan A. Whitfield"
    assert body["on"] == today.isoformat() and body["status"] == "active"
    assert body["refresher_due"] == authorized.certificate.valid_until.isoformat()
    assert authorized.grant.expires_on.isoformat() in body["reason"]


@pytest.mark.parametrize("on, status", [
    ("grant-day", "active"),
    ("day-before-grant", "none"),
    ("day-after-training-expires", "lapsed"),
])
def test_authority_on_a_date(authorized, client, on, status):
    days = {"grant-day": authorized.grant.effective_on,
            "day-before-grant": authorized.grant.effective_on - timedelta(days=1),
            "day-after-training-expires": authorized.certificate.valid_until + timedelta(days=1)}
    response = client.get(f"/api/v1/officers/{authorized.officer.id}/authority?on={days[on].isoformat()}",
                          headers=bearer(authorized.token.secret))
    assert response.status_code == 200
    assert response.get_json()["status"] == status and response.get_json()["on"] == days[on].isoformat()


def _revoked_token(ctx):
    token_revoke(token=ctx.token, actor=ctx.staff, now=utcnow())
    return bearer(ctx.token.secret)


def _inactive_user_token(ctx):
    ctx.staff.active = False
    db.session.commit()
    return bearer(ctx.token.secret)


@pytest.mark.parametrize("headers", [
    lambda ctx: {},
    lambda ctx: {"Authorization": "Bearer"},
    lambda ctx: {"Authorization": "Bearer "},
    lambda ctx: {"Authorization": "Bearer lms_not-a-real-token"},
    lambda ctx: {"Authorization": "Bearer " + ctx.token.secret[4:]},         # without the prefix
    lambda ctx: {"Authorization": "Bearer " + ctx.token.secret[:-1]},        # one character short
    lambda ctx: {"Authorization": "Basic " + ctx.token.secret},
    lambda ctx: {"Authorization": ctx.token.secret},
    lambda ctx: {"Authorization": "Bearer " + hashlib.sha256(ctx.token.secret.encode()).hexdigest()},
    _revoked_token,
    _inactive_user_token,
], ids=["none", "scheme-only", "empty", "unknown", "no-prefix", "truncated", "basic-scheme", "no-scheme",
        "the-stored-hash", "revoked-token", "inactive-user"])
def test_authority_without_a_valid_token_is_401_with_www_authenticate(authorized, client, headers):
    response = client.get(f"/api/v1/officers/{authorized.officer.id}/authority", headers=headers(authorized))
    error_of(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_signed_in_session_does_not_replace_the_token(authorized, auth, client):
    auth.login(authorized.staff.email)
    response = client.get(f"/api/v1/officers/{authorized.officer.id}/authority")
    error_of(response, 401, "unauthorized")
    assert "WWW-Authenticate" in response.headers


@pytest.mark.parametrize("role", ["manager", "admin", "instructor", "officer"])
def test_a_token_of_a_non_credentialing_user_is_403(authorized, make, client, role):
    user = make.user(role)
    _token, secret = token_create(user=user, name="reports", actor=user, now=utcnow())
    response = client.get(f"/api/v1/officers/{authorized.officer.id}/authority", headers=bearer(secret))
    error_of(response, 403, "forbidden")


@pytest.mark.parametrize("on", ["2026-13-01", "yesterday", "2026-02-30", "28/11/2026", "20261128", "2026-W48-6",
                                "2026-11-28T00:00:00"])
def test_a_malformed_date_is_400(authorized, client, on):
    response = client.get(f"/api/v1/officers/{authorized.officer.id}/authority",
                          query_string={"on": on}, headers=bearer(authorized.token.secret))
    message = error_of(response, 400, "bad_request")
    assert "YYYY-MM-DD" in message


def test_an_unknown_officer_is_404(authorized, make, client):
    headers = bearer(authorized.token.secret)
    error_of(client.get("/api/v1/officers/999999/authority", headers=headers), 404, "not_found")
    # A user who is not an officer is not an officer.
    error_of(client.get(f"/api/v1/officers/{authorized.staff.id}/authority", headers=headers), 404, "not_found")


def test_using_a_token_records_when_it_was_last_used(authorized, db, client):
    assert authorized.token.last_used_at is None
    before = utcnow()
    response = client.get(f"/api/v1/officers/{authorized.officer.id}/authority",
                          headers=bearer(authorized.token.secret))
    assert response.status_code == 200
    used = reload(db, authorized.token).last_used_at
    assert used is not None and before - timedelta(seconds=1) <= used <= utcnow() + timedelta(seconds=1)


def test_tokens_are_stored_only_as_a_hash(authorized, db):
    secret = authorized.token.secret
    assert secret.startswith("lms_") and len(secret) > 40
    stored = reload(db, authorized.token)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(stored.prefix) and len(stored.prefix) < len(secret) // 2
    for table in ("api_token", "audit_entry", "user"):
        rows = db.session.execute(text(f'SELECT * FROM "{table}"')).all()
        assert rows or table != "api_token"
        for row in rows:
            assert all(secret not in str(value) for value in row), f"the secret is stored in {table}"


def test_the_token_page_shows_a_new_token_once_and_revokes_it(authorized, db, auth, client):
    staff = auth.login_as("credentialing")
    page = client.get("/account/tokens")
    assert page.status_code == 200 and "No tokens yet." in page.get_data(as_text=True)

    token = csrf_token_from(client, "/account/tokens")
    created = client.post("/account/tokens", data={"csrf_token": token, "name": "County jail records system"})
    assert created.status_code == 200
    markup = created.get_data(as_text=True)
    secrets_shown = re.findall(r'<code class="token">([^<]+)</code>', markup)
    assert len(secrets_shown) == 1 and secrets_shown[0].startswith("lms_")
    secret = secrets_shown[0]
    assert "shown only once" in visible(markup)

    record = db.session.execute(
        select(ApiToken).where(ApiToken.user_id == staff.id)).scalar_one()
    assert record.name == "County jail records system"
    api = client.get(f"/api/v1/officers/{authorized.officer.id}/authority", headers=bearer(secret))
    assert api.status_code == 200

    reloaded = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in reloaded and '<code class="token">' not in reloaded
    assert record.prefix in reloaded and "County jail records system" in reloaded

    revoked = client.post(f"/account/tokens/{record.id}/revoke",
                          data={"csrf_token": csrf_token_from(client, "/account/tokens")})
    assert revoked.status_code == 302
    assert reload(db, record).revoked_at is not None
    listing = visible(client.get("/account/tokens").get_data(as_text=True))
    assert f"Token {record.prefix}… revoked." in listing and "revoked " in listing
    error_of(client.get(f"/api/v1/officers/{authorized.officer.id}/authority", headers=bearer(secret)),
             401, "unauthorized")

    actions = [e.action for e in db.session.execute(
        select(AuditEntry).where(AuditEntry.target_type == "api_token")).scalars()]
    assert actions.count("api_token.create") == 2 and actions.count("api_token.revoke") == 1


def test_a_token_cannot_be_revoked_by_another_user(authorized, auth, db, client):
    auth.login_as("credentialing")
    response = client.post(f"/account/tokens/{authorized.token.id}/revoke",
                           data={"csrf_token": csrf_token_from(client, "/account/tokens")})
    assert response.status_code == 404
    assert reload(db, authorized.token).revoked_at is None


# --- the OpenAPI document ---------------------------------------------------------------------

class SchemaError(AssertionError):
    pass


_TYPES = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def _format_ok(fmt: str, value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        if fmt == "date":
            return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and date.fromisoformat(value) is not None
        if fmt == "date-time":
            return "T" in value and datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False
    return True


def schema_errors(schema: dict, value, document: dict, where: str = "$") -> list[str]:
    """Check `value` against the JSON-schema subset the document uses: $ref, type (or a list of types),
    enum, required, properties, items and the date / date-time formats."""
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/"), f"only local references are supported: {ref}"
        target = document
        for part in ref[2:].split("/"):
            target = target[part]
        return schema_errors(target, value, document, where)
    errors = []
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        unknown = [t for t in types if t not in _TYPES]
        assert not unknown, f"type(s) {unknown} at {where} are not supported by this checker"
        if not any(_TYPES[t](value) for t in types):
            errors.append(f"{where}: {value!r} is not of type {schema['type']}")
            return errors
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if "format" in schema and not _format_ok(schema["format"], value):
        errors.append(f"{where}: {value!r} is not a {schema['format']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{where}: required property {key!r} is missing")
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                errors.extend(schema_errors(sub, value[key], document, f"{where}.{key}"))
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            errors.extend(schema_errors(schema["items"], item, document, f"{where}[{n}]"))
    return errors


def undocumented_keys(schema: dict, value, document: dict, where: str = "$") -> list[str]:
    """Keys the API sends that the document does not describe (drift between code and document)."""
    while "$ref" in schema:
        target = document
        for part in schema["$ref"][2:].split("/"):
            target = target[part]
        schema = target
    found = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key not in schema["properties"]:
                found.append(f"{where}.{key}")
            else:
                found.extend(undocumented_keys(schema["properties"][key], item, document, f"{where}.{key}"))
    return found


def test_the_schema_checker_catches_what_it_should():
    document = {"components": {"schemas": {"T": {
        "type": "object", "required": ["a", "b"],
        "properties": {"a": {"type": ["string", "null"], "enum": ["x", None]}, "b": {"type": "integer"},
                       "d": {"type": "string", "format": "date"}}}}}}
    ref = {"$ref": "#/components/schemas/T"}
    assert schema_errors(ref, {"a": None, "b": 1, "d": "2026-11-28"}, document) == []
    assert schema_errors(ref, {"a": "x", "b": 1}, document) == []
    assert schema_errors(ref, {"a": "y", "b": 1}, document) == ["$.a: 'y' is not one of ['x', None]"]
    assert schema_errors(ref, {"a": "x", "b": True}, document) == ["$.b: True is not of type integer"]
    assert schema_errors(ref, {"a": "x"}, document) == ["$: required property 'b' is missing"]
    assert schema_errors(ref, [], document) == ["$: [] is not of type object"]
    assert schema_errors(ref, {"a": "x", "b": 1, "d": "28/11/2026"}, document) == [
        "$.d: '28/11/2026' is not a date"]
    assert undocumented_keys(ref, {"a": "x", "b": 1, "extra": 2}, document) == ["$.extra"]


def openapi_paths_of(app) -> set[tuple[str, str]]:
    """(path, method) of every /api/v1 route, in OpenAPI's path template syntax."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def test_openapi_is_3_1_and_documents_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] and document["info"]["version"]
    assert document["servers"] == [{"url": "http://localhost/api/v1"}]
    documented = {(path, method) for path, item in document["paths"].items() for method in item
                  if method in {"get", "post", "put", "patch", "delete"}}
    assert openapi_paths_of(app) == documented
    # Every operation documents its responses and names its path parameters.
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["responses"], (path, method)
            in_path = set(re.findall(r"{(\w+)}", path))
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert in_path == declared, (path, method)


def test_only_the_authority_endpoint_requires_a_token_and_the_document_says_so(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    secured = {(p, m) for p, item in document["paths"].items() for m, op in item.items() if op.get("security")}
    protected = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and getattr(app.view_functions[rule.endpoint], "token_roles", None):
            protected |= {(p, m) for p, m in openapi_paths_of(app)
                          if re.sub(r"{(\w+)}", r"<int:\1>", p) == rule.rule[len("/api/v1"):]}
    assert secured == protected == {("/officers/{officer_id}/authority", "get")}


def test_real_responses_match_the_openapi_schemas(app, fresh_app, authorized, world, make, client):
    document = client.get("/api/v1/openapi.json").get_json()
    officer_url = f"/api/v1/officers/{authorized.officer.id}/authority"
    good = bearer(authorized.token.secret)
    manager = make.user("manager")
    _t, manager_secret = token_create(user=manager, name="reports", actor=manager, now=utcnow())
    never_authorized = make.user("officer")
    revoked = issue(world, completed_at=utcnow() - timedelta(days=40))
    certificate_revoke(serial=revoked.serial, reason="Issued in error to the wrong officer", actor="tests",
                       now=utcnow())
    small = fresh_app(MAX_CONTENT_LENGTH=1024).test_client()
    over = fresh_app(RATELIMIT_API="1/day").test_client()  # one request a day per address or token
    over.get(f"/api/v1/certificates/{new_serial()}")        # spends the address's one request

    def upload(data: bytes, client=client):
        return client.post("/api/v1/certificates/verify", data={"file": (BytesIO(data), "certificate.pdf")},
                           content_type="multipart/form-data")

    # (path, method, status) -> real requests that must give that status
    real = {
        ("/certificates/{serial}", "get", "200"): [
            lambda: client.get(f"/api/v1/certificates/{authorized.certificate.serial}"),
            lambda: client.get(f"/api/v1/certificates/{revoked.serial}")],
        ("/certificates/{serial}", "get", "404"): [lambda: client.get(f"/api/v1/certificates/{new_serial()}")],
        ("/certificates/{serial}", "get", "429"): [
            lambda: over.get(f"/api/v1/certificates/{authorized.certificate.serial}")],
        ("/certificates/verify", "post", "200"): [
            lambda: upload(authorized.certificate.pdf),
            lambda: upload(revoked.pdf),
            lambda: upload(authorized.certificate.pdf + b"\n%appended\n"),
            lambda: upload(b"%PDF-1.7\nnot really a pdf\n%%EOF\n")],         # serial and status null
        ("/certificates/verify", "post", "400"): [
            lambda: upload(b"plain text"),
            lambda: client.post("/api/v1/certificates/verify", data={}, content_type="multipart/form-data")],
        ("/certificates/verify", "post", "413"): [lambda: upload(b"%PDF-1.7\n" + b"0" * 8192, client=small)],
        ("/certificates/verify", "post", "429"): [lambda: upload(authorized.certificate.pdf, client=over)],
        ("/officers/{officer_id}/authority", "get", "200"): [
            lambda: client.get(officer_url, headers=good),
            lambda: client.get(f"/api/v1/officers/{never_authorized.id}/authority", headers=good),  # due null
            lambda: client.get(officer_url + "?on=2020-01-01", headers=good)],
        ("/officers/{officer_id}/authority", "get", "400"): [
            lambda: client.get(officer_url + "?on=not-a-date", headers=good)],
        ("/officers/{officer_id}/authority", "get", "401"): [lambda: client.get(officer_url)],
        ("/officers/{officer_id}/authority", "get", "403"): [
            lambda: client.get(officer_url, headers=bearer(manager_secret))],
        ("/officers/{officer_id}/authority", "get", "404"): [
            lambda: client.get("/api/v1/officers/987654/authority", headers=good)],
        ("/officers/{officer_id}/authority", "get", "429"): [  # the token's own budget: the second is refused
            lambda: [over.get(officer_url, headers=good) for _ in range(2)][-1]],
        ("/openapi.json", "get", "200"): [lambda: client.get("/api/v1/openapi.json")],
    }
    documented = {(path, method, status) for path, item in document["paths"].items()
                  for method, operation in item.items() for status in operation["responses"]}
    assert set(real) == documented, "every documented response is exercised, and nothing else"

    problems = []
    for (path, method, status), requests in real.items():
        spec = document["paths"][path][method]["responses"][status]
        for make_request in requests:
            response = make_request()
            label = f"{method.upper()} {path} -> {response.status_code} (documented {status})"
            if str(response.status_code) != status:
                problems.append(f"{label}: {response.get_data(as_text=True)[:200]}")
                continue
            content = spec.get("content", {})
            if not content:
                assert response.get_json() is not None, label
                continue
            assert list(content) == ["application/json"] and response.mimetype == "application/json", label
            body = response.get_json()
            schema = content["application/json"]["schema"]
            problems += [f"{label}: {e}" for e in schema_errors(schema, body, document)]
            problems += [f"{label}: undocumented {k}" for k in undocumented_keys(schema, body, document)]
    assert problems == []
