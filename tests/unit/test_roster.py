"""Roster CSV reading and checking (`app/agencies/roster.py`), by tables.

Each error case is a small file whose bad row sits on a known physical line,
checked against a fixed snapshot of the database, and must produce exactly
the expected `line N: message` problems.
"""
from __future__ import annotations

import pytest

from app.agencies.roster import (
    STATES, ExistingAgency, ExistingUser, Problem, decode_roster, is_email, roster_check, snapshot_of,
)

HEADER = "agency_ori,agency_name,state,officer_email,officer_name"
FULL_HEADER = HEADER + ",badge_number,supervisor_email"
GOOD_ROW = "SC0990100,Palmetto County Sheriff's Office,SC,dana@palmetto.example,Dana Whitfield"

SNAPSHOT = snapshot_of(
    agencies=[
        ExistingAgency("SC0990100", "Palmetto County Sheriff's Office", "SC", id=1),
        ExistingAgency("FL0990200", "Cypress County Sheriff's Office", "FL", id=2),
    ],
    users=[
        ExistingUser("casey@cypress.example", "officer", "FL0990200", "Casey Nguyen", "B-17",
                     "sgt@cypress.example", id=10),
        ExistingUser("manager@program.example", "manager", None, "Teresa Okafor", id=11),
        ExistingUser("dana@palmetto.example", "officer", "SC0990100", "Dana Whitfield", "P-1",
                     "lt@palmetto.example", id=12),
    ],
)


def csv_text(*rows: str, header: str = HEADER, newline: str = "\n") -> str:
    """Join a header and rows into file text."""
    return newline.join((header, *rows)) + newline


def problems(text: str, snapshot=SNAPSHOT) -> list[str]:
    """Return the printed problems of a file."""
    return [str(p) for p in roster_check(text, snapshot).problems]


# (case, file text, expected problems)
ERROR_CASES = [
    ("missing officer_name",
     csv_text(GOOD_ROW, "TX0990300,Pecos Valley PD,TX,avery@pecos.example,"),
     ["line 3: officer_name is required"]),
    ("missing several values",
     csv_text(",Pecos Valley PD,,avery@pecos.example,Avery Castillo"),
     ["line 2: agency_ori is required; state is required"]),
    ("unknown state",
     csv_text(GOOD_ROW, "TX0990300,Pecos Valley PD,XX,avery@pecos.example,Avery Castillo"),
     ["line 3: unknown state 'XX': expected a two-letter state, DC or territory code"]),
    ("malformed ORI: too short",
     csv_text("TX09903,Pecos Valley PD,TX,avery@pecos.example,Avery Castillo"),
     ["line 2: malformed agency_ori 'TX09903': expected 2 letters and 7 letters or digits"]),
    ("malformed ORI: digits first",
     csv_text(GOOD_ROW, GOOD_ROW.replace("dana@", "lee@"),
              "120990300,Pecos Valley PD,TX,avery@pecos.example,Avery Castillo"),
     ["line 4: malformed agency_ori '120990300': expected 2 letters and 7 letters or digits"]),
    ("malformed ORI: punctuation",
     csv_text("TX-099030,Pecos Valley PD,TX,avery@pecos.example,Avery Castillo"),
     ["line 2: malformed agency_ori 'TX-099030': expected 2 letters and 7 letters or digits"]),
    ("malformed officer email",
     csv_text("TX0990300,Pecos Valley PD,TX,avery at pecos.example,Avery Castillo"),
     ["line 2: malformed officer_email 'avery at pecos.example'"]),
    ("duplicate officer email names the first line",
     csv_text(GOOD_ROW, "TX0990300,Pecos Valley PD,TX,avery@pecos.example,Avery Castillo",
              "TX0990300,Pecos Valley PD,TX,Avery@Pecos.example,Avery C."),
     ["line 4: officer_email avery@pecos.example is already on line 3"]),
    ("officer already in another agency",
     csv_text(GOOD_ROW, "SC0990100,Palmetto County Sheriff's Office,SC,casey@cypress.example,Casey Nguyen"),
     ["line 3: casey@cypress.example is already an officer of agency FL0990200; "
      "move them in user administration"]),
    ("email of a non-officer account",
     csv_text("SC0990100,Palmetto County Sheriff's Office,SC,manager@program.example,Teresa Okafor"),
     ["line 2: manager@program.example belongs to an existing manager account, not an officer"]),
    ("same new ORI with two names",
     csv_text("TX0990300,Pecos Valley PD,TX,avery@pecos.example,Avery Castillo",
              "TX0990300,Pecos Valley Police,TX,riley@pecos.example,Riley Thompson"),
     ["line 3: agency TX0990300 is named 'Pecos Valley PD' on line 2"]),
    ("same new ORI with two states",
     csv_text("TX0990300,Pecos Valley PD,TX,avery@pecos.example,Avery Castillo",
              "TX0990300,Pecos Valley PD,NM,riley@pecos.example,Riley Thompson"),
     ["line 3: agency TX0990300 is in state TX on line 2"]),
    ("name conflicts with the stored name",
     csv_text("SC0990100,Palmetto County Police,SC,lee@palmetto.example,Lee Park"),
     ["line 2: agency_name 'Palmetto County Police' does not match "
      "\"Palmetto County Sheriff's Office\", the name on record for SC0990100"]),
    ("state conflicts with the stored state",
     csv_text("SC0990100,Palmetto County Sheriff's Office,GA,lee@palmetto.example,Lee Park"),
     ["line 2: state GA does not match SC, the state on record for SC0990100"]),
    ("malformed supervisor email",
     csv_text("TX0990300,Pecos Valley PD,TX,avery@pecos.example,Avery Castillo,T-9,sergeant@",
              header=FULL_HEADER),
     ["line 2: malformed supervisor_email 'sergeant@'"]),
    ("too many values",
     csv_text("TX0990300,Pecos Valley PD,TX,avery@pecos.example,Avery Castillo,surplus"),
     ["line 2: 6 values but the header has 5 columns"]),
    ("value longer than its column",
     csv_text("TX0990300,Pecos Valley PD,TX,avery@pecos.example," + "A" * 201),
     ["line 2: officer_name is longer than 200 characters"]),
    ("a quoted line break shifts the lines after it",
     csv_text('TX0990300,"Pecos Valley\nPolice Department",TX,avery@pecos.example,Avery Castillo',
              "TX0990300,Pecos Valley PD,TX,riley@pecos.example,Riley Thompson"),
     ["line 4: agency TX0990300 is named 'Pecos Valley Police Department' on line 2"]),
    ("blank lines are skipped but counted",
     csv_text("", GOOD_ROW, "", "TX0990300,Pecos Valley PD,ZZ,avery@pecos.example,Avery Castillo"),
     ["line 5: unknown state 'ZZ': expected a two-letter state, DC or territory code"]),
    ("every bad row is reported, in order",
     csv_text("TX0990300,Pecos Valley PD,TX,avery@pecos.example,",
              GOOD_ROW,
              "NC0990400,Blue Ridge SO,NC,riley@blue-ridge.example,Riley Thompson,",
              "NC0990400,Blue Ridge SO,NC,riley@blue-ridge.example,Riley Thompson"),
     ["line 2: officer_name is required",
      "line 4: 6 values but the header has 5 columns",
      "line 5: officer_email riley@blue-ridge.example is already on line 4"]),
]

FILE_CASES = [
    ("empty file", "", ["line 1: the file is empty: expected a header row with "
                        "agency_ori, agency_name, state, officer_email, officer_name"]),
    ("only blank lines", "\r\n\r\n", ["line 1: the file is empty: expected a header row with "
                                      "agency_ori, agency_name, state, officer_email, officer_name"]),
    ("header but no rows", csv_text(), ["line 1: the file has a header row but no officer rows"]),
    ("missing header columns",
     "agency_ori,agency_name,officer_email\nSC0990100,Palmetto,dana@palmetto.example\n",
     ["line 1: missing columns state, officer_name"]),
    ("extra columns are named",
     csv_text(GOOD_ROW + ",x,y", header=HEADER + ",rank,Notes"),
     ["line 1: unknown columns rank, Notes (allowed: agency_ori, agency_name, state, "
      "officer_email, officer_name, badge_number, supervisor_email)"]),
    ("repeated column", csv_text(GOOD_ROW + ",x", header=HEADER + ",state"),
     ["line 1: repeated column state"]),
    ("no header row", GOOD_ROW + "\n",
     ["line 1: no header row: the first line must name the columns agency_ori, agency_name, "
      "state, officer_email, officer_name (and optionally badge_number, supervisor_email)"]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in ERROR_CASES + FILE_CASES],
                         ids=[c[0] for c in ERROR_CASES + FILE_CASES])
def test_problems_name_their_physical_line(text, expected):
    assert problems(text) == expected


def test_a_bad_row_is_an_error_outcome_and_the_good_rows_keep_theirs():
    check = roster_check(csv_text(GOOD_ROW, "TX0990300,Pecos Valley PD,XX,avery@pecos.example,Avery"),
                         SNAPSHOT)
    assert not check.ok
    assert [(o.line, o.outcome) for o in check.rows] == [(2, "unchanged"), (3, "error")]
    assert check.counts == {"created": 0, "updated": 0, "unchanged": 1, "error": 1, "agencies_created": 0}


@pytest.mark.parametrize(("data", "line"), [
    (b"agency_ori,agency_name\r\nSC0990100,Caf\xe9\r\n", 2),         # Latin-1, as Excel saves by default
    (("\n" * 4).encode() + b"\xff\xfe", 5),
    (b"\xff\xfea\x00g\x00", 1),                                      # UTF-16
])
def test_not_utf8_names_the_line(data, line):
    text, problem = decode_roster(data)
    assert text == "" and problem.line == line
    assert str(problem).startswith(f"line {line}: not UTF-8 text")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_bom_and_line_endings_are_accepted(bom, newline):
    body = csv_text(GOOD_ROW, "TX0990300,Pecos Valley PD,TX,avery@pecos.example,Avery Castillo",
                    "TX0990300,Pecos Valley PD,XX,riley@pecos.example,Riley", newline=newline)
    text, problem = decode_roster(bom + body.encode())
    assert problem is None
    check = roster_check(text, SNAPSHOT)
    assert [str(p) for p in check.problems] == [
        "line 4: unknown state 'XX': expected a two-letter state, DC or territory code"]
    assert [o.row.agency_ori for o in check.rows] == ["SC0990100", "TX0990300", "TX0990300"]


def test_a_bom_left_in_the_text_is_ignored():
    check = roster_check("\ufeff" + csv_text(GOOD_ROW), SNAPSHOT)
    assert check.ok and check.counts["unchanged"] == 1


def test_column_order_is_free_and_values_are_normalized():
    header = "officer_name,Officer_Email, STATE ,agency_name,agency_ori"
    text = csv_text(" Avery  Castillo ,Avery@Pecos.EXAMPLE,tx,Pecos   Valley PD,tx0990300", header=header)
    check = roster_check(text, SNAPSHOT)
    assert check.ok
    row = check.rows[0].row
    assert (row.agency_ori, row.agency_name, row.state, row.officer_email, row.officer_name) == (
        "TX0990300", "Pecos Valley PD", "TX", "avery@pecos.example", "Avery Castillo")
    assert check.rows[0].outcome == "created" and check.rows[0].new_agency


def test_new_agency_is_created_once_per_ori():
    check = roster_check(csv_text(
        "TX0990300,Pecos Valley PD,TX,avery@pecos.example,Avery Castillo",
        "TX0990300,pecos valley  pd,TX,riley@pecos.example,Riley Thompson",   # same name, other case
        "NC0990400,Blue Ridge SO,NC,sam@blue-ridge.example,Sam Delgado"), SNAPSHOT)
    assert check.ok
    assert [o.new_agency for o in check.rows] == [True, False, True]
    assert [r.agency_ori for r in check.new_agencies] == ["TX0990300", "NC0990400"]
    assert check.counts == {"created": 3, "updated": 0, "unchanged": 0, "error": 0, "agencies_created": 2}


def test_reimport_of_the_same_data_is_all_unchanged():
    text = csv_text(
        "SC0990100,Palmetto County Sheriff's Office,SC,dana@palmetto.example,Dana Whitfield,P-1,lt@palmetto.example",
        "FL0990200,CYPRESS COUNTY SHERIFF'S OFFICE,FL,Casey@Cypress.example,Casey Nguyen,B-17,SGT@cypress.example",
        header=FULL_HEADER)
    check = roster_check(text, SNAPSHOT)
    assert check.ok
    assert check.counts == {"created": 0, "updated": 0, "unchanged": 2, "error": 0, "agencies_created": 0}


@pytest.mark.parametrize(("header", "row", "changed"), [
    (HEADER, "SC0990100,Palmetto County Sheriff's Office,SC,dana@palmetto.example,Dana W. Whitfield",
     ("officer_name",)),
    (FULL_HEADER, "SC0990100,Palmetto County Sheriff's Office,SC,dana@palmetto.example,Dana Whitfield,P-2,"
     "lt@palmetto.example", ("badge_number",)),
    (FULL_HEADER, "SC0990100,Palmetto County Sheriff's Office,SC,dana@palmetto.example,Dana Whitfield,P-1,"
     "captain@palmetto.example", ("supervisor_email",)),
    # A blank optional cell clears the value; an absent optional column leaves it alone.
    (FULL_HEADER, "SC0990100,Palmetto County Sheriff's Office,SC,dana@palmetto.example,Dana Whitfield,,",
     ("badge_number", "supervisor_email")),
    (HEADER + ",badge_number", "SC0990100,Palmetto County Sheriff's Office,SC,dana@palmetto.example,Dana Whitfield,P-1",
     ()),
])
def test_updates_name_the_changed_fields(header, row, changed):
    check = roster_check(csv_text(row, header=header), SNAPSHOT)
    assert check.ok
    outcome = check.rows[0]
    assert outcome.outcome == ("updated" if changed else "unchanged")
    assert outcome.reasons == changed and outcome.user_id == 12
    if changed:
        assert outcome.detail == "changes " + ", ".join(changed)


def test_problems_print_as_line_n_message():
    assert str(Problem(7, "officer_name is required")) == "line 7: officer_name is required"


def test_states_are_the_fifty_dc_and_the_territories():
    assert len(STATES) == 56 and {"DC", "PR", "GU", "VI", "AS", "MP"} <= STATES and "ZZ" not in STATES


@pytest.mark.parametrize(("value", "ok"), [
    ("dana@palmetto.example", True), ("d.whitfield+287g@sub.palmetto-county.example", True),
    ("o'brien@agency.gov", True), ("a@b.co", True),
    ("dana", False), ("dana@", False), ("@palmetto.example", False), ("dana@palmetto", False),
    ("dana@@palmetto.example", False), ("da na@palmetto.example", False), (".dana@palmetto.example", False),
    ("dana..w@palmetto.example", False), ("dana@-palmetto.example", False), ("dana@palmetto..example", False),
    ("a" * 65 + "@palmetto.example", False), ("a@" + "b" * 250 + ".example", False),
])
def test_email_check_is_pragmatic(value, ok):
    assert is_email(value) is ok
