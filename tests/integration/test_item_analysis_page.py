"""Item analysis on real attempts: facility and discrimination for each question of an exam."""
import random
import re

from werkzeug.datastructures import MultiDict

from app.assessments.attempts import attempt_start, attempt_submit
from app.assessments.models import QuestionRevision
from app.extensions import db
from app.main.demo import right_answer_values
from app.models import utcnow


def test_item_analysis_shows_facility_and_discrimination(client, auth, make):
    instructor = auth.login_as("instructor")
    version = make.course_world()["version"]
    klass = make.training_class(version, instructor)
    rng = random.Random(3)
    # Six officers take the same exam: officer n answers the first 4 + 3n questions right.
    first_keys = None
    for n in range(6):
        enrollment = make.enroll(klass, make.user("officer"))
        make.complete_weeks(enrollment, 1)
        attempt = attempt_start(enrollment=enrollment, exam_key="iadp-exam-1", now=utcnow(),
                                rng=random.Random(rng.random()))
        values = MultiDict()
        for index, item in enumerate(attempt.items[: 4 + 3 * n]):
            revision = db.session.get(QuestionRevision, item["revision_id"])
            for name, answers in right_answer_values(revision, item["presentation"], f"q{index}").items():
                values.setlist(name, answers)
        attempt_submit(attempt=attempt, values=values, now=utcnow())
        first_keys = first_keys or {db.session.get(QuestionRevision, i["revision_id"]).question_key
                                    for i in attempt.items}
    page = client.get(f"/exams/classes/{klass.id}/items?exam=iadp-exam-1").get_data(as_text=True)
    assert "6 closed attempts" in page
    assert page.count('<th scope="row">') >= 20
    # Facility and discrimination are printed as numbers, and weak items are flagged in words.
    assert len(re.findall(r'<td class="num">-?[01]\.\d\d</td>', page)) >= 20  # facility and discrimination
    assert any(flag in page for flag in ("too hard", "too easy", "poor discrimination", "negative discrimination"))
