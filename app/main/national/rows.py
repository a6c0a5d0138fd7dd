"""Rows of the national-scale demo data, written in foreign-key order in the caller's transaction.

Ids are assigned from each table's current maximum (see `write`), so
every row can name the rows it refers to before anything is read back.
"""
from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO

from sqlalchemy import insert, select, update

from app.agencies.models import Agency, Agreement
from app.assessments.models import CourseCompletion, Disqualification, ExamAttempt
from app.audit import GENESIS_HASH, AuditEntry, AuditHead, entry_values
from app.auth.models import User
from app.authority.models import AuthorityGrant, AuthorityWithdrawal
from app.certificates.models import Certificate
from app.certificates.serials import new_serial
from app.courses.models import ClassInstructor, Enrollment, LessonCompletion, TrainingClass
from app.main.national.data import REVOCATION_REASONS, WITHDRAWAL_REASONS
from app.main.national.exams import Scorer, enrollment_outcome
from app.main.national.plan import WINDOW_START
from app.main.national.write import CHUNK, BulkWriter, raw_json_table

IMPORT_ACTOR = "import from the earlier system"
LOCATIONS = {"iadp": "FLETC Charleston, SC", "iadrp": "FLETC Charleston, SC",
             "tfm": "Remote, instructor-led (FLETC Charleston)", "wso": "Online, self-paced"}


def _at(day: date, hour: int = 14, minutes: int = 0) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC) + timedelta(minutes=minutes)


def _since(day: date) -> date:
    """Records are dated within the window: what happened before it is in the earlier system."""
    return max(day, WINDOW_START)


def imported_letter_pdf() -> bytes:
    """One small PDF standing in for every imported grant's letter (the signed one was issued elsewhere)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=letter, invariant=1)
    page.setTitle("Authorization letter: imported record")
    page.setFont("Helvetica-Bold", 14)
    page.drawString(72, 700, "287(g) program: authorization letter not held in this system")
    page.setFont("Helvetica", 11)
    page.drawString(72, 676, "This grant of delegated authority was imported from the earlier system.")
    page.drawString(72, 660, "The signed authorization letter was issued there; no copy of it is held here.")
    page.save()
    return buffer.getvalue()


def write_plan(conn, national, ref, *, password_hash: str, now: datetime, seed: int, echo) -> dict[str, int]:
    """Write the whole plan; return how many rows of each kind."""
    w = BulkWriter(conn, echo)
    keyed = [m.__table__ for m in (Agency, User, Agreement, TrainingClass, Enrollment, CourseCompletion,
                                   Certificate, AuthorityGrant)]
    w.lock(*keyed, ClassInstructor.__table__, ExamAttempt.__table__, LessonCompletion.__table__,
           Disqualification.__table__, AuthorityWithdrawal.__table__)
    base = {t.name: w.next_id(t) for t in keyed}
    rng = random.Random(seed + 2)
    ids = _people(w, national, base, password_hash, rng)
    _classes(w, national, ref, base, ids, rng)
    completed_at = _attempts(w, national, ref, base, ids, rng)
    _certificates(w, national, ref, base, ids, completed_at, rng)
    _authority(w, national, base, ids, rng)
    audit = _audit(w, national, ref, base, ids, now)
    w.fix_sequences(*keyed)
    w.say(f"audit chain extended by {audit} entries")
    w.say("insert time by table: " + ", ".join(
        f"{name} {seconds:.1f} s" for name, seconds in sorted(w.seconds.items(), key=lambda kv: -kv[1])[:6]))
    return {
        "agencies": w.counts["agency"], "agreements": w.counts["agreement"],
        "officers": len(national.officers), "staff accounts": len(national.staff),
        "classes": w.counts["training_class"], "enrollments": w.counts["enrollment"],
        "exam attempts": w.counts["exam_attempt"], "lesson completions": w.counts["lesson_completion"],
        "disqualifications": w.counts.get("disqualification", 0), "completions": w.counts["course_completion"],
        "certificates": w.counts["certificate"], "authority grants": w.counts.get("authority_grant", 0),
        "withdrawals": w.counts.get("authority_withdrawal", 0), "audit entries": audit}


def _people(w: BulkWriter, national, base, password_hash, rng) -> dict:
    """Agencies, staff and officer accounts, agreements; return the id maps."""
    agency_id = [base["agency"] + i for i in range(len(national.agencies))]
    w.insert(Agency.__table__, ({
        "id": agency_id[i], "name": a.name, "ori": a.ori, "state": a.state, "field_office": a.field_office,
        "poc_email": a.poc_email, "created_at": _at(_since(min(x.signed_on for x in a.agreements))),
        "updated_at": _at(_since(min(x.signed_on for x in a.agreements)))} for i, a in enumerate(national.agencies)))
    staff_id = {role: [] for _, _, role in national.staff}
    rows = []
    for k, (name, email, role) in enumerate(national.staff):
        staff_id[role].append(base["user"] + k)
        rows.append({"id": base["user"] + k, "email": email, "name": name, "role": role, "agency_id": None,
                     "active": True, "password_hash": password_hash, "badge_number": None,
                     "supervisor_email": None, "created_at": _at(WINDOW_START),
                     "updated_at": _at(WINDOW_START)})
    first_officer = base["user"] + len(national.staff)
    for i, o in enumerate(national.officers):
        agency = national.agencies[o.agency]
        joined = _at(max(WINDOW_START, (o.start or WINDOW_START) - timedelta(days=30)))
        rows.append({"id": first_officer + i, "email": o.email, "name": o.name, "role": "officer",
                     "agency_id": agency_id[o.agency], "active": o.active, "password_hash": password_hash,
                     "badge_number": o.badge, "supervisor_email": agency.poc_email,
                     "created_at": joined, "updated_at": _at(o.left_on) if o.left_on else joined})
    w.insert(User.__table__, rows)
    agreement_id, rows = {}, []
    for i, a in enumerate(national.agencies):
        for j, x in enumerate(a.agreements):
            agreement_id[(i, j)] = base["agreement"] + len(rows)
            rows.append({"id": agreement_id[(i, j)], "agency_id": agency_id[i], "model": x.model,
                         "signed_on": x.signed_on, "status": "terminated" if x.terminated_on else "active",
                         "terminated_on": x.terminated_on, "termination_reason": x.reason,
                         "terminated_by_id": rng.choice(staff_id["manager"]) if x.terminated_on else None,
                         "terminated_at": _at(x.terminated_on, 16) if x.terminated_on else None,
                         "created_at": _at(_since(x.signed_on)),
                         "updated_at": _at(x.terminated_on or _since(x.signed_on))})
    w.insert(Agreement.__table__, rows)
    w.say(f"{len(national.agencies)} agencies, {len(rows)} agreements, "
          f"{len(national.officers)} officers and {len(national.staff)} staff accounts")
    return {"agency": agency_id, "officer": first_officer, "staff": staff_id, "agreement": agreement_id}


def _classes(w: BulkWriter, national, ref, base, ids, rng) -> None:
    """Classes with one or two instructors each, and every enrollment."""
    instructors = ids["staff"]["instructor"]
    ids["class_creator"] = creators = []
    classes, teachers = [], []
    for c, klass in enumerate(national.classes):
        team = rng.sample(instructors, 2 if klass.course == "iadp" and rng.random() < 0.6 else 1)
        creators.append(team[0])
        scheduled = _at(_since(klass.start - timedelta(days=rng.randint(40, 90))), 13)
        classes.append({"id": base["training_class"] + c, "title": klass.title,
                        "course_version_id": ref.courses[klass.course]["version_id"], "start_date": klass.start,
                        "location": LOCATIONS[klass.course], "created_by_id": team[0],
                        "created_at": scheduled, "updated_at": scheduled})
        teachers += [{"class_id": base["training_class"] + c, "user_id": u} for u in team]
    w.insert(TrainingClass.__table__, classes)
    w.insert(ClassInstructor.__table__, teachers)
    rows = []
    for i, e in enumerate(national.enrollments):
        spec = ref.specs[e.course]
        reached = [p for p, day in enumerate(spec.lesson_days, start=1) if day <= e.reached_day]
        rows.append({"id": base["enrollment"] + i, "class_id": base["training_class"] + e.klass,
                     "officer_id": ids["officer"] + e.officer,
                     "course_version_id": ref.courses[e.course]["version_id"],
                     "enrolled_at": _at(_since(e.start - timedelta(days=rng.randint(10, 45))), 8, rng.randint(0, 180)),
                     "enrolled_by_id": creators[e.klass], "last_position": reached[-1] if reached else None})
    w.insert(Enrollment.__table__, rows)
    w.say(f"{len(classes)} classes, {len(rows)} enrollments")


def _attempts(w: BulkWriter, national, ref, base, ids, rng) -> dict[int, datetime]:
    """Every attempt, lesson completion, disqualification and completion; return completion times."""
    table = raw_json_table(ExamAttempt.__table__, ("items", "item_scores"))
    certificate_of = {c.enrollment: n for n, c in enumerate(national.certificates)}
    scorers = {k: Scorer(c["rules"].pass_mark) for k, c in ref.courses.items()}
    attempts, lessons, disqualified, completions, completed_at = [], [], [], [], {}
    for i, e in enumerate(national.enrollments):
        course = ref.courses[e.course]
        out = enrollment_outcome(
            rng, e, enrollment_id=base["enrollment"] + i, version_id=course["version_id"], spec=ref.specs[e.course],
            forms=ref.forms, limits=ref.limits, lesson_revisions=course["lessons"], rules=course["rules"],
            ability=national.officers[e.officer].ability, scorer=scorers[e.course])
        attempts += out.attempts
        lessons += out.lessons
        if out.completed_at is not None:
            if out.completed_at.date() != e.completed_on:
                raise RuntimeError(f"enrollment {i}: completed {out.completed_at} but planned {e.completed_on}")
            completed_at[i] = out.completed_at
            completions.append({"id": base["course_completion"] + certificate_of[i],
                                "enrollment_id": base["enrollment"] + i, "officer_id": ids["officer"] + e.officer,
                                "course_version_id": course["version_id"], "completed_at": out.completed_at,
                                "scores": out.scores})
        if out.disqualified_at is not None:
            disqualified.append({"enrollment_id": base["enrollment"] + i, "at": out.disqualified_at,
                                 "reason": out.disqualified_reason})
        if len(attempts) >= CHUNK:
            w.insert(table, attempts, copy=True)
            attempts = []
            if w.counts["exam_attempt"] % 100_000 < CHUNK:
                w.say(f"{w.counts['exam_attempt']:,} attempts")
        if len(lessons) >= CHUNK:
            w.insert(LessonCompletion.__table__, lessons, copy=True)
            lessons = []
    w.insert(table, attempts, copy=True)
    w.insert(LessonCompletion.__table__, lessons, copy=True)
    w.insert(Disqualification.__table__, disqualified)
    w.insert(CourseCompletion.__table__, sorted(completions, key=lambda r: r["id"]))
    w.say(f"{w.counts['exam_attempt']:,} attempts, {w.counts['lesson_completion']:,} lesson completions, "
          f"{len(disqualified)} disqualifications, {len(completions)} completions")
    return completed_at


def _certificates(w: BulkWriter, national, ref, base, ids, completed_at, rng) -> None:
    """Imported certificate records (no PDF), with supersession and the odd revocation."""
    certs = national.certificates
    issued = [completed_at[c.enrollment] + timedelta(seconds=rng.randint(2, 40)) for c in certs]
    serials, seen = [], set()
    while len(serials) < len(certs):
        serial = new_serial(rng.getrandbits)
        if serial not in seen:
            seen.add(serial)
            serials.append(serial)
    ids["serial"] = serials
    credentialing = [e for _, e, role in national.staff if role == "credentialing"]
    rows = []
    for n, c in enumerate(certs):
        course, officer = ref.courses[c.course], national.officers[c.officer]
        later = c.superseded_by
        rows.append({
            "id": base["certificate"] + n, "serial": serials[n], "completion_id": base["course_completion"] + n,
            "officer_id": ids["officer"] + c.officer, "kind": course["kind"], "course_key": c.course,
            "course_code": course["code"], "course_title": course["title"],
            "course_version_id": course["version_id"], "course_version_hash": course["hash"],
            "holder_name": officer.name, "agency_name": national.agencies[officer.agency].name,
            "program_model": c.model, "completed_on": c.completed_on, "issued_at": issued[n],
            "valid_until": c.valid_until, "issuing_official": ref.official, "pdf": None, "sha256": None,
            "origin": "imported", "status": c.status,
            "revoked_at": _at(c.revoked_on, 17) if c.revoked_on else None,
            "revoked_by": rng.choice(credentialing) if c.revoked_on else None,
            "revocation_reason": REVOCATION_REASONS[c.revocation_reason] if c.revoked_on else None,
            "superseded_at": issued[later] if later is not None else None,
            "superseded_by_id": base["certificate"] + later if later is not None else None})
    # Newest first: a superseded certificate names a later one, which must already exist.
    w.insert(Certificate.__table__, reversed(rows))
    w.say(f"{len(rows)} imported certificates")


def _authority(w: BulkWriter, national, base, ids, rng) -> None:
    """Grants (each with the stand-in letter) and written withdrawals."""
    pdf = imported_letter_pdf()
    digest = hashlib.sha256(pdf).hexdigest()
    credentialing = ids["staff"]["credentialing"]
    letters, rows = set(), []
    for g, grant in enumerate(national.grants):
        number = f"AUTH-{grant.granted_on.year}-{rng.getrandbits(32):08X}"
        while number in letters:
            number = f"AUTH-{grant.granted_on.year}-{rng.getrandbits(32):08X}"
        letters.add(number)
        rows.append({"id": base["authority_grant"] + g, "officer_id": ids["officer"] + grant.officer,
                     "agreement_id": ids["agreement"][(grant.agency, grant.agreement)],
                     "certificate_id": base["certificate"] + grant.certificate, "effective_on": grant.effective_on,
                     "expires_on": grant.expires_on,
                     "renewal_of_id": None if grant.renewal_of is None else base["authority_grant"] + grant.renewal_of,
                     "granted_by_id": rng.choice(credentialing),
                     "granted_at": _at(grant.granted_on, 15, rng.randint(0, 240)),
                     "letter_number": number, "letter_pdf": pdf, "letter_sha256": digest})
    ids["letters"] = [r["letter_number"] for r in rows]
    w.insert(AuthorityGrant.__table__, rows)
    w.insert(AuthorityWithdrawal.__table__, [{
        "officer_id": ids["officer"] + x.officer, "effective_on": x.effective_on,
        "reason": WITHDRAWAL_REASONS[x.reason], "withdrawn_by_id": rng.choice(credentialing),
        "withdrawn_at": _at(x.effective_on, 16, rng.randint(0, 120))} for x in national.withdrawals])
    w.say(f"{len(rows)} authority grants, {len(national.withdrawals)} withdrawals")


def _audit(w: BulkWriter, national, ref, base, ids, now: datetime) -> int:
    """Chain one entry per imported certificate, grant and withdrawal after the head; move the head."""
    conn = w.conn
    # Taking the head row's write lock first, as audit_record does, queues concurrent appenders.
    if conn.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq)).rowcount == 0:
        conn.execute(insert(AuditHead).values(id=1, seq=0, last_hash=GENESIS_HASH))
    seq, last = conn.execute(select(AuditHead.seq, AuditHead.last_hash).where(AuditHead.id == 1)).one()
    state = {"seq": seq, "last": last}

    def chain(events):
        for action, target_type, target_id, details in events:
            state["seq"] += 1
            values = entry_values(seq=state["seq"], prev_hash=state["last"], actor=IMPORT_ACTOR, action=action,
                                  target_type=target_type, target_id=target_id, details=details, at=now)
            state["last"] = values["hash"]
            yield values

    written = w.insert(AuditEntry.__table__, chain(_audit_events(national, ref, base, ids)))
    conn.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=state["seq"], last_hash=state["last"]))
    return written


def _audit_events(national, ref, base, ids):
    serials, officer = ids["serial"], ids["officer"]
    for n, c in enumerate(national.certificates):
        yield ("certificate.import", "certificate", serials[n], {
            "officer_id": officer + c.officer, "course": ref.courses[c.course]["code"],
            "completion_id": base["course_completion"] + n, "completed_on": c.completed_on.isoformat(),
            "valid_until": c.valid_until.isoformat(), "status": c.status, "origin": "imported"})
    for g, grant in enumerate(national.grants):
        yield ("authority.import", "officer", officer + grant.officer, {
            "grant_id": base["authority_grant"] + g, "effective_on": grant.effective_on.isoformat(),
            "expires_on": grant.expires_on.isoformat(), "certificate": serials[grant.certificate],
            "letter": ids["letters"][g],
            "renewal_of": None if grant.renewal_of is None else base["authority_grant"] + grant.renewal_of})
    for x in national.withdrawals:
        yield ("authority.import_withdrawal", "officer", officer + x.officer, {
            "effective_on": x.effective_on.isoformat(), "reason": WITHDRAWAL_REASONS[x.reason]})
