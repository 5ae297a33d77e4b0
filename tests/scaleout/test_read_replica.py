"""DATABASE_URL_READ: public lists read from the replica, writes never touch it, and a person sees their own change.

The "replica" here is a second database holding a copy of the primary's rows, with one wish's title changed and
nothing copied afterwards — a replica that lags: what a page shows tells which database it read.
"""
from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import event, select, update

from app.extensions import db, read_engine, reading, replica_wanted
from app.wishes.models import Wish
from tests.conftest import Client
from tests.factories import build_city
from tests.scaleout.helpers import fresh_database, second_app
from tests.wishes.helpers import make_wish

pytestmark = pytest.mark.commits  # two databases of its own, committed for real

PRIMARY_TITLE = "Lamp on the primary"
REPLICA_TITLE = "Lamp on the replica"


@pytest.fixture
def replicated(app, tmp_path):
    """(app with a replica, the replica's engine, a namespace: city, wish id), the replica a lagging copy."""
    primary_url, drop_primary = fresh_database(tmp_path, "primary")
    replica_url, drop_replica = fresh_database(tmp_path, "replica")
    try:
        with second_app({"SQLALCHEMY_DATABASE_URI": primary_url, "DATABASE_URL_READ": replica_url,
                         "UPLOAD_DIR": str(tmp_path / "uploads")}) as other:
            with other.app_context():
                replica = read_engine()
                db.metadata.create_all(replica)
                city = build_city()
                wid = make_wish(city, "published", title=PRIMARY_TITLE)
                with replica.begin() as conn:  # the copy: every row as the primary has it now
                    for table in db.metadata.sorted_tables:
                        rows = [dict(r) for r in db.session.execute(select(table)).mappings()]
                        if rows:
                            conn.execute(table.insert(), rows)
                    conn.execute(update(Wish.__table__).where(Wish.id == wid).values(title=REPLICA_TITLE))
                db.session.remove()
            yield other, replica, wid
    finally:
        drop_primary()
        drop_replica()


def _statements(engine):
    seen: list[str] = []

    def before(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    return seen, lambda: event.remove(engine, "before_cursor_execute", before)


def test_the_wish_wall_reads_the_replica_and_a_claim_never_does(replicated):
    other, replica, wid = replicated
    visitor = Client(other.test_client(), other)
    seen, stop = _statements(replica)
    try:
        wall = visitor.get("/wishes/").get_data(as_text=True)
        assert REPLICA_TITLE in wall and PRIMARY_TITLE not in wall
        assert any(s.lstrip().upper().startswith("SELECT") for s in seen)
        # the wish's own page is not a public list: it reads the primary
        page = visitor.get(f"/wishes/{wid}").get_data(as_text=True)
        assert PRIMARY_TITLE in page and REPLICA_TITLE not in page

        member = Client(other.test_client(), other)
        member.login("member_a")
        seen.clear()
        claimed = member.htmx_post(f"/wishes/{wid}/claim")
        assert claimed.status_code == 200 and "You claimed this wish" in claimed.headers.get("HX-Trigger", "")
        assert seen == []  # a write path never touches the replica, not even for its reads
    finally:
        stop()
    with other.app_context():
        assert db.session.get(Wish, wid).state == "claimed"


def test_a_person_sees_their_own_change_at_once(replicated):
    """Read-your-writes: the claimant's wall comes from the primary (the wish has left the "open" list), while a
    visitor's still comes from the lagging replica; after READ_YOUR_WRITES_SECONDS the claimant reads the
    replica too."""
    other, _replica, wid = replicated
    member = Client(other.test_client(), other)
    member.login("member_a")
    assert member.htmx_post(f"/wishes/{wid}/claim").status_code == 200

    mine = member.get("/wishes/").get_data(as_text=True)
    assert f'id="wish-{wid}"' not in mine and REPLICA_TITLE not in mine  # primary: claimed, off the open wall
    visitor = Client(other.test_client(), other)
    theirs = visitor.get("/wishes/").get_data(as_text=True)
    assert REPLICA_TITLE in theirs  # the replica has not caught up yet

    with member.c.session_transaction() as sess:  # the window has passed
        sess["_rp"] = 0
    assert REPLICA_TITLE in member.get("/wishes/").get_data(as_text=True)


def test_without_a_window_a_signed_in_person_reads_the_replica(replicated):
    other, _replica, _wid = replicated
    other.config["READ_YOUR_WRITES_SECONDS"] = 0
    member = Client(other.test_client(), other)
    member.login("member_a")  # a write (the last sign-in time), but no window to stay on the primary
    assert REPLICA_TITLE in member.get("/wishes/").get_data(as_text=True)


def test_open311_request_list_reads_the_replica(replicated):
    other, replica, _wid = replicated
    seen, stop = _statements(replica)
    try:
        r = other.test_client().get("/open311/v2/requests.json")
    finally:
        stop()
    assert r.status_code == 200 and seen
    assert "Set-Cookie" not in r.headers  # an API answer, no session


def test_within_one_request_reads_after_a_write_go_to_the_primary(replicated):
    other, replica, wid = replicated
    seen, stop = _statements(replica)
    try:
        with other.test_request_context("/wishes/"):
            assert not replica_wanted()  # not asked for
            with reading():
                assert replica_wanted()
                assert db.session.scalar(select(Wish.title).where(Wish.id == wid)) == REPLICA_TITLE
                locked = db.session.scalar(select(Wish.title).where(Wish.id == wid).with_for_update())
                assert locked == PRIMARY_TITLE  # a row lock is taken on the primary
                wish = db.session.get(Wish, wid)
                wish.title = "Changed here"
                assert db.session.scalar(select(Wish.title).where(Wish.id == wid)) == "Changed here"  # pending
                db.session.flush()
                assert g._portal_wrote and not replica_wanted()
                assert db.session.scalar(select(Wish.title).where(Wish.id == wid)) == "Changed here"
            db.session.rollback()
            db.session.remove()
    finally:
        stop()
    # the plain SELECT and the get() before the write; neither the locking read nor anything after the write
    assert len(seen) == 2 and not [s for s in seen if "FOR UPDATE" in s.upper()]


def test_without_a_replica_everything_reads_the_primary(app):
    with app.test_request_context("/wishes/"), reading():
        assert read_engine() is None and not replica_wanted()


def test_a_replica_that_is_down_leaves_the_lists_on_the_primary(app, tmp_path, caplog):
    """The list is read again from the primary (no 500), the log says so once, and the replica is left alone for a
    while instead of costing every request a failed connection."""
    import logging

    from app.extensions import REPLICA_RETRY_SECONDS
    from tests.scaleout.helpers import pg_base_url

    primary_url, drop_primary = fresh_database(tmp_path, "primary")
    unreachable = ("postgresql+psycopg://postgres@127.0.0.1:1/none" if pg_base_url()
                   else f"sqlite:///{tmp_path / 'no-such-folder' / 'replica.sqlite3'}")
    try:
        with second_app({"SQLALCHEMY_DATABASE_URI": primary_url, "DATABASE_URL_READ": unreachable,
                         "UPLOAD_DIR": str(tmp_path / "uploads")}) as other:
            with other.app_context():
                make_wish(build_city(), "published", title=PRIMARY_TITLE)
                db.session.remove()
            visitor = Client(other.test_client(), other)
            with caplog.at_level(logging.WARNING):
                first = visitor.get("/wishes/")
                second = visitor.get("/open311/v2/requests.json")
            assert first.status_code == 200 and PRIMARY_TITLE in first.get_data(as_text=True)
            assert second.status_code == 200 and second.get_json() == []  # no issues reported: an empty list
            assert caplog.text.count("read replica") == 1 and str(REPLICA_RETRY_SECONDS) in caplog.text
    finally:
        drop_primary()
