"""A small closed-loop HTTP load generator: N workers, keep-alive connections, fixed duration.

Used when wrk is not installed; it drives the bare app and the real app the
same way, so the ratios between them are fair even if absolute numbers are
lower than wrk's.
"""
from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def summary(self) -> dict:
        return {"requests": self.requests, "errors": self.errors, "rps": round(self.rps, 1),
                "p50_ms": round(self.percentile(50), 2), "p99_ms": round(self.percentile(99), 2),
                "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else 0.0}


def run(base: str, make_request, *, concurrency: int, seconds: float, warmup: float = 1.0,
        interval: float | None = None) -> Result:
    """Call make_request(worker_index, n) -> (method, path, body, headers) until time is up or it returns None.

    Without `interval` each worker sends its next request as soon as the last one is
    answered (saturation). With it, each worker sends one request every `interval`
    seconds, like a person who pauses between answers; latency is then measured from
    the moment the request was due, so a slow answer that delays the next request is
    counted against the server rather than hidden (no coordinated omission).
    """
    host = urlsplit(base)
    latencies: list[float] = []
    counts = {"requests": 0, "errors": 0}
    finished: list[float] = []
    lock = threading.Lock()
    start_at = time.perf_counter() + warmup
    stop_at = start_at + seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        mine: list[float] = []
        requests = errors = n = 0
        # Paced workers start spread over one interval so they do not all fire together.
        due = time.perf_counter() + (interval * index / concurrency if interval else 0.0)
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                break
            if interval:
                if due > now:
                    time.sleep(due - now)
                t0, due = due, due + interval
            request = make_request(index, n)
            if request is None:  # the scenario has run out of work (e.g. every attempt submitted)
                break
            method, path, body, headers = request
            n += 1
            if not interval:
                t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
            elapsed = (time.perf_counter() - t0) * 1000
            if t0 >= start_at:  # the warm-up does not count
                requests += 1
                errors += 0 if ok else 1
                mine.append(elapsed)
        conn.close()
        with lock:
            finished.append(time.perf_counter())
            latencies.extend(mine)
            counts["requests"] += requests
            counts["errors"] += errors

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # A scenario that ran out of work early is measured over the time it actually ran.
    ran = min(seconds, max(finished, default=stop_at) - start_at)
    return Result(counts["requests"], counts["errors"], max(ran, 1e-6), latencies)
