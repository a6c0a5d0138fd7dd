"""Delegated authority rules, by table: date boundaries, precedence, the grant gate."""
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.authority.rules import (
    STATUSES, AgreementFact, CertificateFact, GrantFact, WithdrawalFact, add_years, authority_on,
    may_grant, new_grant_dates, refresher_due, training_current,
)

D = date.fromisoformat
BASIC_COURSES = {"JEM": {"iadp"}, "TFM": {"tfm", "iadp"}, "WSO": {"wso", "iadp"}}

JEM = AgreementFact(1, "JEM", D("2024-06-03"))
JEM_ENDED = AgreementFact(1, "JEM", D("2024-06-03"), terminated_on=D("2025-11-01"))
TFM = AgreementFact(2, "TFM", D("2024-06-03"))
BASIC = CertificateFact("C-1", "basic", "iadp", D("2025-01-10"), D("2027-01-10"))
BASIC_REVOKED = CertificateFact("C-1", "basic", "iadp", D("2025-01-10"), D("2027-01-10"),
                                revoked_on=D("2025-08-01"))
REFRESHER_ON_DUE_DATE = CertificateFact("C-2", "refresher", "iadrp", D("2027-01-10"), D("2029-01-10"))
G1 = GrantFact(10, 1, D("2025-02-03"), D("2026-02-03"))
G2 = GrantFact(11, 1, D("2026-02-04"), D("2027-02-04"))  # renewal, the day after G1 expires
G3 = GrantFact(12, 1, D("2025-10-01"), D("2026-10-01"))  # fresh grant after a withdrawal
WITHDRAWAL = WithdrawalFact(D("2025-09-15"), "left the program")


def facts(grants=(G1,), withdrawals=(), agreements=(JEM,), certificates=(BASIC,)):
    return {"grants": grants, "withdrawals": withdrawals, "agreements": agreements,
            "certificates": certificates}


# Several certificates: an expired basic, a superseded refresher (still counts for its dates),
# the refresher that replaced it, and a revoked one. The longest-valid counting one wins.
SEVERAL = (
    CertificateFact("S-1", "basic", "iadp", D("2023-03-01"), D("2025-03-01")),
    CertificateFact("S-2", "refresher", "iadrp", D("2025-02-20"), D("2027-02-20")),  # superseded
    CertificateFact("S-3", "refresher", "iadrp", D("2025-02-20"), D("2027-02-19")),  # the reissue
    CertificateFact("S-4", "refresher", "iadrp", D("2025-06-01"), D("2027-06-01"),
                    revoked_on=D("2025-07-01")),
)
LEAP_BASIC = CertificateFact("L-1", "basic", "iadp", D("2028-01-15"), D("2030-01-15"))
LEAP_GRANT = GrantFact(20, 1, *new_grant_dates(D("2028-02-29"), training_valid_until=D("2030-01-15")))


@pytest.mark.parametrize("given_facts, on, status, grant_id, reason", [
    pytest.param(facts(), "2025-02-02", "none", None, "takes effect on 2025-02-03",
                 id="day-before-first-grant"),
    pytest.param(facts(), "2025-02-03", "active", 10, "until 2026-02-03", id="effective-day"),
    pytest.param(facts(), "2026-02-03", "active", 10, "Authorized", id="last-day-of-authorization"),
    pytest.param(facts(), "2026-02-04", "lapsed", 10, "Authorization expired on 2026-02-03",
                 id="day-after-expiry"),
    pytest.param(facts(grants=(G1, G2)), "2026-02-03", "active", 10, "Authorized",
                 id="renewal-last-day-of-first-grant"),
    pytest.param(facts(grants=(G1, G2)), "2026-02-04", "active", 11, "until 2027-02-04",
                 id="renewal-first-day-of-second-grant"),
    pytest.param(facts(grants=(G1, G2)), "2027-01-10", "active", 11, "refresher training due by 2027-01-10",
                 id="refresher-due-date"),
    pytest.param(facts(grants=(G1, G2)), "2027-01-11", "lapsed", 11,
                 "Refresher training was due by 2027-01-10", id="the-day-after-the-refresher-falls-due"),
    pytest.param(facts(grants=(G1, G2), certificates=(BASIC, REFRESHER_ON_DUE_DATE)), "2027-01-11",
                 "active", 11, "refresher training due by 2029-01-10", id="refresher-completed-on-due-date"),
    pytest.param(facts(certificates=(BASIC_REVOKED,)), "2025-07-31", "active", 10, "Authorized",
                 id="day-before-revocation"),
    pytest.param(facts(certificates=(BASIC_REVOKED,)), "2025-08-01", "lapsed", 10,
                 "Training certificate C-1 was revoked on 2025-08-01", id="revocation-date"),
    pytest.param(facts(withdrawals=(WITHDRAWAL,)), "2025-09-14", "active", 10, "Authorized",
                 id="day-before-withdrawal"),
    pytest.param(facts(withdrawals=(WITHDRAWAL,)), "2025-09-15", "withdrawn", 10,
                 "Authority withdrawn effective 2025-09-15: left the program", id="withdrawal-effective-date"),
    pytest.param(facts(withdrawals=(WITHDRAWAL,)), "2026-06-01", "withdrawn", 10,
                 "withdrawn effective 2025-09-15", id="withdrawn-outranks-later-expiry"),
    pytest.param(facts(grants=(G1, G3), withdrawals=(WITHDRAWAL,)), "2025-09-30", "withdrawn", 10,
                 "withdrawn", id="before-new-grant-after-withdrawal"),
    pytest.param(facts(grants=(G1, G3), withdrawals=(WITHDRAWAL,)), "2025-10-01", "active", 12,
                 "Authorized", id="new-grant-after-withdrawal"),
    pytest.param(facts(grants=(G1,), withdrawals=(WithdrawalFact(D("2025-02-03"), "x"),)), "2025-02-03",
                 "withdrawn", 10, "withdrawn", id="withdrawal-on-grant-effective-day-applies"),
    pytest.param(facts(agreements=(JEM_ENDED,)), "2025-10-31", "active", 10, "Authorized",
                 id="day-before-moa-ends"),
    pytest.param(facts(agreements=(JEM_ENDED,)), "2025-11-01", "terminated", 10,
                 "The agency's Jail Enforcement Model agreement ended on 2025-11-01", id="moa-termination-date"),
    pytest.param(facts(grants=(G1, G3), agreements=(JEM_ENDED,)), "2025-11-01", "terminated", 12,
                 "ended on 2025-11-01", id="moa-termination-ends-a-later-grant-too"),
    pytest.param(facts(agreements=(JEM_ENDED,), withdrawals=(WITHDRAWAL,)), "2025-10-31", "withdrawn", 10,
                 "withdrawn", id="withdrawn-before-moa-ends"),
    pytest.param(facts(agreements=(JEM_ENDED,), withdrawals=(WITHDRAWAL,)), "2025-11-01", "terminated", 10,
                 "ended on 2025-11-01", id="termination-outranks-earlier-withdrawal"),
    pytest.param(facts(agreements=(JEM_ENDED,), certificates=()), "2026-03-01", "terminated", 10,
                 "ended", id="termination-outranks-expiry-and-training"),
    pytest.param(facts(grants=(LEAP_GRANT,), certificates=(LEAP_BASIC,)), "2029-02-28", "active", 20,
                 "until 2029-02-28", id="leap-day-grant-last-day"),
    pytest.param(facts(grants=(LEAP_GRANT,), certificates=(LEAP_BASIC,)), "2029-03-01", "lapsed", 20,
                 "expired on 2029-02-28", id="leap-day-grant-day-after"),
    pytest.param(facts(grants=(GrantFact(30, 1, D("2025-01-01"), D("2027-12-31")),), certificates=SEVERAL),
                 "2026-06-01", "active", 30, "refresher training due by 2027-02-20", id="several-certificates"),
    pytest.param(facts(grants=(GrantFact(30, 1, D("2025-01-01"), D("2027-12-31")),), certificates=SEVERAL),
                 "2027-02-21", "lapsed", 30, "Refresher training was due by 2027-02-20",
                 id="several-certificates-all-ended"),
    pytest.param(facts(certificates=()), "2025-03-01", "lapsed", 10, "No training certificate on record",
                 id="no-certificates"),
    pytest.param(facts(certificates=()), "2026-03-01", "lapsed", 10,
                 "Authorization expired on 2026-02-03; No training certificate", id="expired-and-untrained"),
    pytest.param(facts(grants=()), "2025-03-01", "none", None, "Never authorized", id="never-authorized"),
])
def test_authority_on_date_boundaries(given_facts, on, status, grant_id, reason):
    result = authority_on(D(on), **given_facts)
    assert (result.status, result.grant_id) == (status, grant_id), result.reason
    assert reason in result.reason
    assert result.active is (status == "active")
    assert result.refresher_due == refresher_due(given_facts["certificates"], D(on))


def test_authority_accepts_agreements_by_id_and_rejects_an_unknown_one():
    assert authority_on(D("2025-03-01"), grants=[G1], agreements={1: JEM}, certificates=[BASIC]).active
    with pytest.raises(ValueError, match="unknown agreement"):
        authority_on(D("2025-03-01"), grants=[G1], agreements=[TFM], certificates=[BASIC])


def test_training_current_prefers_the_longest_valid_and_counts_superseded():
    assert training_current(SEVERAL, D("2025-02-19")).serial == "S-1"  # only the basic counts
    assert training_current(SEVERAL, D("2025-03-01")).serial == "S-2"  # longer than the basic's last day
    assert training_current(SEVERAL, D("2025-03-02")).serial == "S-2"  # superseded still counts
    assert training_current(SEVERAL, D("2025-06-30")).serial == "S-4"  # longest, until...
    assert training_current(SEVERAL, D("2025-07-01")).serial == "S-2"  # ...revoked from 2025-07-01
    assert training_current(SEVERAL[3:], D("2025-07-01")) is None
    assert training_current([], D("2025-06-15")) is None
    assert training_current(SEVERAL, D("2023-02-28")) is None  # before the first one was issued


@pytest.mark.parametrize("certificates, on, expected", [
    pytest.param((BASIC,), "2025-01-10", "2027-01-10", id="issued-today"),
    pytest.param((BASIC,), "2027-01-10", "2027-01-10", id="due-today"),
    pytest.param((BASIC,), "2027-03-01", "2027-01-10", id="overdue"),
    pytest.param((BASIC, REFRESHER_ON_DUE_DATE), "2027-01-10", "2029-01-10", id="refreshed"),
    pytest.param((BASIC, REFRESHER_ON_DUE_DATE), "2027-01-09", "2027-01-10", id="refresher-not-yet-taken"),
    pytest.param(SEVERAL, "2025-06-15", "2027-06-01", id="latest-counting-valid-until"),
    pytest.param(SEVERAL, "2025-07-01", "2027-02-20", id="revoked-no-longer-counts"),
    pytest.param((BASIC_REVOKED,), "2025-09-01", "2025-07-31", id="revoked-only-last-day-it-counted"),
    pytest.param((BASIC,), "2025-01-09", None, id="before-any-certificate"),
    pytest.param((), "2025-01-09", None, id="no-certificate"),
])
def test_refresher_due(certificates, on, expected):
    assert refresher_due(certificates, D(on)) == (D(expected) if expected else None)


@pytest.mark.parametrize("on, years, training_valid_until, expected", [
    pytest.param("2026-03-02", 1, "2028-01-10", ("2026-03-02", "2027-03-02"), id="one-year"),
    pytest.param("2028-02-29", 1, "2030-01-15", ("2028-02-29", "2029-02-28"), id="leap-day"),
    pytest.param("2028-02-29", 4, "2033-01-01", ("2028-02-29", "2032-02-29"), id="leap-to-leap"),
    pytest.param("2026-03-02", 1, "2026-11-02", ("2026-03-02", "2026-11-02"), id="capped-by-training"),
    pytest.param("2026-03-02", 1, "2026-03-02", ("2026-03-02", "2026-03-02"), id="training-ends-today"),
    pytest.param("2026-03-02", 2, "2030-01-01", ("2026-03-02", "2028-03-02"), id="two-years"),
])
def test_new_grant_dates(on, years, training_valid_until, expected):
    assert new_grant_dates(D(on), years=years, training_valid_until=D(training_valid_until)) == \
        tuple(map(D, expected))


def test_new_grant_dates_refuses_expired_training_and_zero_years():
    with pytest.raises(ValueError, match="Training expired"):
        new_grant_dates(D("2026-03-02"), training_valid_until=D("2026-03-01"))
    with pytest.raises(ValueError):
        new_grant_dates(D("2026-03-02"), years=0, training_valid_until=D("2027-03-01"))


def test_facts_reject_impossible_values():
    with pytest.raises(ValueError):
        CertificateFact("X", "advanced", "iadp", D("2025-01-01"), D("2026-01-01"))
    with pytest.raises(ValueError):
        CertificateFact("X", "basic", "iadp", D("2025-01-01"), D("2024-01-01"))
    with pytest.raises(ValueError):
        AgreementFact(1, "287G", D("2025-01-01"))
    with pytest.raises(ValueError):
        GrantFact(1, 1, D("2025-01-02"), D("2025-01-01"))


# --- The gate ---------------------------------------------------------------------------------

GATE_DAY = "2026-03-02"
OLD_BASIC = CertificateFact("B-0", "basic", "iadp", D("2023-05-01"), D("2025-05-01"))
LONG_OLD_BASIC = CertificateFact("B-1", "basic", "iadp", D("2023-05-01"), D("2026-05-01"))
REFRESHER = CertificateFact("R-1", "refresher", "iadrp", D("2025-04-20"), D("2027-04-20"))
OLD_REFRESHER = CertificateFact("R-0", "refresher", "iadrp", D("2023-04-20"), D("2025-04-20"))
WSO_BASIC = CertificateFact("W-1", "basic", "wso", D("2025-06-01"), D("2027-06-01"))


@pytest.mark.parametrize("model, agreement, certificates, on, refresher_years, allowed, reasons", [
    pytest.param("JEM", JEM, (BASIC,), GATE_DAY, 2, True, [], id="allowed"),
    pytest.param("JEM", None, (BASIC,), GATE_DAY, 2, False,
                 ["The agency has no Jail Enforcement Model agreement"], id="no-agreement"),
    pytest.param("JEM", TFM, (BASIC,), GATE_DAY, 2, False,
                 ["The agency's agreement is a Task Force Model agreement, not a Jail Enforcement Model agreement"],
                 id="agreement-of-another-model"),
    pytest.param("JEM", AgreementFact(1, "JEM", D("2024-06-03"), D(GATE_DAY)), (BASIC,), GATE_DAY, 2, False,
                 ["The agency's Jail Enforcement Model agreement ended on 2026-03-02"], id="terminated-agreement"),
    pytest.param("JEM", AgreementFact(1, "JEM", D("2024-06-03"), D("2026-03-03")), (BASIC,), GATE_DAY, 2, True,
                 [], id="agreement-ending-tomorrow"),
    pytest.param("JEM", AgreementFact(1, "JEM", D("2026-03-03")), (BASIC,), GATE_DAY, 2, False,
                 ["not in force until it is signed on 2026-03-03"], id="agreement-signed-after-day"),
    pytest.param("JEM", AgreementFact(1, "JEM", D(GATE_DAY)), (BASIC,), GATE_DAY, 2, True,
                 [], id="agreement-signed-that-day"),
    pytest.param("JEM", JEM, (BASIC_REVOKED,), GATE_DAY, 2, False,
                 ["The basic course certificate C-1 was revoked on 2025-08-01",
                  "Training is not current on 2026-03-02"], id="revoked-basic"),
    pytest.param("JEM", JEM, (WSO_BASIC,), GATE_DAY, 2, False,
                 ["No basic course certificate for the Jail Enforcement Model (accepted courses: iadp)"],
                 id="no-basic-for-this-model"),
    pytest.param("JEM", JEM, (), GATE_DAY, 2, False,
                 ["No basic course certificate for the Jail Enforcement Model"], id="no-certificates"),
    pytest.param("JEM", JEM, (OLD_BASIC,), GATE_DAY, 2, False,
                 ["The basic course was completed on 2023-05-01; a refresher completed since 2024-03-02 "
                  "is required"], id="basic-older-than-two-years-without-refresher"),
    pytest.param("JEM", JEM, (LONG_OLD_BASIC,), GATE_DAY, 2, False,
                 ["a refresher completed since 2024-03-02 is required"],
                 id="old-basic-still-valid-needs-a-refresher-anyway"),
    pytest.param("JEM", JEM, (OLD_BASIC, OLD_REFRESHER), GATE_DAY, 2, False,
                 ["a refresher completed since 2024-03-02 is required"], id="expired-refresher"),
    pytest.param("JEM", JEM, (OLD_BASIC, REFRESHER), GATE_DAY, 2, True, [], id="with-refresher"),
    pytest.param("JEM", JEM, (BASIC,), GATE_DAY, 1, False,
                 ["The basic course was completed on 2025-01-10; a refresher completed since 2025-03-02 "
                  "is required"], id="annual-refresher-setting"),
    pytest.param("JEM", JEM, (OLD_BASIC,), "2025-05-01", 2, True, [], id="basic-exactly-two-years-old"),
    pytest.param("JEM", JEM, (OLD_BASIC,), "2025-05-02", 2, False, ["refresher completed since 2023-05-02"],
                 id="basic-two-years-and-a-day-old"),
    pytest.param("TFM", TFM, (BASIC,), GATE_DAY, 2, True, [], id="tfm-officer-with-iadp-certificate"),
    pytest.param("WSO", AgreementFact(3, "WSO", D("2024-01-01")), (WSO_BASIC,), GATE_DAY, 2, True, [],
                 id="wso-officer-with-wso-certificate"),
    pytest.param("JEM", None, (WSO_BASIC,), GATE_DAY, 2, False,
                 ["no Jail Enforcement Model agreement", "No basic course certificate"], id="every-reason-given"),
    pytest.param("JEM", JEM, (BASIC,), "2025-01-09", 2, False,
                 ["No basic course certificate"], id="basic-issued-after-day"),
])
def test_may_grant_gate(model, agreement, certificates, on, refresher_years, allowed, reasons):
    decision = may_grant(D(on), model=model, agreement=agreement, certificates=certificates,
                         basic_courses=BASIC_COURSES, refresher_years=refresher_years)
    assert decision.allowed is allowed, decision.reasons
    assert bool(decision.reasons) is not allowed
    assert len(decision.reasons) >= len(reasons)
    for fragment in reasons:
        assert any(fragment in r for r in decision.reasons), (fragment, decision.reasons)


def test_may_grant_gives_every_failing_reason():
    ended = AgreementFact(1, "JEM", D("2026-04-01"), D("2026-01-01"))  # inconsistent on purpose
    decision = may_grant(D(GATE_DAY), model="JEM", agreement=ended, certificates=(OLD_BASIC, BASIC_REVOKED),
                         basic_courses=BASIC_COURSES, refresher_years=2)
    assert not decision.allowed
    assert len(decision.reasons) == 3, decision.reasons  # not yet signed, ended, refresher needed


def test_a_granted_authority_is_active_until_it_expires():
    decision = may_grant(D(GATE_DAY), model="JEM", agreement=JEM, certificates=[BASIC],
                         basic_courses=BASIC_COURSES, refresher_years=2)
    assert decision.allowed
    effective_on, expires_on = new_grant_dates(D(GATE_DAY), training_valid_until=BASIC.valid_until)
    grant = GrantFact(99, JEM.id, effective_on, expires_on)
    kwargs = {"grants": [grant], "agreements": [JEM], "certificates": [BASIC]}
    assert authority_on(expires_on, **kwargs).active
    assert authority_on(expires_on + timedelta(days=1), **kwargs).status == "lapsed"


def test_add_years():
    assert add_years(D("2024-02-29"), 1) == D("2025-02-28")
    assert add_years(D("2024-02-29"), -2) == D("2022-02-28")
    assert add_years(D("2025-03-01"), 2) == D("2027-03-01")


# --- Property: one answer for every day ---------------------------------------------------------

START = date(2025, 1, 1)
SPAN = (date(2030, 1, 1) - START).days  # five years
day_in_span = st.integers(-90, SPAN + 90).map(lambda n: START + timedelta(days=n))
maybe_day = st.none() | day_in_span


@st.composite
def officer_facts(draw):
    agreements = []
    for agreement_id in range(1, draw(st.integers(1, 2)) + 1):
        signed = draw(day_in_span)
        ends = draw(st.none() | st.integers(0, 1500).map(lambda n: signed + timedelta(days=n)))
        agreements.append(AgreementFact(agreement_id, draw(st.sampled_from(["JEM", "TFM", "WSO"])), signed, ends))
    grants = []
    for grant_id in range(draw(st.integers(0, 4))):
        effective = draw(day_in_span)
        grants.append(GrantFact(grant_id, draw(st.integers(1, len(agreements))), effective,
                                effective + timedelta(days=draw(st.integers(0, 800)))))
    withdrawals = [WithdrawalFact(draw(day_in_span), draw(st.sampled_from(["", "misconduct", "left"])))
                   for _ in range(draw(st.integers(0, 3)))]
    certificates = []
    for n in range(draw(st.integers(0, 4))):
        issued = draw(day_in_span)
        certificates.append(CertificateFact(
            f"C-{n}", draw(st.sampled_from(["basic", "refresher"])), draw(st.sampled_from(["iadp", "iadrp"])),
            issued, issued + timedelta(days=draw(st.integers(0, 900))), draw(maybe_day)))
    return {"grants": grants, "withdrawals": withdrawals, "agreements": agreements,
            "certificates": certificates}


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(officer_facts())
def test_exactly_one_status_every_day_over_five_years(facts_):
    grants = {g.id: g for g in facts_["grants"]}
    agreements = {a.id: a for a in facts_["agreements"]}
    certificates = facts_["certificates"]
    for offset in range(SPAN + 1):
        on = START + timedelta(days=offset)
        result = authority_on(on, **facts_)
        assert result.status in STATUSES
        assert isinstance(result.reason, str) and result.reason
        assert result.refresher_due == refresher_due(certificates, on)
        started = [g for g in grants.values() if g.effective_on <= on]
        if not started:
            assert (result.status, result.grant_id) == ("none", None)
            continue
        grant = grants[result.grant_id]
        assert grant.effective_on == max(g.effective_on for g in started)
        agreement = agreements[grant.agreement_id]
        withdrawn = any(grant.effective_on <= w.effective_on <= on for w in facts_["withdrawals"])
        lapsed = (on > grant.expires_on or on < agreement.signed_on
                  or training_current(certificates, on) is None)
        if agreement.terminated_by(on):
            expected = "terminated"
        elif withdrawn:
            expected = "withdrawn"
        elif lapsed:
            expected = "lapsed"
        else:
            expected = "active"
        assert result.status == expected, (on, result)
