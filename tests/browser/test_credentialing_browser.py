"""Credentialing staff verify an uploaded certificate and grant authority, in a real browser."""
import re

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.certificates.models import Certificate
from app.main.demo import demo_load
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import CONTENT_DIR

pytestmark = pytest.mark.browser


@pytest.fixture()
def certified(app, db, make, tmp_path):
    """The demo data, plus a freshly certified officer with no authority yet, and their PDF on disk."""
    demo_load(password=app.config["DEMO_PASSWORD"], content_dir=CONTENT_DIR)
    casey = db.session.execute(select(User).where(User.email == "casey.nguyen@demo.example")).scalar_one()
    from app.courses.models import Enrollment

    enrollment = db.session.execute(select(Enrollment).where(Enrollment.officer_id == casey.id)).scalar_one()
    certificate = make.certificate(enrollment)
    path = tmp_path / f"certificate-{certificate.serial}.pdf"
    path.write_bytes(db.session.get(Certificate, certificate.id).pdf)
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(path.read_bytes() + b"\n% edited\n")
    return {"officer": casey, "certificate": certificate, "pdf": path, "tampered": tampered,
            "password": app.config["DEMO_PASSWORD"]}


def test_verify_upload_then_grant_authority(page, certified):
    sign_in(page, "credentialing@demo.example", certified["password"])
    assert_accessible(page)
    page.get_by_role("link", name="Verify a certificate file").click()
    assert_accessible(page)
    page.get_by_label("Certificate PDF").set_input_files(str(certified["tampered"]))
    page.get_by_role("button", name="Check the certificate").click()
    assert "Not valid" in page.get_by_role("alert").inner_text()
    assert "added after the signature" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    page.get_by_label("Certificate PDF").set_input_files(str(certified["pdf"]))
    page.get_by_role("button", name="Check the certificate").click()
    verdict = page.get_by_role("status").filter(has_text="Valid")
    assert "genuine, unaltered and in force" in verdict.inner_text()
    assert_accessible(page)
    # Open the officer from the agency page, and grant.
    page.get_by_role("link", name="Agencies").click()
    page.get_by_role("link", name="Cypress County Sheriff's Office").click()
    assert_accessible(page)
    page.get_by_role("link", name="Casey Nguyen", exact=True).click()
    assert "Not authorized" in page.content() or "None" in page.content()
    assert_accessible(page)
    jem = page.get_by_label("Agreement").locator("option", has_text="Jail Enforcement Model").get_attribute("value")
    page.get_by_label("Agreement").select_option(jem)
    page.get_by_role("button", name="Grant authority").click()
    status = page.get_by_role("status").filter(has_text="Authority granted")
    assert "authorization letter" in status.inner_text()
    assert page.locator("p.verdict").filter(has_text="Active").count() == 1
    assert page.get_by_role("link", name=re.compile(r"^AUTH-")).count() == 1
    assert_accessible(page)


def test_public_verify_page_by_serial(page, certified):
    page.goto(f"/verify/{certified['certificate'].serial}")
    assert "Valid" in page.get_by_role("status").inner_text()
    assert certified["officer"].email not in page.content()
    assert_accessible(page)
    page.goto("/verify/0000-0000-0000-0000-1")
    assert "Not found" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
