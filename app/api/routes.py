"""JSON API v1: certificate lookup and verification, officer authority; errors are JSON."""
from __future__ import annotations

from datetime import date
from functools import wraps

from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import HTTPException

from app.auth.models import User
from app.auth.roles import Role
from app.authority.services import officer_authority
from app.certificates.public import public_record, public_status
from app.certificates.services import certificate_verify_file
from app.dates import parse_day
from app.extensions import csrf, db
from app.models import utcnow
from app.ratelimit.limiter import rate_limited

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry one


def api_error(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message}}), status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 413: "payload_too_large", 429: "too_many_requests"}
    return api_error(error.code or 500, codes.get(error.code, "error"), error.description or error.name)


def token_required(*roles: Role):
    """Require `Authorization: Bearer <token>` of an active user holding one of `roles`."""
    allowed = {Role(r).value for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            from app.api.tokens import user_for_bearer

            user = user_for_bearer(request.headers.get("Authorization"), now=utcnow())
            if user is None:
                response = api_error(401, "unauthorized", "A valid bearer token is required.")
                response[0].headers["WWW-Authenticate"] = 'Bearer realm="api"'
                return response
            if user.role not in allowed:
                return api_error(403, "forbidden", "This token's user may not use this endpoint.")
            g.api_user = user
            return view(*args, **kwargs)

        wrapped.token_roles = frozenset(allowed)
        return wrapped

    return decorator


def certificate_json(certificate, today: date) -> dict:
    """The API's view of a certificate (a model or its public record)."""
    return {"serial": certificate.serial, "status": public_status(certificate, today),
            "holder": certificate.holder_name, "course": certificate.course_code,
            "issued_at": certificate.issued_at.isoformat(), "expires_at": certificate.valid_until.isoformat(),
            "origin": certificate.origin}


@bp.route("/certificates/<serial>")
@rate_limited("api")
def certificate(serial: str):
    """Look up a certificate by serial."""
    found = public_record(serial)
    if found is None:
        return api_error(404, "not_found", f"No certificate has the serial {serial!r}.")
    return jsonify(certificate_json(found, utcnow().date()))


@bp.route("/certificates/verify", methods=["POST"])
@rate_limited("api")
def verify():
    """Verify an uploaded certificate PDF (multipart field `file`)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return api_error(400, "bad_request", "Send the certificate PDF as the multipart field 'file'.")
    data = upload.read()
    if not data.startswith(b"%PDF-"):
        return api_error(400, "bad_request", "The file is not a PDF.")
    verdict = certificate_verify_file(data, today=utcnow().date())
    return jsonify(verdict.as_json())


@bp.route("/officers/<int:officer_id>/authority")
@token_required(Role.CREDENTIALING)
@rate_limited("api", per="token")
def authority(officer_id: int):
    """An officer's delegated-authority status on a date (default today)."""
    officer = db.session.get(User, officer_id)
    if officer is None or officer.role != Role.OFFICER:
        return api_error(404, "not_found", f"No officer with id {officer_id}.")
    on = parse_day(request.args.get("on"), today=utcnow().date())
    if on is None:
        return api_error(400, "bad_request", "'on' must be a date as YYYY-MM-DD.")
    status = officer_authority(officer, on)
    return jsonify({"officer_id": officer.id, "name": officer.name, "on": on.isoformat(),
                    "status": status.status, "reason": status.reason,
                    "refresher_due": status.refresher_due.isoformat() if status.refresher_due else None})


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    from app.api.openapi import openapi_document

    return jsonify(openapi_document(request.url_root.rstrip("/") + "/api/v1"))
