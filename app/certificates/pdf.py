"""Certificate and authorization-letter PDFs, built with reportlab.

Pure functions: data in, PDF bytes out; no Flask and no database. The canvas
is created with `invariant=1` so equal data always gives identical bytes,
and only the standard PDF fonts (Helvetica, Times, Courier) are used. The
certificate's serial travels in the Keywords metadata as `serial:<serial>`
(and a letter's number as `letter:<number>`), where `read_serial` finds it
again, also after a signer has appended an incremental update.
"""
from __future__ import annotations

import itertools
import re
import warnings
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import landscape, letter, portrait
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from app.certificates.seal import GOLD, NAVY, draw_seal

AUTHOR = "287(g) Training Program"
CREATOR = "287(g) Training and Certification"
SAMPLE_NOTICE = "Sample curriculum: FLETC replaces it with official material"
SIGNATURE_NOTICE = ("Digitally signed by the 287(g) Training Program. "
                    "Any change to this file invalidates the signature.")
LETTER_SUBJECT = ("Authorization to exercise delegated immigration authority "
                  "under INA section 287(g)")

INK = HexColor("#1f2933")
MUTED = HexColor("#5b6770")
SAMPLE_RED = HexColor("#9b2c2c")

_MONTHS = ("January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December")


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on a certificate of completion."""

    serial: str
    holder_name: str
    agency_name: str
    course_code: str
    course_title: str
    course_version_hash: str
    completed_on: date
    issued_on: date
    valid_until: date
    issuing_official: str
    issuing_title: str
    verify_url: str
    sample: bool = False


@dataclass(frozen=True)
class LetterData:
    """Everything printed on a letter authorizing an officer under an agreement."""

    officer_name: str
    agency_name: str
    agreement_model: str
    agreement_signed_on: date
    effective_on: date
    expires_on: date
    certificate_serial: str
    refresher_due: date
    granted_by_name: str
    granted_by_title: str
    letter_number: str
    issued_on: date
    verify_url: str
    sample: bool = False


# Helpers ---------------------------------------------------------------------

def long_date(day: date) -> str:
    """Format a date the formal way, e.g. "28 November 2026"."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def short_hash(value: str, length: int = 12) -> str:
    """Shorten a content hash for print, dropping any "sha256:" style prefix."""
    digest = value.rsplit(":", 1)[-1].strip()
    return digest[:length] if digest else "-"


def qr_payload(data: CertificateData | LetterData) -> str:
    """Return the text the document's QR code encodes: its verification URL."""
    return data.verify_url


def _fit(text: str, font: str, size: float, width: float) -> float:
    """Return `size`, or a smaller size at which `text` fits in `width`."""
    natural = stringWidth(text, font, size)
    return size if natural <= width else size * width / natural


def _draw_fitted(canvas, x: float, y: float, text: str, font: str, size: float,
                 width: float, align: str = "centre") -> float:
    size = _fit(text, font, size, width)
    canvas.setFont(font, size)
    if align == "centre":
        canvas.drawCentredString(x, y, text)
    elif align == "right":
        canvas.drawRightString(x, y, text)
    else:
        canvas.drawString(x, y, text)
    return size


def _spaced(canvas, x: float, y: float, text: str, font: str, size: float,
            spacing: float) -> None:
    """Draw letter-spaced text centred on x (for small capitals labels)."""
    width = stringWidth(text, font, size) + spacing * (len(text) - 1)
    canvas.saveState()  # character spacing is text state: keep it from leaking
    canvas.setFont(font, size)
    text_object = canvas.beginText(x - width / 2, y)
    text_object.setCharSpace(spacing)
    text_object.textOut(text)
    canvas.drawText(text_object)
    canvas.restoreState()


_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER = "10111010000"
_BITS = bytes.maketrans(b"\x00\x01", b"01")


def _mask_penalty(modules: list[list[bool]]) -> int:
    """Score a masked QR matrix exactly as reportlab's QRUtil.getLostPoint does, several times faster.

    Runs of five or more alike in rows and columns (length - 2 each), 2x2
    blocks alike (3 each), the finder-like pattern 1011101 0000 in rows
    (40 each; reportlab scans rows only, and not the last position), and the
    share of dark modules. The score only chooses among the eight masks,
    each of which gives a valid code; checked to choose as reportlab does
    on thousands of inputs, versions and correction levels.
    """
    rows = [bytes(row).translate(_BITS).decode() for row in modules]
    columns = ["".join(column) for column in zip(*rows)]
    n = len(rows)
    score = sum(len(run) - 2 for line in rows + columns for run in _RUN.findall(line))
    score += 40 * sum(row[:-1].count(_FINDER) for row in rows)
    pairs = (1 << (n - 1)) - 1  # bit k: columns k and k + 1 (counting from the right)
    bits = [int(row, 2) for row in rows]
    for a, b in zip(bits, bits[1:]):
        score += 3 * (~(a ^ (a >> 1)) & ~(b ^ (b >> 1)) & ~(a ^ b) & pairs).bit_count()
    dark = sum(row.count("1") for row in rows)
    return score + 10 * (abs(100 * dark // (n * n) - 50) // 5)


class _QRCode(QRCode):
    """reportlab's encoder, choosing the same mask with a faster penalty (`_mask_penalty`)."""

    def getBestMaskPattern(self) -> int:
        penalties = []
        for pattern in range(8):
            self.makeImpl(True, pattern)
            penalties.append(_mask_penalty(self.modules))
        return min(range(8), key=penalties.__getitem__)  # the first lowest, as reportlab


def qr_modules(value: str) -> list[list[bool]]:
    """Return the QR code (error correction level M) encoding `value`, as rows of dark modules."""
    code = _QRCode(None, QRErrorCorrectLevel.M)
    code.addData(value)
    code.make()  # reportlab's pure-Python encoder: a few ms, so it runs once per code
    return [list(map(bool, row)) for row in code.modules]


def _draw_qr(canvas, value: str, x: float, y: float, size: float) -> None:
    """Draw a QR code encoding `value` as a size x size square at (x, y).

    The code keeps a quiet zone of four modules inside the square, as
    reportlab's QrCodeWidget does. QrCodeWidget encoded the data twice and
    drew every run of dark modules as its own shape, which made the QR code
    most of the cost of a certificate; here each run is one `re` operator in
    module units (whole numbers, scaled once by `cm`) and all are filled at once.
    """
    modules = qr_modules(value)
    border = 4
    count = len(modules)
    box = size / (count + 2 * border)
    runs = []
    for r, row in enumerate(modules):
        c = 0
        for dark, run in itertools.groupby(row):
            length = len(tuple(run))
            if dark:
                runs.append(f"{c} {count - 1 - r} {length} 1 re")
            c += length
    canvas.saveState()
    canvas.setFillColor(NAVY)
    canvas.transform(box, 0, 0, box, x + border * box, y + border * box)
    canvas.addLiteral("\n".join(runs) + "\nf")
    canvas.restoreState()


def _metadata(canvas, *, title: str, subject: str, keywords: str) -> None:
    canvas.setTitle(title)
    canvas.setAuthor(AUTHOR)
    canvas.setSubject(subject)
    canvas.setKeywords(keywords)
    canvas.setCreator(CREATOR)


def _new_canvas(buffer: BytesIO, pagesize) -> Canvas:
    canvas = Canvas(buffer, pagesize=pagesize, invariant=1, pageCompression=1)
    canvas.setLineJoin(1)
    return canvas


# Certificate -------------------------------------------------------------------

def _certificate_frame(canvas, width: float, height: float) -> None:
    """Draw the double border with small gold corner ornaments."""
    canvas.setStrokeColor(NAVY)
    canvas.setLineWidth(3)
    canvas.rect(22, 22, width - 44, height - 44, stroke=1, fill=0)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.9)
    canvas.rect(30, 30, width - 60, height - 60, stroke=1, fill=0)
    canvas.setLineWidth(0.4)
    canvas.rect(33, 33, width - 66, height - 66, stroke=1, fill=0)
    canvas.setFillColor(GOLD)
    for cx, cy in ((30, 30), (width - 30, 30), (30, height - 30), (width - 30, height - 30)):
        path = canvas.beginPath()
        path.moveTo(cx, cy + 6)
        path.lineTo(cx + 6, cy)
        path.lineTo(cx, cy - 6)
        path.lineTo(cx - 6, cy)
        path.close()
        canvas.drawPath(path, stroke=0, fill=1)


def certificate_pdf(data: CertificateData) -> bytes:
    """Render a one-page landscape certificate of completion as PDF bytes."""
    buffer = BytesIO()
    width, height = landscape(letter)
    canvas = _new_canvas(buffer, (width, height))
    _metadata(canvas, title=f"Certificate {data.serial}", subject=data.course_title,
              keywords=f"287(g), certificate, serial:{data.serial}, course:{data.course_code}")
    centre = width / 2
    text_width = width - 2 * 110

    _certificate_frame(canvas, width, height)
    draw_seal(canvas, centre, 519, 45)

    canvas.setFillColor(GOLD)
    _spaced(canvas, centre, 452, "287(g) TRAINING AND CERTIFICATION", "Helvetica-Bold", 8.5, 2.2)
    canvas.setFillColor(NAVY)
    canvas.setFont("Times-Bold", 34)
    canvas.drawCentredString(centre, 414, "Certificate of Completion")

    canvas.setFillColor(INK)
    canvas.setFont("Times-Italic", 14)
    canvas.drawCentredString(centre, 384, "This certifies that")
    canvas.setFillColor(NAVY)
    size = _draw_fitted(canvas, centre, 348, data.holder_name, "Times-Bold", 30, text_width)
    rule = min(text_width + 20, max(460, stringWidth(data.holder_name, "Times-Bold", size) + 40))
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.line(centre - rule / 2, 337, centre + rule / 2, 337)

    canvas.setFillColor(INK)
    canvas.setFont("Times-Italic", 14)
    canvas.drawCentredString(centre, 313, "has completed")
    canvas.setFillColor(NAVY)
    course = f"{data.course_code} \u2014 {data.course_title}"
    _draw_fitted(canvas, centre, 287, course, "Times-Bold", 19, text_width)
    if data.agency_name:
        canvas.setFillColor(INK)
        _draw_fitted(canvas, centre, 265, f"Agency: {data.agency_name}", "Times-Roman", 12.5,
                     text_width)

    # The dates, in three columns; "Valid until" is the one that matters most.
    columns = ((centre - 170, "Completed", data.completed_on, False),
               (centre, "Valid until", data.valid_until, True),
               (centre + 170, "Issued", data.issued_on, False))
    for x, label, day, key in columns:
        canvas.setFillColor(GOLD if not key else NAVY)
        canvas.setFont("Helvetica-Bold", 8.5)
        canvas.drawCentredString(x, 234, label)
        canvas.setFillColor(NAVY if key else INK)
        canvas.setFont("Times-Bold" if key else "Times-Roman", 15 if key else 13)
        canvas.drawCentredString(x, 216, long_date(day))
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 7)
    canvas.drawCentredString(centre, 204, "refresher training due by this date")
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.5)
    for x in (centre - 85, centre + 85):
        canvas.line(x, 204, x, 244)

    # Bottom left: the QR code and where it points.
    qr_size = 76
    qr_x, qr_y = 66, 86
    _draw_qr(canvas, qr_payload(data), qr_x, qr_y, qr_size)
    canvas.setFillColor(INK)
    _draw_fitted(canvas, qr_x + 4, 76, f"Verify at {data.verify_url}", "Helvetica", 7,
                 215, align="left")

    # Bottom centre: the issuing official.
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    canvas.line(centre - 105, 124, centre + 105, 124)
    canvas.setFillColor(INK)
    _draw_fitted(canvas, centre, 110, data.issuing_official, "Times-Bold", 12.5, 230)
    canvas.setFillColor(MUTED)
    _draw_fitted(canvas, centre, 97, data.issuing_title, "Times-Italic", 10.5, 230)

    # Bottom right: the serial and the course version.
    right = width - 66
    canvas.setFillColor(GOLD)
    canvas.setFont("Helvetica-Bold", 8.5)
    canvas.drawRightString(right, 150, "Serial number")
    canvas.setFillColor(INK)
    _draw_fitted(canvas, right, 136, data.serial, "Courier-Bold", 12, 200, align="right")
    canvas.setFillColor(GOLD)
    canvas.setFont("Helvetica-Bold", 8.5)
    canvas.drawRightString(right, 116, "Course version")
    canvas.setFillColor(INK)
    canvas.setFont("Courier", 10)
    canvas.drawRightString(right, 103, short_hash(data.course_version_hash))

    # Footer.
    if data.sample:
        canvas.setFillColor(SAMPLE_RED)
        canvas.setFont("Helvetica-Oblique", 8)
        canvas.drawCentredString(centre, 58, SAMPLE_NOTICE)
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 7)
    canvas.drawCentredString(centre, 44, SIGNATURE_NOTICE)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# Authorization letter --------------------------------------------------------------

_BODY = ParagraphStyle("body", fontName="Times-Roman", fontSize=11.5, leading=15.5,
                       textColor=INK, alignment=TA_LEFT, spaceAfter=9)
_SUBJECT = ParagraphStyle("subject", parent=_BODY, fontName="Times-Bold")
_ADDRESS = ParagraphStyle("address", parent=_BODY, leading=14.5, spaceAfter=0)


def _letter_paragraphs(data: LetterData) -> list[str]:
    def d(day: date) -> str:
        return long_date(day).replace(" ", "&nbsp;")

    e = escape
    return [
        f"This letter confirms that you have completed the training required by the "
        f"287(g) program, as recorded on certificate <font name='Courier'>"
        f"{e(data.certificate_serial)}</font>. You are authorized to perform the functions "
        f"of the {e(data.agreement_model)} under the 287(g) agreement that "
        f"{e(data.agency_name)} signed with U.S. Immigration and Customs Enforcement (ICE) "
        f"on {d(data.agreement_signed_on)}. You will use this authority only under the "
        f"supervision of ICE.",
        f"This authorization runs from {d(data.effective_on)} until {d(data.expires_on)}. "
        f"It depends on your completing the refresher training by {d(data.refresher_due)}.",
        "This authority may be withdrawn at any time by written notice, and it ends when "
        "the agreement ends.",
        "Any credentials issued to you for this authority remain the property of ICE. "
        "Return them when your authority ends or when you are asked to.",
    ]


def _letter_footer(canvas, data: LetterData, width: float) -> None:
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.6)
    canvas.line(72, 52, width - 72, 52)
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 7)
    canvas.drawCentredString(width / 2, 40, SIGNATURE_NOTICE)
    if data.sample:
        canvas.setFillColor(SAMPLE_RED)
        canvas.setFont("Helvetica-Oblique", 8)
        canvas.drawCentredString(width / 2, 28, SAMPLE_NOTICE)


def _letterhead(canvas, data: LetterData, width: float) -> float:
    """Draw the seal, letterhead, date and number; return the y to continue from."""
    centre = width / 2
    draw_seal(canvas, centre, 728, 32)
    canvas.setFillColor(NAVY)
    canvas.setFont("Times-Bold", 14)
    canvas.drawCentredString(centre, 678,
                             "287(g) Training and Certification \u2014 Delegated Authority")
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.2)
    canvas.line(72, 668, width - 72, 668)
    canvas.setLineWidth(0.4)
    canvas.line(72, 665, width - 72, 665)
    return 640


def _next_letter_page(canvas, data: LetterData, width: float, height: float) -> float:
    """Finish the page and start a continuation page; return the y to continue from."""
    _letter_footer(canvas, data, width)
    canvas.showPage()
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 8.5)
    canvas.drawString(72, height - 60, f"Letter No. {data.letter_number}")
    _draw_fitted(canvas, width - 72, height - 60, f"{data.officer_name} \u2014 continued",
                 "Helvetica", 8.5, width - 144 - 160, align="right")
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.6)
    canvas.line(72, height - 68, width - 72, height - 68)
    return height - 96


def _draw_paragraph(canvas, paragraph: Paragraph, x: float, y: float, width: float) -> float:
    _, h = paragraph.wrapOn(canvas, width, 10_000)
    paragraph.drawOn(canvas, x, y - h)
    return y - h - paragraph.style.spaceAfter


def authorization_letter_pdf(data: LetterData) -> bytes:
    """Render the letter authorizing an officer under a 287(g) agreement as PDF bytes."""
    buffer = BytesIO()
    width, height = portrait(letter)
    canvas = _new_canvas(buffer, (width, height))
    _metadata(canvas, title=f"Authorization letter {data.letter_number}", subject=LETTER_SUBJECT,
              keywords=(f"287(g), authorization letter, letter:{data.letter_number}, "
                        f"certificate:{data.certificate_serial}"))
    left, text_width = 72, width - 144
    bottom = 160  # room kept for the signature/QR block and the footer

    y = _letterhead(canvas, data, width)
    canvas.setFillColor(INK)
    canvas.setFont("Times-Roman", 11.5)
    canvas.drawRightString(width - 72, y, long_date(data.issued_on))
    canvas.setFont("Helvetica", 8.5)
    canvas.setFillColor(MUTED)
    canvas.drawRightString(width - 72, y - 14, f"Letter No. {data.letter_number}")

    # The recipient, below the date so long names and agencies never collide with it.
    y -= 40
    canvas.setFillColor(INK)
    _draw_fitted(canvas, left, y, data.officer_name, "Times-Bold", 11.5, text_width, align="left")
    agency = Paragraph(escape(data.agency_name), _ADDRESS)
    y = _draw_paragraph(canvas, agency, left, y - 4, text_width) - 14

    subject = Paragraph(f"Subject: {escape(LETTER_SUBJECT)}", _SUBJECT)
    y = _draw_paragraph(canvas, subject, left, y, text_width) - 4
    y = _draw_paragraph(canvas, Paragraph(f"Dear {escape(data.officer_name)}:", _BODY),
                        left, y, text_width)

    for text in _letter_paragraphs(data):
        paragraph = Paragraph(text, _BODY)
        _, h = paragraph.wrapOn(canvas, text_width, 10_000)
        if y - h < bottom:
            y = _next_letter_page(canvas, data, width, height)
        y = _draw_paragraph(canvas, paragraph, left, y, text_width)

    # Summary of the authority granted, one fact per line.
    facts = (("Agreement model", data.agreement_model),
             ("Agreement signed", long_date(data.agreement_signed_on)),
             ("Effective", long_date(data.effective_on)),
             ("Expires", long_date(data.expires_on)),
             ("Refresher due", long_date(data.refresher_due)),
             ("Certificate serial", data.certificate_serial))
    row = 14.5
    box_h = row * len(facts) + 12
    if y - (box_h + 130) < 60:  # the box, signature and QR must stay above the footer
        y = _next_letter_page(canvas, data, width, height)
    y -= 4
    top = y + 4
    canvas.setFillColor(HexColor("#f4f1e8"))
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.6)
    canvas.rect(left, top - box_h, text_width, box_h, stroke=1, fill=1)
    y = top - 15
    for label, value in facts:
        canvas.setFillColor(MUTED)
        canvas.setFont("Helvetica-Bold", 8.5)
        canvas.drawString(left + 12, y, label)
        canvas.setFillColor(INK)
        font = "Courier-Bold" if label == "Certificate serial" else "Times-Roman"
        _draw_fitted(canvas, left + 130, y, value, font, 11, text_width - 142, align="left")
        y -= row
    y = top - box_h - 24

    # Signature block on the left, QR code on the right.
    canvas.setFillColor(INK)
    canvas.setFont("Times-Roman", 11.5)
    canvas.drawString(left, y, "Sincerely,")
    sig_y = y - 44
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    canvas.line(left, sig_y, left + 220, sig_y)
    _draw_fitted(canvas, left, sig_y - 14, data.granted_by_name, "Times-Bold", 11.5, 260,
                 align="left")
    canvas.setFillColor(MUTED)
    _draw_fitted(canvas, left, sig_y - 28, data.granted_by_title, "Times-Italic", 10.5, 260,
                 align="left")

    qr_size = 72
    qr_x = width - 72 - qr_size
    qr_y = sig_y - 34
    _draw_qr(canvas, qr_payload(data), qr_x, qr_y, qr_size)
    canvas.setFillColor(INK)
    _draw_fitted(canvas, width - 72, qr_y - 8, f"Verify at {data.verify_url}", "Helvetica", 7,
                 200, align="right")

    _letter_footer(canvas, data, width)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# Reading back ------------------------------------------------------------------------

def _read_keyword(pdf_bytes: bytes, key: str) -> str | None:
    """Return the value of `key:` in the PDF's Keywords, or None if absent or unreadable."""
    if not isinstance(pdf_bytes, (bytes, bytearray)) or not pdf_bytes:
        return None
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfFileReader(BytesIO(bytes(pdf_bytes)), strict=False)
            keywords = reader.trailer["/Info"]["/Keywords"]
            if isinstance(keywords, bytes):
                keywords = keywords.decode("latin-1")
            keywords = str(keywords)
    except Exception:  # pyHanko raises many kinds on malformed input
        return None
    match = re.search(rf"(?:^|[\s,;]){re.escape(key)}:([^\s,;]+)", keywords)
    return match.group(1) if match else None


def read_serial(pdf_bytes: bytes) -> str | None:
    """Return the certificate serial stored in the PDF's keywords, or None."""
    return _read_keyword(pdf_bytes, "serial")


def read_letter_number(pdf_bytes: bytes) -> str | None:
    """Return the authorization letter number stored in the PDF's keywords, or None."""
    return _read_keyword(pdf_bytes, "letter")
