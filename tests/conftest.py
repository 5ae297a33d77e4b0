"""Test fixtures: one app per session, a database rolled back after each test, factories, an HTTP client that
handles CSRF.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.

Rollback by default. A test runs on ONE connection inside a transaction that is rolled back when it ends: every
session used during the test — the test's own ``db.session`` and the one each request opens in its app context —
is bound to that connection with ``join_transaction_mode="create_savepoint"``, so a request's ``commit()`` releases
a savepoint and its ``rollback()`` undoes only its own work. The data a test starts from — the factory ``city`` or
the ``demo_city`` — is built once with the app's services, put back later from its rows, and kept in a savepoint
for as long as the following tests need the same one; each test works in a savepoint of its own on top of it.

Real commits only where another connection must see the data: races (threads), the browser's live server, a job
that runs on its own connection, migrations. Mark those ``@pytest.mark.commits`` (requesting the ``race`` or
``live_server`` fixture marks a test by itself); they run as before, committing for real, and every table is
emptied afterwards. A test in rollback mode that uses another thread or checks out a second connection fails at
once with a message saying so, instead of waiting for a lock it can never get.
"""
from __future__ import annotations

import os
import re
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, inspect, select, text

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
    _bases.forget()  # their rows carry ids; PostgreSQL's new sequences would hand them out again
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
    factory = db.session.session_factory
    original_class = factory.class_
    factory.class_ = _BoundSession
    with app.app_context():
        reset_schema()
        event.listen(db.engine, "checkout", _shared.on_checkout)
    yield app
    _shared.close()
    factory.class_ = original_class
    with app.app_context():
        event.remove(db.engine, "checkout", _shared.on_checkout)
        db.session.remove()
        db.engine.dispose()
    if schema:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def pytest_configure(config):
    config.addinivalue_line("markers", "commits: the test commits for real, because another connection (a thread, the "
                                       "live server, a job's own connection, a migration) must see its data")


#: fixtures that need other connections: a test requesting one of them commits for real
COMMITTING_FIXTURES = {"race", "live_server"}


def pytest_collection_modifyitems(items):
    for item in items:
        # every browser journey talks to a live server on another thread, whichever fixture brings it
        in_browser = "/tests/browser/" in str(getattr(item, "path", "")).replace("\\", "/")
        if in_browser or COMMITTING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.commits)


class _BoundSession(FlaskSession):
    """Flask-SQLAlchemy's session, except that a session-level ``bind`` (the test's connection) wins.

    Flask-SQLAlchemy 3.1 picks ``db.engines`` and ignores ``bind``; binding the session factory to a connection needs
    this. Outside rollback mode ``bind`` is None and nothing changes.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kw):
        if bind is None and self.bind is not None:
            _shared.check_thread()
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kw)


class _SharedConnection:
    """The one connection of rollback mode, kept open from test to test with a shared base in a savepoint.

    Layers on the connection: the outer transaction (BEGIN; tables as committed: empty) → optionally the base's
    savepoint (the factory city or the demo city, built inside it and kept while the following tests need the same
    base) → the running test's savepoint, rolled back when the test ends.
    """

    def __init__(self):
        self.conn = None
        self.outer = None
        self.base: str | None = None
        self.base_sp = None
        self.test_sp = None
        self.thread: int | None = None
        self.violations: list[str] = []
        self.guard = False

    # -- the connection --------------------------------------------------------------------------------------
    def open(self):
        if self.conn is not None:
            return
        conn = db.engine.connect()
        self.outer = conn.begin()
        if conn.dialect.name == "sqlite":
            # the driver leaves transactions to us (app/extensions.py); one real BEGIN, so savepoints nest in it
            conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE")
        self.conn = conn
        factory = db.session.session_factory
        factory.kw.update(bind=conn, join_transaction_mode="create_savepoint")

    def close(self):
        """Roll everything back and give the connection back: the database is as committed (empty)."""
        factory = db.session.session_factory
        factory.kw.pop("bind", None)
        factory.kw.pop("join_transaction_mode", None)
        self.guard = False
        conn, self.conn = self.conn, None
        self.outer = self.base_sp = self.base = self.test_sp = None
        if conn is None:
            return
        try:
            conn.rollback()
            if conn.dialect.name == "sqlite":
                assert not conn.connection.dbapi_connection.in_transaction, "the outer transaction was committed"
        finally:
            conn.close()

    # -- a test --------------------------------------------------------------------------------------------------
    def begin_test(self, base: str | None):
        """``base``: None (empty tables), "city" (the factory city) or "demo" (the demo city)."""
        self.open()
        if self.base_sp is not None and self.base != base:
            self.base_sp.rollback()
            self.base_sp = self.base = None
        if base is not None and self.base_sp is None:
            self.base_sp = self.conn.begin_nested()
            self.base = base
            _bases.put(base)
        self.test_sp = self.conn.begin_nested()
        self.thread = threading.get_ident()
        self.violations = []
        self.guard = True

    def end_test(self):
        self.guard = False
        self.thread = None
        try:
            self.test_sp.rollback()
            self.test_sp = None
        except Exception:  # a test left the connection in a state no savepoint can undo: start afresh
            self.close()
            raise

    # -- loud failures instead of deadlocks ------------------------------------------------------------------------
    def check_thread(self):
        if self.thread is not None and threading.get_ident() != self.thread:
            self._violation("used the test's database connection from another thread")

    def on_checkout(self, *_args):
        if self.guard:
            self._violation("checked out a second database connection")

    def _violation(self, what: str):
        message = (f"This test {what}, but it runs in rollback mode on one connection, where other connections "
                   "cannot see its data and would wait for its lock. Mark it @pytest.mark.commits (or use the "
                   "race fixture).")
        self.violations.append(message)
        raise RuntimeError(message)


_shared = _SharedConnection()


class _Bases:
    """The data a test starts from: the factory city or the demo city.

    Each is built once with the app's own services, and its rows are kept; afterwards it is put back by inserting
    those rows (one executemany per table), which is far quicker than building it again. Rollback mode puts it in a
    savepoint shared by the following tests; a ``commits`` test gets it committed for real.
    """

    def __init__(self):
        self.rows: dict[str, list[tuple]] = {}
        self.city_ids: dict[str, tuple[type, object]] = {}

    def forget(self) -> None:
        self.rows.clear()
        self.city_ids = {}

    def put(self, base: str) -> None:
        """Put ``base`` into the (empty) tables through ``db.session``, and commit."""
        if base in self.rows:
            if base == "demo":
                from app.cli import load_domain_modules

                load_domain_modules("demo")
            for table, rows in self.rows[base]:
                db.session.execute(table.insert(), rows)
            db.session.commit()
        else:
            if base == "city":
                from tests.factories import build_city

                c = build_city()
                self.city_ids = {name: (type(obj), inspect(obj).identity[0]) for name, obj in vars(c).items()}
            else:
                seed_demo()
            self.rows[base] = [
                (table, rows) for table in db.metadata.sorted_tables
                if (rows := [dict(r) for r in db.session.execute(
                    select(table).order_by(*table.primary_key.columns)).mappings()])]
        db.session.remove()

    def city(self) -> SimpleNamespace:
        """The factory city's objects, loaded into the test's session (one query per model)."""
        by_model: dict[type, list] = {}
        for model, pk in self.city_ids.values():
            by_model.setdefault(model, []).append(pk)
        loaded = {}
        for model, pks in by_model.items():
            key = inspect(model).primary_key[0]
            loaded.update({(model, getattr(o, key.key)): o
                           for o in db.session.scalars(select(model).where(key.in_(pks)))})
        return SimpleNamespace(**{name: loaded[ident] for name, ident in self.city_ids.items()})


_bases = _Bases()


def seed_demo() -> None:
    from app.cli import load_domain_modules
    from app.demo import seed

    load_domain_modules("demo")
    seed()
    db.session.commit()


def _base_of(request) -> str | None:
    names = set(request.fixturenames)
    if {"city", "demo_city"} <= names:
        pytest.fail("a test uses either the factory city or the demo city, not both", pytrace=False)
    return "city" if "city" in names else "demo" if "demo_city" in names else None


@pytest.fixture(autouse=True)
def _clean(request, app):
    """Rollback mode (default): a savepoint per test on the shared connection. ``commits`` tests: real commits,
    then every table is emptied. Either way a fresh rate limiter and an app context."""
    if request.node.get_closest_marker("commits"):
        _shared.close()
        with app.app_context():
            yield
            db.session.rollback()
            db.session.remove()
            with db.engine.begin() as conn:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
        limiter.reset()
        return
    with app.app_context():
        try:
            _shared.begin_test(_base_of(request))
        except Exception:
            _shared.close()
            raise
        try:
            yield
        finally:
            db.session.rollback()
            db.session.remove()
            violations = list(_shared.violations)
            _shared.end_test()
    limiter.reset()
    if violations:
        pytest.fail(violations[0], pytrace=False)


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
        session = db.session()
        if session.in_transaction() and not (session.new or session.dirty or session.deleted):
            # rollback mode: end the test's read savepoint, so that a later rollback of the test's session
            # cannot take back what the request commits on the same connection
            session.commit()
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


#: savepoint statements are transaction bookkeeping (rollback mode adds one per request), not queries
_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def count_queries():
    """Count SQL statements sent to the database inside the block (savepoint bookkeeping left out)."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(_BOOKKEEPING):
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
def city(request, app):
    """A small city: two streets, three communities, grids, micro-grids, organisations and one user per role.

    Built once; rollback mode shares it between the tests that follow (the ``_clean`` fixture keeps it in a
    savepoint), a ``commits`` test gets it committed for real.
    """
    if request.node.get_closest_marker("commits"):
        _bases.put("city")
    return _bases.city()


def require(condition: bool, reason: str):
    """Skip when an optional dependency is missing — or fail under STRICT_CI, where nothing may be skipped."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"STRICT_CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def race(app):
    """``race(n, fn)``: run ``fn(i)`` in n threads at once (tests/race.py). Marks the test ``commits``."""
    from tests.race import Race

    return Race(app)


@pytest.fixture
def demo_city(request, app):
    """The demo city (app/demo.py): every demo account, password demo12345. Seeded once and shared like
    ``city``; a ``commits`` test (a browser journey) gets it committed for real."""
    if request.node.get_closest_marker("commits"):
        _bases.put("demo")
