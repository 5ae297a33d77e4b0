"""The suite's own isolation: rollback mode binds the test and its requests to one connection inside one
transaction, and a test that reaches for another thread or connection without ``@pytest.mark.commits`` fails
loudly instead of waiting for a lock."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from tests import conftest
from tests.factories import make_user


@pytest.fixture
def expect_violation():
    """The test provokes a violation on purpose: forget it afterwards, so the test itself is not failed for it."""
    yield
    assert conftest._shared.violations, "no violation was recorded"
    conftest._shared.violations.clear()


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_request_sees_the_tests_commit_and_the_test_sees_the_requests(make_client, city):
    make_user("newcomer", home=city.micro_a1)
    db.session.commit()  # releases a savepoint only
    make_client().login("newcomer")  # the request, on its own session, finds the user
    before = _users()
    r = make_client().post("/auth/register", {"mobile": "13812340001", "display_name": "新人", "password": "longenough",
                                       "confirm": "longenough", "area_id": city.micro_a1.id, "action": "register"})
    assert r.status_code == 303
    assert _users() == before + 1


def test_a_refused_request_takes_back_only_its_own_work(client, city):
    make_user("kept", home=city.micro_a1)
    db.session.commit()
    before = _users()
    r = client.post("/auth/register", {"mobile": "13812340002", "display_name": "新人", "password": "longenough",
                                       "confirm": "different1", "area_id": city.micro_a1.id, "action": "register"})
    assert r.status_code == 200
    assert _users() == before
    assert db.session.scalar(select(User).where(User.username == "kept")) is not None


def test_the_outer_transaction_is_one_transaction_that_a_commit_does_not_end(city):
    conn = db.session.connection()
    assert conn is conftest._shared.conn
    db.session.commit()
    assert conftest._shared.conn.in_transaction()
    if conn.dialect.name == "sqlite":  # the driver leaves transactions to SQLAlchemy: one real BEGIN
        assert conftest._shared.conn.connection.dbapi_connection.in_transaction


def test_the_queries_fixture_counts_statements_on_the_shared_connection(client, city, queries):
    with queries() as statements:
        client.login("resident_a")
    assert any("password_hash" in s for s in statements), statements
    assert not [s for s in statements if "SAVEPOINT" in s]  # bookkeeping is not counted


def test_another_thread_on_the_tests_connection_fails_loudly(app, city, expect_violation):
    errors: list = []

    def use_the_database():
        with app.app_context():
            try:
                db.session.scalar(select(func.count()).select_from(User))
            except RuntimeError as exc:
                errors.append(str(exc))

    thread = threading.Thread(target=use_the_database)
    thread.start()
    thread.join(timeout=30)
    assert errors and "@pytest.mark.commits" in errors[0]


def test_a_second_connection_fails_loudly(city, expect_violation):
    with pytest.raises(RuntimeError, match="second database connection"):
        db.engine.connect()


@pytest.mark.commits
def test_a_commits_test_commits_for_real(city):
    with db.engine.connect() as other:  # another connection sees the factory city
        assert other.scalar(select(func.count()).select_from(User)) == _users() > 0
