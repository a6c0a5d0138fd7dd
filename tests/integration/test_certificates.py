"""Certificates end to end: issuance, supersession, the frozen PDF, the CLI, keys, pdfsig,
the public verify pages, pending issuance, revocation and who may download what.

Helpers at the top (`cert_world`, `issue`, `version_of`, `visible`) are shared with
test_tampering, test_api and test_authority.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import stat
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography import x509
from sqlalchemy import func, select

from app.assessments.models import CourseCompletion
from app.audit import AuditEntry
from app.certificates.models import Certificate
from app.certificates.serials import new_serial, normalize_serial
from app.certificates.services import certificate_issue
from app.dates import add_years
from app.courses.models import Course, CourseVersion, Enrollment
from app.models import utcnow
from tests.conftest import csrf_token_from

LIST_KEYS = {"serial", "holder", "course", "status", "issued_at", "expires_at"}
VERDICT_KEYS = {"valid", "reason", "serial", "status", "signature"}
SIGNATURE_KEYS = {"intact", "trusted", "covers_whole_file"}


# --- shared helpers ------------------------------------------------------------------

def version_of(db, course_key: str) -> CourseVersion:
    """The newest version of a synced course."""
    return db.session.execute(
        select(CourseVersion).join(Course, Course.id == CourseVersion.course_id)
        .where(Course.key == course_key).order_by(CourseVersion.number.desc()).limit(1)).scalar_one()


def cert_world(make, db):
    """The real curriculum synced, an instructor and one IADP class."""
    world = make.course_world()
    instructor = make.user("instructor")
    return SimpleNamespace(db=db, make=make, instructor=instructor, version=world["version"],
                           training_class=make.training_class(world["version"], instructor), classes={})


def issue(world, officer=None, *, course_key: str = "iadp", completed_at: datetime | None = None) -> Certificate:
    """Enroll `officer` (a new one by default) in a class of `course_key` and issue the certificate."""
    make = world.make
    officer = officer or make.user("officer")
    if course_key == "iadp":
        training_class = world.training_class
    else:
        training_class = world.classes.get(course_key)
        if training_class is None:
            training_class = world.classes[course_key] = make.training_class(
                version_of(world.db, course_key), world.instructor, title=f"{course_key} class")
    # One enrollment per class and officer: a second certificate for the same course needs another class.
    if world.db.session.execute(select(Enrollment).where(
            Enrollment.class_id == training_class.id, Enrollment.officer_id == officer.id)).first():
        training_class = make.training_class(training_class.course_version, world.instructor,
                                             title=f"another {course_key} class")
    enrollment = make.enroll(training_class, officer)
    return make.certificate(enrollment, completed_at=completed_at)


def count(db, model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def visible(markup: str) -> str:
    """The text a reader sees: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def audit_entries(db, action: str) -> list[AuditEntry]:
    return db.session.execute(select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.seq)).scalars().all()


def reload(db, obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


@pytest.fixture()
def world(make, db):
    return cert_world(make, db)


# --- issuance ----------------------------------------------------------------------------

def test_a_completion_issues_exactly_one_certificate(world, db):
    certificate = issue(world)
    completion = db.session.get(CourseCompletion, certificate.completion_id)
    again = certificate_issue(completion=completion, now=utcnow())
    assert again.id == certificate.id and again.serial == certificate.serial
    assert count(db, Certificate) == 1
    assert [e.target_id for e in audit_entries(db, "certificate.issue")] == [certificate.serial]
    assert certificate.status == "valid" and certificate.kind == "basic" and certificate.course_code == "IADP"
    assert certificate.sha256 == hashlib.sha256(certificate.pdf).hexdigest()


def test_the_serial_is_canonical_and_checked(world):
    serials = {issue(world).serial for _ in range(3)}
    assert len(serials) == 3
    for serial in serials:
        assert normalize_serial(serial) == serial
        assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}-[0-9A-Z*~$=]", serial), serial


@pytest.mark.parametrize("course_key, agreement_model, setting, completed_on, years", [
    ("iadp", None, {}, date(2026, 3, 10), 2),
    ("iadp", "JEM", {}, date(2025, 11, 28), 2),
    ("iadp", None, {"JEM": 1}, date(2026, 3, 10), 1),              # the setting applies per model
    ("iadrp", "TFM", {"TFM": 1}, date(2026, 6, 1), 1),             # the officer's agreement picks the model
    ("iadrp", "TFM", {"JEM": 3}, date(2026, 6, 1), 2),             # another model's setting does not apply
    ("iadrp", "WSO", {"WSO": 3}, date(2026, 6, 1), 3),
    ("iadp", None, {}, date(2024, 2, 29), 2),                      # 29 February becomes 28 February
], ids=["default", "jem-agreement", "jem-1-year", "tfm-1-year", "other-model-setting", "wso-3-years",
        "leap-day"])
def test_valid_until_is_completion_plus_the_refresher_period(app, world, monkeypatch, course_key,
                                                             agreement_model, setting, completed_on, years):
    for model, value in setting.items():
        monkeypatch.setitem(app.config["REFRESHER_YEARS"], model, value)
    officer = world.make.user("officer")
    if agreement_model:
        world.make.agreement(officer.agency, model=agreement_model)
    completed_at = datetime(completed_on.year, completed_on.month, completed_on.day, 15, 30, tzinfo=UTC)
    certificate = issue(world, officer, course_key=course_key, completed_at=completed_at)
    assert certificate.completed_on == completed_on
    assert certificate.valid_until == add_years(completed_on, years)
    if completed_on == date(2024, 2, 29):
        assert certificate.valid_until == date(2026, 2, 28)
    else:
        assert certificate.valid_until == completed_on.replace(year=completed_on.year + years)
    if agreement_model and course_key == "iadrp":
        assert certificate.program_model == agreement_model


def test_a_newer_certificate_supersedes_the_older_one_of_the_same_course_only(world, db, client):
    officer = world.make.user("officer")
    other_officer_cert = issue(world, completed_at=datetime(2025, 5, 1, 12, tzinfo=UTC))
    first = issue(world, officer, completed_at=datetime(2025, 5, 1, 12, tzinfo=UTC))
    refresher = issue(world, officer, course_key="iadrp", completed_at=datetime(2025, 9, 1, 12, tzinfo=UTC))
    second = issue(world, officer, completed_at=datetime(2026, 5, 1, 12, tzinfo=UTC))

    first, refresher, second = (reload(db, c) for c in (first, refresher, second))
    assert first.status == "superseded" and first.superseded_by_id == second.id
    assert first.superseded_at is not None
    assert second.status == "valid" and second.superseded_by_id is None
    assert refresher.status == "valid" and refresher.superseded_by_id is None, "another course is untouched"
    assert reload(db, other_officer_cert).status == "valid", "another officer is untouched"
    issued = audit_entries(db, "certificate.issue")
    assert json.loads(issued[-1].details)["supersedes"] == [first.serial]

    page = client.get(f"/verify/{first.serial}")
    assert page.status_code == 200 and "Superseded" in visible(page.get_data(as_text=True))


# --- the frozen PDF and the CLI --------------------------------------------------------------

def test_the_pdf_is_frozen_download_store_and_export_are_the_same_bytes(world, db, auth, client, runner,
                                                                          tmp_path):
    officer = auth.login_as("officer")
    certificate = issue(world, officer)
    stored = reload(db, certificate).pdf
    assert stored.startswith(b"%PDF-")

    downloads = []
    for _ in range(2):
        response = client.get(f"/certificates/{certificate.serial}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert f"certificate-{certificate.serial}.pdf" in response.headers["Content-Disposition"]
        downloads.append(response.get_data())
    exports = []
    for n in range(2):
        out = tmp_path / f"export-{n}.pdf"
        result = runner.invoke(args=["certificates", "export", certificate.serial.lower(), str(out)])
        assert result.exit_code == 0, result.output
        assert certificate.sha256 in result.output
        exports.append(out.read_bytes())

    assert downloads[0] == downloads[1] == stored == exports[0] == exports[1]
    assert hashlib.sha256(stored).hexdigest() == certificate.sha256


def test_export_of_an_unknown_serial_fails(runner, tmp_path, world):
    result = runner.invoke(args=["certificates", "export", new_serial(), str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "no certificate with serial" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_certificates_list_json_has_exactly_the_documented_shape(world, runner):
    officer = world.make.user("officer", name="Jordan A. Whitfield")
    old = issue(world, officer, completed_at=datetime(2023, 1, 10, 9, tzinfo=UTC))
    new = issue(world, completed_at=datetime(2026, 10, 1, 9, tzinfo=UTC))
    result = runner.invoke(args=["certificates", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert isinstance(rows, list) and len(rows) == 2
    for row in rows:
        assert set(row) == LIST_KEYS
    by_serial = {row["serial"]: row for row in rows}
    assert by_serial[old.serial] == {
        "serial": old.serial, "holder": "Jordan A. Whitfield", "course": "IADP", "status": "expired",
        "issued_at": old.issued_at.isoformat(), "expires_at": "2025-01-10"}
    assert by_serial[new.serial]["status"] == "valid" and by_serial[new.serial]["expires_at"] == "2028-10-01"
    assert datetime.fromisoformat(by_serial[new.serial]["issued_at"]).date() == date(2026, 10, 1)
    plain = runner.invoke(args=["certificates", "list"])
    assert plain.exit_code == 0 and old.serial in plain.output and new.serial in plain.output


def test_certificates_verify_exits_zero_and_prints_the_verdict(world, runner, tmp_path):
    certificate = issue(world)
    path = tmp_path / "cert.pdf"
    path.write_bytes(certificate.pdf)

    plain = runner.invoke(args=["certificates", "verify", str(path)])
    assert plain.exit_code == 0, plain.output
    assert plain.output.startswith("VALID:")

    as_json = runner.invoke(args=["certificates", "verify", "--json", str(path)])
    assert as_json.exit_code == 0, as_json.output
    verdict = json.loads(as_json.output)
    assert set(verdict) == VERDICT_KEYS and set(verdict["signature"]) == SIGNATURE_KEYS
    assert verdict == {"valid": True, "reason": verdict["reason"], "serial": certificate.serial,
                       "status": "valid",
                       "signature": {"intact": True, "trusted": True, "covers_whole_file": True}}
    assert isinstance(verdict["reason"], str) and verdict["reason"]


def test_revoke_from_the_cli_keeps_the_record_and_the_verify_page(world, db, runner, client, tmp_path):
    officer = world.make.user("officer", email="jordan.whitfield@berkeley.example")
    certificate = issue(world, officer)
    reason = "Issued in error: exam 3 was graded twice"

    result = runner.invoke(args=["certificates", "revoke", certificate.serial, "--reason", reason])
    assert result.exit_code == 0, result.output
    assert f"revoked {certificate.serial}" in result.output

    kept = reload(db, certificate)
    assert kept is not None and kept.status == "revoked"
    assert kept.revocation_reason == reason and kept.revoked_at is not None and kept.revoked_by.startswith("cli:")
    assert count(db, Certificate) == 1
    entry = audit_entries(db, "certificate.revoke")[-1]
    assert entry.target_id == certificate.serial and json.loads(entry.details) == {"reason": reason}

    page = client.get(f"/verify/{certificate.serial}")
    assert page.status_code == 200
    text = visible(page.get_data(as_text=True))
    assert "Revoked" in text and reason in text
    assert officer.email not in page.get_data(as_text=True), "the verify page shows no email"
    assert "badge" not in page.get_data(as_text=True).lower()

    path = tmp_path / "cert.pdf"
    path.write_bytes(kept.pdf)
    verify = runner.invoke(args=["certificates", "verify", str(path)])
    assert verify.exit_code == 1 and "revoked" in verify.output

    again = runner.invoke(args=["certificates", "revoke", certificate.serial, "--reason", reason])
    assert again.exit_code != 0 and "already revoked" in again.output


@pytest.mark.parametrize("serial_kind, reason, message", [
    ("known", "", "give the reason"),
    ("known", "no", "give the reason"),
    ("unknown", "Issued in error to the wrong officer", "no certificate with serial"),
], ids=["empty-reason", "short-reason", "unknown-serial"])
def test_revoke_from_the_cli_refuses(world, db, runner, serial_kind, reason, message):
    certificate = issue(world)
    serial = certificate.serial if serial_kind == "known" else new_serial()
    result = runner.invoke(args=["certificates", "revoke", serial, "--reason", reason])
    assert result.exit_code != 0 and message in result.output
    assert reload(db, certificate).status == "valid"


# --- keys ---------------------------------------------------------------------------------

def test_keys_init_writes_private_keys_0600_and_refuses_to_overwrite(app, runner, monkeypatch, tmp_path):
    directory = tmp_path / "new-keys"
    monkeypatch.setitem(app.config, "KEYS_DIR", directory)
    monkeypatch.setitem(app.config, "SIGNING_KEY_PASSPHRASE", None)

    first = runner.invoke(args=["keys", "init"])
    assert first.exit_code == 0, first.output
    files = {p.name for p in directory.iterdir()}
    assert files == {"root.pem", "root.key.pem", "signing.pem", "signing.key.pem"}
    for name in ("root.key.pem", "signing.key.pem"):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    before = {name: (directory / name).read_bytes() for name in files}

    second = runner.invoke(args=["keys", "init"])
    assert second.exit_code != 0
    assert "refusing to overwrite" in second.output
    assert {name: (directory / name).read_bytes() for name in files} == before


def test_keys_init_encrypts_the_private_keys_with_the_passphrase(app, runner, monkeypatch, tmp_path):
    from app.certificates.keys import KeysError, load_key_material

    directory = tmp_path / "encrypted-keys"
    monkeypatch.setitem(app.config, "KEYS_DIR", directory)
    monkeypatch.setitem(app.config, "SIGNING_KEY_PASSPHRASE", "a long passphrase for the keys")
    assert runner.invoke(args=["keys", "init"]).exit_code == 0
    for name in ("root.key.pem", "signing.key.pem"):
        assert (directory / name).read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert load_key_material({"KEYS_DIR": directory,
                              "SIGNING_KEY_PASSPHRASE": "a long passphrase for the keys"}).signing_key
    for wrong in (None, "not the passphrase"):
        with pytest.raises(KeysError, match="SIGNING_KEY_PASSPHRASE"):
            load_key_material({"KEYS_DIR": directory, "SIGNING_KEY_PASSPHRASE": wrong})


def test_keys_export_root_writes_the_trust_anchor(app, runner, keys_dir, tmp_path):
    out = tmp_path / "program-root.pem"
    result = runner.invoke(args=["keys", "export-root", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == (Path(keys_dir) / "root.pem").read_bytes()
    root = x509.load_pem_x509_certificate(out.read_bytes())
    signing = x509.load_pem_x509_certificate((Path(keys_dir) / "signing.pem").read_bytes())
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert signing.issuer == root.subject
    assert b"PRIVATE KEY" not in out.read_bytes()


def test_keys_export_root_without_keys_fails(app, runner, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "KEYS_DIR", tmp_path / "empty")
    monkeypatch.setitem(app.config, "TRUST_ROOT_PATH", None)
    result = runner.invoke(args=["keys", "export-root", str(tmp_path / "root.pem")])
    assert result.exit_code != 0 and "flask keys init" in result.output


@pytest.mark.skipif(not (shutil.which("pdfsig") and shutil.which("certutil")),
                    reason="poppler-utils (pdfsig) and libnss3-tools (certutil) are needed")
def test_pdfsig_trusts_the_certificate_with_the_exported_root(world, runner, tmp_path):
    certificate = issue(world)
    root = tmp_path / "root.pem"
    assert runner.invoke(args=["keys", "export-root", str(root)]).exit_code == 0
    pdf = tmp_path / "certificate.pdf"
    assert runner.invoke(args=["certificates", "export", certificate.serial, str(pdf)]).exit_code == 0
    nss = tmp_path / "nss"
    nss.mkdir()
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True,
                   capture_output=True, env=env)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "root", "-t", "CT,C,C", "-i", str(root)],
                   check=True, capture_output=True, env=env)

    report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True, text=True,
                            env=env)
    output = report.stdout + report.stderr
    assert "Signature is Valid" in output, output
    assert "Certificate is Trusted" in output, output
    assert "Total document signed" in output, output

    # The same file with one byte appended is no longer the whole document signed.
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(pdf.read_bytes() + b"\n% appended\n")
    report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(tampered)], capture_output=True,
                            text=True, env=env)
    assert "Total document signed" not in report.stdout + report.stderr


# --- the public verify pages ------------------------------------------------------------------

def test_verify_page_shows_status_holder_course_and_dates_only(world, client):
    officer = world.make.user("officer", name="Jordan A. Whitfield", email="jw@berkeley.example")
    certificate = issue(world, officer, completed_at=datetime(2026, 3, 10, 9, tzinfo=UTC))
    response = client.get(f"/verify/{certificate.serial}")
    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    text = visible(markup)
    assert "Valid" in text and "Jordan A. Whitfield" in text and "IADP" in text
    assert certificate.serial in text and "10 March 2028" in text
    assert "jw@berkeley.example" not in markup and certificate.agency_name not in text


@pytest.mark.parametrize("typed", ["unknown-valid-serial", "NOT-A-SERIAL", "7K3Q-9W2M-XC4T-8R1P-Z"])
def test_verify_page_for_an_unknown_serial_is_a_helpful_404(world, client, typed):
    issue(world)
    serial = new_serial() if typed == "unknown-valid-serial" else typed
    response = client.get(f"/verify/{serial}")
    assert response.status_code == 404
    text = visible(response.get_data(as_text=True))
    assert "Not found" in text and f"no certificate has the serial {serial}" in text
    assert "typing mistakes" in text


@pytest.mark.parametrize("typed", [
    lambda s: s.lower(),
    lambda s: s.replace("-", "").lower(),
    lambda s: s.replace("-", "", 2),
], ids=["lowercase", "lowercase-hyphenless", "some-hyphens-missing"])
def test_verify_page_redirects_a_typed_serial_to_the_canonical_one(world, client, typed):
    certificate = issue(world)
    response = client.get(f"/verify/{typed(certificate.serial)}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/verify/{certificate.serial}")
    assert client.get(response.headers["Location"]).status_code == 200


# --- pending issuance -----------------------------------------------------------------------

def test_a_completion_without_keys_is_recorded_and_issued_later_exactly_once(app, db, make, runner, monkeypatch,
                                                                              tmp_path, keys_dir):
    from tests.integration.test_exams import GRADED, T0, complete_weeks, sit

    world = cert_world(make, db)
    officer = make.user("officer")
    enrollment = make.enroll(world.training_class, officer)
    # Keys that cannot be loaded: an empty directory, and nothing cached from earlier tests.
    monkeypatch.setitem(app.config, "KEYS_DIR", tmp_path / "no-keys")
    monkeypatch.setitem(app.extensions, "certificate_keys", {})

    complete_weeks(enrollment, 4)
    for n, exam_key in enumerate(GRADED):
        sit(enrollment, exam_key, now=T0 + timedelta(hours=n))
    assert count(db, CourseCompletion) == 1, "the completion is recorded"
    assert count(db, Certificate) == 0, "without keys the certificate stays pending"

    refused = runner.invoke(args=["certificates", "issue-pending"])
    assert refused.exit_code != 0 and count(db, Certificate) == 0

    app.config["KEYS_DIR"] = keys_dir
    app.extensions["certificate_keys"] = {}
    first = runner.invoke(args=["certificates", "issue-pending"])
    assert first.exit_code == 0, first.output
    assert "issued 1 certificate(s)" in first.output
    second = runner.invoke(args=["certificates", "issue-pending"])
    assert second.exit_code == 0 and "issued 0 certificate(s)" in second.output

    certificate = db.session.execute(select(Certificate)).scalar_one()
    completion = db.session.execute(select(CourseCompletion)).scalar_one()
    assert certificate.completion_id == completion.id and certificate.officer_id == officer.id
    assert certificate.completed_on == completion.completed_at.date()
    assert len(audit_entries(db, "certificate.issue")) == 1


def test_issue_pending_without_keys_says_why_instead_of_crashing(app, runner, monkeypatch, tmp_path):
    """Without keys the operator gets the reason and the fix, not a traceback."""
    monkeypatch.setitem(app.config, "KEYS_DIR", tmp_path / "no-keys")
    monkeypatch.setitem(app.extensions, "certificate_keys", {})
    result = runner.invoke(args=["certificates", "issue-pending"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), f"crashed with {result.exception!r}"
    assert "Run `flask keys init`" in result.output


# --- revocation in the UI, and downloads ---------------------------------------------------

def test_credentialing_revokes_in_the_ui_and_the_audit_says_who_and_why(world, db, auth, client):
    certificate = issue(world)
    staff = auth.login_as("credentialing")
    page = client.get(f"/certificates/manage?q={certificate.serial}")
    assert page.status_code == 200 and "Revoke certificate" in page.get_data(as_text=True)
    reason = "Completion obtained with another officer's credentials"

    token = csrf_token_from(client, "/certificates/manage")
    refused = client.post(f"/certificates/{certificate.serial}/revoke", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 302 and reload(db, certificate).status == "valid"
    no_csrf = client.post(f"/certificates/{certificate.serial}/revoke", data={"reason": reason})
    assert no_csrf.status_code in (302, 400) and reload(db, certificate).status == "valid"

    response = client.post(f"/certificates/{certificate.serial}/revoke", data={"csrf_token": token, "reason": reason})
    assert response.status_code == 302
    revoked = reload(db, certificate)
    assert revoked.status == "revoked" and revoked.revocation_reason == reason
    assert revoked.revoked_by == staff.email

    entry = audit_entries(db, "certificate.revoke")[-1]
    assert entry.actor_id == staff.id and entry.actor_label == staff.email
    assert entry.target_type == "certificate" and entry.target_id == certificate.serial
    assert json.loads(entry.details) == {"reason": reason}
    listing = visible(client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"Certificate {certificate.serial} is revoked." in listing and reason in listing
    assert len(audit_entries(db, "certificate.revoke")) == 1


def test_an_officer_downloads_only_their_own_certificate(world, auth, client):
    me = auth.login_as("officer")
    mine = issue(world, me)
    theirs = issue(world)
    assert client.get(f"/certificates/{mine.serial}.pdf").status_code == 200
    assert client.get(f"/certificates/{mine.serial.lower()}.pdf").status_code == 200
    assert client.get(f"/certificates/{theirs.serial}.pdf").status_code == 404
    assert client.get(f"/certificates/{new_serial()}.pdf").status_code == 404
    listing = client.get("/certificates/").get_data(as_text=True)
    assert mine.serial in listing and theirs.serial not in listing


@pytest.mark.parametrize("role", ["credentialing", "manager", "admin"])
def test_staff_download_any_certificate_as_issued(world, auth, client, role):
    certificate = issue(world)
    auth.login_as(role)
    response = client.get(f"/certificates/{certificate.serial}.pdf")
    assert response.status_code == 200 and response.get_data() == certificate.pdf


def test_issuing_a_pending_older_completion_does_not_supersede_the_newer_certificate(world, db, runner):
    """BUG: app/certificates/services.py certificate_issue (lines 103-107) supersedes every other "valid"
    certificate of the officer and course, whatever its completion date. Issuing a pending certificate
    for an OLDER completion (`flask certificates issue-pending` after keys come back) therefore marks the
    officer's current, newer certificate "superseded" and leaves the stale one "valid": verifiers are told
    the current certificate was replaced. The newer completion should win."""
    officer = world.make.user("officer")
    # The 2025 completion was recorded while the keys were unavailable: no certificate yet.
    older_enrollment = world.make.enroll(world.training_class, officer)
    older = CourseCompletion(enrollment_id=older_enrollment.id, officer_id=officer.id,
                             course_version_id=older_enrollment.course_version_id,
                             completed_at=datetime(2025, 6, 1, 12, tzinfo=UTC), scores={})
    db.session.add(older)
    db.session.commit()
    # The officer completed the course again in 2026, and that certificate was issued at once.
    newer = issue(world, officer, completed_at=datetime(2026, 6, 1, 12, tzinfo=UTC))

    result = runner.invoke(args=["certificates", "issue-pending"])
    assert result.exit_code == 0 and "issued 1 certificate(s)" in result.output

    late = db.session.execute(select(Certificate).where(Certificate.completion_id == older.id)).scalar_one()
    newer = reload(db, newer)
    assert newer.status == "valid", "the certificate of the latest completion stays current"
    assert late.status == "superseded" and late.superseded_by_id == newer.id


def test_completions_of_one_course_issued_at_the_same_moment_leave_one_valid_certificate(app, make, db):
    """Four completions of IADP for one officer, issued at once (requests and `issue-pending`
    racing): exactly one certificate stays valid, the latest, and it supersedes the rest."""
    from app.certificates.services import certificates_issue
    from tests.concurrency import run_together

    world = cert_world(make, db)
    officer = make.user("officer")
    completed = [datetime(2026, 11, day, 15, tzinfo=UTC) for day in (2, 9, 16, 23)]
    completion_ids = []
    for n, at in enumerate(completed):
        training_class = make.training_class(world.version, world.instructor, title=f"race class {n}")
        enrollment = make.enroll(training_class, officer)
        completion = CourseCompletion(enrollment_id=enrollment.id, officer_id=officer.id,
                                      course_version_id=enrollment.course_version_id,
                                      completed_at=at, scores={})
        db.session.add(completion)
        db.session.commit()
        completion_ids.append(completion.id)

    def issue_one(completion_id):
        def job(go):
            go()
            return certificates_issue(completion_ids=[completion_id], now=utcnow())
        return job

    assert run_together(app, [issue_one(c) for c in completion_ids]) == [1, 1, 1, 1]

    db.session.rollback()
    certificates = db.session.execute(select(Certificate).where(
        Certificate.officer_id == officer.id)).scalars().all()
    assert len(certificates) == 4
    [valid] = [c for c in certificates if c.status == "valid"]
    assert valid.completed_on == completed[-1].date()
    assert all(c.status == "superseded" for c in certificates if c is not valid)
    assert len(audit_entries(db, "certificate.issue")) == 4
