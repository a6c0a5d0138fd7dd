"""Drive a scenario with wrk (C, one event loop per thread) and read its report.

wrk costs far less CPU per request than a Python client, which matters on a
two-core machine where the client and the server share the cores. Requests
with headers or a body are set up by a small Lua script written per scenario.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def available() -> bool:
    return shutil.which("wrk") is not None


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def run_wrk(url: str, *, concurrency: int, seconds: float, method: str = "GET",
            headers: dict | None = None, body: bytes | None = None) -> dict:
    """Run wrk against `url`; return requests, errors, rps, p50_ms, p99_ms and mean_ms."""
    with tempfile.TemporaryDirectory(prefix="lms-wrk-") as tmp:
        script = [f"wrk.method = {_lua_string(method)}"]
        for name, value in (headers or {}).items():
            # The spaces matter: "headers[[==[" would open a Lua long string, not index the table.
            script.append(f"wrk.headers[ {_lua_string(name)} ] = {_lua_string(value)}")
        if body is not None:
            body_path = Path(tmp) / "body.bin"
            body_path.write_bytes(body)
            script.append(f'local f = io.open({_lua_string(str(body_path))}, "rb")')
            script.append("wrk.body = f:read('*all')")
            script.append("f:close()")
        # wrk counts a redirect as a success; a page that bounces to the sign-in form must
        # count as an error, so every status other than 200 is tallied per thread.
        script += ["local threads = {}",
                   "function setup(thread) table.insert(threads, thread) end",
                   "bad = 0",
                   "function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end",
                   "function done(summary, latency, requests)",
                   "  local total = 0",
                   "  for _, t in ipairs(threads) do total = total + t:get('bad') end",
                   "  io.write(string.format('not-200: %d\\n', total))",
                   "end"]
        script_path = Path(tmp) / "scenario.lua"
        script_path.write_text("\n".join(script) + "\n")
        threads = max(1, min(2, concurrency))
        result = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "30s",
             "-s", str(script_path), url],
            capture_output=True, text=True, check=True, timeout=seconds + 60)
    if "not-200:" not in result.stdout:  # the script failed, so the requests were not the scenario's
        raise RuntimeError(f"wrk script failed: {result.stderr.strip() or result.stdout[-500:]}")
    return parse(result.stdout)


def parse(report: str) -> dict:
    """Read wrk's --latency report."""
    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}\s+([0-9.]+)(us|ms|s|m)\s*$", report, re.M)
        return round(float(match.group(1)) * _UNITS[match.group(2)], 2) if match else 0.0

    requests = int(re.search(r"(\d+) requests in", report).group(1))
    not_200 = re.search(r"not-200: (\d+)", report)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    errors = int(not_200.group(1)) if not_200 else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    mean = re.search(r"^\s*Latency\s+([0-9.]+)(us|ms|s|m)", report, re.M)
    return {"requests": requests, "errors": errors,
            "rps": round(float(re.search(r"Requests/sec:\s+([0-9.]+)", report).group(1)), 1),
            "p50_ms": latency("50%"), "p99_ms": latency("99%"),
            "mean_ms": round(float(mean.group(1)) * _UNITS[mean.group(2)], 2) if mean else 0.0}
