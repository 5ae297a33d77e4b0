"""A failed request changes nothing, also on SQLite: a savepoint nests inside the request's transaction.

pysqlite used to send BEGIN only before a plain write, never before SAVEPOINT, so a ``begin_nested()`` as the first
write opened SQLite's transaction itself and its RELEASE committed for good: a rating stayed saved although the rater
was told it failed. These run on both databases; the lock checks are SQLite's own.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, update

from app import events
from app.accounts.models import User
from app.accounts.services import AccountError
from app.extensions import db
from app.issues import services as issues
from app.issues.models import Issue, IssueRating

pytestmark = pytest.mark.commits  # real transactions, and other connections that check the locks


@contextmanager
def refusing(event_name: str, error: Exception):
    """While active, the named domain event fails the way a refused change does (a DomainError from inside)."""

    def refuse(_event):
        raise error

    signal = events.signal(event_name)
    signal.connect(refuse, weak=False)
    try:
        yield
    finally:
        signal.disconnect(refuse)


@pytest.fixture
def resolved_issue(city):
    issues.ensure_default_categories()
    db.session.commit()
    category = next(c for c in issues.active_categories() if c.code == "street_light")
    issue = issues.report_issue(reporter=city.resident_a, category=category, description="Lamp out",
                                area=city.micro_a1)
    issues.accept(issue, city.leader_a1)
    issues.resolve(issue, city.leader_a1, "New bulb")
    db.session.commit()
    return issue.id


def _ratings(issue_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(IssueRating).where(IssueRating.issue_id == issue_id))


def test_a_rating_refused_after_its_savepoint_is_not_saved(client, city, resolved_issue):
    client.login("resident_a")
    with refusing("issue.rated", issues.IssueError("Someone else changed this issue. Please reload the page.")):
        r = client.post(f"/issues/{resolved_issue}/rate", {"value": "satisfied", "comment": "Thanks"})
    # a refused plain form goes back to the issue's page, which shows the message
    assert (r.status_code, r.headers["Location"]) == (303, f"/issues/{resolved_issue}#act-rate")
    assert "Someone else changed this issue" in client.get(f"/issues/{resolved_issue}").get_data(as_text=True)
    assert _ratings(resolved_issue) == 0
    assert db.session.get(Issue, resolved_issue).state == "resolved"
    # and the issue can still be rated
    r = client.post(f"/issues/{resolved_issue}/rate", {"value": "satisfied", "comment": "Thanks"})
    assert r.status_code == 303
    assert _ratings(resolved_issue) == 1
    assert db.session.get(Issue, resolved_issue).state == "closed"


def test_a_refused_registration_leaves_no_account(client, city):
    form = {"mobile": "13812345678", "display_name": "新居民", "password": "longenough", "confirm": "longenough",
            "street": city.street_a.id, "community": city.comm_a.id, "grid": city.grid_a.id,
            "area_id": city.micro_a1.id, "action": "register"}
    with refusing("account.registered", AccountError("This mobile number is already registered.", "mobile")):
        r = client.post("/auth/register", form)
    assert r.status_code == 200 and "already registered" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.mobile == "13812345678")) == 0
    assert client.post("/auth/register", form).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(User).where(User.mobile == "13812345678")) == 1


def _rename(user_id: int, name: str) -> None:
    db.session.execute(update(User).where(User.id == user_id).values(display_name=name))


@pytest.mark.parametrize("method", ["GET", "POST", None], ids=["get", "post", "no-request"])
def test_a_rolled_back_savepoint_keeps_the_outer_work_and_the_rollback_drops_all(app, city, method):
    """Savepoints nest: rolling one back keeps what came before; rolling the transaction back drops both."""
    resident, staff, admin = city.resident_a.id, city.staff_a.id, city.admin.id
    db.session.commit()
    context = app.test_request_context("/", method=method) if method else app.app_context()
    with context:
        _rename(resident, "outer")
        with pytest.raises(RuntimeError):
            with db.session.begin_nested():
                _rename(staff, "inner")
                raise RuntimeError("refused")
        with db.session.begin_nested():  # a savepoint released: still inside the outer transaction
            _rename(admin, "released")
        assert db.session().in_transaction()
        db.session.commit()
        with db.session.begin_nested():  # the first write of a new transaction is a savepoint …
            _rename(resident, "lost")
        db.session.rollback()  # … and a rollback afterwards takes it back
        db.session.remove()
    names = dict(db.session.execute(select(User.id, User.display_name)).all())
    assert (names[resident], names[staff], names[admin]) == ("outer", "staff_a", "released")


@pytest.fixture
def sqlite_file(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's own locking")
    return db.engine.url.database


def _other_writer_blocked(path: str) -> bool:
    """Whether another connection, not waiting at all, is refused the write lock right now."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    else:
        other.execute("ROLLBACK")
        return False
    finally:
        other.close()


@pytest.mark.parametrize("method", ["POST", "GET", None], ids=["post", "get", "no-request"])
def test_reads_take_no_lock_and_a_savepoint_takes_the_write_lock_at_once(app, city, sqlite_file, method):
    """Reading begins nothing, so page views never queue behind writers; the first write — here a savepoint — begins
    an IMMEDIATE transaction holding the write lock until the commit or rollback."""
    user_id = city.resident_a.id
    db.session.commit()
    context = app.test_request_context("/", method=method) if method else app.app_context()
    with context:
        db.session.scalar(select(User.display_name).where(User.id == user_id))
        assert _other_writer_blocked(sqlite_file) is False
        with db.session.begin_nested():
            db.session.scalar(select(User.id).limit(1))  # the savepoint is sent with its first statement
            assert _other_writer_blocked(sqlite_file) is True
            _rename(user_id, "inside")
        assert _other_writer_blocked(sqlite_file) is True  # released: the outer transaction goes on
        db.session.rollback()
        assert _other_writer_blocked(sqlite_file) is False
        db.session.remove()
    assert db.session.get(User, user_id).display_name == "王小明"


def test_a_write_after_another_connection_committed_does_not_fail(app, city):
    """Read, someone else commits, then write: on SQLite a transaction begun at the read would hold a stale snapshot
    and its write would fail at once ("database is locked"); here, as on PostgreSQL, the write sees the commit."""
    user_id = city.resident_a.id
    db.session.commit()
    with app.test_request_context("/", method="POST"):
        assert db.session.scalar(select(User.display_name).where(User.id == user_id)) == "王小明"
        with db.engine.begin() as other:  # another request, on its own connection
            other.execute(update(User).where(User.id == user_id).values(display_name="changed"))
        result = db.session.execute(update(User).where(User.id == user_id, User.display_name == "changed")
                                    .values(display_name="changed twice"))
        assert result.rowcount == 1
        db.session.commit()
        db.session.remove()
    assert db.session.get(User, user_id).display_name == "changed twice"


def test_pragmas_apply_outside_the_transaction(app, sqlite_file):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_flask_db_upgrade_on_a_fresh_sqlite_file(app, tmp_path):
    from app import create_app

    path = tmp_path / "fresh.sqlite3"
    fresh = create_app({"CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                        "SECRET_KEY": "test-secret", "UPLOAD_DIR": str(tmp_path / "uploads"), "SERVER_NAME": None})
    with fresh.app_context():  # the command would otherwise run in the test app's context
        try:
            result = fresh.test_cli_runner().invoke(args=["db", "upgrade"])
            assert result.exit_code == 0, result.output
            with db.engine.connect() as conn:
                tables = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        finally:
            db.session.remove()
            db.engine.dispose()
    assert {"user", "issue", "issue_rating", "alembic_version"} <= tables
