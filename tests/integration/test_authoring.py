"""Instructors edit, preview, draft and publish lessons; officers keep their pinned version."""
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.courses.models import CourseVersion, LessonDraft, LessonRevision
from tests.conftest import csrf_token_from

KEY = "cr-05-language-access"


def _edit_url():
    return f"/courses/authoring/{KEY}"


def _published_text(db):
    from app.courses.services import current_revisions

    return current_revisions([KEY])[KEY].source_text


def test_publish_makes_new_versions_and_enrolled_officers_keep_the_old_one(app, client, auth, make, db):
    world = make.course_world()
    officer = make.user("officer")
    early = make.enroll(make.training_class(world["version"], make.user("instructor")), officer)
    instructor = auth.login_as("instructor")
    token = csrf_token_from(client, _edit_url())
    text = _published_text(db).replace("## Key points", "A paragraph added by the instructor.\n\n## Key points")
    response = client.post(_edit_url(), data={"csrf_token": token, "source": text, "action": "publish"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "New course versions: IADP version 2" in page
    assert "<ins>+A paragraph added by the instructor.</ins>" in page
    numbers = db.session.execute(
        select(CourseVersion.number).where(CourseVersion.course_id == world["course"].id)).scalars().all()
    assert sorted(numbers) == [1, 2]
    publish = db.session.execute(select(AuditEntry).where(AuditEntry.action == "lesson.publish")).scalar_one()
    assert publish.actor_id == instructor.id
    # The officer enrolled earlier is still pinned to version 1 and its text.
    from app.courses.models import CourseVersionItem

    v1_item = db.session.execute(select(CourseVersionItem).where(
        CourseVersionItem.version_id == early.course_version_id,
        CourseVersionItem.lesson_key == KEY)).scalar_one()
    assert "added by the instructor" not in v1_item.lesson.html
    # A class on the new version reads the edit.
    v2 = db.session.execute(select(CourseVersion).where(CourseVersion.number == 2)).scalar_one()
    v2_item = next(i for i in v2.items if i.lesson_key == KEY)
    assert "added by the instructor" in v2_item.lesson.html


def test_officer_enrolled_earlier_sees_the_old_text_in_the_browser_view(app, client, auth, make, db):
    world = make.course_world()
    course_version = world["version"]
    officer = auth.login_as("officer")
    enrollment = make.enroll(make.training_class(course_version, make.user("instructor")), officer)
    from app.courses.services import lesson_publish
    from app.models import utcnow

    lesson_publish(lesson_key="pm-01-section-287g-history-and-models",
                   text=_published_text_of(db, "pm-01-section-287g-history-and-models")
                   .replace("## Key points", "Edited after enrollment.\n\n## Key points"),
                   actor=make.user("instructor"), now=utcnow())
    page = client.get(f"/courses/learn/{enrollment.id}/lessons/pm-01-section-287g-history-and-models")
    assert page.status_code == 200
    assert "Edited after enrollment" not in page.get_data(as_text=True)


def _published_text_of(db, key):
    from app.courses.services import current_revisions

    return current_revisions([key])[key].source_text


def test_a_broken_edit_is_refused_with_its_line_and_nothing_changes(client, auth, make, db):
    make.course_world()
    auth.login_as("instructor")
    before = (db.session.execute(select(func.count(LessonRevision.id))).scalar(),
              db.session.execute(select(func.count(CourseVersion.id))).scalar())
    token = csrf_token_from(client, _edit_url())
    text = _published_text(db).replace("subject: civil-rights", "subject: civics")
    response = client.post(_edit_url(), data={"csrf_token": token, "source": text, "action": "publish"})
    assert response.status_code == 400
    assert "line 4: unknown subject area &#39;civics&#39;" in response.get_data(as_text=True)
    after = (db.session.execute(select(func.count(LessonRevision.id))).scalar(),
             db.session.execute(select(func.count(CourseVersion.id))).scalar())
    assert after == before


def test_publishing_an_unchanged_lesson_is_refused(client, auth, make, db):
    make.course_world()
    auth.login_as("instructor")
    token = csrf_token_from(client, _edit_url())
    response = client.post(_edit_url(), data={"csrf_token": token, "source": _published_text(db),
                                              "action": "publish"})
    assert response.status_code == 400 and "nothing changed" in response.get_data(as_text=True)


def test_a_draft_is_kept_but_not_published(client, auth, make, db):
    make.course_world()
    auth.login_as("instructor")
    token = csrf_token_from(client, _edit_url())
    text = _published_text(db) + "\nWork in progress.\n"
    response = client.post(_edit_url(), data={"csrf_token": token, "source": text, "action": "draft"})
    assert response.status_code == 302
    draft = db.session.execute(select(LessonDraft)).scalar_one()
    assert draft.source_text.endswith("Work in progress.\n")
    assert "Work in progress" not in _published_text(db)
    page = client.get(_edit_url()).get_data(as_text=True)
    assert "Work in progress." in page and "You are editing the draft" in page
    listing = client.get("/courses/authoring").get_data(as_text=True)
    assert "draft by" in listing


def test_live_preview_uses_the_sanitizing_pipeline(client, auth, make):
    make.course_world()
    auth.login_as("instructor")
    token = csrf_token_from(client, _edit_url())
    response = client.post("/courses/authoring/preview", headers={"X-CSRFToken": token}, data={
        "source": "---\nid: x\n---\n## Heading\n\n<img src=x onerror=alert(1)> **bold**"})
    data = response.get_json()
    assert "<strong>bold</strong>" in data["html"] and "onerror" not in data["html"]
    assert any("missing front-matter key 'title'" in p for p in data["problems"])


def test_preview_needs_a_csrf_token(client, auth, make):
    auth.login_as("instructor")
    assert client.post("/courses/authoring/preview", data={"source": "x"}).status_code == 400


def test_export_after_publish_writes_the_edit(client, auth, make, db, runner, tmp_path):
    make.course_world()
    from app.courses.services import lesson_publish
    from app.models import utcnow

    edited = _published_text(db).replace("## Key points", "Exported edit.\n\n## Key points")
    lesson_publish(lesson_key=KEY, text=edited, actor=make.user("instructor"), now=utcnow())
    result = runner.invoke(args=["content", "export", str(tmp_path)])
    assert result.exit_code == 0
    assert (tmp_path / "lessons/civil-rights/cr-05-language-access.md").read_text() == edited
