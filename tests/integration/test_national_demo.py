"""`flask demo --scale national` at a small fraction: counts, dates, imported certificates, the audit chain.

One run of the generator serves every check of the first test (it takes a
few seconds; the tables are emptied after each test).
"""
from __future__ import annotations

import io
import random
import zipfile
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from app.agencies.models import Agency
from app.assessments.models import CourseCompletion, ExamAttempt
from app.audit import AuditEntry
from app.auth.models import User
from app.authority.models import AuthorityGrant
from app.certificates.models import Certificate
from app.certificates.pdf import CertificateData, certificate_pdf
from app.certificates.serials import normalize_serial
from app.certificates.services import signer, verify_url
from app.certificates.signing import sign_pdf
from app.courses.models import Enrollment, LessonCompletion, TrainingClass
from app.main.national import plan as national_plan

FRACTION = 0.005
GENERATED = Agency.ori.like(f"__{national_plan.ORI_MARK}%")
WINDOW = (datetime(2022, 12, 1, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))


def _count(db, query) -> int:
    return db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def _generated_officers():
    return select(User.id).join(Agency, Agency.id == User.agency_id).where(GENERATED)


def _within_window(db, column, query) -> None:
    low, high = db.session.execute(query.with_only_columns(func.min(column), func.max(column))).one()
    low, high = (v if isinstance(v, datetime) else datetime.combine(v, datetime.min.time(), tzinfo=UTC)
                 for v in (low, high))
    assert WINDOW[0] <= low <= high <= WINDOW[1], (column, low, high)


def test_national_demo_at_a_small_fraction(app, db, runner, client, auth, tmp_path):
    result = runner.invoke(args=["demo", "--scale", "national", "--fraction", str(FRACTION)])
    assert result.exit_code == 0, result.output
    assert "national demo data written" in result.output
    target = national_plan.scaled(FRACTION)

    # Counts scale as asked (the plain demo's own records are not counted).
    officers = _generated_officers()
    enrollments = select(Enrollment.id).where(Enrollment.officer_id.in_(officers))
    attempts = select(ExamAttempt.id).where(ExamAttempt.enrollment_id.in_(enrollments))
    imported = select(Certificate).where(Certificate.origin == "imported")
    assert _count(db, select(Agency.id).where(GENERATED)) == target["agencies"] == 10
    assert _count(db, officers) == target["officers"] == 125
    assert _count(db, enrollments) == target["enrollments"] == 400
    assert _count(db, attempts) == target["attempts"] == 3000
    assert _count(db, imported) == target["certificates"] == 250
    assert _count(db, select(CourseCompletion.id).where(CourseCompletion.officer_id.in_(officers))) == 250

    # Activity is dated within the four years; certificates rest on completions made in them.
    _within_window(db, Enrollment.enrolled_at, select(Enrollment).where(Enrollment.officer_id.in_(officers)))
    _within_window(db, ExamAttempt.started_at, select(ExamAttempt).where(ExamAttempt.enrollment_id.in_(enrollments)))
    _within_window(db, ExamAttempt.closed_at, select(ExamAttempt).where(ExamAttempt.enrollment_id.in_(enrollments)))
    _within_window(db, LessonCompletion.completed_at,
                   select(LessonCompletion).where(LessonCompletion.enrollment_id.in_(enrollments)))
    _within_window(db, TrainingClass.start_date, select(TrainingClass).join(Enrollment).where(
        Enrollment.officer_id.in_(officers)))
    _within_window(db, Certificate.issued_at, imported)
    _within_window(db, AuthorityGrant.effective_on,
                   select(AuthorityGrant).where(AuthorityGrant.officer_id.in_(officers)))
    certificates = db.session.execute(imported).scalars().all()
    assert all(c.pdf is None and c.sha256 is None for c in certificates)
    assert all(normalize_serial(c.serial) == c.serial for c in certificates)
    assert {c.status for c in certificates} <= {"valid", "superseded", "revoked"}
    superseded = [c for c in certificates if c.status == "superseded"]
    by_id = {c.id: c for c in certificates}
    assert all(by_id[c.superseded_by_id].course_key == c.course_key
               and by_id[c.superseded_by_id].completed_on >= c.completed_on for c in superseded)
    scored = db.session.execute(select(ExamAttempt).where(ExamAttempt.enrollment_id.in_(enrollments))
                                .limit(50)).scalars().all()
    assert all(len(a.items) == len(a.item_scores) and a.passed == (a.score >= 70) for a in scored)

    # Every serial verifies by its page and the API, which say the record was imported.
    sample = random.Random(7).sample(certificates, 8)
    for c in sample:
        page = client.get(f"/verify/{c.serial}")
        assert page.status_code == 200 and c.serial in page.get_data(as_text=True)
        assert "Imported record" in page.get_data(as_text=True)
        api = client.get(f"/api/v1/certificates/{c.serial}").get_json()
        assert api["serial"] == c.serial and api["origin"] == "imported"

    # The holder signs in with the demo password; their PDF is a clear 404, not a 500.
    mine = sample[0]
    holder = db.session.get(User, mine.officer_id)
    assert auth.login(holder.email, app.config["DEMO_PASSWORD"]).status_code == 302
    assert "No PDF (imported record)" in client.get("/certificates/").get_data(as_text=True)
    download = client.get(f"/certificates/{mine.serial}.pdf")
    assert download.status_code == 404
    assert "imported record: no PDF is held in this system" in download.get_data(as_text=True)
    auth.logout()

    # Staff downloading a class ZIP get a note naming the imported certificates instead of PDFs.
    auth.login_as("credentialing")
    class_id = db.session.execute(select(Enrollment.class_id).join(
        CourseCompletion, CourseCompletion.enrollment_id == Enrollment.id).where(
        CourseCompletion.id == mine.completion_id)).scalar_one()
    archive = client.get(f"/certificates/classes/{class_id}.zip")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.data)) as z:
        names = z.namelist()
        assert not [n for n in names if n.endswith(".pdf")]
        note = z.read(names[0]).decode()
    assert len(names) == 1 and mine.serial in note and "imported record" in note

    # A PDF naming an imported serial cannot be checked by upload: there are no bytes to compare.
    forged = sign_pdf(certificate_pdf(CertificateData(
        serial=mine.serial, holder_name=mine.holder_name, agency_name=mine.agency_name,
        course_code=mine.course_code, course_title=mine.course_title,
        course_version_hash=mine.course_version_hash, completed_on=mine.completed_on,
        issued_on=mine.issued_at.date(), valid_until=mine.valid_until, issuing_official="Director",
        issuing_title="FLETC", verify_url=verify_url(mine.serial))), signer(), reason="test")
    verdict = client.post("/api/v1/certificates/verify", data={"file": (io.BytesIO(forged), "c.pdf")},
                          content_type="multipart/form-data").get_json()
    assert verdict["valid"] is False and verdict["serial"] == mine.serial
    assert "imported from the earlier system" in verdict["reason"]
    path = tmp_path / "forged.pdf"
    path.write_bytes(forged)
    cli = runner.invoke(args=["certificates", "verify", str(path)])
    assert cli.exit_code == 1 and "imported from the earlier system" in cli.output
    export = runner.invoke(args=["certificates", "export", mine.serial, str(tmp_path / "out.pdf")])
    assert export.exit_code == 1 and "imported record: no PDF is held" in export.output

    # The audit chain holds, with one import entry per certificate.
    assert _count(db, select(AuditEntry.seq).where(AuditEntry.action == "certificate.import")) == 250
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "intact" in verify.output

    # A second run finds the data and adds nothing.
    before = [_count(db, q) for q in (select(Agency.id), select(User.id), enrollments, select(AuditEntry.seq))]
    again = runner.invoke(args=["demo", "--scale", "national", "--fraction", str(FRACTION)])
    assert again.exit_code == 0 and "already loaded" in again.output
    assert [_count(db, q) for q in (select(Agency.id), select(User.id), enrollments, select(AuditEntry.seq))] == before


def test_the_plan_is_the_same_for_the_same_seed():
    def sketch(seed):
        rng = random.Random(seed)
        agencies = national_plan.plan_agencies(rng, 30)
        officers = national_plan.plan_officers(rng, agencies, 200)
        return [(a.ori, a.name, [(x.model, x.signed_on) for x in a.agreements]) for a in agencies], \
            [(o.email, o.start, o.basic_course) for o in officers]

    assert sketch(1) == sketch(1) != sketch(2)
    agencies, officers = sketch(1)
    assert len({ori for ori, _, _ in agencies}) == 30
    assert all(ori[2] == national_plan.ORI_MARK for ori, _, _ in agencies)
    assert len({email for email, _, _ in officers}) == 200
    assert all(start is None or date(2022, 12, 1) <= start <= date(2026, 11, 27) for _, start, _ in officers)
