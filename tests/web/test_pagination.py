"""Keyset pagination over users: stable pages, and tampered cursors fall back to the first page."""
import base64
import json
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.timeutil import utcnow
from app.web.pagination import keyset_page
from tests.factories import make_user


def _page(cursor, size=3):
    return keyset_page(db.session, select(User), keys=[(User.created_at, "desc"), (User.id, "desc")],
                       cursor=cursor, size=size)


def test_pages_cover_everything_once(app):
    now = utcnow()
    for i in range(8):
        user = make_user(f"user{i}")
        user.created_at = now - timedelta(minutes=i // 2)  # ties on created_at, broken by id
    db.session.commit()
    seen, cursor = [], None
    while True:
        page = _page(cursor)
        seen += [u.username for u in page.items]
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(f"user{i}" for i in range(8)) and len(seen) == 8


def test_tampered_cursors_start_again(app):
    make_user("only")
    db.session.commit()

    def enc(values):
        return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")

    for cursor in ["%%%", "bm90IGpzb24", enc([1]), enc(["x", "y"]), enc([{"dt": "nope"}, 1]),
                   enc([{"dt": "2026-01-01T00:00:00"}, 10**30]), enc([{"dt": "2026-01-01T00:00:00"}, "1"]),
                   enc([5, 1])]:
        assert [u.username for u in _page(cursor).items] == ["only"], cursor
