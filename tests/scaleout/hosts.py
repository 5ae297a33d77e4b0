"""Two app hosts for real: gunicorn processes (deploy/gunicorn.conf.py) on one PostgreSQL and one Redis, configured
only through the environment as in production, and a small HTTP client that behaves like a browser behind nginx
(cookies, CSRF token, X-Forwarded-* headers)."""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_HOST = "portal.test"
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REDIS_DB = 3  # this suite's Redis database: flushed before and after


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def flush_redis() -> None:
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()


_handed_out: set[int] = set()


def free_port(candidates=range(5300, 5320)) -> int:
    """A port nobody listens on and not yet given to another host of this run (it binds a moment later)."""
    for port in candidates:
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            _handed_out.add(port)
            return port
    raise RuntimeError("no free port in 5300-5319")


def production_env(database_url: str, tmp: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "FLASK_", "DATABASE_URL"))}
    env.update({
        "APP_CONFIG": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "one-key-shared-by-every-host",
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "PUBLIC_BASE_URL": f"https://{PUBLIC_HOST}",
        "TRUSTED_HOSTS": PUBLIC_HOST,
        "PROXY_FIX": "1",
        "UPLOAD_DIR": str(tmp / "shared-uploads"),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.update(extra)
    return env


class Host:
    """``gunicorn -c deploy/gunicorn.conf.py`` with one worker (threads as configured) on a port of its own."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.log = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}",
                 "--workers", "1", "--access-logfile", "-", "wsgi:app"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"host on {self.port} exited:\n{self.log.read_text()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz", headers={"Host": PUBLIC_HOST})
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"host on {self.port} not ready:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        _handed_out.discard(self.port)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # gunicorn's quick shutdown (SIGTERM waits for the workers)
        if self.proc.returncode is None:
            try:
                self.proc.wait(timeout=3)  # a test's host: no need to let it finish gracefully
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def stop_all(hosts: list[Host]) -> None:
    for host in hosts:  # all at once: each takes a few seconds to let its worker go
        if host.proc.poll() is None:
            host.proc.send_signal(signal.SIGINT)
    for host in hosts:
        host.stop()


class Browser:
    """A browser behind the load balancer: its cookies go to whichever host serves the request."""

    def __init__(self, client_ip: str):
        self.client_ip = client_ip
        self.cookies: dict[str, str] = {}
        self.token: str | None = None

    def request(self, host: Host, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        body = urlencode(data or {}, doseq=True) if method == "POST" else None
        sent = {
            "Host": PUBLIC_HOST, "Accept-Language": "en",
            # what nginx adds (docs/deploy.md): the app trusts one proxy (PROXY_FIX=1)
            "X-Forwarded-For": self.client_ip, "X-Forwarded-Proto": "https", "X-Forwarded-Host": PUBLIC_HOST,
            "Referer": f"https://{PUBLIC_HOST}/",
        }
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", host.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for raw in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel["expires"] and "1970" in morsel["expires"] or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, text

    def get(self, host: Host, path: str, **kw):
        return self.request(host, "GET", path, **kw)

    def fetch_token(self, host: Host) -> str:
        status, _headers, text = self.get(host, "/")
        match = TOKEN_RE.search(text)
        assert status == 200 and match, (status, text[:500])
        self.token = match.group(1)
        return self.token

    def post(self, host: Host, path: str, data: dict | None = None, **kw):
        if self.token is None:
            self.fetch_token(host)
        return self.request(host, "POST", path, {"csrf_token": self.token, **(data or {})}, **kw)

    def htmx_post(self, host: Host, path: str, data: dict | None = None):
        if self.token is None:
            self.fetch_token(host)
        return self.request(host, "POST", path, data, headers={"HX-Request": "true", "X-CSRFToken": self.token})

    def login(self, host: Host, username: str, password: str = "demo12345") -> None:
        status, headers, text = self.post(host, "/auth/login", {"username": username, "password": password})
        assert status == 303, (status, text[:500])
        self.token = None  # a new session after signing in
