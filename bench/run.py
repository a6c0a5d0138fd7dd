"""`make bench`: the app under gunicorn against a bare Flask app, same settings, same load.

Prepares a fresh database (SQLite in a temporary folder, or DATABASE_URL),
the demo data and keys; starts both apps under gunicorn; drives each scenario
with the same closed-loop client (bench/load.py); prints requests per second,
p50 and p99 latency and the ratio to the bare app measured in the same run;
writes bench/results.json. Also times bulk certificate issuance and content
sync in process.
"""
from __future__ import annotations

import http.client
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import run  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
THREADS = os.environ.get("BENCH_THREADS", "8")
TARGETS = {  # scenario -> (measure, comparison, value), from the performance issue
    "lesson_page": ("ratio", ">=", 0.5),
    "verify_page": ("ratio", ">=", 0.5),
    "api_certificate": ("ratio", ">=", 0.6),
    "exam_answer_save": ("p99_ms", "<", 50.0),
    "dashboard": ("p50_ms", "<", 300.0),
}


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


class Session:
    """A signed-in browser-like client: a cookie and the CSRF token of that session."""

    def __init__(self, base: str, email: str, password: str):
        self.host = urlsplit(base)
        self.cookie = ""
        page = self.get("/login")
        token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
        status, _ = self.post("/login", {"email": email, "password": password, "csrf_token": token})
        assert status == 302, f"sign-in as {email} failed ({status})"
        self.token = re.search(r'<meta name="csrf-token" content="([^"]+)">', self.get("/")).group(1)

    def _send(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(self.host.hostname, self.host.port, timeout=30)
        conn.request(method, path, body=body, headers={"Cookie": self.cookie, **(headers or {})})
        response = conn.getresponse()
        data = response.read().decode(errors="replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("lms_session="):
                self.cookie = value.split(";", 1)[0]
        location = response.getheader("Location")
        conn.close()
        return response.status, data, location

    def get(self, path: str) -> str:
        status, data, location = self._send("GET", path)
        while status in (301, 302) and location:
            status, data, location = self._send("GET", urlsplit(location).path or "/")
        return data

    def post(self, path: str, fields: dict) -> tuple[int, str]:
        status, data, _ = self._send("POST", path, urlencode(fields),
                                     {"Content-Type": "application/x-www-form-urlencoded"})
        return status, data


def prepare(env: dict) -> dict:
    """Create the database, keys, content and demo data; return what the scenarios need."""
    os.environ.update(env)
    from app import create_app
    from app.assessments.attempts import attempt_start
    from app.auth.models import User
    from app.certificates.models import Certificate
    from app.courses.classes import lesson_complete
    from app.courses.models import Enrollment
    from app.extensions import db
    from app.main.demo import demo_load
    from app.models import utcnow
    from config import DevelopmentConfig
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app.certificates.keys import keys_init

    app = create_app(DevelopmentConfig)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        keys_init(Path(env["KEYS_DIR"]))
        demo_load(password=env["DEMO_PASSWORD"], content_dir=ROOT / "content")
        officer = db.session.execute(select(User).where(User.email == "officer@demo.example")).scalar_one()
        enrollment = db.session.execute(select(Enrollment).where(Enrollment.officer_id == officer.id)).scalar_one()
        for item in enrollment.course_version.items:
            if item.week == 1:
                lesson_complete(enrollment=enrollment, position=item.position,
                                lesson_revision_id=item.lesson_revision_id, now=utcnow())
        attempt = attempt_start(enrollment=enrollment, exam_key="iadp-exam-1", now=utcnow())
        certificate = db.session.execute(select(Certificate)).scalars().first()
        lesson_key = enrollment.course_version.items[3].lesson_key
        return {"enrollment_id": enrollment.id, "lesson_key": lesson_key, "attempt_id": attempt.id,
                "questions": len(attempt.items), "serial": certificate.serial,
                "pdf": bytes(db.session.get(Certificate, certificate.id).pdf),
                "officer_id": enrollment.officer_id}


def multipart(pdf: bytes) -> tuple[bytes, str]:
    boundary = "benchboundary7d1f"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + pdf + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def bulk_issuance(env: dict, count: int = 100) -> dict:
    """Issue and sign `count` certificates in process; return certificates per second."""
    from app import create_app
    from app.assessments.models import CourseCompletion
    from app.auth.models import User
    from app.certificates.services import certificate_issue, key_material
    from app.courses.models import Enrollment, TrainingClass
    from app.extensions import db
    from app.models import utcnow
    from config import DevelopmentConfig
    from sqlalchemy import select

    app = create_app(DevelopmentConfig)
    with app.app_context():
        key_material()
        klass = db.session.execute(select(TrainingClass)).scalars().first()
        agency_id = db.session.execute(select(User.agency_id).where(
            User.email == "officer@demo.example")).scalar_one()
        completions = []
        for n in range(count):
            officer = User(email=f"bench{n}@bench.example", name=f"Bench Officer {n}", role="officer",
                           agency_id=agency_id, active=True)
            db.session.add(officer)
            db.session.flush()
            enrollment = Enrollment(class_id=klass.id, officer_id=officer.id,
                                    course_version_id=klass.course_version_id)
            db.session.add(enrollment)
            db.session.flush()
            completion = CourseCompletion(enrollment_id=enrollment.id, officer_id=officer.id,
                                          course_version_id=klass.course_version_id,
                                          completed_at=utcnow(), scores={})
            db.session.add(completion)
            completions.append(completion)
        db.session.commit()
        started = time.perf_counter()
        for completion in completions:
            certificate_issue(completion=completion, now=utcnow())
        elapsed = time.perf_counter() - started
    return {"certificates": count, "seconds": round(elapsed, 2),
            "per_second": round(count / elapsed, 1), "processes": 1}


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
           "IDLE_TIMEOUT_MINUTES": "600"}
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    print(f"preparing data in {tmp} ({env['DATABASE_URL'].split(':')[0]})", flush=True)
    data = prepare(env)
    bare, bare_base = start("bench.bare_app:app", env)
    real, base = start("wsgi:app", env)
    results: dict = {}
    try:
        officer = Session(base, "officer@demo.example", env["DEMO_PASSWORD"])
        manager = Session(base, "manager@demo.example", env["DEMO_PASSWORD"])
        body, content_type = multipart(data["pdf"])
        answer_path = f"/exams/attempts/{data['attempt_id']}/answers/"

        def get(path, session=None):
            headers = {"Cookie": session.cookie} if session else {}
            return lambda i, n: ("GET", path, None, headers)

        def save_answer(i, n):
            index = (i + n) % data["questions"]
            return ("POST", answer_path + str(index), f"q{index}=true",
                    {"Cookie": officer.cookie, "X-CSRFToken": officer.token, "Accept": "application/json",
                     "Content-Type": "application/x-www-form-urlencoded"})

        scenarios = {
            "lesson_page": (get(f"/courses/learn/{data['enrollment_id']}/lessons/{data['lesson_key']}", officer), CONCURRENCY),
            "verify_page": (get(f"/verify/{data['serial']}"), CONCURRENCY),
            "api_certificate": (get(f"/api/v1/certificates/{data['serial']}"), CONCURRENCY),
            "exam_answer_save": (save_answer, 32),
            "dashboard": (get("/oversight/", manager), 4),
            "transcript": (get(f"/oversight/officers/{data['officer_id']}/transcript", manager), 4),
            "upload_verification": (lambda i, n: ("POST", "/api/v1/certificates/verify", body,
                                                  {"Content-Type": content_type}), 4),
        }
        baselines = {}
        for name, (request, concurrency) in scenarios.items():
            if concurrency not in baselines:
                baselines[concurrency] = run(bare_base, lambda i, n: ("GET", "/", None, {}),
                                             concurrency=concurrency, seconds=SECONDS).summary()
            measured = run(base, request, concurrency=concurrency, seconds=SECONDS).summary()
            measured["concurrency"] = concurrency
            measured["bare_rps"] = baselines[concurrency]["rps"]
            measured["ratio"] = round(measured["rps"] / baselines[concurrency]["rps"], 3)
            if name in TARGETS:
                measure, op, value = TARGETS[name]
                met = measured[measure] >= value if op == ">=" else measured[measure] < value
                measured["target"] = f"{measure} {op} {value}"
                measured["met"] = met
            results[name] = measured
            print(f"{name:22} {measured['rps']:8.1f} req/s  p50 {measured['p50_ms']:7.2f} ms  "
                  f"p99 {measured['p99_ms']:7.2f} ms  ratio {measured['ratio']:.3f}  errors {measured['errors']}"
                  + (f"  [{measured['target']}: {'met' if measured['met'] else 'MISSED'}]" if "target" in measured else ""),
                  flush=True)
    finally:
        for proc in (bare, real):
            proc.terminate()
            proc.wait(timeout=30)
    issuance = bulk_issuance(env)
    issuance["target"], issuance["met"] = "per_second >= 50 (two cores)", issuance["per_second"] * 2 >= 50
    print(f"bulk issuance          {issuance['per_second']} certificates/s in one process", flush=True)
    sync = content_sync_timing(tmp)
    print(f"content sync           cold {sync['cold_seconds']} s, warm {sync['warm_seconds']} s", flush=True)
    report = {
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "settings": {"seconds": SECONDS, "workers": WORKERS, "threads": THREADS, "worker_class": "gthread",
                     "database": env["DATABASE_URL"].split(":")[0], "load_generator": "bench/load.py",
                     "data": "demo data (not national scale yet)"},
        "scenarios": results, "bulk_issuance": issuance, "content_sync": sync,
    }
    (ROOT / "bench" / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print("wrote bench/results.json")


if __name__ == "__main__":
    main()
