"""Read and check agency roster CSV files. Pure: no Flask, no database.

A roster names the officers of partner agencies, one per row, under a
required header row whose columns may come in any order:

    agency_ori, agency_name, state, officer_email, officer_name
    [, badge_number] [, supervisor_email]

`decode_roster` turns the file's bytes into text (UTF-8, with or without a
byte order mark). `read_roster` splits the text into `RosterRow`s, trimmed
and normalized (ORI and state upper case, addresses lower case), and
reports file-level problems (empty file, missing, unknown or repeated
columns). `check_roster` then decides each row's outcome against a
`Snapshot` of what the database already holds, which the caller loads:

- `created`: a new officer (and, on the first row naming a new ORI, a new
  agency, whose field office and point of contact stay empty);
- `updated`: an officer of the same agency whose name, badge number or
  supervisor differs (a blank optional cell clears the value; an absent
  optional column leaves it alone);
- `unchanged`: an officer of the same agency already as in the file;
- `error`: with every reason the row cannot be imported.

Every problem is a `Problem` that prints as `line N: message`, N being the
physical line of the file (the header is line 1), so a quoted value that
spans lines does not shift the numbers after it. One bad row makes the
whole file unimportable: callers write all rows or none.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from app.auth.emails import is_email

REQUIRED_COLUMNS = ("agency_ori", "agency_name", "state", "officer_email", "officer_name")
OPTIONAL_COLUMNS = ("badge_number", "supervisor_email")
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# The 50 states, the District of Columbia and the inhabited territories.
STATES = frozenset("""
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO
    MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY
    DC PR GU VI AS MP
""".split())

# Column widths of the tables the rows are written to (addresses: see `is_email`).
MAX_LENGTHS = {"agency_name": 200, "officer_name": 200, "badge_number": 40}

ORI_RE = re.compile(r"[A-Z]{2}[A-Z0-9]{7}")

OUTCOMES = ("created", "updated", "unchanged", "error")


@dataclass(frozen=True, order=True)
class Problem:
    """One reason a roster cannot be imported, at a physical line of the file."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class ExistingAgency:
    """An agency already in the database, as the checker needs it."""

    ori: str
    name: str
    state: str
    id: int | None = None


@dataclass(frozen=True)
class ExistingUser:
    """An account already in the database, as the checker needs it."""

    email: str
    role: str
    agency_ori: str | None
    name: str = ""
    badge_number: str | None = None
    supervisor_email: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Snapshot:
    """What the database holds for the file's ORIs and addresses."""

    agencies: Mapping[str, ExistingAgency] = field(default_factory=dict)
    users: Mapping[str, ExistingUser] = field(default_factory=dict)


@dataclass(frozen=True)
class RosterRow:
    """One data row as read: trimmed and normalized, blank optional cells as None."""

    line: int
    agency_ori: str
    agency_name: str
    state: str
    officer_email: str
    officer_name: str
    badge_number: str | None = None
    supervisor_email: str | None = None
    problems: tuple[str, ...] = ()  # found while reading (wrong number of values)


@dataclass(frozen=True)
class ReadRoster:
    """A file split into rows, with the problems of the file as a whole."""

    columns: tuple[str, ...]
    rows: tuple[RosterRow, ...]
    problems: tuple[Problem, ...]

    @property
    def emails(self) -> set[str]:
        """Return the officer addresses the file names."""
        return {r.officer_email for r in self.rows if r.officer_email}

    @property
    def oris(self) -> set[str]:
        """Return the agency ORIs the file names."""
        return {r.agency_ori for r in self.rows if r.agency_ori}


@dataclass(frozen=True)
class RowOutcome:
    """What importing one row does: created, updated, unchanged or error, and why."""

    row: RosterRow
    outcome: str
    reasons: tuple[str, ...] = ()  # the errors, or the fields an update changes
    new_agency: bool = False       # this row creates its agency
    user_id: int | None = None     # the existing account an update changes

    @property
    def line(self) -> int:
        """Return the row's physical line."""
        return self.row.line

    @property
    def detail(self) -> str:
        """Return the reasons as one sentence for people."""
        if self.outcome == "updated":
            return "changes " + ", ".join(self.reasons)
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class RosterCheck:
    """Every row's outcome, the agencies to create and every problem, by line."""

    columns: tuple[str, ...]
    rows: tuple[RowOutcome, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """Return True when the file can be imported as a whole."""
        return not self.problems

    @property
    def counts(self) -> dict[str, int]:
        """Return how many rows have each outcome, and how many agencies are new."""
        counts = dict.fromkeys(OUTCOMES, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        counts["agencies_created"] = sum(1 for r in self.rows if r.new_agency and r.outcome != "error")
        return counts

    @property
    def new_agencies(self) -> tuple[RosterRow, ...]:
        """Return the first row of each agency that importing creates."""
        return tuple(r.row for r in self.rows if r.new_agency)


def decode_roster(data: bytes) -> tuple[str, Problem | None]:
    """Return the file's text without a byte order mark, or a problem naming the first bad line."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return "", Problem(line, f"not UTF-8 text (byte 0x{data[error.start]:02x}): "
                                 "save the file as CSV UTF-8 and upload it again")


def _header(raw: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """Return the normalized column names of the header row and its problems."""
    columns = tuple(c.strip().lower() for c in raw)
    if not set(columns) & set(ALL_COLUMNS):
        return columns, ["no header row: the first line must name the columns "
                         + ", ".join(REQUIRED_COLUMNS) + " (and optionally "
                         + ", ".join(OPTIONAL_COLUMNS) + ")"]
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        problems.append("missing column" + ("s " if len(missing) > 1 else " ") + ", ".join(missing))
    unknown = [raw[i].strip() or f"(blank, column {i + 1})"
               for i, c in enumerate(columns) if c not in ALL_COLUMNS]
    if unknown:
        problems.append("unknown column" + ("s " if len(unknown) > 1 else " ") + ", ".join(unknown)
                        + " (allowed: " + ", ".join(ALL_COLUMNS) + ")")
    repeated = sorted({c for c in columns if c in ALL_COLUMNS and columns.count(c) > 1})
    if repeated:
        problems.append("repeated column" + ("s " if len(repeated) > 1 else " ") + ", ".join(repeated))
    return columns, problems


def _row(line: int, columns: tuple[str, ...], values: list[str]) -> RosterRow:
    """Build one row from its cells, normalizing case and blanks."""
    problems = ()
    if len(values) != len(columns):
        problems = (f"{len(values)} values but the header has {len(columns)} columns",)
    cells = {c: (values[i].strip() if i < len(values) else "") for i, c in enumerate(columns)}
    optional = {c: (cells[c] or None) for c in OPTIONAL_COLUMNS if c in cells}
    if optional.get("supervisor_email"):
        optional["supervisor_email"] = optional["supervisor_email"].lower()
    return RosterRow(
        line=line,
        agency_ori=cells["agency_ori"].upper(),
        agency_name=" ".join(cells["agency_name"].split()),
        state=cells["state"].upper(),
        officer_email=cells["officer_email"].lower(),
        officer_name=" ".join(cells["officer_name"].split()),
        problems=problems,
        **optional,
    )


def read_roster(text: str) -> ReadRoster:
    """Split roster text into rows with physical line numbers; report file-level problems."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return ReadRoster((), (), (Problem(1, "the file is empty: expected a header row with "
                                             + ", ".join(REQUIRED_COLUMNS)),))
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: tuple[str, ...] = ()
    rows: list[RosterRow] = []
    next_line = 1
    try:
        for values in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue  # blank lines are skipped, and still counted
            if not columns:
                columns, problems = _header(values)
                if problems:
                    return ReadRoster(columns, (), tuple(Problem(line, p) for p in problems))
                continue
            rows.append(_row(line, columns, values))
    except csv.Error as error:
        return ReadRoster(columns, tuple(rows), (Problem(next_line, f"malformed CSV: {error}"),))
    if not rows:
        return ReadRoster(columns, (), (Problem(1, "the file has a header row but no officer rows"),))
    return ReadRoster(columns, tuple(rows), ())


def _same(a: str, b: str) -> bool:
    """Return True when two names differ at most in case and spacing."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _format_errors(row: RosterRow) -> list[str]:
    """Return the problems of a row on its own, without looking at other rows."""
    errors = list(row.problems)
    for column in REQUIRED_COLUMNS:
        if not getattr(row, column):
            errors.append(f"{column} is required")
    if row.agency_ori and not ORI_RE.fullmatch(row.agency_ori):
        errors.append(f"malformed agency_ori {row.agency_ori!r}: expected 2 letters and 7 letters or digits")
    if row.state and row.state not in STATES:
        errors.append(f"unknown state {row.state!r}: expected a two-letter state, DC or territory code")
    if row.officer_email and not is_email(row.officer_email):
        errors.append(f"malformed officer_email {row.officer_email!r}")
    if row.supervisor_email and not is_email(row.supervisor_email):
        errors.append(f"malformed supervisor_email {row.supervisor_email!r}")
    for column, limit in MAX_LENGTHS.items():
        value = getattr(row, column)
        if value and len(value) > limit:
            errors.append(f"{column} is longer than {limit} characters")
    return errors


def check_roster(
    read: ReadRoster, snapshot: Snapshot, *, progress: Callable[[int], None] | None = None,
) -> RosterCheck:
    """Decide every row's outcome against the database snapshot and the file's other rows."""
    if read.problems:
        return RosterCheck(read.columns, (), read.problems)
    has_badge = "badge_number" in read.columns
    has_supervisor = "supervisor_email" in read.columns
    first_email: dict[str, int] = {}
    first_agency: dict[str, RosterRow] = {}
    outcomes: list[RowOutcome] = []
    for done, row in enumerate(read.rows, start=1):
        errors = _format_errors(row)
        new_agency = False
        email, ori = row.officer_email, row.agency_ori
        if email:
            if email in first_email:
                errors.append(f"officer_email {email} is already on line {first_email[email]}")
            else:
                first_email[email] = row.line
        stored = snapshot.agencies.get(ori) if ori else None
        if ori and stored is not None:
            if row.agency_name and not _same(row.agency_name, stored.name):
                errors.append(f"agency_name {row.agency_name!r} does not match {stored.name!r}, "
                              f"the name on record for {ori}")
            if row.state in STATES and row.state != stored.state:
                errors.append(f"state {row.state} does not match {stored.state}, the state on record for {ori}")
        elif ori:
            first = first_agency.get(ori)
            if first is None:
                first_agency[ori] = row
                new_agency = True
            else:
                if row.agency_name and first.agency_name and not _same(row.agency_name, first.agency_name):
                    errors.append(f"agency {ori} is named {first.agency_name!r} on line {first.line}")
                if row.state in STATES and first.state in STATES and row.state != first.state:
                    errors.append(f"agency {ori} is in state {first.state} on line {first.line}")
        user = snapshot.users.get(email) if email else None
        if user is not None and user.role != "officer":
            errors.append(f"{email} belongs to an existing {user.role} account, not an officer")
        elif user is not None and user.agency_ori != ori and ori:
            where = f"agency {user.agency_ori}" if user.agency_ori else "no agency"
            errors.append(f"{email} is already an officer of {where}; move them in user administration")
        if errors:
            outcomes.append(RowOutcome(row, "error", tuple(errors), new_agency))
        elif user is None:
            outcomes.append(RowOutcome(row, "created", (), new_agency))
        else:
            changed = []
            if row.officer_name != user.name:
                changed.append("officer_name")
            if has_badge and row.badge_number != user.badge_number:
                changed.append("badge_number")
            if has_supervisor and row.supervisor_email != user.supervisor_email:
                changed.append("supervisor_email")
            outcomes.append(RowOutcome(row, "updated" if changed else "unchanged", tuple(changed),
                                       False, user.id))
        if progress is not None and done % 500 == 0:
            progress(500)
    if progress is not None and len(read.rows) % 500:
        progress(len(read.rows) % 500)
    # A new agency whose first row is bad is not created; the file will not import anyway.
    problems = tuple(Problem(o.line, "; ".join(o.reasons)) for o in outcomes if o.outcome == "error")
    return RosterCheck(read.columns, tuple(outcomes), problems)


def roster_check(text: str, snapshot: Snapshot | None = None) -> RosterCheck:
    """Read and check roster text in one step (for tests and callers without a database)."""
    return check_roster(read_roster(text), snapshot or Snapshot())


def snapshot_of(agencies: Iterable[ExistingAgency], users: Iterable[ExistingUser]) -> Snapshot:
    """Return a snapshot keyed by ORI and by address."""
    return Snapshot({a.ori: a for a in agencies}, {u.email: u for u in users})
