"""Admins manage accounts in the web UI; every change is audited."""
from sqlalchemy import select

from app.audit import AuditEntry, audit_verify
from app.auth.models import User
from tests.conftest import csrf_token_from


def test_admin_creates_an_officer(client, auth, make, db):
    admin = auth.login_as("admin")
    agency = make.agency(name="Palmetto County Sheriff's Office")
    token = csrf_token_from(client, "/admin/users/new")
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "email": "New.Officer@Agency.example", "name": "New Officer",
        "role": "officer", "agency_id": str(agency.id), "password": "tide pool lantern morning"})
    assert response.status_code == 302
    user = db.session.execute(select(User).where(User.email == "new.officer@agency.example")).scalar_one()
    assert user.agency_id == agency.id and user.check_password("tide pool lantern morning")
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "user.create")).scalar_one()
    assert entry.actor_id == admin.id and entry.target_id == str(user.id)
    assert audit_verify().ok


def test_weak_password_is_refused_with_the_reason(client, auth, db):
    auth.login_as("admin")
    token = csrf_token_from(client, "/admin/users/new")
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "email": "x@y.example", "name": "X Y", "role": "manager",
        "agency_id": "", "password": "password1234"})
    assert response.status_code == 400
    assert "commonly used" in response.get_data(as_text=True)
    assert db.session.execute(select(User).where(User.email == "x@y.example")).first() is None


def test_duplicate_email_is_refused_whatever_its_case(client, auth, make):
    auth.login_as("admin")
    make.user("manager", email="taken@program.example")
    token = csrf_token_from(client, "/admin/users/new")
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "email": "TAKEN@program.example", "name": "Other", "role": "manager",
        "agency_id": "", "password": "tide pool lantern morning"})
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_officer_needs_an_agency(client, auth):
    auth.login_as("admin")
    token = csrf_token_from(client, "/admin/users/new")
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "email": "o@x.example", "name": "O", "role": "officer",
        "agency_id": "", "password": "tide pool lantern morning"})
    assert "belongs to an agency" in response.get_data(as_text=True)


def test_admin_deactivates_an_account_and_it_can_no_longer_sign_in(client, auth, make, db, app):
    auth.login_as("admin")
    target = make.user("instructor")
    token = csrf_token_from(client, f"/admin/users/{target.id}")
    response = client.post(f"/admin/users/{target.id}", data={
        "csrf_token": token, "name": target.name, "role": "instructor", "agency_id": ""})
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.active is False
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "user.update")).scalar_one()
    assert '"active": [true, false]' in entry.details
    other = app.test_client()
    from tests.conftest import Auth

    assert Auth(other, make).login(target.email).status_code == 401


def test_admin_cannot_demote_themselves(client, auth):
    admin = auth.login_as("admin")
    token = csrf_token_from(client, f"/admin/users/{admin.id}")
    response = client.post(f"/admin/users/{admin.id}", data={
        "csrf_token": token, "name": admin.name, "role": "officer", "agency_id": "", "active": "y"})
    assert "cannot change your own role" in response.get_data(as_text=True)


def test_user_search(client, auth, make):
    auth.login_as("admin")
    make.user("manager", name="Teresa Okafor")
    make.user("manager", name="Someone Else")
    page = client.get("/admin/users?q=okafor").get_data(as_text=True)
    assert "Teresa Okafor" in page and "Someone Else" not in page
