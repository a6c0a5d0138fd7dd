"""The transcript as a PDF (reportlab platypus). Pure: a Transcript in, bytes out."""
from __future__ import annotations

from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.oversight.transcript import Transcript

NAVY = colors.HexColor("#0b3d6e")


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("TEXTCOLOR", (0, 0), (-1, 0), NAVY),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#c9d1db")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def transcript_pdf(t: Transcript) -> bytes:
    """Return the transcript as a PDF."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=letter, title=f"Training transcript: {t.name}",
                            author="287(g) Training Program", leftMargin=0.7 * inch,
                            rightMargin=0.7 * inch, topMargin=0.7 * inch, bottomMargin=0.7 * inch)
    styles = getSampleStyleSheet()
    small = styles["BodyText"]
    story = [
        Paragraph("287(g) Training and Certification — Training transcript", styles["Title"]),
        Paragraph(f"<b>{t.name}</b> · {t.agency or 'no agency'} · generated {t.generated_on.isoformat()}", small),
        Paragraph(f"Authority today: <b>{t.status}</b> — {t.status_reason}. "
                  + (f"Refresher due by {t.refresher_due.isoformat()}." if t.refresher_due else ""), small),
        Spacer(1, 10), Paragraph("Classes and examinations", styles["Heading2"]),
    ]
    for e in t.enrollments:
        story.append(Paragraph(
            f"<b>{e.course}</b> version {e.version} ({e.version_hash[:12]}) — {e.class_title}, {e.location}, "
            f"from {e.start_date.isoformat()}: {e.lessons_done} of {e.lessons_total} lessons complete", small))
        if e.attempts:
            rows = [["Examination", "Attempt", "Status", "Score", "Result", "Closed"]]
            rows += [[a.exam, f"{a.number}{' (remediation)' if a.remediation else ''}", a.status,
                      "" if a.score is None else f"{a.score:g}%",
                      "" if a.passed is None else ("passed" if a.passed else "not passed"),
                      a.closed_at.strftime("%Y-%m-%d") if a.closed_at else ""] for a in e.attempts]
            story += [_table(rows, [1.6 * inch, 1.2 * inch, 0.9 * inch, 0.7 * inch, 0.9 * inch, 1.0 * inch]),
                      Spacer(1, 6)]
    if not t.enrollments:
        story.append(Paragraph("No classes.", small))
    story += [Spacer(1, 10), Paragraph("Certificates", styles["Heading2"])]
    rows = [["Serial", "Course", "Completed", "Valid until", "Status"]]
    rows += [[s, c, done.isoformat(), until.isoformat(), status] for s, c, done, until, status in t.certificates]
    story.append(_table(rows, [2.0 * inch, 0.8 * inch, 1.1 * inch, 1.1 * inch, 1.0 * inch]) if t.certificates
                 else Paragraph("No certificates.", small))
    story += [Spacer(1, 10), Paragraph("Certification and authority events", styles["Heading2"])]
    rows = [["Date", "Event"]] + [[e.on.isoformat(), Paragraph(e.what, small)] for e in t.events]
    story.append(_table(rows, [1.0 * inch, 6.0 * inch]) if t.events else Paragraph("None.", small))
    doc.build(story)
    return buffer.getvalue()
