"""Every registered route × every role → the expected status.

A new route without an entry here fails `test_every_route_is_in_the_matrix`,
so nobody can add a page without deciding who may see it.
"""
import pytest

from tests.conftest import ROLES, csrf_token_from

ANON = "anonymous"
ALL = (ANON,) + ROLES
STAFF = ("credentialing", "manager", "admin")


def only(*allowed, ok=200, anon=302):
    """Expected statuses: `ok` for the allowed roles, 403 for the others."""
    return {role: (anon if role == ANON else ok if role in allowed else 403) for role in ALL}


def everyone(status):
    return {role: status for role in ALL}


# endpoint -> (method, URL arguments, {role: status})
MATRIX = {
    "static": ("GET", lambda w: {"filename": "site.css"}, everyone(200)),
    "main.healthz": ("GET", lambda w: {}, everyone(200)),
    "main.index": ("GET", lambda w: {}, everyone(302)),
    "main.officer_home": ("GET", lambda w: {}, only("officer")),
    "main.instructor_home": ("GET", lambda w: {}, only("instructor")),
    "main.credentialing_home": ("GET", lambda w: {}, only("credentialing")),
    "oversight.dashboard": ("GET", lambda w: {}, only("manager", "admin")),
    "oversight.transcript": ("GET", lambda w: {"officer_id": w["officer"].id},
                             only("officer", "instructor", "credentialing", "manager", "admin")),
    "auth.login": ("GET", lambda w: {}, {**everyone(302), ANON: 200}),
    "auth.logout": ("POST", lambda w: {}, everyone(302)),
    "admin.users": ("GET", lambda w: {}, only("admin")),
    "admin.user_new": ("GET", lambda w: {}, only("admin")),
    "admin.user_edit": ("GET", lambda w: {"user_id": w["user"].id}, only("admin")),
    "agencies.index": ("GET", lambda w: {}, only(*STAFF)),
    "agencies.detail": ("GET", lambda w: {"agency_id": w["agency"].id}, only(*STAFF)),
    "agencies.roster": ("GET", lambda w: {}, only("manager", "admin")),
    "agencies.roster_confirm": ("POST", lambda w: {"token": "no-such-upload"}, only("manager", "admin", ok=404)),
    # courses
    "courses.catalog": ("GET", lambda w: {}, only(*ROLES)),
    "courses.outline": ("GET", lambda w: {"course_key": "iadp"}, only(*ROLES)),
    "courses.versions": ("GET", lambda w: {"course_key": "iadp"}, only("instructor", "manager", "admin")),
    "courses.preview_lesson": ("GET", lambda w: {"course_key": "iadp", "number": 1,
                                                 "lesson_key": w["lesson_key"]},
                               only("instructor", "manager", "admin", "credentialing")),
    "courses.image": ("GET", lambda w: {"name": "program-models.svg"}, only(*ROLES)),
    "courses.learn": ("GET", lambda w: {"enrollment_id": w["enrollment"].id}, only("officer")),
    "courses.lesson": ("GET", lambda w: {"enrollment_id": w["enrollment"].id,
                                         "lesson_key": w["lesson_key"]}, only("officer")),
    "courses.complete": ("POST", lambda w: {"enrollment_id": w["enrollment"].id,
                                            "lesson_key": w["lesson_key"]}, only("officer", ok=302)),
    "courses.classes": ("GET", lambda w: {}, only("instructor", "manager", "admin")),
    "courses.class_new": ("GET", lambda w: {}, only("instructor", "admin")),
    "courses.class_detail": ("GET", lambda w: {"class_id": w["class"].id},
                             only("instructor", "manager", "admin")),
    "courses.class_enroll_view": ("POST", lambda w: {"class_id": w["class"].id},
                                  only("instructor", "admin", ok=302)),
    "courses.authoring": ("GET", lambda w: {}, only("instructor", "admin")),
    "courses.author_lesson": ("GET", lambda w: {"lesson_key": w["lesson_key"]}, only("instructor", "admin")),
    "courses.author_preview": ("POST", lambda w: {}, only("instructor", "admin")),
    "courses.lesson_history": ("GET", lambda w: {"lesson_key": w["lesson_key"]}, only("instructor", "admin")),
    # examinations (in this order: the officer's submit closes the open attempt)
    "assessments.overview": ("GET", lambda w: {"enrollment_id": w["enrollment"].id}, only("officer")),
    "assessments.start": ("POST", lambda w: {"enrollment_id": w["enrollment"].id, "exam_key": "iadp-quiz-1"},
                          only("officer", ok=302)),
    "assessments.take": ("GET", lambda w: {"attempt_id": w["open_attempt"].id}, only("officer")),
    "assessments.save_answer": ("POST", lambda w: {"attempt_id": w["open_attempt"].id, "index": 0},
                                only("officer", ok=302)),
    "assessments.submit": ("POST", lambda w: {"attempt_id": w["open_attempt"].id}, only("officer", ok=302)),
    "assessments.review": ("GET", lambda w: {"attempt_id": w["open_attempt"].id}, only("officer")),
    "assessments.gradebook": ("GET", lambda w: {"class_id": w["class"].id}, only("instructor", "manager", "admin")),
    "assessments.attempt_detail": ("GET", lambda w: {"attempt_id": w["closed_attempt"].id},
                                   only("instructor", "manager", "admin")),
    "assessments.override": ("POST", lambda w: {"attempt_id": w["closed_attempt"].id},
                             only("instructor", "admin", ok=302)),
    "assessments.reinstate": ("POST", lambda w: {"enrollment_id": w["enrollment"].id},
                              only("instructor", "admin", ok=302)),
    "assessments.item_analysis": ("GET", lambda w: {"class_id": w["class"].id},
                                  only("instructor", "manager", "admin")),
    # certificates, verification, authority, API, audit
    "verify.status": ("GET", lambda w: {"serial": w["certificate"].serial}, everyone(200)),
    "verify.upload": ("GET", lambda w: {}, everyone(200)),
    "certificates.mine": ("GET", lambda w: {}, only("officer")),
    "certificates.download": ("GET", lambda w: {"serial": w["certificate"].serial}, only("officer", *STAFF)),
    "certificates.manage": ("GET", lambda w: {}, only(*STAFF)),
    "certificates.class_zip": ("GET", lambda w: {"class_id": w["class"].id}, only("instructor", *STAFF)),
    "authority.officer": ("GET", lambda w: {"officer_id": w["officer"].id}, only(*STAFF)),
    "authority.letter": ("GET", lambda w: {"grant_id": w["grant"].id}, only("officer", *STAFF)),
    "authority.grant": ("POST", lambda w: {"officer_id": w["officer"].id}, only("credentialing", "admin", ok=302)),
    "authority.withdraw": ("POST", lambda w: {"officer_id": w["officer"].id},
                           only("credentialing", "admin", ok=302)),
    "authority.terminate": ("GET", lambda w: {"agreement_id": w["agreement"].id}, only("credentialing", "admin")),
    "certificates.revoke": ("POST", lambda w: {"serial": w["certificate"].serial},
                            only("credentialing", "admin", ok=302)),
    "api.certificate": ("GET", lambda w: {"serial": w["certificate"].serial}, everyone(200)),
    "api.verify": ("POST", lambda w: {}, everyone(400)),          # no file sent
    "api.authority": ("GET", lambda w: {"officer_id": w["officer"].id}, everyone(401)),  # cookies never count
    "api.openapi": ("GET", lambda w: {}, everyone(200)),
    "audit_log.index": ("GET", lambda w: {}, only(*STAFF)),
    "auth.tokens": ("GET", lambda w: {}, only("credentialing")),
    "auth.token_revoke_view": ("POST", lambda w: {"token_id": w["token"].id}, only("credentialing", ok=302)),
    "notices.index": ("GET", lambda w: {}, only(*ROLES)),
}


def build_world(make, me):
    """Records every route needs: a class taught by `me` (if an instructor) with `me` enrolled (if an officer)."""
    from app.models import utcnow

    world = make.course_world()
    instructor = me if me is not None and me.role == "instructor" else make.user("instructor")
    training_class = make.training_class(world["version"], instructor)
    officer = me if me is not None and me.role == "officer" else make.user("officer")
    enrollment = make.enroll(training_class, officer)
    classmate = make.enroll(training_class, make.user("officer"))
    agreement = make.agreement(officer.agency)
    certificate = make.certificate(enrollment)
    credentialing = me if me is not None and me.role == "credentialing" else make.user("credentialing")
    world.update({
        "class": training_class,
        "enrollment": enrollment,
        "open_attempt": make.attempt(enrollment, "iadp-exam-1"),
        "closed_attempt": make.attempt(classmate, "iadp-exam-1", submit=True),
        "lesson_key": world["version"].items[0].lesson_key,
        "officer": officer, "agreement": agreement, "certificate": certificate,
        "grant": make.grant(officer, agreement, credentialing),
        "token": make.api_token(credentialing),
        "now": utcnow(),
    })
    return world


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(MATRIX) == set(), "routes missing from the access matrix"
    assert set(MATRIX) - endpoints == set(), "matrix entries for routes that do not exist"


@pytest.mark.parametrize("role", ALL)
def test_route_access(app, client, auth, make, role):
    from flask import url_for

    agency = make.agency()
    me = auth.login_as(role, **({"agency": agency} if role == "officer" else {})) if role != ANON else None
    world = build_world(make, me)
    world.update({"agency": agency, "user": make.user("instructor")})
    mismatches = []
    for endpoint, (method, args, expected) in MATRIX.items():
        with app.test_request_context():
            url = url_for(endpoint, **args(world))
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf_token_from(client, "/login")})
        response.close()
        if response.status_code != expected[role]:
            mismatches.append(f"{method} {url}: {response.status_code}, expected {expected[role]}")
        if endpoint == "auth.logout" and role != ANON:
            # Signing out ended the session; sign back in as the same user.
            auth.login(me.email)
    assert mismatches == []
