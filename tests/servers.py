"""Run the real app in server processes for tests that cross process boundaries."""
from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, *, workers: int = 1, threads: int = 1, extra_env: dict | None = None,
             output: list | None = None):
    """Serve wsgi:app under gunicorn on a free port; yield its base URL.

    `threads` > 1 serves with gthread workers. The server's output goes to a
    temporary file (a pipe nobody reads would block the workers once full of
    tracebacks); pass a list as `output` to get it appended when the server stops.
    """
    port = free_port()
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": database_url, **(extra_env or {})}
    gthread = ["--threads", str(threads), "--worker-class", "gthread"] if threads > 1 else []
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), *gthread, "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # generous: CI machines may be busy
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:  # refused, reset or timed out (URLError is an OSError): not up yet
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                out = log.read().decode(errors="replace")
                raise RuntimeError(f"gunicorn did not start:\n{out[-3000:]}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if output is not None:
            log.seek(0)
            output.append(log.read().decode(errors="replace"))
        log.close()


class Browserless:
    """A cookie-keeping HTTP client that signs in through the real form."""

    _token = re.compile(r'<meta name="csrf-token" content="([^"]+)">')

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.read().decode()

    def login(self, email: str, password: str) -> tuple[int, str]:
        _, page = self.request("/login")
        token = self._token.search(page).group(1)
        return self.request("/login", {"email": email, "password": password, "csrf_token": token})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A cookie-keeping HTTP client for load tests: one short connection per request, no redirects.

    Leaner than Browserless (plain http.client, one thread each); POSTs carry the
    session's CSRF token in the X-CSRFToken header once `csrf()` has read it.
    """

    _token = re.compile(r'<meta name="csrf-token" content="([^"]+)">')

    def __init__(self, base: str):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookie = ""
        self.token: str | None = None

    def request(self, method: str, path: str, fields=None, *, json: bool = False,
                headers: dict | None = None) -> tuple[int, str, str]:
        """Send one request; return (status, body, Location header or "")."""
        headers = {**({"Cookie": self.cookie} if self.cookie else {}), **(headers or {})}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if method == "POST" and self.token:
            headers["X-CSRFToken"] = self.token
        if json:
            headers["Accept"] = "application/json"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("lms_session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, text, response.getheader("Location") or ""

    def csrf(self, path: str) -> str:
        """Read the session's CSRF token from the page at `path` (which must answer 200)."""
        status, page, _ = self.request("GET", path)
        assert status == 200, f"GET {path}: {status}"
        self.token = self._token.search(page).group(1)
        return self.token

    def login(self, email: str, password: str) -> int:
        """Sign in through the real form; return the status (302 when signed in)."""
        self.token = None
        self.csrf("/login")
        status, _, _ = self.request("POST", "/login", {
            "email": email, "password": password, "csrf_token": self.token})
        self.token = None  # signing in starts a new session, with a new token
        return status
