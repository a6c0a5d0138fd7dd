"""Every way a certificate file can be wrong is refused by all three verifiers, for the same reason.

The three paths share one service but not their plumbing: `flask certificates verify`
(exit 1 and the reason), `POST /api/v1/certificates/verify` (200, valid false, the reason)
and the public upload page `POST /verify` (the page says "Not valid" and the reason).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO
from typing import Callable

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from werkzeug.exceptions import RequestEntityTooLarge

from app.certificates.keys import keys_init, load_key_material
from app.certificates.pdf import CertificateData, certificate_pdf, read_serial
from app.certificates.serials import new_serial
from app.certificates.services import certificate_revoke, signer as program_signer, verify_url
from app.certificates.signing import make_signer, sign_pdf
from app.courses.models import CourseVersion
from app.extensions import db
from app.models import utcnow
from tests.conftest import csrf_token_from
from tests.integration.test_certificates import cert_world, issue, visible

BROKEN = "the signature is broken: the file was changed after it was signed"
ADDED = "content was added after the signature"
FOREIGN = "not the 287(g) program's"
UNREGISTERED = "is not a certificate the program issued"
MISMATCH = "does not match the certificate as issued"
ALL_GOOD = {"intact": True, "trusted": True, "covers_whole_file": True}


# --- building tampered files ----------------------------------------------------------------

def certificate_data(app, certificate, **changes) -> CertificateData:
    """The data printed on an issued certificate, as issuance built it (with optional changes)."""
    version_status = db.session.get(CourseVersion, certificate.course_version_id).status
    data = dict(
        serial=certificate.serial, holder_name=certificate.holder_name, agency_name=certificate.agency_name,
        course_code=certificate.course_code, course_title=certificate.course_title,
        course_version_hash=certificate.course_version_hash, completed_on=certificate.completed_on,
        issued_on=certificate.issued_at.date(), valid_until=certificate.valid_until,
        issuing_official=certificate.issuing_official, issuing_title=app.config["ISSUING_OFFICIAL_TITLE"],
        verify_url=verify_url(certificate.serial), sample=version_status == "sample")
    data.update(changes)
    return CertificateData(**data)


def first_revision(pdf: bytes) -> bytes:
    """The file as it was before the signature's incremental update (up to the first %%EOF)."""
    end = pdf.index(b"%%EOF") + len(b"%%EOF")
    while pdf[end:end + 1] in (b"\r", b"\n"):
        end += 1
    return pdf[:end]


def signed_ranges(pdf: bytes) -> list[tuple[int, int]]:
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    byte_range = list(reader.embedded_signatures[0].sig_object["/ByteRange"])
    return [(byte_range[0], byte_range[0] + byte_range[1]), (byte_range[2], byte_range[2] + byte_range[3])]


def page_content_offset(pdf: bytes) -> int:
    """An offset in the middle of the first page's content stream data."""
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    contents = reader.root["/Pages"]["/Kids"][0].raw_get("/Contents")
    start = pdf.index(b"\n%d 0 obj" % contents.idnum)
    data_start = pdf.index(b"stream", start) + len(b"stream")
    data_start += 2 if pdf[data_start:data_start + 2] == b"\r\n" else 1
    data_end = pdf.index(b"endstream", data_start)
    assert data_end - data_start > 100, "the page content stream is not where it was expected"
    return (data_start + data_end) // 2


def flip_a_signed_byte(ctx) -> bytes:
    pdf = ctx.certificate.pdf
    offset = page_content_offset(pdf)
    assert any(lo <= offset < hi for lo, hi in signed_ranges(pdf)), "the byte must be inside the signed range"
    tampered = bytearray(pdf)
    tampered[offset] ^= 0x01
    return bytes(tampered)


def append_after_eof(ctx) -> bytes:
    pdf = ctx.certificate.pdf
    assert pdf.rstrip().endswith(b"%%EOF")
    return pdf + b"\n% a note added after the signature\n"


def incremental_update(ctx) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(ctx.certificate.pdf))
    info = generic.DictionaryObject({
        generic.NameObject("/Title"): generic.pdf_string(f"Certificate {ctx.certificate.serial}"),
        generic.NameObject("/Author"): generic.pdf_string("Someone else"),
        generic.NameObject("/Keywords"): generic.pdf_string(f"287(g), certificate, serial:{ctx.certificate.serial}"),
    })
    writer.set_info(info)
    out = BytesIO()
    writer.write(out)
    updated = out.getvalue()
    assert updated.startswith(ctx.certificate.pdf) and len(updated) > len(ctx.certificate.pdf)
    return updated


def foreign_signer(ctx):
    directory = ctx.tmp_path / "foreign-keys"
    keys_init(directory)
    return make_signer(load_key_material({"KEYS_DIR": directory}))


def foreign_signature_on_fresh_pdf(ctx) -> bytes:
    unsigned = certificate_pdf(certificate_data(ctx.app, ctx.certificate))
    assert unsigned == first_revision(ctx.certificate.pdf), "issuance signs exactly certificate_pdf's bytes"
    return sign_pdf(unsigned, foreign_signer(ctx), reason=f"Certificate of completion {ctx.certificate.serial}")


def strip_and_resign(ctx) -> bytes:
    stripped = first_revision(ctx.certificate.pdf)
    resigned = sign_pdf(stripped, foreign_signer(ctx), reason=f"Certificate of completion {ctx.certificate.serial}")
    assert read_serial(resigned) == ctx.certificate.serial
    return resigned


def our_key_unregistered_serial(ctx) -> bytes:
    serial = new_serial()
    ctx.expected_serial = serial
    data = certificate_data(ctx.app, ctx.certificate, serial=serial, verify_url=verify_url(serial))
    return sign_pdf(certificate_pdf(data), program_signer(), reason=f"Certificate of completion {serial}")


def our_key_registered_serial_other_content(ctx) -> bytes:
    data = certificate_data(ctx.app, ctx.certificate, valid_until=ctx.certificate.valid_until + timedelta(days=3650))
    return sign_pdf(certificate_pdf(data), program_signer(),
                    reason=f"Certificate of completion {ctx.certificate.serial}")


def revoked(ctx) -> bytes:
    certificate_revoke(serial=ctx.certificate.serial, reason="Issued to the wrong officer", actor="tests",
                       now=utcnow())
    return ctx.certificate.pdf


def superseded(ctx) -> bytes:
    issue(ctx.world, ctx.certificate.officer)
    return ctx.certificate.pdf


@dataclass(frozen=True)
class Case:
    build: Callable
    reason: str
    signature: dict
    completed_at: datetime | None = None
    status: str | None = None


THREE_YEARS_AGO = utcnow() - timedelta(days=3 * 365 + 1)

CASES = {
    "flipped-byte-in-signed-range": Case(flip_a_signed_byte, BROKEN, {"intact": False}),
    "bytes-appended-after-eof": Case(append_after_eof, ADDED,
                                     {"intact": True, "trusted": True, "covers_whole_file": False}),
    "incremental-update": Case(incremental_update, ADDED,
                               {"intact": True, "trusted": True, "covers_whole_file": False}),
    "foreign-key-signature": Case(foreign_signature_on_fresh_pdf, FOREIGN, {"intact": True, "trusted": False}),
    "stripped-and-resigned-with-foreign-key": Case(strip_and_resign, FOREIGN, {"intact": True, "trusted": False}),
    "our-key-unregistered-serial": Case(our_key_unregistered_serial, UNREGISTERED, ALL_GOOD),
    "our-key-registered-serial-other-content": Case(our_key_registered_serial_other_content, MISMATCH,
                                                    ALL_GOOD),
    "revoked": Case(revoked, "revoked", ALL_GOOD, status="revoked"),
    "expired": Case(lambda ctx: ctx.certificate.pdf, "expired", ALL_GOOD, completed_at=THREE_YEARS_AGO,
                    status="expired"),
    "superseded": Case(superseded, "superseded", ALL_GOOD, status="superseded"),
}


# --- the three verifiers ---------------------------------------------------------------------

def via_cli(ctx, data: bytes) -> tuple[bool, str, dict]:
    path = ctx.tmp_path / "upload.pdf"
    path.write_bytes(data)
    plain = ctx.runner.invoke(args=["certificates", "verify", str(path)])
    as_json = ctx.runner.invoke(args=["certificates", "verify", "--json", str(path)])
    verdict = json.loads(as_json.output)
    assert plain.exit_code == as_json.exit_code == (0 if verdict["valid"] else 1), plain.output
    assert plain.output.strip() == f"{'VALID' if verdict['valid'] else 'NOT VALID'}: {verdict['reason']}"
    return verdict["valid"], plain.output, verdict


def via_api(ctx, data: bytes) -> tuple[bool, str, dict]:
    response = ctx.client.post("/api/v1/certificates/verify", data={"file": (BytesIO(data), "certificate.pdf")},
                               content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)
    verdict = response.get_json()
    return verdict["valid"], verdict["reason"], verdict


def via_upload_page(ctx, data: bytes) -> tuple[bool, str, dict]:
    token = csrf_token_from(ctx.client, "/verify")
    response = ctx.client.post("/verify", data={"csrf_token": token, "file": (BytesIO(data), "certificate.pdf")},
                               content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    markup = response.get_data(as_text=True)
    text = visible(markup)
    paragraphs = re.findall(r'<p class="verdict verdict-(?:valid|invalid)"[^>]*>(.*?)</p>', markup, re.S)
    assert len(paragraphs) == 1, "the page shows one verdict"
    said = visible(paragraphs[0])
    flags = {
        "intact": "Signature intact: yes" in text,
        "trusted": "Signed by the program's key: yes" in text,
        "covers_whole_file": "Signature covers the whole file: yes" in text,
    }
    if said.startswith("Not valid:"):
        return False, said, {"signature": flags}
    assert said.startswith("Valid:"), said
    return True, said, {"signature": flags}


PATHS = {"cli": via_cli, "api": via_api, "upload-page": via_upload_page}


@pytest.fixture()
def ctx(app, make, client, runner, tmp_path):
    from types import SimpleNamespace

    return SimpleNamespace(app=app, db=db, make=make, client=client, runner=runner, tmp_path=tmp_path,
                           world=cert_world(make, db), expected_serial=None)


@pytest.mark.parametrize("path", PATHS)
def test_the_genuine_certificate_is_valid_on_every_path(ctx, path):
    ctx.certificate = issue(ctx.world)
    valid, said, verdict = PATHS[path](ctx, ctx.certificate.pdf)
    assert valid, said
    assert verdict["signature"] == ALL_GOOD


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", CASES)
def test_tampering_is_rejected_with_the_failing_check_named(ctx, case, path):
    spec = CASES[case]
    ctx.certificate = issue(ctx.world, completed_at=spec.completed_at)
    data = spec.build(ctx)

    valid, said, verdict = PATHS[path](ctx, data)

    assert valid is False, f"{case} accepted by {path}: {said}"
    assert spec.reason in said, f"{case} via {path}: {said!r} does not name {spec.reason!r}"
    for flag, expected in spec.signature.items():
        assert verdict["signature"][flag] is expected, (flag, verdict)
    if path != "upload-page":
        assert verdict.get("serial") == (ctx.expected_serial or ctx.certificate.serial)
        if spec.status:
            assert verdict["status"] == spec.status


# --- not a certificate at all ------------------------------------------------------------------

NOT_PDFS = {"not-a-pdf": b"This is a plain text file, not a certificate.\n", "empty": b""}


@pytest.mark.parametrize("kind", NOT_PDFS)
def test_the_api_answers_400_json_for_a_file_that_is_not_a_pdf(ctx, kind):
    response = ctx.client.post("/api/v1/certificates/verify",
                               data={"file": (BytesIO(NOT_PDFS[kind]), "certificate.pdf")},
                               content_type="multipart/form-data")
    assert response.status_code == 400 and response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == "bad_request" and "not a PDF" in body["error"]["message"]


def test_the_api_answers_400_json_without_a_file(ctx):
    response = ctx.client.post("/api/v1/certificates/verify", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert "'file'" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("kind", NOT_PDFS)
@pytest.mark.parametrize("path", ["cli", "upload-page"])
def test_a_file_that_is_not_a_pdf_is_not_valid_on_the_cli_and_the_page(ctx, kind, path):
    valid, said, verdict = PATHS[path](ctx, NOT_PDFS[kind])
    assert valid is False
    assert "not a readable PDF" in said, said
    assert verdict["signature"] == {"intact": False, "trusted": False, "covers_whole_file": False}


def test_an_unsigned_pdf_has_no_signature(ctx):
    ctx.certificate = issue(ctx.world)
    unsigned = first_revision(ctx.certificate.pdf)
    for path in PATHS:
        valid, said, _verdict = PATHS[path](ctx, unsigned)
        assert valid is False and "the file has no digital signature" in said, (path, said)


def test_a_too_large_upload_gets_413_json_from_the_api(app, fresh_app):
    small = fresh_app(MAX_CONTENT_LENGTH=2048)
    client = small.test_client()
    response = client.post("/api/v1/certificates/verify",
                           data={"file": (BytesIO(b"%PDF-1.7\n" + b"0" * 10_000), "certificate.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 413 and response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == "payload_too_large"



def test_a_too_large_upload_on_the_verify_page_gets_a_413_page(app, fresh_app):
    """BUG: app/__init__.py:162, the layout context processor builds `LogoutForm()` for every page. On a
    POST, a FlaskForm reads request.form/files, so while the 413 error page renders, reading the too-large
    body raises RequestEntityTooLarge again inside the error handler. The exception escapes the app (even
    with PROPAGATE_EXCEPTIONS off): someone uploading a large file on the public /verify page gets a bare
    500 from the server instead of the "too large" page."""
    small = fresh_app(MAX_CONTENT_LENGTH=2048, PROPAGATE_EXCEPTIONS=False)
    client = small.test_client()
    token = csrf_token_from(client, "/verify")
    try:
        response = client.post("/verify", data={"csrf_token": token,
                                                "file": (BytesIO(b"%PDF-1.7\n" + b"0" * 10_000), "big.pdf")},
                               content_type="multipart/form-data")
    except RequestEntityTooLarge as error:
        pytest.fail(f"the 413 escaped the app while its error page rendered: {error!r}")
    assert response.status_code == 413
    assert "Too Large" in visible(response.get_data(as_text=True))
