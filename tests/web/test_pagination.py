"""Keyset pagination over users: stable pages, and tampered cursors fall back to the first page."""
import base64
import json
from datetime import timedelta

import pytest
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


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


#: cursors no list ever writes, each of which used to reach the database (a NUL or a lone surrogate in a string
#: part, a NUL inside a time, an offset on a naive time, JSON's non-numbers) or the decoder's error paths
FORGED = [
    _b64(b'["Agency\\u0000",1]'),
    _b64(b'["\\ud800",1]'),
    _b64(b'["\\udfff\\ud800x",1]'),
    _b64(b'[{"dt":"2026-01-01T00:00:00\\u0000"},1]'),
    _b64(b'[{"dt":"2026-01-01T00:00:00+08:00"},1]'),
    _b64(b'[{"dt":"2026-01-01","x":1},1]'),
    _b64(b'[NaN,1]'),
    _b64(b'[Infinity,-Infinity]'),
    _b64(b'\xff\xfe["a",1]'),
    _b64(b"[" * 100_000),
]


def test_forged_string_parts_start_again(app):
    make_user("only")
    db.session.commit()
    for cursor in FORGED:
        assert [u.username for u in _page(cursor).items] == ["only"], cursor
    from app.organisations.models import Organisation
    from app.organisations.queries import LIST_KEYS

    db.session.add(Organisation(name="Alpha", kind="agency"))
    db.session.commit()
    for cursor in FORGED:
        page = keyset_page(db.session, select(Organisation), keys=LIST_KEYS, cursor=cursor, size=5)
        assert [o.name for o in page.items] == ["Alpha"], cursor


@pytest.mark.parametrize("url, who, first", [
    ("/organisations/", "admin", "Agency A"),
    ("/users/", "admin", "resident_b"),
    ("/issues/?view=mine", "resident_a", None),
    ("/issues/?view=queue", "staff_a", None),
    ("/issues/?view=area", "staff_a", None),
    ("/issues/?view=public", "resident_a", None),
    ("/notifications/", "resident_a", None),
    ("/wishes/", "resident_a", None),
    ("/open311/keys", "admin", None),
])
def test_every_list_answers_a_forged_cursor_with_its_first_page(client, city, url, who, first):
    client.login(who)
    plain = client.get(url)
    assert plain.status_code == 200
    if first:
        assert first in plain.get_data(as_text=True)
    sep = "&" if "?" in url else "?"
    for cursor in FORGED:
        for headers in ({}, {"HX-Request": "true"}):
            r = client.get(f"{url}{sep}after={cursor}", headers=headers)
            assert r.status_code == 200, (url, cursor, headers, r.status_code)
            if first:
                assert first in r.get_data(as_text=True), (url, cursor)
