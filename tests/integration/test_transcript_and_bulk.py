"""Agency page statuses, officer transcripts (page and PDF), class ZIP and class issuance."""
import io
import subprocess
import zipfile

from sqlalchemy import select

from app.assessments.models import CourseCompletion
from app.certificates.models import Certificate


def _pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_transcript_page_and_pdf(client, auth, make):
    auth.login_as("manager")
    version = make.course_world()["version"]
    klass = make.training_class(version, make.user("instructor"))
    officer = make.user("officer", name="Rowan Idlewild")
    enrollment = make.enroll(klass, officer)
    make.attempt(enrollment, "iadp-exam-1", submit=True)
    certificate = make.certificate(enrollment)
    page = client.get(f"/oversight/officers/{officer.id}/transcript").get_data(as_text=True)
    assert "Rowan Idlewild" in page and "iadp-exam-1" in page and certificate.serial in page
    assert f"Certificate {certificate.serial} issued for IADP" in page
    response = client.get(f"/oversight/officers/{officer.id}/transcript?format=pdf")
    assert response.mimetype == "application/pdf"
    text = _pdftotext(response.data)
    assert "Rowan Idlewild" in text and certificate.serial in text and "iadp-exam-1" in text


def test_officers_see_only_their_own_transcript(client, auth, make):
    me = auth.login_as("officer")
    other = make.user("officer")
    assert client.get(f"/oversight/officers/{me.id}/transcript").status_code == 200
    assert client.get(f"/oversight/officers/{other.id}/transcript").status_code == 404


def test_transcript_and_agency_page_queries_do_not_grow(client, auth, make, count_queries):
    auth.login_as("manager")
    version = make.course_world()["version"]
    klass = make.training_class(version, make.user("instructor"))
    agency = make.agency()
    officer = make.user("officer", agency=agency)
    make.certificate(make.enroll(klass, officer))
    with count_queries:
        client.get(f"/oversight/officers/{officer.id}/transcript")
    transcript_small = count_queries.count
    with count_queries:
        client.get(f"/agencies/{agency.id}")
    agency_small = count_queries.count
    more = make.training_class(version, make.user("instructor"), title="Second")
    make.attempt(make.enroll(more, officer), "iadp-exam-1", submit=True)
    for _ in range(5):
        make.certificate(make.enroll(klass, make.user("officer", agency=agency)))
    with count_queries:
        client.get(f"/oversight/officers/{officer.id}/transcript")
    assert count_queries.count == transcript_small
    with count_queries:
        client.get(f"/agencies/{agency.id}")
    assert count_queries.count == agency_small


def test_agency_page_shows_each_officers_status(client, auth, make):
    auth.login_as("credentialing")
    version = make.course_world()["version"]
    klass = make.training_class(version, make.user("instructor"))
    agency = make.agency()
    agreement = make.agreement(agency)
    officer = make.user("officer", agency=agency, name="Quinn Harrow")
    make.certificate(make.enroll(klass, officer))
    make.grant(officer, agreement, make.user("credentialing"))
    page = client.get(f"/agencies/{agency.id}").get_data(as_text=True)
    assert "Quinn Harrow" in page and 'pill-active' in page


def test_class_zip_holds_every_certificate_as_issued(client, auth, make, db):
    instructor = auth.login_as("instructor")
    version = make.course_world()["version"]
    klass = make.training_class(version, instructor)
    issued = [make.certificate(make.enroll(klass, make.user("officer"))) for _ in range(3)]
    make.enroll(klass, make.user("officer"))  # not complete: no certificate
    response = client.get(f"/certificates/classes/{klass.id}.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert len(archive.namelist()) == 3
    stored = {c.serial: db.session.get(Certificate, c.id).pdf for c in issued}
    for name in archive.namelist():
        serial = name.rsplit(" - ", 1)[1].removesuffix(".pdf")
        assert archive.read(name) == stored[serial]


def test_issue_class_command_issues_the_missing_ones_once(runner, make, db):
    version = make.course_world()["version"]
    klass = make.training_class(version, make.user("instructor"))
    done = make.enroll(klass, make.user("officer"))
    make.certificate(done)
    pending = make.enroll(klass, make.user("officer"))
    db.session.add(CourseCompletion(enrollment_id=pending.id, officer_id=pending.officer_id,
                                    course_version_id=pending.course_version_id,
                                    completed_at=done.enrolled_at, scores={}))
    db.session.commit()
    make.enroll(klass, make.user("officer"))
    result = runner.invoke(args=["certificates", "issue-class", str(klass.id)])
    assert result.exit_code == 0, result.output
    assert "1 issued, 1 already issued, 1 not complete" in result.output
    again = runner.invoke(args=["certificates", "issue-class", str(klass.id)])
    assert "0 issued, 2 already issued, 1 not complete" in again.output
    assert db.session.execute(select(Certificate)).scalars().all().__len__() == 2
