"""Test fixtures: one app per session, a clean database per test, factories, an HTTP client that handles CSRF.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. Tests commit for real
(race tests need separate connections), so each test starts from empty tables instead of a rolled-back
transaction.
"""
from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, text

from app import create_app
from app.extensions import db, limiter

STRICT = bool(os.environ.get("STRICT_CI"))
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _database_url(tmpdir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{tmpdir / 'test.sqlite3'}"


def reset_schema() -> None:
    """Drop everything (including Alembic's version table) and create the models' schema."""
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.create_all()


@pytest.fixture(scope="session")
def app():
    tmpdir = Path(tempfile.mkdtemp(prefix="portal-test-"))
    url = _database_url(tmpdir)
    engine_options: dict = {}
    schema = None
    if url.startswith("postgresql"):
        import psycopg

        # a schema of our own, so that several test runs can share one database without stepping on each other
        schema = f"test_{os.getpid()}"
        try:
            with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=5,
                                 autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                conn.execute(f'CREATE SCHEMA "{schema}"')
        except psycopg.OperationalError as exc:
            pytest.exit(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}", returncode=3)
        engine_options = {"pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={schema}"}}
    app = create_app({
        "CONFIG": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        **({"SQLALCHEMY_ENGINE_OPTIONS": engine_options} if engine_options else {}),
        "SECRET_KEY": "test-secret",
        "UPLOAD_DIR": str(tmpdir / "uploads"),
        "SERVER_NAME": None,
    })
    app.config["TEST_TMPDIR"] = tmpdir
    with app.app_context():
        reset_schema()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if schema:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(autouse=True)
def _clean(app):
    """Every test starts with empty tables, a fresh rate limiter and an app context."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        limiter.reset()


class _IsolatedClient:
    """Runs every request in its own app context, as a real server would.

    Tests hold an app context open (to use db.session); a request would otherwise reuse it, sharing ``g``
    (and with it Flask-Login's cached user) and the test's session between requests and clients.
    Afterwards the test's session is expired, so it sees what the request committed.
    """

    def __init__(self, app, flask_client):
        self.app = app
        self.flask_client = flask_client

    def open(self, *args, **kw):
        # English unless a test asks otherwise: assertions read English msgids; zh_CN is tested explicitly
        headers = {"Accept-Language": "en", **(kw.pop("headers", None) or {})}
        kw["headers"] = headers
        with self.app.app_context():
            response = self.flask_client.open(*args, **kw)
        db.session.expire_all()
        return response

    def get(self, *args, **kw):
        return self.open(*args, method="GET", **kw)

    def post(self, *args, **kw):
        return self.open(*args, method="POST", **kw)

    def session_transaction(self, *args, **kw):
        return self.flask_client.session_transaction(*args, **kw)


class Client:
    """A test client that sends the CSRF token like a browser form would."""

    def __init__(self, flask_client, app=None):
        self.c = _IsolatedClient(app or flask_client.application, flask_client)
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            page = self.c.get("/", follow_redirects=True)  # e.g. to the page replacing a temporary password
            match = TOKEN_RE.search(page.get_data(as_text=True))
            assert match, "no CSRF token on the home page"
            self._token = match.group(1)
        return self._token

    def get(self, url, **kw):
        return self.c.get(url, **kw)

    def post(self, url, data=None, csrf=True, **kw):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            data["csrf_token"] = self.token()
        return self.c.post(url, data=data, **kw)

    def htmx_get(self, url, **kw):
        headers = {"HX-Request": "true", **kw.pop("headers", {})}
        return self.c.get(url, headers=headers, **kw)

    def htmx_post(self, url, data=None, **kw):
        headers = {"HX-Request": "true", "X-CSRFToken": self.token(), **kw.pop("headers", {})}
        return self.c.post(url, data=data or {}, headers=headers, **kw)

    def login(self, username: str, password: str = "demo12345"):
        self._token = None
        response = self.post("/auth/login", {"username": username, "password": password})
        assert response.status_code == 303, f"login as {username} failed: {response.status_code}"
        self._token = None  # the session changed
        return response

    def logout(self):
        self.post("/auth/logout")
        self._token = None


@pytest.fixture
def client(app):
    return Client(app.test_client())


@pytest.fixture
def make_client(app):
    def make():
        return Client(app.test_client())

    return make


@contextmanager
def count_queries():
    """Count SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


@pytest.fixture
def queries():
    return count_queries


@pytest.fixture
def city(app):
    """A small city: two streets, three communities, grids, micro-grids, organisations and one user per role."""
    from tests.factories import build_city

    return build_city()


def require(condition: bool, reason: str):
    """Skip when an optional dependency is missing — or fail under STRICT_CI, where nothing may be skipped."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"STRICT_CI: {reason}")
    pytest.skip(reason)
