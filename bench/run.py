"""`make bench`: the app under gunicorn against a bare Flask app, same settings, same load.

Prepares a fresh database (SQLite in a temporary folder, or DATABASE_URL) with
the demo data at national scale (BENCH_SCALE=standard for the small demo set),
keys and exam takers; starts both apps under gunicorn with the same settings;
drives each scenario (bench/scenarios.py) with wrk where installed, otherwise
the Python client; prints requests per second, p50 and p99 latency and the
ratio to the bare app measured in the same run. Also times bulk certificate
issuance and content sync. Writes bench/results.json, one entry per database.
"""
from __future__ import annotations

import http.client
import json
import os
import platform
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import wrk  # noqa: E402
from bench.data import prepare  # noqa: E402
from bench.scenarios import line, measure, scenarios  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
THREADS = os.environ.get("BENCH_THREADS", "8")
SCALE = os.environ.get("BENCH_SCALE", "national")
SAVERS = 32       # "32 concurrent officers" saving answers
SUBMITTERS = int(os.environ.get("BENCH_SUBMITTERS", "400"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(module: str, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", WORKERS, "--threads", THREADS,
         "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", module],
        cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{module} did not start")


def bulk_issuance(env: dict, count: int = 500, workers: tuple[int, ...] = (1, 2)) -> dict:
    """Time `flask certificates issue-pending --workers N` issuing and signing `count` certificates, per N.

    Each run gets `count` fresh completions (new officers in the demo class)
    and runs the real command in its own process. A worker process takes
    about a second of CPU to start (imports, app, keys), so a run must be
    long enough for the rate to show the work rather than that; with 200
    certificates it would be a third of the job. `per_second` counts from
    the command's start of work, worker processes' start-up included, to
    its end (what it prints); `wall_seconds` adds the command's own Python
    start-up (about a second); `cpu_seconds` is the CPU time of the command
    and its workers, start-ups included.
    """
    from app import create_app
    from app.assessments.models import CourseCompletion
    from app.auth.models import User
    from app.certificates.services import pending_batches
    from app.courses.models import Enrollment, TrainingClass
    from app.extensions import db
    from app.models import utcnow
    from config import DevelopmentConfig
    from sqlalchemy import select

    app = create_app(DevelopmentConfig)
    runs = {}
    for n_workers in workers:
        with app.app_context():
            klass = db.session.execute(select(TrainingClass)).scalars().first()
            agency_id = db.session.execute(select(User.agency_id).where(
                User.email == "officer@demo.example")).scalar_one()
            for n in range(count):
                officer = User(email=f"bench{n_workers}-{n}@bench.example", name=f"Bench Officer {n_workers}-{n}",
                               role="officer", agency_id=agency_id, active=True)
                db.session.add(officer)
                db.session.flush()
                enrollment = Enrollment(class_id=klass.id, officer_id=officer.id,
                                        course_version_id=klass.course_version_id)
                db.session.add(enrollment)
                db.session.flush()
                db.session.add(CourseCompletion(enrollment_id=enrollment.id, officer_id=officer.id,
                                                course_version_id=klass.course_version_id,
                                                completed_at=utcnow(), scores={}))
            db.session.commit()
            pending = sum(len(batch) for batch in pending_batches())  # these, and any left before
            db.session.remove()
        started, cpu_before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run(
            [sys.executable, "-m", "flask", "certificates", "issue-pending", "--workers", str(n_workers)],
            cwd=ROOT, env={**env, "FLASK_APP": "wsgi"}, check=True, capture_output=True, text=True)
        wall, cpu_after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
        # The command and its workers (reaped by it), start-up included: comparable on a busy machine.
        cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
        match = re.search(r"issued (\d+) certificate\(s\) in ([0-9.]+) s", result.stdout)
        issued, seconds = int(match.group(1)), float(match.group(2))
        assert issued == pending, result.stdout
        runs[str(n_workers)] = {"workers": n_workers, "certificates": issued, "seconds": seconds,
                                "per_second": round(issued / seconds, 1), "wall_seconds": round(wall, 2),
                                "per_second_wall": round(issued / wall, 1), "cpu_seconds": round(cpu, 2),
                                "cpu_ms_per_certificate": round(1000 * cpu / issued, 1)}
    with app.app_context():
        db.engine.dispose()
    two = runs.get("2") or runs[str(max(workers))]
    return {"certificates": count, "runs": runs, "per_second": two["per_second"],
            "target": "per_second >= 50 with 2 workers (two cores)", "met": two["per_second"] >= 50}


def content_sync_timing(tmp: Path) -> dict:
    """Time `flask content sync` of the whole tree into an empty database, then again unchanged."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'sync.sqlite3'}", "FLASK_APP": "wsgi"}
    flask = [sys.executable, "-m", "flask"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    timings = {}
    for label in ("cold", "warm"):
        result = subprocess.run(flask + ["content", "sync"], cwd=ROOT, env=env, check=True,
                                capture_output=True, text=True)
        timings[f"{label}_seconds"] = float(re.search(r"synced in ([0-9.]+) s", result.stdout).group(1))
    return timings


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    env = {**os.environ, "APP_ENV": "development", "INSTANCE_PATH": str(tmp),
           "KEYS_DIR": str(tmp / "keys"), "SECRET_KEY": "bench-" + os.urandom(16).hex(),
           "DEMO_PASSWORD": "bench-password-287g", "SESSION_COOKIE_SECURE": "false",
           "IDLE_TIMEOUT_MINUTES": "600",
           # One client address sends thousands of requests a second: that is the benchmark,
           # not an attack, so the per-address limits are off for this run.
           "RATELIMIT_ENABLED": "false"}
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    database = env["DATABASE_URL"].split(":")[0].split("+")[0]
    print(f"preparing {SCALE} data in {tmp} ({database})", flush=True)
    started = time.perf_counter()
    data = prepare(env, scale=SCALE, savers=SAVERS, submitters=SUBMITTERS)
    print(f"prepared in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{n:,} {k}" for k, n in data.counts.items()), flush=True)
    bare, bare_base = start("bench.bare_app:app", env)
    real, base = start("wsgi:app", env)
    results: dict = {}
    try:
        for scenario in scenarios(data):
            results[scenario.name] = measure(scenario, base, bare_base, SECONDS)
            print(line(scenario.name, results[scenario.name]), flush=True)
    finally:
        for proc in (bare, real):
            proc.terminate()
            proc.wait(timeout=30)
    issuance = bulk_issuance(env)
    for run_ in issuance["runs"].values():
        print(f"bulk issuance          {run_['per_second']:8.1f} certificates/s with {run_['workers']} worker(s)  "
              f"({run_['certificates']} in {run_['seconds']} s; {run_['per_second_wall']}/s counting "
              f"the command's start-up)", flush=True)
    print(f"bulk issuance          [{issuance['target']}: {'met' if issuance['met'] else 'MISSED'}]", flush=True)
    sync = content_sync_timing(tmp)
    print(f"content sync                 cold {sync['cold_seconds']} s, warm {sync['warm_seconds']} s",
          flush=True)
    run = {
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(), "processor": platform.processor()},
        "settings": {"seconds": SECONDS, "workers": WORKERS, "threads": THREADS, "worker_class": "gthread",
                     "database": database, "scale": SCALE, "data": data.counts,
                     "load_generator": "wrk for fixed requests, bench/load.py for per-officer ones"
                     if wrk.available() else "bench/load.py"},
        "scenarios": results, "bulk_issuance": issuance, "content_sync": sync,
    }
    out = ROOT / "bench" / "results.json"
    report = json.loads(out.read_text()) if out.exists() else {}
    report = report if "runs" in report else {"runs": {}}
    report["runs"][database] = run
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote bench/results.json (runs: {', '.join(sorted(report['runs']))})")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
