"""Bulk issuance killed with SIGKILL midway: whole certificates only, and a re-run issues the rest once.

`flask certificates issue-pending` runs for real, as a process group (the
command and, with --workers 2, the worker process it spawns) against the
test database. Once some certificates are committed and others are not, the
whole group is killed with SIGKILL: no clean-up code runs. Every certificate
left behind must be complete (its PDF verifies and matches its hash, and it
has its one audit entry), the audit chain must be intact, and running the
command again must issue each remaining completion exactly once.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.assessments.models import CourseCompletion
from app.audit import AuditEntry, audit_verify
from app.certificates.models import Certificate
from app.certificates.services import certificate_verify_file
from app.models import utcnow
from tests.servers import ROOT

pytestmark = pytest.mark.slow

COMPLETIONS = 40
KILL_AFTER = 3  # certificates committed before the kill
DEADLINE = 60  # seconds: generous, CI machines may be busy


def issue_pending(database_url: str, keys_dir, workers: int) -> subprocess.Popen:
    """Start `flask certificates issue-pending` in its own process group."""
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": database_url, "KEYS_DIR": str(keys_dir),
           "FLASK_APP": "wsgi"}
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "certificates", "issue-pending", "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def count(db, model) -> int:
    value = db.session.execute(select(func.count()).select_from(model)).scalar_one()
    db.session.rollback()  # read afresh next time, and hold nothing while the workers write
    return value


def pending_completions(make, db, n: int) -> list[int]:
    """`n` officers who completed the course, none of them with a certificate yet."""
    version = make.course_world()["version"]
    klass = make.training_class(version, make.user("instructor"))
    agency = make.agency()
    ids = []
    for _ in range(n):
        enrollment = make.enroll(klass, make.user("officer", agency=agency))
        completion = CourseCompletion(enrollment_id=enrollment.id, officer_id=enrollment.officer_id,
                                      course_version_id=enrollment.course_version_id,
                                      completed_at=utcnow(), scores={})
        db.session.add(completion)
        db.session.flush()
        ids.append(completion.id)
    db.session.commit()
    return ids


def group_running(pgid: int) -> bool:
    """Whether a process of the group is still alive (zombies, dead but not reaped, do not count)."""
    for stat in os.listdir("/proc"):
        if not stat.isdigit():
            continue
        try:
            with open(f"/proc/{stat}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # it went away meanwhile
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def kill_midway(proc: subprocess.Popen, db) -> int:
    """Wait until some, not all, certificates are committed, then SIGKILL the process group."""
    deadline = time.monotonic() + DEADLINE
    while (issued := count(db, Certificate)) < KILL_AFTER:
        if proc.poll() is not None or time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            output = proc.communicate()[0].decode(errors="replace")
            pytest.fail(f"issue-pending issued {issued} certificate(s) in time (exit {proc.returncode}):\n"
                        f"{output[-3000:]}")
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=DEADLINE)
    assert proc.returncode == -signal.SIGKILL
    # The workers are the command's grandchildren: wait until none of the group runs any more.
    while group_running(proc.pid):
        if time.monotonic() > deadline:
            pytest.fail("the killed process group did not go away")
        time.sleep(0.01)
    return count(db, Certificate)


def assert_every_certificate_whole(db, runner) -> list[Certificate]:
    """Each certificate: bytes that verify and match their hash, and exactly one audit entry; chain intact."""
    db.session.rollback()  # a fresh snapshot: what the processes committed
    certificates = db.session.execute(select(Certificate).order_by(Certificate.id)).scalars().all()
    today = utcnow().date()
    for certificate in certificates:
        assert certificate.pdf and hashlib.sha256(certificate.pdf).hexdigest() == certificate.sha256
        verdict = certificate_verify_file(certificate.pdf, today=today)
        assert verdict.valid, (certificate.serial, verdict.reason)
    entries = db.session.execute(select(AuditEntry.target_id).where(
        AuditEntry.action == "certificate.issue")).scalars().all()
    assert Counter(entries) == Counter(c.serial for c in certificates), \
        "every certificate has exactly one certificate.issue entry, and every entry its certificate"
    assert audit_verify().ok
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "audit chain intact" in result.output, result.output
    db.session.rollback()  # hold no snapshot while processes write
    return certificates


@pytest.mark.parametrize("workers", [1, 2])
def test_a_sigkill_midway_leaves_whole_certificates_and_a_rerun_issues_the_rest_once(
        make, db, runner, database_url, keys_dir, workers):
    completion_ids = pending_completions(make, db, COMPLETIONS)
    started = time.monotonic()

    issued_before_kill = kill_midway(issue_pending(database_url, keys_dir, workers), db)
    assert KILL_AFTER <= issued_before_kill < COMPLETIONS, "the kill landed in the middle of the run"
    assert_every_certificate_whole(db, runner)

    rerun = issue_pending(database_url, keys_dir, workers)
    output = rerun.communicate(timeout=DEADLINE)[0].decode(errors="replace")
    assert rerun.returncode == 0, output
    assert f"issued {COMPLETIONS - issued_before_kill} certificate(s)" in output, output

    certificates = assert_every_certificate_whole(db, runner)
    per_completion = Counter(c.completion_id for c in certificates)
    assert sorted(per_completion) == sorted(completion_ids)
    assert set(per_completion.values()) == {1}, "each completion has exactly one certificate"
    assert all(c.status == "valid" for c in certificates)
    assert time.monotonic() - started < DEADLINE
