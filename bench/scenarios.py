"""The HTTP scenarios of `make bench`, each measured against the bare app in the same run.

Read-only pages are driven by wrk where it is installed (it leaves the cores to
the server); scenarios that need a different officer or attempt per request
(saving answers, submitting) are driven by the Python client in bench/load.py.
Every ratio compares the app with the bare app under the same generator and the
same number of connections.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from bench import wrk
from bench.data import USER_AGENT, BenchData
from bench.load import run as run_python

# scenario -> (measure, comparison, value), from the performance issue
TARGETS = {
    "lesson_page": ("ratio", ">=", 0.5),
    "verify_page": ("ratio", ">=", 0.5),
    "api_certificate": ("ratio", ">=", 0.6),
    "exam_answer_save": ("p99_ms", "<", 50.0),
    "dashboard": ("p50_ms", "<", 300.0),
}
ANSWER_INTERVAL_S = 1.0  # one answer per officer per second: ten times a quick officer's pace


@dataclass
class Scenario:
    name: str
    concurrency: int
    path: str = "/"
    method: str = "GET"
    headers: dict | None = None
    body: bytes | None = None
    make_request: object = None     # for the Python client: (worker, n) -> request or None
    interval: float | None = None   # paced Python workers
    note: str = ""


def scenarios(data: BenchData) -> list[Scenario]:
    officer = {"Cookie": data.officer_cookie, "User-Agent": USER_AGENT}
    manager = {"Cookie": data.manager_cookie, "User-Agent": USER_AGENT}
    upload_body, upload_type = multipart(data.pdf)
    return [
        Scenario("lesson_page", 16, f"/courses/learn/{data.enrollment_id}/lessons/{data.lesson_key}",
                 headers=officer),
        Scenario("verify_page", 16, f"/verify/{data.serial}"),
        Scenario("api_certificate", 16, f"/api/v1/certificates/{data.serial}"),
        Scenario("exam_answer_save", len(data.savers), make_request=answer_saves(data),
                 interval=ANSWER_INTERVAL_S,
                 note=f"{len(data.savers)} officers, each saving one answer every {ANSWER_INTERVAL_S:g} s"),
        Scenario("exam_answer_save_saturation", len(data.savers), make_request=answer_saves(data),
                 note=f"{len(data.savers)} officers saving answers back to back, no pause"),
        Scenario("exam_submit", 16, make_request=submissions(data),
                 note="each request submits a different officer's attempt (20 questions, scored)"),
        Scenario("dashboard", 4, "/oversight/", headers=manager),
        Scenario("transcript", 4, f"/oversight/officers/{data.transcript_officer_id}/transcript",
                 headers=manager),
        Scenario("upload_verification", 4, "/api/v1/certificates/verify", method="POST",
                 headers={"Content-Type": upload_type}, body=upload_body),
    ]


def answer_saves(data: BenchData):
    def request(worker: int, n: int):
        taker = data.savers[worker % len(data.savers)]
        index = n % len(taker.answers)
        return ("POST", f"/exams/attempts/{taker.attempt_id}/answers/{index}", taker.answers[index],
                {"Cookie": taker.cookie, "X-CSRFToken": taker.token, "User-Agent": USER_AGENT,
                 "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"})
    return request


def submissions(data: BenchData):
    queue = iter(data.submitters)
    lock = threading.Lock()

    def request(worker: int, n: int):
        with lock:
            taker = next(queue, None)
        if taker is None:
            return None
        return ("POST", f"/exams/attempts/{taker.attempt_id}/submit", taker.submit_body,
                {"Cookie": taker.cookie, "User-Agent": USER_AGENT,
                 "Content-Type": "application/x-www-form-urlencoded"})
    return request


def multipart(pdf: bytes) -> tuple[bytes, str]:
    boundary = "benchboundary7d1f"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + pdf + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def measure(scenario: Scenario, base: str, bare_base: str, seconds: float) -> dict:
    """Run the bare app, the scenario, then the bare app again, with the same generator and connections.

    On a shared two-core machine the bare app's throughput swings by a factor of two
    or three from one minute to the next (whatever else the cores are doing), so it is
    measured right before and right after each scenario and the better of the two is
    the baseline: a disturbed baseline can then only lower a ratio, never inflate it.
    """
    use_wrk = scenario.make_request is None and wrk.available()
    generator = "wrk" if use_wrk else "bench/load.py"
    before = _drive(bare_base, Scenario("bare", scenario.concurrency), use_wrk, seconds)
    measured = _drive(base, scenario, use_wrk, seconds)
    after = _drive(bare_base, Scenario("bare", scenario.concurrency), use_wrk, seconds)
    bare = max(before, after, key=lambda result: result["rps"])
    measured.update(concurrency=scenario.concurrency, generator=generator, bare_rps=bare["rps"],
                    bare_p50_ms=bare["p50_ms"],
                    ratio=None if scenario.interval else round(measured["rps"] / bare["rps"], 3))
    if scenario.note:
        measured["note"] = scenario.note
    if scenario.name in TARGETS:
        name, op, value = TARGETS[scenario.name]
        got = measured[name]
        measured["target"] = f"{name} {op} {value}"
        measured["met"] = got is not None and (got >= value if op == ">=" else got < value)
    return measured


def _drive(base: str, scenario: Scenario, use_wrk: bool, seconds: float) -> dict:
    if use_wrk:
        return wrk.run_wrk(base + scenario.path, concurrency=scenario.concurrency, seconds=seconds,
                           method=scenario.method, headers=scenario.headers, body=scenario.body)
    make_request = scenario.make_request or _fixed(scenario)
    return run_python(base, make_request, concurrency=scenario.concurrency, seconds=seconds,
                      interval=scenario.interval).summary()


def _fixed(scenario: Scenario):
    request = (scenario.method, scenario.path, scenario.body, scenario.headers or {})
    return lambda worker, n: request


def line(name: str, measured: dict) -> str:
    ratio = f"ratio {measured['ratio']:.3f}" if measured.get("ratio") is not None else "ratio   -  "
    verdict = ""
    if "target" in measured:
        verdict = f"  [{measured['target']}: {'met' if measured['met'] else 'MISSED'}]"
    return (f"{name:28} {measured['rps']:8.1f} req/s  p50 {measured['p50_ms']:7.2f} ms  "
            f"p99 {measured['p99_ms']:7.2f} ms  {ratio}  errors {measured['errors']}{verdict}")

