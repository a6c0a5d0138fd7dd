"""Delegated authority through the service and the credentialing pages: the gate, grants and their
signed letters, renewals, status on dates, withdrawals, ending an MOA, the officer's own view,
and the audit chain those decisions write (and its tamper detection).
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from types import SimpleNamespace

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import delete, insert, select, update

from app.audit import AuditEntry, audit_verify, canonical_content
from app.authority.models import AuthorityGrant, AuthorityWithdrawal
from app.authority.services import AuthorityError, authority_grant, grant_gate, officer_authority
from app.certificates.pdf import read_letter_number
from app.certificates.services import certificate_revoke, key_material
from app.certificates.signing import check_signature
from app.models import utcnow
from tests.conftest import csrf_token_from
from tests.integration.test_certificates import audit_entries, cert_world, count, issue, reload, visible

TODAY = utcnow().date()
SIGNED_ON = date(2024, 1, 15)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 14, 0, tzinfo=UTC)


def flashes(markup: str) -> list[str]:
    return [visible(m) for m in re.findall(r'<p class="flash flash-\w+"[^>]*>(.*?)</p>', markup, re.S)]


def status_on(client, officer, day: date) -> str:
    """The status word the officer's credentialing page shows for a date."""
    markup = client.get(f"/authority/officers/{officer.id}?on={day.isoformat()}").get_data(as_text=True)
    match = re.search(r'<p class="verdict[^"]*" role="status">\s*<strong>(\w+)</strong> on ', markup)
    assert match, markup[:2000]
    return match.group(1).lower()


@pytest.fixture()
def world(make, db):
    return cert_world(make, db)


@pytest.fixture()
def staff(auth):
    """A credentialing user, signed in."""
    return auth.login_as("credentialing")


def post_grant(client, officer, agreement, on: date):
    token = csrf_token_from(client, f"/authority/officers/{officer.id}")
    return client.post(f"/authority/officers/{officer.id}/grant", data={
        "csrf_token": token, "agreement_id": str(agreement.id), "effective_on": on.isoformat()})


def post_withdraw(client, officer, on: date, reason: str):
    token = csrf_token_from(client, f"/authority/officers/{officer.id}")
    return client.post(f"/authority/officers/{officer.id}/withdraw", data={
        "csrf_token": token, "effective_on": on.isoformat(), "reason": reason})


def post_terminate(client, agreement, on: date, reason: str):
    token = csrf_token_from(client, f"/authority/agreements/{agreement.id}/terminate")
    return client.post(f"/authority/agreements/{agreement.id}/terminate", data={
        "csrf_token": token, "terminated_on": on.isoformat(), "reason": reason})


def trained_officer(world, *, completed_days_ago: int = 30, agency=None, model: str = "JEM"):
    """An officer with a basic IADP certificate, of an agency with an active agreement."""
    make = world.make
    agency = agency or make.agency()
    officer = make.user("officer", agency=agency)
    agreement = next((a for a in agency.agreements if a.model == model), None) or \
        make.agreement(agency, model=model, signed_on=SIGNED_ON)
    certificate = issue(world, officer, completed_at=at(TODAY - timedelta(days=completed_days_ago)))
    return SimpleNamespace(officer=officer, agreement=agreement, certificate=certificate, agency=agency)


# --- the gate -------------------------------------------------------------------------------

def _no_certificate(world):
    officer = world.make.user("officer")
    return officer, world.make.agreement(officer.agency, signed_on=SIGNED_ON)


def _expired(world):
    t = trained_officer(world, completed_days_ago=3 * 365 + 5)
    return t.officer, t.agreement


def _revoked(world):
    t = trained_officer(world)
    certificate_revoke(serial=t.certificate.serial, reason="Issued in error", actor="tests", now=utcnow())
    return t.officer, t.agreement


def _refresher_only(world):
    officer = world.make.user("officer")
    agreement = world.make.agreement(officer.agency, signed_on=SIGNED_ON)
    issue(world, officer, course_key="iadrp", completed_at=at(TODAY - timedelta(days=20)))
    return officer, agreement


def _agreement_not_yet_signed(world):
    officer = world.make.user("officer")
    agreement = world.make.agreement(officer.agency, signed_on=TODAY + timedelta(days=10))
    issue(world, officer, completed_at=at(TODAY - timedelta(days=20)))
    return officer, agreement


def _two_problems(world):
    officer = world.make.user("officer")
    return officer, world.make.agreement(officer.agency, signed_on=TODAY + timedelta(days=10))


GATE_CASES = {
    "no-certificate": (_no_certificate, [
        "No basic course certificate for the Jail Enforcement Model (accepted courses: iadp)"]),
    "expired-certificate": (_expired, [
        "a refresher completed since", "is required"]),
    "revoked-certificate": (_revoked, [
        "was revoked on " + TODAY.isoformat()]),
    "refresher-without-basic": (_refresher_only, [
        "No basic course certificate for the Jail Enforcement Model"]),
    "agreement-not-yet-signed": (_agreement_not_yet_signed, [
        "agreement is not in force until it is signed on " + (TODAY + timedelta(days=10)).isoformat()]),
    "two-problems-at-once": (_two_problems, [
        "agreement is not in force until it is signed on", "No basic course certificate"]),
}


@pytest.mark.parametrize("case", GATE_CASES)
def test_the_gate_refuses_and_the_page_shows_every_reason(world, db, staff, client, case):
    build, expected = GATE_CASES[case]
    officer, agreement = build(world)
    decision = grant_gate(officer, agreement, TODAY, agreement.model)
    assert not decision.allowed
    joined = "; ".join(decision.reasons)
    for phrase in expected:
        assert phrase in joined, (phrase, decision.reasons)
    if case == "two-problems-at-once":
        assert len(decision.reasons) == 2

    # The service refuses with the same reasons.
    with pytest.raises(AuthorityError) as refused:
        authority_grant(officer=officer, agreement=agreement, on=TODAY, actor=staff, now=utcnow())
    db.session.rollback()
    assert refused.value.reasons == decision.reasons

    # The page lists each reason, and a grant posted anyway is refused with all of them.
    page = client.get(f"/authority/officers/{officer.id}")
    assert page.status_code == 200
    markup = page.get_data(as_text=True)
    items = [visible(li) for li in re.findall(r"<li>(.*?)</li>", markup, re.S)]
    for reason in decision.reasons:
        assert reason in items, (reason, items)
    assert f"not allowed on {TODAY.isoformat()}" in visible(markup)

    response = post_grant(client, officer, agreement, TODAY)
    assert response.status_code == 302
    shown = flashes(client.get(response.headers["Location"]).get_data(as_text=True))
    assert shown == ["Authority not granted: " + "; ".join(decision.reasons) + "."]
    assert count(db, AuthorityGrant) == 0
    assert audit_entries(db, "authority.grant") == []


def test_the_gate_refuses_another_agencys_agreement_and_an_ended_one(world, db, staff):
    t = trained_officer(world)
    other = trained_officer(world)
    with pytest.raises(AuthorityError, match="not the officer's agency's agreement"):
        authority_grant(officer=t.officer, agreement=other.agreement, on=TODAY, actor=staff, now=utcnow())
    db.session.rollback()
    t.agreement.status, t.agreement.terminated_on = "terminated", TODAY - timedelta(days=1)
    t.agreement.termination_reason = "The county withdrew from the program."
    db.session.commit()
    with pytest.raises(AuthorityError, match=f"agreement ended on {(TODAY - timedelta(days=1)).isoformat()}"):
        authority_grant(officer=t.officer, agreement=t.agreement, on=TODAY, actor=staff, now=utcnow())
    db.session.rollback()
    assert count(db, AuthorityGrant) == 0


def test_an_agency_without_an_agreement_offers_no_grant(world, staff, client):
    officer = world.make.user("officer")
    issue(world, officer)
    markup = client.get(f"/authority/officers/{officer.id}").get_data(as_text=True)
    assert "The officer's agency has no active agreement." in visible(markup)
    assert f"/authority/officers/{officer.id}/grant" not in markup


# --- granting, the signed letter, renewal -----------------------------------------------------------

def test_a_grant_with_a_valid_certificate_signs_the_letter(world, db, staff, client, auth, tmp_path):
    t = trained_officer(world)
    page = visible(client.get(f"/authority/officers/{t.officer.id}").get_data(as_text=True))
    assert f"the gate allows a grant on {TODAY.isoformat()}" in page

    response = post_grant(client, t.officer, t.agreement, TODAY)
    assert response.status_code == 302
    grant = db.session.execute(select(AuthorityGrant)).scalar_one()
    shown = flashes(client.get(response.headers["Location"]).get_data(as_text=True))
    assert shown == [f"Authority granted from {grant.effective_on} to {grant.expires_on}; "
                     f"authorization letter {grant.letter_number} is signed."]
    assert grant.officer_id == t.officer.id and grant.agreement_id == t.agreement.id
    assert grant.certificate_id == t.certificate.id and grant.granted_by_id == staff.id
    assert grant.effective_on == TODAY and grant.renewal_of_id is None
    assert grant.expires_on == min(TODAY.replace(year=TODAY.year + 1), t.certificate.valid_until)

    letter = client.get(f"/authority/grants/{grant.id}/letter.pdf")
    assert letter.status_code == 200 and letter.mimetype == "application/pdf"
    pdf = letter.get_data()
    assert pdf == reload(db, grant).letter_pdf
    assert hashlib.sha256(pdf).hexdigest() == grant.letter_sha256

    check = check_signature(pdf, key_material().trust_root)
    assert check.present and check.intact and check.trusted and check.covers_whole_file, check
    assert read_letter_number(pdf) == grant.letter_number
    keywords = str(PdfFileReader(BytesIO(pdf), strict=False).trailer["/Info"]["/Keywords"])
    assert f"letter:{grant.letter_number}" in keywords and f"certificate:{t.certificate.serial}" in keywords
    if shutil.which("pdftotext"):
        path = tmp_path / "letter.pdf"
        path.write_bytes(pdf)
        text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                       check=True).stdout.split())
        assert t.officer.name in text and grant.letter_number in text and t.certificate.serial in text

    entry = audit_entries(db, "authority.grant")[-1]
    details = json.loads(entry.details)
    assert entry.actor_id == staff.id and entry.target_id == str(t.officer.id)
    assert details["grant_id"] == grant.id and details["letter"] == grant.letter_number
    assert details["certificate"] == t.certificate.serial and details["renewal_of"] is None

    # The officer downloads their own letter; another officer cannot.
    auth.logout()
    auth.login(t.officer.email)
    assert client.get(f"/authority/grants/{grant.id}/letter.pdf").get_data() == pdf
    auth.logout()
    auth.login_as("officer")
    assert client.get(f"/authority/grants/{grant.id}/letter.pdf").status_code == 404


def test_a_renewal_is_another_grant_that_records_what_it_renews(world, db, staff, client):
    t = trained_officer(world)
    assert post_grant(client, t.officer, t.agreement, TODAY).status_code == 302
    later = TODAY + timedelta(days=60)
    assert post_grant(client, t.officer, t.agreement, later).status_code == 302
    first, second = db.session.execute(select(AuthorityGrant).order_by(AuthorityGrant.effective_on)).scalars()
    assert second.renewal_of_id == first.id and first.renewal_of_id is None
    assert second.effective_on == later and second.letter_number != first.letter_number
    renewal = audit_entries(db, "authority.renew")
    assert len(renewal) == 1 and json.loads(renewal[0].details)["renewal_of"] == first.id
    assert len(audit_entries(db, "authority.grant")) == 1
    assert officer_authority(t.officer, later).grant_id == second.id


# --- status on dates ------------------------------------------------------------------------------

def test_status_is_active_from_the_grant_and_lapses_the_day_after_the_refresher_falls_due(world, staff, client):
    # Trained 700 days ago: the refresher falls due in about a month, before a one-year grant would end.
    t = trained_officer(world, completed_days_ago=700)
    due = t.certificate.valid_until
    assert TODAY < due < TODAY.replace(year=TODAY.year + 1)
    assert post_grant(client, t.officer, t.agreement, TODAY).status_code == 302

    expected = [
        (TODAY - timedelta(days=1), "none"),
        (TODAY, "active"),
        (due, "active"),
        (due + timedelta(days=1), "lapsed"),
    ]
    for day, status in expected:
        found = officer_authority(t.officer, day)
        assert found.status == status, (day, found)
        assert status_on(client, t.officer, day) == status, day
        if status != "none":
            assert found.refresher_due == due
    lapsed = officer_authority(t.officer, due + timedelta(days=1))
    assert f"Refresher training was due by {due.isoformat()}" in lapsed.reason


def test_a_withdrawal_through_the_page_ends_authority_from_its_date(world, db, staff, client):
    t = trained_officer(world)
    assert post_grant(client, t.officer, t.agreement, TODAY).status_code == 302
    effective = TODAY + timedelta(days=10)
    reason = "Written notice from the sheriff: reassigned to patrol duties."

    short = post_withdraw(client, t.officer, effective, "moved")
    assert short.status_code == 302 and count(db, AuthorityWithdrawal) == 0

    response = post_withdraw(client, t.officer, effective, reason)
    assert response.status_code == 302
    assert flashes(client.get(response.headers["Location"]).get_data(as_text=True)) == [
        f"Authority withdrawn effective {effective}."]
    withdrawal = db.session.execute(select(AuthorityWithdrawal)).scalar_one()
    assert withdrawal.withdrawn_by_id == staff.id and withdrawal.reason == reason

    assert officer_authority(t.officer, effective - timedelta(days=1)).status == "active"
    withdrawn = officer_authority(t.officer, effective)
    assert withdrawn.status == "withdrawn" and reason in withdrawn.reason
    assert status_on(client, t.officer, effective - timedelta(days=1)) == "active"
    assert status_on(client, t.officer, effective) == "withdrawn"

    entry = audit_entries(db, "authority.withdraw")[-1]
    assert entry.actor_id == staff.id and entry.target_id == str(t.officer.id)
    assert json.loads(entry.details) == {"effective_on": effective.isoformat(), "reason": reason}


def test_ending_the_moa_terminates_every_officer_of_the_agency_from_that_date(world, db, staff, client):
    first = trained_officer(world)
    second = trained_officer(world, agency=first.agency)
    bystander = trained_officer(world)                     # another agency: untouched
    for t in (first, second, bystander):
        assert post_grant(client, t.officer, t.agreement, TODAY).status_code == 302
    assert second.agreement.id == first.agreement.id
    ends = TODAY + timedelta(days=20)
    reason = "The county commission voted to end the agreement."

    form = client.get(f"/authority/agreements/{first.agreement.id}/terminate")
    assert form.status_code == 200 and "End the agreement" in form.get_data(as_text=True)
    response = post_terminate(client, first.agreement, ends, reason)
    assert response.status_code == 302, visible(response.get_data(as_text=True))
    assert response.headers["Location"].endswith(f"/agencies/{first.agency.id}")
    agreement = reload(db, first.agreement)
    assert agreement.status == "terminated" and agreement.terminated_on == ends
    assert agreement.termination_reason == reason and agreement.terminated_by_id == staff.id

    for t in (first, second):
        assert officer_authority(t.officer, ends - timedelta(days=1)).status == "active"
        ended = officer_authority(t.officer, ends)
        assert ended.status == "terminated" and ends.isoformat() in ended.reason
        assert officer_authority(t.officer, ends + timedelta(days=100)).status == "terminated"
        assert status_on(client, t.officer, ends) == "terminated"
        assert status_on(client, t.officer, ends - timedelta(days=1)) == "active"
    assert officer_authority(bystander.officer, ends).status == "active"

    entry = audit_entries(db, "agreement.terminate")[-1]
    assert entry.actor_id == staff.id and entry.target_id == str(agreement.id)
    assert json.loads(entry.details)["terminated_on"] == ends.isoformat()

    # A second termination is refused, and the first stands.
    again = post_terminate(client, agreement, ends + timedelta(days=5), "Ending it once more, by mistake.")
    assert again.status_code == 400
    assert f"already ended on {ends}" in visible(again.get_data(as_text=True))
    assert reload(db, agreement).terminated_on == ends
    assert len(audit_entries(db, "agreement.terminate")) == 1


def test_an_moa_cannot_end_before_it_was_signed_or_without_a_reason(world, db, staff, client):
    t = trained_officer(world)
    before = post_terminate(client, t.agreement, SIGNED_ON - timedelta(days=1), "Backdated by mistake here.")
    assert before.status_code == 400
    assert "An agreement cannot end before it was signed" in visible(before.get_data(as_text=True))
    no_reason = post_terminate(client, t.agreement, TODAY, "")
    assert no_reason.status_code == 400
    agreement = reload(db, t.agreement)
    assert agreement.status == "active" and agreement.terminated_on is None
    assert audit_entries(db, "agreement.terminate") == []


# --- the officer's own view -----------------------------------------------------------------------

def test_the_officer_sees_their_authority_and_refresher_due_date(world, make, auth, client):
    t = trained_officer(world)
    granter = make.user("credentialing")
    make.grant(t.officer, t.agreement, granter, on=TODAY)
    auth.login(t.officer.email)
    home = client.get("/officer")
    assert home.status_code == 200
    text = visible(home.get_data(as_text=True))
    due = t.certificate.valid_until
    assert "Active" in text
    assert f"Refresher training due by {due.day} {due.strftime('%B %Y')}" in text
    mine = visible(client.get("/certificates/").get_data(as_text=True))
    assert f"{due.day} {due.strftime('%B %Y')}" in mine


def test_an_officer_never_authorized_sees_that(world, auth, client):
    auth.login_as("officer")
    text = visible(client.get("/officer").get_data(as_text=True))
    assert "Not authorized" in text and "Never authorized" in text


# --- the audit chain ------------------------------------------------------------------------------

def decisions(world, client, staff):
    """Grant, renew, withdraw and end an MOA through the pages; return the officer records."""
    t = trained_officer(world)
    assert post_grant(client, t.officer, t.agreement, TODAY).status_code == 302
    assert post_grant(client, t.officer, t.agreement, TODAY + timedelta(days=30)).status_code == 302
    assert post_withdraw(client, t.officer, TODAY + timedelta(days=40),
                         "Written notice from the sheriff: on extended leave.").status_code == 302
    assert post_terminate(client, t.agreement, TODAY + timedelta(days=50),
                          "The county ended its participation.").status_code == 302
    return t


def test_every_decision_is_audited_and_the_chain_verifies(world, db, staff, client, runner):
    decisions(world, client, staff)
    actions = [e.action for e in db.session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()]
    for action in ("authority.grant", "authority.renew", "authority.withdraw", "agreement.terminate"):
        assert actions.count(action) == 1, (action, actions)
    assert actions.index("authority.grant") < actions.index("authority.renew") < \
        actions.index("authority.withdraw") < actions.index("agreement.terminate")
    for action in ("authority.grant", "authority.renew", "authority.withdraw", "agreement.terminate"):
        entry = audit_entries(db, action)[0]
        assert entry.actor_id == staff.id and entry.actor_label == staff.email
    verdict = audit_verify()
    assert verdict.ok and verdict.checked == len(actions), verdict
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and f"audit chain intact: {len(actions)} entries" in result.output


def _last_seq(db) -> int:
    return db.session.execute(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()


def _seq_of(db, action: str) -> int:
    return audit_entries(db, action)[0].seq


def _edit_details(db):
    seq = _seq_of(db, "authority.grant")
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(details='{"letter": "forged"}'))
    return seq, [f"entry {seq} (authority.grant) was edited"]


def _edit_actor(db):
    seq = _seq_of(db, "authority.withdraw")
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(actor_label="someone@else.example"))
    return seq, [f"entry {seq} (authority.withdraw) was edited"]


def _delete_last(db):
    seq = _last_seq(db)
    db.session.execute(delete(AuditEntry).where(AuditEntry.seq == seq))
    return seq, [f"entry {seq}", "deleted"]


def _delete_middle(db):
    seq = _seq_of(db, "authority.renew")
    db.session.execute(delete(AuditEntry).where(AuditEntry.seq == seq))
    return seq, [f"entry {seq} is missing", "deleted"]


def _forged_row(seq: int, prev_hash: str, actor_id=None) -> dict:
    row = dict(seq=seq, at=utcnow(), actor_id=actor_id, actor_label="credentialing@forged.example",
               action="authority.grant", target_type="officer", target_id="1",
               details=json.dumps({"forged": True}), prev_hash=prev_hash)
    row["hash"] = hashlib.sha256(canonical_content(**row)).hexdigest()
    return row


def _insert_forged_at_the_end(db):
    """A row that fits the chain (right prev_hash, right hash), written straight into the table."""
    last = db.session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
    seq = last.seq + 1
    db.session.execute(insert(AuditEntry).values(**_forged_row(seq, last.hash)))
    return seq, [f"entry {seq}"]


def _insert_forged_in_the_middle(db):
    """Make room after the grant, insert a forged entry there and relink the next one to it."""
    grant = audit_entries(db, "authority.grant")[0]
    seq, last = grant.seq + 1, _last_seq(db)
    for n in range(last, seq - 1, -1):
        db.session.execute(update(AuditEntry).where(AuditEntry.seq == n).values(seq=n + 1))
    forged = _forged_row(seq, grant.hash)
    # The next entry pointed at the grant; point it at the forgery instead (prev_hash is unique).
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == seq + 1).values(prev_hash=forged["hash"]))
    db.session.execute(insert(AuditEntry).values(**forged))
    return seq + 1, [f"entry {seq + 1}"]


TAMPERING = {
    "edited-details": _edit_details,
    "edited-actor": _edit_actor,
    "deleted-last-row": _delete_last,
    "deleted-middle-row": _delete_middle,
    "forged-row-appended": _insert_forged_at_the_end,
    "forged-row-inserted-in-the-middle": _insert_forged_in_the_middle,
}


@pytest.mark.parametrize("how", TAMPERING)
def test_audit_verify_detects_tampering_and_names_the_entry(world, db, staff, client, runner, how):
    decisions(world, client, staff)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    db.session.expire_all()
    seq, phrases = TAMPERING[how](db)
    db.session.commit()
    db.session.expire_all()

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert "audit chain broken" in result.output
    for phrase in phrases:
        assert phrase in result.output, (phrase, result.output)
    verdict = audit_verify()
    assert not verdict.ok and verdict.first_bad_seq is not None


def test_a_forged_row_appended_past_the_head_is_named_as_the_first_bad_entry(world, db, staff, client):
    """BUG: app/audit.py audit_verify, the head check at the end: when the table holds MORE entries than
    the head records (a row written straight into audit_entry), it reports first_bad_seq = checked + 1
    (an entry that does not exist) and says "entries were deleted from the end". The first bad entry is
    head.seq + 1, and nothing was deleted."""
    decisions(world, client, staff)
    seq, _ = _insert_forged_at_the_end(db)
    db.session.commit()
    db.session.expire_all()
    verdict = audit_verify()
    assert not verdict.ok
    assert verdict.first_bad_seq == seq, verdict
    assert "deleted" not in verdict.message, verdict.message


def test_the_audit_page_checks_the_chain_on_request(world, db, staff, client):
    decisions(world, client, staff)
    total = db.session.execute(select(AuditEntry)).scalars().all()
    page = client.get("/audit/?check=1")
    assert page.status_code == 200
    assert f"audit chain intact: {len(total)} entries" in visible(page.get_data(as_text=True))
    seq, _ = _edit_details(db)
    db.session.commit()
    page = client.get("/audit/?check=1")
    assert page.status_code == 200
    assert f"entry {seq} (authority.grant) was edited" in visible(page.get_data(as_text=True))


@pytest.mark.parametrize("on", ["2026-13-01", "tomorrow", "20261128"])
def test_the_officer_page_refuses_a_malformed_date(world, staff, client, on):
    t = trained_officer(world)
    assert client.get(f"/authority/officers/{t.officer.id}", query_string={"on": on}).status_code == 400
