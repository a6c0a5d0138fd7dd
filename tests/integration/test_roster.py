"""Roster import end to end: `flask roster import` and the upload, preview and confirm pages."""
from __future__ import annotations

import io
import json
import re
import time

import pytest
from sqlalchemy import func, select

from app.agencies.models import Agency, RosterUpload
from app.audit import AuditEntry, audit_verify
from app.auth.models import User
from tests.conftest import csrf_token_from

HEADER = "agency_ori,agency_name,state,officer_email,officer_name,badge_number,supervisor_email"
# Palmetto exists (made by the tests); Pecos Valley is new.
FIXED = "\r\n".join([
    "officer_name,officer_email,agency_ori,agency_name,state,badge_number,supervisor_email",
    "Jordan Reyes,Jordan.Reyes@palmetto.example,SC0990100,Palmetto County Sheriff's Office,SC,P-101,sgt.hall@palmetto.example",
    "Avery Castillo,avery.castillo@pecos.example,TX0990300,Pecos Valley Police Department,TX,,",
    "Riley Thompson,riley.thompson@pecos.example,TX0990300,Pecos Valley Police Department,TX,T-7,lt.ortiz@pecos.example",
]) + "\r\n"
BAD = "\n".join([
    HEADER,
    "SC0990100,Palmetto County Sheriff's Office,SC,jordan.reyes@palmetto.example,Jordan Reyes,,",
    "TX0990300,Pecos Valley Police Department,ZZ,avery.castillo@pecos.example,Avery Castillo,,",
    "TX0990300,Pecos Valley Police Department,TX,jordan.reyes@palmetto.example,J. Reyes,,",
]) + "\n"


def count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def counts(db) -> tuple[int, int, int]:
    return count(db, Agency), count(db, User), count(db, AuditEntry)


def generated(n: int, *, name: str = "Officer") -> str:
    """A clean roster of `n` officers spread over 50 new agencies."""
    lines = [HEADER]
    for i in range(n):
        a = i % 50
        lines.append(f"TX{a:07d},Generated Agency {a},TX,officer{i}@gen{a}.example,{name} {i},B-{i},"
                     f"sgt{a}@gen{a}.example")
    return "\n".join(lines) + "\n"


@pytest.fixture()
def palmetto(make):
    return make.agency(ori="SC0990100", name="Palmetto County Sheriff's Office", state="SC")


def run_import(runner, tmp_path, content: str | bytes, *extra: str, name: str = "roster.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return runner.invoke(args=["roster", "import", str(path), *extra])


# --- the command ------------------------------------------------------------

def test_cli_imports_a_fixed_file_then_reimport_changes_nothing(runner, db, palmetto, tmp_path):
    result = run_import(runner, tmp_path, FIXED)
    assert result.exit_code == 0, result.output
    assert "roster.csv: 3 created, 0 updated, 0 unchanged; 1 agency created" in result.stdout
    assert "Checking rows" in result.stderr  # the progress bar goes to standard error

    pecos = db.session.execute(select(Agency).where(Agency.ori == "TX0990300")).scalar_one()
    assert (pecos.name, pecos.state, pecos.field_office, pecos.poc_email) == (
        "Pecos Valley Police Department", "TX", None, None)
    officers = {u.email: u for u in db.session.execute(select(User)).scalars()}
    assert set(officers) == {"jordan.reyes@palmetto.example", "avery.castillo@pecos.example",
                             "riley.thompson@pecos.example"}
    jordan = officers["jordan.reyes@palmetto.example"]
    assert (jordan.role, jordan.active, jordan.password_hash, jordan.agency_id) == (
        "officer", True, None, palmetto.id)
    assert (jordan.badge_number, jordan.supervisor_email) == ("P-101", "sgt.hall@palmetto.example")
    assert officers["avery.castillo@pecos.example"].badge_number is None
    assert officers["riley.thompson@pecos.example"].agency_id == pecos.id
    assert not jordan.check_password("anything")  # no password: cannot sign in

    entry = db.session.execute(select(AuditEntry)).scalar_one()
    details = json.loads(entry.details)
    assert (entry.action, entry.actor_label) == ("roster.import", "flask roster import")
    assert details["filename"] == "roster.csv" and len(details["sha256"]) == 64
    assert (details["created"], details["updated"], details["unchanged"], details["agencies_created"]) == (
        3, 0, 0, 1)
    assert audit_verify().ok

    before = counts(db)
    again = run_import(runner, tmp_path, FIXED)
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 3 unchanged; 0 agencies created" in again.stdout
    assert counts(db) == before


def test_cli_bad_rows_exit_1_name_their_lines_and_write_nothing(runner, db, palmetto, tmp_path):
    before = counts(db)
    result = run_import(runner, tmp_path, BAD)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "line 3: unknown state 'ZZ': expected a two-letter state, DC or territory code",
        "line 4: officer_email jordan.reyes@palmetto.example is already on line 2",
    ]
    assert "2 problem(s); nothing was imported" in result.stderr
    assert counts(db) == before


def test_cli_dry_run_writes_nothing(runner, db, palmetto, tmp_path):
    before = counts(db)
    result = run_import(runner, tmp_path, FIXED, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run, nothing written: 3 created, 0 updated, 0 unchanged; 1 agency created" in result.stdout
    assert counts(db) == before
    assert run_import(runner, tmp_path, BAD, "--dry-run").exit_code == 1


def test_cli_file_level_problems(runner, db, tmp_path):
    latin1 = (HEADER + "\nSC0990100,Café Police,SC,a@b.example,A B,,\n").encode("latin-1")
    result = run_import(runner, tmp_path, latin1)
    assert result.exit_code == 1 and result.stdout.startswith("line 2: not UTF-8 text")
    empty = run_import(runner, tmp_path, "")
    assert empty.exit_code == 1 and empty.stdout.startswith("line 1: the file is empty")
    extra = run_import(runner, tmp_path, FIXED.replace("supervisor_email", "supervisor_email,rank", 1))
    assert extra.exit_code == 1 and "line 1: unknown column rank" in extra.stdout
    assert counts(db) == (0, 0, 0)


def test_cli_updates_officers_of_the_same_agency_and_refuses_others(runner, db, make, palmetto, tmp_path):
    make.user("officer", email="jordan.reyes@palmetto.example", name="Jordan Reyes", agency=palmetto,
              badge_number="P-100")
    other = make.agency(ori="FL0990200", name="Cypress County Sheriff's Office", state="FL")
    make.user("officer", email="casey.nguyen@cypress.example", name="Casey Nguyen", agency=other)
    make.user("instructor", email="instructor@fletc.example")
    result = run_import(runner, tmp_path, FIXED)
    assert result.exit_code == 0, result.output
    assert "2 created, 1 updated, 0 unchanged" in result.stdout
    jordan = db.session.execute(select(User).where(User.email == "jordan.reyes@palmetto.example")).scalar_one()
    assert (jordan.badge_number, jordan.supervisor_email, jordan.name) == (
        "P-101", "sgt.hall@palmetto.example", "Jordan Reyes")
    assert jordan.password_hash is not None  # an update never touches the password

    before = counts(db)
    refused = run_import(runner, tmp_path, "\n".join([
        HEADER,
        "SC0990100,Palmetto County Sheriff's Office,SC,casey.nguyen@cypress.example,Casey Nguyen,,",
        "SC0990100,Palmetto County Sheriff's Office,SC,instructor@fletc.example,Iris Instructor,,",
        "SC0990100,Palmetto County Police,SC,new.one@palmetto.example,New One,,",
    ]))
    assert refused.exit_code == 1
    assert refused.stdout.splitlines() == [
        "line 2: casey.nguyen@cypress.example is already an officer of agency FL0990200; "
        "move them in user administration",
        "line 3: instructor@fletc.example belongs to an existing instructor account, not an officer",
        "line 4: agency_name 'Palmetto County Police' does not match \"Palmetto County Sheriff's Office\", "
        "the name on record for SC0990100",
    ]
    assert counts(db) == before
    assert db.session.execute(select(Agency.name).where(Agency.ori == "SC0990100")).scalar_one() == (
        "Palmetto County Sheriff's Office")


def test_a_failure_mid_way_leaves_nothing(runner, db, palmetto, tmp_path, monkeypatch):
    from app.agencies import roster_service

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(roster_service, "audit_record", explode)  # after the inserts, before commit
    result = run_import(runner, tmp_path, FIXED)
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    db.session.rollback()
    assert counts(db) == (1, 0, 0)


def test_ten_thousand_rows_import_in_seconds(runner, db, tmp_path):
    text = generated(10_000)
    started = time.perf_counter()
    result = run_import(runner, tmp_path, text)
    elapsed = time.perf_counter() - started
    print(f"\n10,000-row roster import on {db.engine.dialect.name}: {elapsed:.2f} s")
    assert result.exit_code == 0, result.output
    assert "10000 created, 0 updated, 0 unchanged; 50 agencies created" in result.stdout
    assert count(db, User) == 10_000 and count(db, Agency) == 50
    assert elapsed < 15

    started = time.perf_counter()
    again = run_import(runner, tmp_path, generated(10_000, name="Renamed"))
    print(f"10,000-row roster update on {db.engine.dialect.name}: {time.perf_counter() - started:.2f} s")
    assert again.exit_code == 0 and "0 created, 10000 updated" in again.stdout


def test_the_number_of_statements_does_not_grow_with_rows(app, db, count_queries):
    from app.agencies.roster_service import roster_apply, roster_plan
    from app.models import utcnow

    def statements(text: str) -> int:
        with count_queries:
            plan = roster_plan(text)
            assert plan.ok, plan.problems[:3]
            roster_apply(plan, "tests", utcnow())
        return count_queries.count

    def one_size(n: int) -> tuple[int, int, int]:
        created = statements(generated(n))
        updated = statements(generated(n, name="Renamed"))
        unchanged = statements(generated(n, name="Renamed"))
        from tests.conftest import _empty_all_tables

        _empty_all_tables(db)
        return created, updated, unchanged

    small, large = one_size(100), one_size(1000)
    print(f"\nstatements for 100 rows {small}, for 1,000 rows {large} (created, updated, unchanged)")
    assert small == large
    assert max(large) <= 20


# --- the pages --------------------------------------------------------------

def upload(client, content: str | bytes, filename: str = "roster.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post("/agencies/roster", data={
        "csrf_token": csrf_token_from(client, "/agencies/roster"),
        "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


CONFIRM_ACTION = re.compile(r'action="(/agencies/roster/[^"/]+/confirm)"')


def test_manager_uploads_previews_and_confirms(client, auth, db, palmetto):
    auth.login_as("manager")
    page = client.get("/agencies/")
    assert 'href="/agencies/roster"' in page.get_data(as_text=True)

    response = upload(client, FIXED, "pecos.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview of pecos.csv" in html and "3 created, 0 updated, 0 unchanged; 1 agency created" in html
    assert html.count('class="outcome-created"') == 3
    assert counts(db)[:2] == (1, 1)  # only the manager: nothing imported yet
    action = CONFIRM_ACTION.search(html).group(1)
    upload_row = db.session.execute(select(RosterUpload)).scalar_one()
    assert upload_row.filename == "pecos.csv" and upload_row.consumed_at is None

    token = csrf_token_from(client, "/agencies/roster")
    done = client.post(action, data={"csrf_token": token}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Imported pecos.csv: 3 created, 0 updated, 0 unchanged; 1 agency created." in text
    assert "Pecos Valley Police Department" in text  # the agencies list shows the new agency
    assert count(db, User) == 4
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "roster.import")).scalar_one()
    assert json.loads(entry.details)["filename"] == "pecos.csv"

    again = client.post(action, data={"csrf_token": token}, follow_redirects=True)
    assert "pecos.csv was already imported; nothing changed." in again.get_data(as_text=True)
    assert count(db, User) == 4 and count(db, AuditEntry) == 1

    reimport = upload(client, FIXED, "pecos.csv").get_data(as_text=True)
    assert "0 created, 0 updated, 3 unchanged; 0 agencies created" in reimport


def test_a_bad_file_shows_every_row_and_no_confirm_button(client, auth, db, palmetto):
    auth.login_as("admin")
    response = upload(client, BAD)
    html = response.get_data(as_text=True)
    assert "line 3: unknown state &#39;ZZ&#39;" in html
    assert "line 4: officer_email jordan.reyes@palmetto.example is already on line 2" in html
    assert html.count('class="outcome-error"') == 2 and html.count('class="outcome-created"') == 1
    assert not CONFIRM_ACTION.search(html)
    assert count(db, RosterUpload) == 0 and count(db, User) == 1

    latin1 = upload(client, "agency_ori\nCafé\n".encode("latin-1")).get_data(as_text=True)
    assert "line 2: not UTF-8 text" in latin1 and not CONFIRM_ACTION.search(latin1)
    missing = client.post("/agencies/roster", data={"csrf_token": csrf_token_from(client, "/agencies/roster")})
    assert missing.status_code == 400 and "Choose the roster CSV file" in missing.get_data(as_text=True)


def test_confirm_plans_again_and_refuses_when_the_database_changed(client, auth, db, make, palmetto):
    auth.login_as("manager")
    action = CONFIRM_ACTION.search(upload(client, FIXED).get_data(as_text=True)).group(1)
    make.user("instructor", email="avery.castillo@pecos.example")  # made meanwhile
    response = client.post(action, data={"csrf_token": csrf_token_from(client, "/agencies/roster")})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "line 3: avery.castillo@pecos.example belongs to an existing instructor account" in html
    assert not CONFIRM_ACTION.search(html)
    assert count(db, Agency) == 1 and count(db, User) == 2


def test_confirm_needs_csrf_and_the_uploader(client, auth, db, palmetto):
    auth.login_as("manager")
    action = CONFIRM_ACTION.search(upload(client, FIXED).get_data(as_text=True)).group(1)
    assert client.post(action).status_code == 400  # no CSRF token
    auth.logout()
    auth.login_as("manager")  # another manager
    refused = client.post(action, data={"csrf_token": csrf_token_from(client, "/agencies/roster")})
    assert refused.status_code == 404
    assert count(db, User) == 2


@pytest.mark.parametrize("role", ["officer", "instructor", "credentialing"])
def test_other_roles_cannot_import(client, auth, db, role):
    auth.login_as(role)
    assert client.get("/agencies/roster").status_code == 403
    assert upload(client, FIXED).status_code == 403
    token = csrf_token_from(client, "/login")
    assert client.post("/agencies/roster/anything/confirm", data={"csrf_token": token}).status_code == 403
    if role == "credentialing":
        assert 'href="/agencies/roster"' not in client.get("/agencies/").get_data(as_text=True)
    assert count(db, RosterUpload) == 0
