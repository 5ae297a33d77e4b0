"""Twenty people claim one wish at the same instant: one claim, nineteen clear answers — SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.wishes.models import WishClaim
from tests.factories import make_user
from tests.wishes.helpers import active_claims, get_wish, make_wish

N = 20


def test_twenty_simultaneous_claims_give_one_winner(race, make_client, city):
    wid = make_wish(city, "published")
    members = [make_user(f"racer{i:02d}", roles=[("member", city.agency_a if i % 2 else city.agency_b)])
               for i in range(N)]
    db.session.commit()
    clients = []
    for user in members:
        c = make_client()
        c.login(user.username)
        c.token()
        clients.append(c)

    def claim(i: int):
        r = clients[i].htmx_post(f"/wishes/{wid}/claim")
        return r.status_code, r.get_data(as_text=True) + r.headers.get("HX-Trigger", "")  # the toast is a header

    results = race(N, claim)
    assert all(isinstance(r, tuple) for r in results), results
    assert [s for s, _ in results].count(200) == N, [r for r in results if r[0] != 200]
    winners = [b for _, b in results if "You claimed this wish" in b]  # the winner's toast (HX-Trigger)
    losers = [b for _, b in results if "Already claimed by" in b]
    assert len(winners) == 1, [b[:300] for _, b in results if "You claimed" not in b and "Already" not in b]
    assert len(losers) == N - 1
    assert active_claims(wid) == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(WishClaim).where(WishClaim.wish_id == wid)) == 1
    assert get_wish(wid).state == "claimed"


def test_the_database_refuses_a_second_active_claim(app, city):
    """The partial unique index holds even if the service's lock were bypassed."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from app.timeutil import utcnow

    wid = make_wish(city, "claimed")
    db.session.add(WishClaim(wish_id=wid, claimant_id=city.member_b.id, status="active", deadline_at=utcnow()))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # released claims do not count: many released, one active is fine
    claim = db.session.scalar(select(WishClaim).where(WishClaim.wish_id == wid))
    claim.status = "released"
    db.session.add(WishClaim(wish_id=wid, claimant_id=city.member_b.id, status="active", deadline_at=utcnow()))
    db.session.commit()
    assert active_claims(wid) == 1
