"""Officers' training histories over the window, the fillers that meet the targets, and classes.

Pure, like `app.main.national_plan`. The issue's targets ask for more
enrollments and attempts per officer than a natural history gives (3.2
enrollments, 2 certificates and 24 attempts per officer): `plan_history`
gives the natural part (about 50,000 completions at full scale), then
`fill_enrollments` adds nominations that never completed (no-shows and
first-week withdrawals) up to the enrollment target, `fit_completions`
nudges the completions to the certificate target, and `fill_practice`
spreads practice-quiz retakes (officers use them as study aids) up to the
attempt target. At full scale about 37% of enrollments then never complete,
more than FLETC would see: the price of meeting 80,000 enrollments and
50,000 certificates together.
"""
from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from app.main.national.plan import (
    COVERS, OWN_COURSE, P_CROSS_TRAINING, P_SKIP_REFRESHER, RETRY, WINDOW_END, AgencyPlan, CourseSpec,
    EnrollmentPlan, OfficerPlan, _day_between, monday_on_or_after, plan_enrollment,
)

PRACTICE_CAP = 15  # attempts at one practice quiz in one enrollment


def _cross_course(agency: AgencyPlan, officer: OfficerPlan, on: date) -> str | None:
    """A second model's course the officer's first one does not cover, if the agency holds that model."""
    for model in agency.models_on(on):
        if model not in COVERS[officer.basic_course]:
            return OWN_COURSE[model]
    return None


def training_ends(officer: OfficerPlan, agency: AgencyPlan) -> date:
    """The last day the officer may train: the window's end, the day they left or their agreement ended."""
    agreement_end = min((a.terminated_on for a in agency.agreements
                         if a.model == officer.model and a.terminated_on), default=None)
    return min(d for d in (WINDOW_END, officer.left_on, agreement_end) if d is not None)


def plan_history(rng: random.Random, officer_index: int, officer: OfficerPlan, agency: AgencyPlan,
                 specs: dict[str, CourseSpec]) -> list[EnrollmentPlan]:
    """Plan one officer's enrollments: the basic course (retried if need be), cross-training, refreshers."""
    if officer.start is None:
        return []
    end = training_ends(officer, agency)
    plans: list[EnrollmentPlan] = []

    def enrol(course: str, day: date) -> EnrollmentPlan:
        plans.append(plan_enrollment(rng, specs[course], officer_index, day))
        return plans[-1]

    day, last = monday_on_or_after(officer.start), None
    while day <= end:
        plan = enrol(officer.basic_course, day)
        if plan.completed_on or plan.outcome == "in_progress" or rng.random() > RETRY[plan.outcome]:
            last = plan.completed_on
            break
        day = monday_on_or_after(day + timedelta(days=rng.randint(45, 200)))
    if last is None:
        return plans
    cross = _cross_course(agency, officer, last)
    if cross and rng.random() < P_CROSS_TRAINING:
        day = monday_on_or_after(last + timedelta(days=rng.randint(40, 300)))
        if day <= end:
            last = enrol(cross, day).completed_on or last

    def next_refresher(after: date) -> date | None:
        gap = rng.randint(330, 400) if agency.annual_refresher else rng.randint(600, 712)
        if rng.random() < P_SKIP_REFRESHER:
            if rng.random() < 0.5:
                return None                                 # lets it lapse: overdue
            gap = 730 + rng.randint(20, 240)               # comes back late
        return monday_on_or_after(after + timedelta(days=gap))

    day = next_refresher(last)
    while day is not None and day <= end:
        plan = enrol("iadrp", day)
        if plan.completed_on:
            day = next_refresher(plan.completed_on)
        elif plan.outcome == "in_progress" or rng.random() > 0.8:
            break
        else:
            day = monday_on_or_after(day + timedelta(days=rng.randint(35, 100)))
    return plans


@dataclass
class ClassPlan:
    course: str
    start: date
    title: str
    enrollments: list[int]


def plan_classes(enrollments: list[EnrollmentPlan], specs: dict[str, CourseSpec],
                 codes: dict[str, str]) -> list[ClassPlan]:
    """Put enrollments of one course starting the same Monday into classes of the course's size."""
    groups: dict[tuple[date, str], list[int]] = defaultdict(list)
    for index, enrollment in enumerate(enrollments):
        groups[(enrollment.start, enrollment.course)].append(index)
    classes = []
    for (start, course), members in sorted(groups.items()):
        parts = math.ceil(len(members) / specs[course].class_size)
        week = start.isocalendar()
        for part in range(parts):
            suffix = "" if parts == 1 else chr(ord("A") + part % 26) + ("" if part < 26 else str(part // 26))
            klass = ClassPlan(course, start, f"{codes[course]} class {week.year % 100:02d}-{week.week:02d}{suffix}",
                              members[part::parts])
            for index in klass.enrollments:
                enrollments[index].klass = len(classes)
            classes.append(klass)
    return classes


def fill_enrollments(rng: random.Random, plans: list[EnrollmentPlan], officers: list[OfficerPlan],
                     agencies: list[AgencyPlan], specs: dict[str, CourseSpec], target: int) -> int:
    """Add enrollments that never completed (no-show or withdrew early) until there are `target`; return how many."""
    taken: dict[int, list[date]] = defaultdict(list)
    first_done: dict[int, date] = {}
    for plan in plans:
        taken[plan.officer].append(plan.start)
        if plan.completed_on and (plan.officer not in first_done or plan.completed_on < first_done[plan.officer]):
            first_done[plan.officer] = plan.completed_on
    candidates = [i for i, o in enumerate(officers) if o.start is not None]
    natural = Counter(p.course for p in plans)
    courses, mix = list(natural), list(natural.values())
    added, tries = 0, 0
    while len(plans) < target and candidates and tries < 50 * target:
        tries += 1
        index = rng.choice(candidates)
        officer = officers[index]
        end = training_ends(officer, agencies[officer.agency])
        day = monday_on_or_after(_day_between(rng, officer.start, end))
        if day > end or any(abs((day - other).days) < 35 for other in taken[index]):
            continue  # never two classes at once
        done = first_done.get(index)
        # Spread like the natural enrollments, so every course keeps a similar completion rate.
        course = officer.basic_course if done is None or day <= done else rng.choices(courses, mix)[0]
        outcome = "no_show" if rng.random() < 0.55 else "withdrawn"
        plans.append(plan_enrollment(rng, specs[course], index, day, outcome=outcome))
        taken[index].append(day)
        added += 1
    return added


def fill_practice(rng: random.Random, plans: list[EnrollmentPlan], target_attempts: int) -> int:
    """Add (or remove) practice-quiz attempts so the plan has `target_attempts` attempts; return the total."""
    pairs = [(i, key) for i, plan in enumerate(plans) for key in plan.practice]
    total = sum(len(p.graded) + sum(p.practice.values()) for p in plans)
    room = sum(PRACTICE_CAP - plans[i].practice[k] for i, k in pairs)
    while total < target_attempts and room > 0:
        i, key = pairs[rng.randrange(len(pairs))]
        if plans[i].practice[key] < PRACTICE_CAP:
            plans[i].practice[key] += 1
            total, room = total + 1, room - 1
    while total > target_attempts and pairs:
        n = rng.randrange(len(pairs))
        i, key = pairs[n]
        plans[i].practice[key] -= 1
        total -= 1
        if plans[i].practice[key] == 0:
            del plans[i].practice[key]
            pairs[n] = pairs[-1]
            pairs.pop()
    return total


def fit_completions(rng: random.Random, plans: list[EnrollmentPlan], specs: dict[str, CourseSpec],
                    target: int) -> int:
    """Turn early withdrawals into completions, or last refreshers into withdrawals, to reach `target`."""
    def done(plan):
        return plan.completed_on is not None

    count = sum(1 for p in plans if done(p))
    if count < target:
        pool = [i for i, p in enumerate(plans) if p.outcome in ("no_show", "withdrawn")]
        rng.shuffle(pool)
        for i in pool:
            if count >= target:
                break
            plan = plans[i]
            again = plan_enrollment(rng, specs[plan.course], plan.officer, plan.start, outcome="completed")
            if done(again):
                plans[i], count = again, count + 1
    elif count > target:
        last: dict[int, int] = {}
        for i, p in enumerate(plans):
            if p.officer not in last or p.start > plans[last[p.officer]].start:
                last[p.officer] = i
        finals = list(last.values())
        pools = ([i for i in finals if specs[plans[i].course].kind == "refresher"], finals,
                 [i for i, p in enumerate(plans) if specs[p.course].kind == "refresher"])
        for pool in pools:   # officers' last refreshers first: nothing planned later rests on them
            pool = [i for i in pool if done(plans[i])]
            rng.shuffle(pool)
            for i in pool[:count - target]:
                plan = plans[i]
                plans[i] = plan_enrollment(rng, specs[plan.course], plan.officer, plan.start, outcome="withdrawn")
                count -= 1
    return count
