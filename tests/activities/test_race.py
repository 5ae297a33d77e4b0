"""Capacity under a sign-up race, and two cancellations at the same instant — SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.activities.models import Signup
from app.extensions import db
from tests.activities.helpers import get, make_activity
from tests.factories import make_user

N = 30


def _race(app, clients, url_of):
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def run(i: int) -> None:
        with app.app_context():
            barrier.wait(timeout=60)
            try:
                r = clients[i].htmx_post(url_of(i))
                results[i] = r.status_code
            except Exception as exc:  # noqa: BLE001 — reported below
                results[i] = repr(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return results


def _count(aid, status):
    db.session.expire_all()
    return db.session.scalar(select(func.count(Signup.id)).where(Signup.activity_id == aid, Signup.status == status))


@pytest.mark.commits  # threads: each request on its own connection
def test_thirty_simultaneous_sign_ups_never_exceed_capacity(app, make_client, city):
    aid = make_activity(city, capacity=7)
    people = [make_user(f"signer{i:02d}") for i in range(N)]
    db.session.commit()
    clients = []
    for p in people:
        c = make_client()
        c.login(p.username)
        c.token()
        clients.append(c)
    results = _race(app, clients, lambda i: f"/activities/{aid}/signup")
    assert results == [200] * N, results
    assert _count(aid, "confirmed") == 7
    assert _count(aid, "waiting") == N - 7
    assert get(aid).taken == 7


@pytest.mark.commits  # threads: each request on its own connection
def test_two_cancellations_at_once_promote_two_people(app, make_client, city):
    aid = make_activity(city, capacity=2)
    people = [make_user(f"p{i}") for i in range(4)]
    db.session.commit()
    clients = []
    for p in people:
        c = make_client()
        c.login(p.username)
        c.token()
        clients.append(c)
    for c in clients:  # two confirmed, two waiting, in order
        assert c.post(f"/activities/{aid}/signup").status_code == 303
    assert _count(aid, "waiting") == 2
    results = _race(app, clients[:2], lambda i: f"/activities/{aid}/cancel")
    assert results == [200, 200], results
    assert _count(aid, "confirmed") == 2
    assert _count(aid, "waiting") == 0
    confirmed = set(db.session.scalars(select(Signup.user_id).where(Signup.activity_id == aid,
                                                                    Signup.status == "confirmed")))
    assert confirmed == {people[2].id, people[3].id}
    assert get(aid).taken == 2


def test_cancelling_after_the_start_is_refused_and_changes_nothing(client, city):
    aid = make_activity(city, start_in=timedelta(minutes=-10))
    from app.activities.models import Signup as S

    db.session.add(S(activity_id=aid, user_id=city.resident_a.id, status="confirmed"))
    db.session.commit()
    client.login("resident_a")
    r = client.htmx_post(f"/activities/{aid}/cancel")
    assert r.status_code == 200
    assert "already started" in r.get_data(as_text=True)
    assert _count(aid, "confirmed") == 1
