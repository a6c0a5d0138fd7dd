"""Run test jobs truly at the same time: one thread, app context and session each, one barrier."""
from __future__ import annotations

import threading

TIMEOUT = 60  # seconds: the longest any thread may take


def run_together(app, jobs):
    """Run each job in its own thread, app context and session, all released by one barrier.

    A job is `job(go)`: it loads what it needs, calls `go()` to wait for the
    others, then acts and returns its result. Returns the results in job
    order; fails if any thread raised or did not finish in time.
    """
    barrier = threading.Barrier(len(jobs), timeout=TIMEOUT)
    results: list = [None] * len(jobs)
    errors: list = []

    def worker(n, job):
        try:
            with app.app_context():
                results[n] = job(barrier.wait)
        except BaseException as error:  # noqa: BLE001 - reported below, with the thread
            errors.append((n, repr(error)))
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(n, job), daemon=True) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not [t for t in threads if t.is_alive()], "a thread did not finish in time"
    assert not errors, errors
    return results
