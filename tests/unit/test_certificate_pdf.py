"""Certificate and authorization-letter PDFs: content, layout, determinism, metadata."""
from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import date
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.pdfgen.canvas import Canvas

from app.certificates.pdf import (
    SAMPLE_NOTICE,
    SIGNATURE_NOTICE,
    CertificateData,
    LetterData,
    authorization_letter_pdf,
    certificate_pdf,
    long_date,
    qr_payload,
    read_letter_number,
    read_serial,
    short_hash,
)

LONG_NAME = "Maximiliana Alejandra Montgomery-Villanueva de la Cruz-Smith"
assert len(LONG_NAME) == 60

CERT = CertificateData(
    serial="7K3Q-9W2M-XC4T-8R1P-H",
    holder_name="Jordan A. Whitfield",
    agency_name="Berkeley County Sheriff's Office",
    course_code="IADP",
    course_title="Immigration Authority Delegation Program Basic Course",
    course_version_hash="sha256:9f2c4e71ab03d5e88c6b1f0a7d2e4c9b",
    completed_on=date(2026, 11, 28),
    issued_on=date(2026, 11, 30),
    valid_until=date(2028, 11, 28),
    issuing_official="Dana R. Castellanos",
    issuing_title="Training Program Director, FLETC Charleston",
    verify_url="https://training.example.gov/verify/7K3Q-9W2M-XC4T-8R1P-H",
    sample=True,
)

LETTER = LetterData(
    officer_name="Jordan A. Whitfield",
    agency_name="Berkeley County Sheriff's Office",
    agreement_model="Jail Enforcement Model",
    agreement_signed_on=date(2025, 3, 14),
    effective_on=date(2026, 12, 1),
    expires_on=date(2028, 3, 14),
    certificate_serial="7K3Q-9W2M-XC4T-8R1P-H",
    refresher_due=date(2028, 11, 28),
    granted_by_name="Marcus T. Ellery",
    granted_by_title="Field Office Director, Enforcement and Removal Operations",
    letter_number="AL-2026-0093",
    issued_on=date(2026, 11, 30),
    verify_url="https://training.example.gov/verify/letter/AL-2026-0093",
    sample=False,
)


def _poppler(tool: str, pdf: bytes, tmp_path, *args: str) -> str:
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(pdf)
    result = subprocess.run([f"/usr/bin/{tool}", *args, str(path), "-"] if tool == "pdftotext"
                            else [f"/usr/bin/{tool}", str(path)],
                            capture_output=True, text=True, check=True)
    return result.stdout


def pdftotext(pdf: bytes, tmp_path) -> str:
    return _poppler("pdftotext", pdf, tmp_path, "-layout")


def pdfinfo(pdf: bytes, tmp_path) -> dict[str, str]:
    lines = _poppler("pdfinfo", pdf, tmp_path).splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


def _lines(text: str) -> list[str]:
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]


# Helpers ---------------------------------------------------------------------

def test_long_date_and_short_hash():
    assert long_date(date(2026, 11, 28)) == "28 November 2026"
    assert long_date(date(2027, 1, 5)) == "5 January 2027"
    assert short_hash("sha256:9f2c4e71ab03d5e88c6b") == "9f2c4e71ab03"
    assert short_hash("abcdef") == "abcdef"
    assert short_hash("") == "-"


def test_qr_payload_is_the_verify_url():
    assert qr_payload(CERT) == CERT.verify_url
    assert qr_payload(LETTER) == LETTER.verify_url


# Certificate -------------------------------------------------------------------

def test_certificate_is_deterministic():
    assert certificate_pdf(CERT) == certificate_pdf(replace(CERT))


def test_a_different_serial_gives_different_bytes():
    assert certificate_pdf(CERT) != certificate_pdf(replace(CERT, serial="7K3Q-9W2M-XC4T-8R1Q-0"))


def test_certificate_is_one_landscape_letter_page(tmp_path):
    info = pdfinfo(certificate_pdf(CERT), tmp_path)
    assert info["Pages"] == "1"
    assert info["Page size"].startswith("792 x 612 pts")


def test_certificate_metadata(tmp_path):
    info = pdfinfo(certificate_pdf(CERT), tmp_path)
    assert info["Title"] == f"Certificate {CERT.serial}"
    assert info["Author"] == "287(g) Training Program"
    assert info["Subject"] == CERT.course_title
    assert f"serial:{CERT.serial}" in info["Keywords"]
    assert info["Creator"] == "287(g) Training and Certification"


def test_certificate_text(tmp_path):
    text = pdftotext(certificate_pdf(CERT), tmp_path)
    lines = _lines(text)
    flat = " ".join(lines)
    assert "Certificate of Completion" in flat
    assert CERT.holder_name in lines
    assert f"{CERT.course_code} \u2014 {CERT.course_title}" in flat
    assert f"Agency: {CERT.agency_name}" in flat
    assert "28 November 2026" in flat      # completed
    assert "30 November 2026" in flat      # issued
    assert "Valid until" in flat and "28 November 2028" in flat
    assert CERT.serial in flat
    assert "9f2c4e71ab03" in flat and "Course version" in flat
    assert CERT.issuing_official in flat and CERT.issuing_title in flat
    assert f"Verify at {CERT.verify_url}" in flat
    assert SIGNATURE_NOTICE in flat
    assert SAMPLE_NOTICE in flat


def test_an_empty_agency_prints_no_agency_line(tmp_path):
    text = pdftotext(certificate_pdf(replace(CERT, agency_name="")), tmp_path)
    assert "Agency:" not in text


def test_sample_notice_only_on_samples(tmp_path):
    text = pdftotext(certificate_pdf(replace(CERT, sample=False)), tmp_path)
    assert SAMPLE_NOTICE not in " ".join(_lines(text))


def test_a_60_character_name_stays_whole_on_one_line(tmp_path):
    text = pdftotext(certificate_pdf(replace(CERT, holder_name=LONG_NAME)), tmp_path)
    assert LONG_NAME in _lines(text)


def test_a_long_course_title_stays_on_one_line(tmp_path):
    title = "Immigration Authority Delegation Refresher Program for Task Force Model Officers"
    text = pdftotext(certificate_pdf(replace(CERT, course_code="IADRP", course_title=title)),
                     tmp_path)
    assert any(f"IADRP \u2014 {title}" in line for line in _lines(text))


# Reading the serial back ------------------------------------------------------------

def test_read_serial_round_trip():
    assert read_serial(certificate_pdf(CERT)) == CERT.serial


@pytest.mark.parametrize("check", ["*", "~", "$", "=", "U", "0"])
def test_read_serial_round_trip_with_every_kind_of_check_character(check):
    serial = f"0000-ZZZZ-A1B2-C3D4-{check}"
    assert read_serial(certificate_pdf(replace(CERT, serial=serial))) == serial


def test_read_serial_after_an_incremental_update():
    original = certificate_pdf(CERT)
    writer = IncrementalPdfFileWriter(BytesIO(original))
    writer.root["/PageMode"] = generic.NameObject("/UseNone")
    writer.update_root()
    out = BytesIO()
    writer.write(out)
    updated = out.getvalue()
    assert updated.startswith(original) and len(updated) > len(original)
    assert read_serial(updated) == CERT.serial


@pytest.mark.parametrize("garbage", [b"", b"not a pdf", b"%PDF-1.4\n%%EOF", b"\x00" * 64])
def test_read_serial_returns_none_for_garbage(garbage):
    assert read_serial(garbage) is None


def test_read_serial_returns_none_without_keywords():
    buffer = BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.setTitle("No keywords here")
    canvas.drawString(72, 720, "Hello")
    canvas.showPage()
    canvas.save()
    assert read_serial(buffer.getvalue()) is None


def test_read_serial_does_not_read_a_letter_as_a_certificate():
    letter_pdf = authorization_letter_pdf(LETTER)
    assert read_serial(letter_pdf) is None
    assert read_letter_number(letter_pdf) == LETTER.letter_number
    assert read_letter_number(certificate_pdf(CERT)) is None


# Authorization letter --------------------------------------------------------------

def test_letter_is_deterministic_and_depends_on_its_number():
    assert authorization_letter_pdf(LETTER) == authorization_letter_pdf(replace(LETTER))
    assert authorization_letter_pdf(LETTER) != authorization_letter_pdf(
        replace(LETTER, letter_number="AL-2026-0094"))


def test_letter_layout_and_metadata(tmp_path):
    info = pdfinfo(authorization_letter_pdf(LETTER), tmp_path)
    assert info["Pages"] in ("1", "2")
    assert info["Page size"].startswith("612 x 792 pts")
    assert info["Title"] == f"Authorization letter {LETTER.letter_number}"
    assert info["Author"] == "287(g) Training Program"
    assert info["Creator"] == "287(g) Training and Certification"
    assert f"letter:{LETTER.letter_number}" in info["Keywords"]


def test_letter_text(tmp_path):
    flat = " ".join(_lines(pdftotext(authorization_letter_pdf(LETTER), tmp_path)))
    assert "287(g) Training and Certification \u2014 Delegated Authority" in flat
    assert ("Subject: Authorization to exercise delegated immigration authority "
            "under INA section 287(g)") in flat
    assert LETTER.officer_name in flat
    assert LETTER.agency_name in flat
    assert LETTER.agreement_model in flat
    for day in ("14 March 2025", "1 December 2026", "14 March 2028", "28 November 2028",
                "30 November 2026"):
        assert day in flat
    assert LETTER.certificate_serial in flat
    assert LETTER.letter_number in flat
    assert "supervision of ICE" in flat
    assert "withdrawn at any time" in flat
    assert "property of ICE" in flat
    assert LETTER.granted_by_name in flat and LETTER.granted_by_title in flat
    assert f"Verify at {LETTER.verify_url}" in flat
    assert SAMPLE_NOTICE not in flat


def test_letter_with_long_fields_stays_within_two_pages(tmp_path):
    long_letter = replace(
        LETTER, officer_name=LONG_NAME, sample=True,
        agency_name="Consolidated Metropolitan Department of Corrections and Public Safety of "
                    "the County of Example",
        agreement_model="Jail Enforcement Model and Warrant Service Officer Model")
    pdf = authorization_letter_pdf(long_letter)
    info = pdfinfo(pdf, tmp_path)
    assert info["Pages"] in ("1", "2")
    flat = " ".join(_lines(pdftotext(pdf, tmp_path)))
    assert LONG_NAME in flat and SAMPLE_NOTICE in flat


def test_markup_characters_in_names_are_printed_literally(tmp_path):
    odd = replace(LETTER, agency_name="Smith & Jones <County> Sheriff's Office")
    flat = " ".join(_lines(pdftotext(authorization_letter_pdf(odd), tmp_path)))
    assert "Smith & Jones <County> Sheriff's Office" in flat


def test_a_letter_too_long_for_one_page_continues_on_a_second(tmp_path):
    agency = " ".join(["Consolidated Department of Corrections"] * 6)
    pdf = authorization_letter_pdf(replace(LETTER, agency_name=agency))
    assert pdfinfo(pdf, tmp_path)["Pages"] == "2"
    flat = " ".join(_lines(pdftotext(pdf, tmp_path)))
    assert f"{LETTER.officer_name} \u2014 continued" in flat
    assert LETTER.certificate_serial in flat and LETTER.granted_by_name in flat
    assert flat.count(SIGNATURE_NOTICE) == 2
