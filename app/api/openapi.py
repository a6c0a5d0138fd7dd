"""The OpenAPI 3.1 description of API v1, kept beside the routes and checked by tests."""
from __future__ import annotations

ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


# Every rate-limited operation can answer 429 (README "Deployment and scaling").
TOO_MANY = {**_json(ERROR, "Over the rate limit; wait the seconds Retry-After gives"),
            "headers": {"Retry-After": {"description": "Seconds until the limit's window ends",
                                        "schema": {"type": "integer"}}}}


def openapi_document(server_url: str) -> dict:
    """Return the OpenAPI document, with `server_url` as the server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "287(g) Training and Certification API",
            "version": "1.0.0",
            "description": "Look up and verify training certificates, and check an officer's "
                           "delegated-authority status on a date. Errors are JSON "
                           "{\"error\": {\"code\", \"message\"}}. Requests are rate-limited per "
                           "token (per client address without one); over the limit the answer is "
                           "429 with a Retry-After header.",
        },
        "servers": [{"url": server_url}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A token created by a credentialing user."}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
                "Certificate": {
                    "type": "object",
                    "required": ["serial", "status", "holder", "course", "issued_at", "expires_at", "origin"],
                    "properties": {
                        "serial": {"type": "string", "examples": ["7K3Q-9W2M-XC4T-8R1P-H"]},
                        "status": {"type": "string", "enum": ["valid", "expired", "revoked", "superseded"]},
                        "holder": {"type": "string"},
                        "course": {"type": "string", "examples": ["IADP"]},
                        "issued_at": {"type": "string", "format": "date-time"},
                        "expires_at": {"type": "string", "format": "date"},
                        "origin": {"type": "string", "enum": ["issued", "imported"],
                                   "description": "issued: signed by this system (its PDF can be verified "
                                                  "by upload); imported: a record carried over from the "
                                                  "earlier system, with no PDF held here."},
                    }},
                "Verdict": {
                    "type": "object", "required": ["valid", "reason", "serial", "status", "signature"],
                    "properties": {
                        "valid": {"type": "boolean"},
                        "reason": {"type": "string"},
                        "serial": {"type": ["string", "null"]},
                        "status": {"type": ["string", "null"],
                                   "enum": ["valid", "expired", "revoked", "superseded", None]},
                        "signature": {"type": "object",
                                      "required": ["intact", "trusted", "covers_whole_file"],
                                      "properties": {"intact": {"type": "boolean"},
                                                     "trusted": {"type": "boolean"},
                                                     "covers_whole_file": {"type": "boolean"}}},
                    }},
                "Authority": {
                    "type": "object",
                    "required": ["officer_id", "name", "on", "status", "reason", "refresher_due"],
                    "properties": {
                        "officer_id": {"type": "integer"},
                        "name": {"type": "string"},
                        "on": {"type": "string", "format": "date"},
                        "status": {"type": "string",
                                   "enum": ["none", "active", "lapsed", "withdrawn", "terminated"]},
                        "reason": {"type": "string"},
                        "refresher_due": {"type": ["string", "null"], "format": "date"},
                    }},
            },
        },
        "paths": {
            "/certificates/{serial}": {"get": {
                "summary": "Look up a certificate by serial",
                "parameters": [{"name": "serial", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json({"$ref": "#/components/schemas/Certificate"}, "The certificate"),
                              "404": _json(ERROR, "No certificate has this serial"),
                              "429": TOO_MANY},
            }},
            "/certificates/verify": {"post": {
                "summary": "Verify a certificate PDF",
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"],
                    "properties": {"file": {"type": "string", "contentMediaType": "application/pdf"}}}}}},
                "responses": {"200": _json({"$ref": "#/components/schemas/Verdict"}, "The verdict"),
                              "400": _json(ERROR, "No file, or not a PDF"),
                              "413": _json(ERROR, "The file is too large"),
                              "429": TOO_MANY},
            }},
            "/officers/{officer_id}/authority": {"get": {
                "summary": "An officer's delegated-authority status on a date",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "officer_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "on", "in": "query", "required": False,
                     "schema": {"type": "string", "format": "date"}}],
                "responses": {"200": _json({"$ref": "#/components/schemas/Authority"}, "The status"),
                              "400": _json(ERROR, "A malformed date"),
                              "401": _json(ERROR, "No valid bearer token"),
                              "403": _json(ERROR, "The token's user is not credentialing staff"),
                              "404": _json(ERROR, "No such officer"),
                              "429": TOO_MANY},
            }},
            "/openapi.json": {"get": {"summary": "This document",
                                      "responses": {"200": {"description": "OpenAPI 3.1"}}}},
        },
    }
