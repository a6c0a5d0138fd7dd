"""Content sync, versions and pinning, classes, reading and progress."""
import re
import shutil

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.courses.models import (
    CourseVersion, Enrollment, LessonCompletion, LessonRevision, TrainingClass,
)
from tests.conftest import CONTENT_DIR, csrf_token_from


def count(db, model):
    return db.session.execute(select(func.count()).select_from(model)).scalar()


# --- flask content ... -------------------------------------------------------

def test_content_check_passes_on_the_real_tree(runner):
    result = runner.invoke(args=["content", "check", str(CONTENT_DIR)])
    assert result.exit_code == 0, result.output
    assert "54 lessons, 4 courses" in result.output


def test_content_check_fails_with_path_and_line(runner, tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, tree)
    lesson = tree / "lessons/immigration-law/il-08-detainers-and-warrants.md"
    text = lesson.read_text().replace("subject: immigration-law", "subject: immigration-lore")
    lesson.write_text(text.replace("## Key points", "## Summary"))
    course = tree / "courses/wso.yml"
    course.write_text(course.read_text().replace("rp-01-what-racial", "rp-99-what-racial"))
    result = runner.invoke(args=["content", "check", str(tree)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert f"{tree}/lessons/immigration-law/il-08-detainers-and-warrants.md:4: unknown subject area 'immigration-lore'" in lines[0] or \
        any(":4: unknown subject area 'immigration-lore'" in line for line in lines)
    assert any(re.search(r"il-08-detainers-and-warrants\.md:\d+: missing a '## Key points' section", line) for line in lines)
    assert any(re.search(r"courses/wso\.yml:\d+: course names a lesson that does not exist: 'rp-99", line) for line in lines)


def test_sync_is_idempotent(runner, db):
    first = runner.invoke(args=["content", "sync", str(CONTENT_DIR)])
    assert first.exit_code == 0, first.output
    assert "new course versions: IADP v1, IADRP v1, TFM v1, WSO v1" in first.output
    before = (count(db, LessonRevision), count(db, CourseVersion), count(db, AuditEntry))
    second = runner.invoke(args=["content", "sync", str(CONTENT_DIR)])
    assert "0 new revisions" in second.output and "new course versions: none" in second.output
    assert (count(db, LessonRevision), count(db, CourseVersion), count(db, AuditEntry)) == before


def test_sync_of_a_broken_tree_loads_nothing(runner, db, tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, tree)
    (tree / "lessons/use-of-force/uf-03-de-escalation.md").write_text("no front matter\n")
    result = runner.invoke(args=["content", "sync", str(tree)])
    assert result.exit_code == 1 and "nothing was loaded" in result.output
    assert count(db, LessonRevision) == 0 and count(db, CourseVersion) == 0


def test_an_edited_file_makes_a_new_version_and_leaves_the_old_one(runner, db, tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, tree)
    runner.invoke(args=["content", "sync", str(tree)])
    lesson = tree / "lessons/civil-rights/cr-05-language-access.md"
    lesson.write_text(lesson.read_text() + "\nA sentence added in review.\n")
    result = runner.invoke(args=["content", "sync", str(tree)])
    assert "1 new revisions" in result.output
    assert "IADP v2" in result.output and "TFM" not in result.output.split("new course versions:")[1]
    versions = db.session.execute(select(CourseVersion).order_by(CourseVersion.id)).scalars().all()
    iadp = [v for v in versions if v.course.key == "iadp"]
    assert [v.number for v in iadp] == [1, 2]
    old_item = next(i for i in iadp[0].items if i.lesson_key == "cr-05-language-access")
    new_item = next(i for i in iadp[1].items if i.lesson_key == "cr-05-language-access")
    assert "added in review" not in old_item.lesson.html and "added in review" in new_item.lesson.html


def test_render_prints_sanitized_html(runner, tmp_path):
    page = tmp_path / "x.md"
    page.write_text("---\nid: x\n---\n# Title\n\n<script>alert(1)</script>\n\n[a](javascript:alert(2))\n")
    result = runner.invoke(args=["content", "render", str(page)])
    assert result.exit_code == 0
    assert "<h1" in result.output and "Title" in result.output
    assert "<script" not in result.output and "javascript:" not in result.output


def test_export_writes_the_published_tree_back(runner, make, tmp_path):
    make.course_world()
    out = tmp_path / "exported"
    result = runner.invoke(args=["content", "export", str(out)])
    assert result.exit_code == 0 and "wrote 58 files" in result.output
    for path in out.rglob("*.*"):
        assert path.read_text() == (CONTENT_DIR / path.relative_to(out)).read_text(), path


# --- classes ------------------------------------------------------------------

def test_instructor_schedules_a_class_and_enrolls_by_pasted_emails(client, auth, make, db):
    instructor = auth.login_as("instructor")
    world = make.course_world()
    token = csrf_token_from(client, "/courses/classes/new")
    response = client.post("/courses/classes/new", data={
        "csrf_token": token, "title": "IADP class 27-01", "course_version_id": str(world["version"].id),
        "start_date": "2027-01-11", "location": "FLETC Charleston, SC"})
    assert response.status_code == 302
    training_class = db.session.execute(select(TrainingClass)).scalar_one()
    assert [i.id for i in training_class.instructors] == [instructor.id]
    officer_a, officer_b = make.user("officer"), make.user("officer")
    manager = make.user("manager")
    make.enroll(training_class, officer_b)
    response = client.post(f"/courses/classes/{training_class.id}/enroll", data={
        "csrf_token": token,
        "emails": f"{officer_a.email.upper()}, nobody@nowhere.example\n{officer_b.email}; {manager.email} not-an-email"},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"Enrolled 1 officer(s): {officer_a.email}" in page
    assert "No account with these addresses: nobody@nowhere.example" in page
    assert f"Already in this class: {officer_b.email}" in page
    assert f"Not officer accounts: {manager.email}" in page
    assert "Not email addresses: not-an-email" in page
    enrollment = db.session.execute(select(Enrollment).where(Enrollment.officer_id == officer_a.id)).scalar_one()
    assert enrollment.course_version_id == world["version"].id
    actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert "class.create" in actions and "class.enroll" in actions


def test_enroll_by_search(client, auth, make, db):
    instructor = auth.login_as("instructor")
    world = make.course_world()
    training_class = make.training_class(world["version"], instructor)
    officer = make.user("officer", name="Hollis Quarrington")
    page = client.get(f"/courses/classes/{training_class.id}?q=quarr").get_data(as_text=True)
    assert "Hollis Quarrington" in page
    token = csrf_token_from(client, f"/courses/classes/{training_class.id}")
    client.post(f"/courses/classes/{training_class.id}/enroll",
                data={"csrf_token": token, "officer_ids": [str(officer.id)]})
    assert db.session.execute(select(Enrollment.officer_id)).scalars().all() == [officer.id]


def test_an_instructor_cannot_manage_someone_elses_class(client, auth, make):
    auth.login_as("instructor")
    world = make.course_world()
    other = make.training_class(world["version"], make.user("instructor"))
    assert client.get(f"/courses/classes/{other.id}").status_code == 403
    token = csrf_token_from(client, "/courses/classes")
    assert client.post(f"/courses/classes/{other.id}/enroll", data={"csrf_token": token}).status_code == 403


# --- reading and progress --------------------------------------------------------

@pytest.fixture()
def enrolled(client, auth, make):
    officer = auth.login_as("officer")
    world = make.course_world()
    training_class = make.training_class(world["version"], make.user("instructor"))
    enrollment = make.enroll(training_class, officer)
    items = world["version"].items
    return {"officer": officer, "enrollment": enrollment, "items": items, **world}


def _lesson_url(enrolled, index):
    return f"/courses/learn/{enrolled['enrollment'].id}/lessons/{enrolled['items'][index].lesson_key}"


def test_officer_reads_a_lesson_and_marks_it_complete(client, enrolled, db):
    page = client.get(_lesson_url(enrolled, 0)).get_data(as_text=True)
    first = enrolled["items"][0].lesson
    assert first.title in page and "Objectives" in page and "Sample curriculum" in page
    assert "0 of 46 lessons (0%)" in page
    token = csrf_token_from(client, _lesson_url(enrolled, 0))
    response = client.post(_lesson_url(enrolled, 0) + "/complete", data={"csrf_token": token})
    assert response.headers["Location"].endswith(enrolled["items"][1].lesson_key)
    # A double submit counts once.
    client.post(_lesson_url(enrolled, 0) + "/complete", data={"csrf_token": token})
    assert count(db, LessonCompletion) == 1
    outline = client.get(f"/courses/learn/{enrolled['enrollment'].id}").get_data(as_text=True)
    assert "1 of 46 lessons (2%)" in outline and "1 of 10 lessons (10%)" in outline


def test_lessons_in_order_cannot_be_skipped(client, enrolled):
    response = client.get(_lesson_url(enrolled, 2))
    assert response.status_code == 302
    assert "taken in order" in client.get(response.headers["Location"]).get_data(as_text=True)
    token = csrf_token_from(client, _lesson_url(enrolled, 0))
    assert client.post(_lesson_url(enrolled, 2) + "/complete", data={"csrf_token": token}).status_code == 403


def test_continue_resumes_where_the_officer_left_off(client, enrolled, auth):
    token = csrf_token_from(client, _lesson_url(enrolled, 0))
    client.post(_lesson_url(enrolled, 0) + "/complete", data={"csrf_token": token})
    client.get(_lesson_url(enrolled, 1))
    auth.logout()
    auth.login(enrolled["officer"].email)
    outline = client.get(f"/courses/learn/{enrolled['enrollment'].id}").get_data(as_text=True)
    second = enrolled["items"][1]
    assert re.search(rf'href="[^"]*/lessons/{second.lesson_key}">Continue: ', outline)


def test_an_officer_cannot_open_another_officers_enrollment(client, enrolled, make):
    other = make.enroll(enrolled["enrollment"].training_class, make.user("officer"))
    assert client.get(f"/courses/learn/{other.id}").status_code == 404
    assert client.get(f"/courses/learn/{other.id}/lessons/{enrolled['items'][0].lesson_key}").status_code == 404


def test_lesson_links_and_images_resolve(client, enrolled):
    pm01 = next(i for i in enrolled["items"] if i.lesson_key.startswith("pm-01"))
    html = pm01.lesson.html
    assert 'src="/courses/images/program-models.svg"' in html
    response = client.get("/courses/images/program-models.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    response.close()


def test_reading_pages_run_a_fixed_number_of_queries(client, enrolled, count_queries):
    token = csrf_token_from(client, _lesson_url(enrolled, 0))
    outline_url = f"/courses/learn/{enrolled['enrollment'].id}"
    with count_queries:
        client.get(outline_url)
    few = count_queries.count
    client.post(_lesson_url(enrolled, 0) + "/complete", data={"csrf_token": token})
    with count_queries:
        client.get(_lesson_url(enrolled, 1))
    lesson_few = count_queries.count
    # The version's pages are read once per process: the user, the enrollment, the
    # completions and the "continue here" update are all a lesson page asks for.
    assert lesson_few <= 4, [s[:60] for s in count_queries.statements]
    for index in range(1, 10):
        client.post(_lesson_url(enrolled, index) + "/complete", data={"csrf_token": token})
    with count_queries:
        client.get(outline_url)
    assert count_queries.count == few
    with count_queries:
        client.get(_lesson_url(enrolled, 10))
    assert count_queries.count == lesson_few
