"""Pure planning of the national-scale demo data: agencies, officers, their training histories.

No Flask and no database: every function takes a `random.Random` and plain
data and returns plain data, so one seed always gives one plan and the plan
can be tested on its own. `app.main.national.rows` turns the plan into rows.

The story, at full scale (`TARGETS`, issue 7): 2,000 agencies in 40 states,
half of them in the program before the window (JEM and WSO), a fifth joining
in 2023-2024 and the rest in 2025-2026 (mostly the Task Force Model, revived
in 2025); 5% of agreements end during the window. 25,000 officers train over
the four years from December 2022 to November 2026: most take IADP (TFM and
WSO officers may take IADP or their model's shorter course), some fail one
examination and pass the remediation, a few are disqualified or withdraw and
enrol again later, and the refresher (IADRP) follows every two years, or
every year where the agency's policy is annual in-service training; a few
officers let it lapse (overdue). Officers of some multi-model agencies also
take the other model's course. Classes still running at the end of the
window are in progress. `app.main.national.history` plans each officer's
enrollments and adds what the targets need beyond a natural history.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.main.national.data import (
    AGENCY_KINDS, FIRST_NAMES, LAST_NAMES, PLACES, STATE_AGENCIES, STATE_NAMES, STATES,
    TERMINATION_REASONS,
)

WINDOW_START = date(2022, 12, 1)
WINDOW_END = date(2026, 11, 27)
TARGETS = {"agencies": 2000, "officers": 25_000, "enrollments": 80_000,
           "attempts": 600_000, "certificates": 50_000}
ORI_MARK = "N"  # third character of every generated ORI: how a second run knows they exist
REMEDIATION_GAP = 3  # days from a failed examination to the remediation
BASIC_COURSE_CHOICE = {"JEM": (("iadp", 1.0),), "TFM": (("iadp", 0.6), ("tfm", 0.4)),
                       "WSO": (("iadp", 0.5), ("wso", 0.5))}
# Which model's authority each course's certificate supports (as app.authority.services.BASIC_COURSES).
COVERS = {"iadp": {"JEM", "TFM", "WSO"}, "tfm": {"TFM"}, "wso": {"WSO"}}
OWN_COURSE = {"JEM": "iadp", "TFM": "tfm", "WSO": "wso"}
# Shares of enrollments by outcome; the rest pass every examination at the first attempt.
OUTCOMES = {
    "basic": (("no_show", 0.03), ("withdrawn", 0.045), ("disqualified", 0.025), ("remediated", 0.10)),
    "refresher": (("no_show", 0.03), ("withdrawn", 0.02), ("disqualified", 0.008), ("remediated", 0.05)),
}
RETRY = {"no_show": 0.75, "withdrawn": 0.6, "disqualified": 0.5}
P_CROSS_TRAINING = 0.55
P_SKIP_REFRESHER = 0.07   # lets the refresher lapse; half of them come back late
P_ANNUAL_POLICY = 0.6    # agencies that send officers to the refresher every year
P_LEAVES = 0.06


def scaled(fraction: float) -> dict[str, int]:
    """Return the target counts scaled by `fraction` (at least one agency and one officer)."""
    return {k: max(1, round(v * fraction)) for k, v in TARGETS.items()}


def monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def calendar_offset(training_day: int) -> int:
    """Calendar days from the first training day (a Monday) to the nth, five a week."""
    return (training_day - 1) // 5 * 7 + (training_day - 1) % 5


@dataclass(frozen=True)
class CourseSpec:
    """What the plan needs of a course version: exam days, lesson days, class size."""

    key: str
    kind: str
    graded: tuple[tuple[str, int], ...]     # (exam key, calendar day offset from the class start)
    practice: tuple[tuple[str, int], ...]
    lesson_days: tuple[int, ...]            # day offset of lesson position n at index n - 1
    class_size: int


def course_spec(*, key: str, kind: str, outline: list, exams: list, class_size: int) -> CourseSpec:
    """Derive exam and lesson days from a course version's outline and exam definitions."""
    through, position_day, n = {0: 1}, {}, 0
    for week in sorted(outline, key=lambda w: w["number"]):
        for day in week["days"]:
            n += 1
            for position in day["positions"]:
                position_day[position] = calendar_offset(n)
        through[week["number"]] = n

    def day_of(exam):
        return calendar_offset(max(1, through.get(exam.get("after_week", 0), n)))

    return CourseSpec(
        key=key, kind=kind,
        graded=tuple((e["id"], day_of(e)) for e in exams if e["kind"] == "graded"),
        practice=tuple((e["id"], day_of(e)) for e in exams if e["kind"] == "practice"),
        lesson_days=tuple(position_day[p] for p in sorted(position_day)), class_size=class_size)


def _weighted(rng: random.Random, pairs):
    roll, total = rng.random() * sum(w for _, w in pairs), 0.0
    for value, weight in pairs:
        total += weight
        if roll < total:
            return value
    return pairs[-1][0]


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


@dataclass
class AgreementPlan:
    model: str
    signed_on: date
    terminated_on: date | None = None
    reason: str | None = None

    def in_force(self, day: date) -> bool:
        return self.signed_on <= day and (self.terminated_on is None or day < self.terminated_on)


@dataclass
class AgencyPlan:
    ori: str
    name: str
    state: str
    field_office: str
    poc_email: str
    agreements: list[AgreementPlan]
    annual_refresher: bool
    officers: int = 0

    def models_on(self, day: date) -> list[str]:
        return [a.model for a in self.agreements if a.in_force(day)]


def _agreements(rng: random.Random) -> list[AgreementPlan]:
    era = rng.random()
    if era < 0.5:     # in the program before the window
        signed = _day_between(rng, date(2012, 1, 1), date(2022, 11, 1))
        models = ["JEM" if rng.random() < 0.62 else "WSO"]
    elif era < 0.7:
        signed = _day_between(rng, date(2022, 12, 1), date(2024, 12, 20))
        models = ["JEM" if rng.random() < 0.5 else "WSO"]
    else:             # the 2025-2026 growth, mostly the revived Task Force Model
        signed = _day_between(rng, date(2025, 1, 20), date(2026, 9, 30))
        models = [_weighted(rng, (("TFM", 0.6), ("WSO", 0.25), ("JEM", 0.15)))]
    for _ in range(2):
        if rng.random() < 0.3:
            extra = rng.choice([m for m in ("JEM", "TFM", "WSO") if m not in models])
            models.append(extra)
    agreements = []
    for n, model in enumerate(models):
        day = signed if n == 0 else _day_between(rng, signed, date(2026, 9, 30))
        if model == "TFM" and day < date(2025, 1, 20):
            day = _day_between(rng, date(2025, 1, 20), date(2026, 9, 30))
        agreement = AgreementPlan(model, day)
        if rng.random() < 0.05 and day < date(2026, 3, 1):
            ends = _day_between(rng, max(day, WINDOW_START) + timedelta(days=120), WINDOW_END)
            agreement.terminated_on, agreement.reason = ends, rng.choice(TERMINATION_REASONS)
        agreements.append(agreement)
    return agreements


def plan_agencies(rng: random.Random, count: int) -> list[AgencyPlan]:
    """Return `count` fictional agencies across the states, each with one to three agreements."""
    states = list(STATES)
    weights = [STATES[s][0] for s in states]
    used: set[tuple[str, str]] = set()
    agencies = []
    for n in range(count):
        state = rng.choices(states, weights)[0]
        name = None
        for _ in range(50):
            if rng.random() < 0.02:
                candidate = rng.choice(STATE_AGENCIES).format(state=STATE_NAMES[state])
            else:
                candidate = _weighted(rng, AGENCY_KINDS).format(place=rng.choice(PLACES))
            if (state, candidate) not in used:
                name = candidate
                break
        name = name or f"{rng.choice(PLACES)} Regional Detention Authority {n}"
        used.add((state, name))
        slug = "".join(ch for ch in name.lower().replace(" ", "-") if ch.isalnum() or ch == "-")
        agencies.append(AgencyPlan(
            ori=f"{state}{ORI_MARK}{n + 1:06d}", name=name, state=state,
            field_office=rng.choice(STATES[state][1]), poc_email=f"287g@{slug}.example",
            agreements=_agreements(rng), annual_refresher=rng.random() < P_ANNUAL_POLICY))
    return agencies


def allocate(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder; everyone gets at least one if possible)."""
    if not weights:
        return []
    base = [1 if total >= len(weights) else 0 for _ in weights]
    rest = total - sum(base)
    shares = [rest * w / sum(weights) for w in weights]
    counts = [b + math.floor(s) for b, s in zip(base, shares)]
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - math.floor(shares[i]), rng.random()), reverse=True)
    for i in order[:total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class OfficerPlan:
    agency: int
    name: str
    email: str
    badge: str
    model: str
    basic_course: str
    start: date | None        # first class; None: on the roster, not trained yet
    left_on: date | None      # left the agency (the account is then inactive)
    ability: float            # logit of answering a question right
    active: bool = True


def plan_officers(rng: random.Random, agencies: list[AgencyPlan], count: int) -> list[OfficerPlan]:
    """Return `count` officers spread over the agencies (a few large sheriffs, many small ones)."""
    weights = [rng.lognormvariate(0, 0.95) * (3 if "State" in a.name or "Highway" in a.name else 1)
               for a in agencies]
    officers = []
    for index, (agency, size) in enumerate(zip(agencies, allocate(rng, count, weights))):
        agency.officers = size
        domain = agency.poc_email.split("@", 1)[1]
        for k in range(size):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            agreement = rng.choices(agency.agreements, [3] + [1] * (len(agency.agreements) - 1))[0]
            earliest = max(WINDOW_START, agreement.signed_on + timedelta(days=21))
            if agreement.signed_on < WINDOW_START and rng.random() < 0.7:
                latest = WINDOW_START + timedelta(days=240)   # the program's existing officers
            else:
                latest = min(WINDOW_END, agreement.terminated_on or WINDOW_END) - timedelta(days=5)
            if agreement.signed_on >= WINDOW_START:   # a new agency sends its officers to the first classes
                latest = min(latest, earliest + timedelta(days=int(rng.expovariate(1 / 150))))
            start = _day_between(rng, earliest, latest) if earliest <= latest else None
            left = None
            if start is not None and rng.random() < P_LEAVES:
                left = _day_between(rng, start + timedelta(days=60), WINDOW_END + timedelta(days=400))
                left = left if left <= WINDOW_END else None
            active = left is None and bool(agency.models_on(WINDOW_END))
            officers.append(OfficerPlan(
                agency=index, name=f"{first} {last}",
                email=f"{first}.{last}.{len(officers) + 1}@{domain}".lower(),
                badge=f"{agency.ori[:2]}-{k + 1:05d}", model=agreement.model,
                basic_course=_weighted(rng, BASIC_COURSE_CHOICE[agreement.model]),
                start=start, left_on=left, ability=rng.gauss(2.1, 0.6), active=active))
    return officers


@dataclass
class EnrollmentPlan:
    """One officer in one class: the graded attempts' script, practice counts, lessons reached."""

    officer: int
    course: str
    start: date                                   # the class's first day (a Monday)
    outcome: str                                  # completed|remediated|disqualified|withdrawn|no_show|in_progress
    graded: list[tuple[str, int, bool, bool]]     # (exam key, day offset, passed, remediation)
    practice: dict[str, int] = field(default_factory=dict)
    reached_day: int = -1                         # lessons of days up to this offset are complete
    completed_day: int | None = None
    klass: int = -1

    @property
    def completed_on(self) -> date | None:
        return None if self.completed_day is None else self.start + timedelta(days=self.completed_day)


def _script(rng: random.Random, spec: CourseSpec, outcome: str):
    """Return (graded attempts, last day reached, completion day) for an outcome."""
    exams, n = spec.graded, len(spec.graded)
    gap = REMEDIATION_GAP
    if outcome == "no_show":
        return [], -1, None
    if outcome == "withdrawn":
        stop = rng.randrange(n)
        lower, upper = (exams[stop - 1][1] + 1 if stop else 0), exams[stop][1] - 1
        reached = rng.randint(lower, upper) if upper >= lower else upper
        return [(k, d, True, False) for k, d in exams[:stop]], reached, None
    if outcome == "completed":
        return [(k, d, True, False) for k, d in exams], exams[-1][1], exams[-1][1]
    bad = rng.randrange(n)
    script = [(k, d, True, False) for k, d in exams[:bad]]
    key, day = exams[bad]
    script.append((key, day, False, False))
    if outcome == "remediated":
        script.append((key, day + gap, True, True))
        script += [(k, d, True, False) for k, d in exams[bad + 1:]]
        last = max(d for _, d, _, _ in script)
        return script, last, last
    # disqualified: the remediation fails too, or a later examination fails after it
    if bad == n - 1 or rng.random() < 0.5:
        script.append((key, day + gap, False, True))
    else:
        script.append((key, day + gap, True, True))
        second = rng.randrange(bad + 1, n)
        script += [(k, d, True, False) for k, d in exams[bad + 1:second]]
        script.append((exams[second][0], exams[second][1], False, False))
    return script, max(d for _, d, _, _ in script), None


def plan_enrollment(rng: random.Random, spec: CourseSpec, officer: int, start: date,
                    outcome: str | None = None) -> EnrollmentPlan:
    """Plan one enrollment's outcome; whatever falls after the window is left undone (in progress)."""
    shares = OUTCOMES[spec.kind]
    outcome = outcome or _weighted(rng, shares + (("completed", 1 - sum(w for _, w in shares)),))
    script, reached, completed = _script(rng, spec, outcome)
    last_day = (WINDOW_END - start).days
    if reached > last_day or (completed is not None and completed > last_day):
        script = [s for s in script if s[1] <= last_day]
        reached, completed = min(reached, last_day), None
        failures = sum(1 for s in script if not s[2])
        outcome = "disqualified" if failures >= 2 else "in_progress"
    practice = {key: 1 for key, day in spec.practice if day <= reached and rng.random() < 0.92}
    return EnrollmentPlan(officer=officer, course=spec.key, start=start, outcome=outcome, graded=script,
                          practice=practice, reached_day=reached, completed_day=completed)
