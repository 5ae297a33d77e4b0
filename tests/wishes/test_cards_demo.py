"""Home cards for each role, and the demo city's wishes."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.wishes.models import Wish, WishClaim
from tests.wishes.helpers import make_wish


def home(make_client, username):
    c = make_client()
    c.login(username)
    return c.get("/").get_data(as_text=True)


def test_staff_home_shows_the_review_queue_count(make_client, city):
    make_wish(city, "pending", title="Needs review 1")
    make_wish(city, "pending", title="Needs review 2")
    make_wish(city, "pending", title="Other community", wisher=city.resident_b)
    html = home(make_client, "staff_a")
    assert "Micro-wishes to review" in html and '<span class="count">2</span>' in html
    assert "Needs review 1" in html and "Other community" not in html
    assert "Micro-wishes to review" not in home(make_client, "resident_a")


def test_resident_home_shows_my_wishes_and_asks_to_confirm(make_client, city):
    make_wish(city, "fulfilled", title="Lamp to confirm")
    html = home(make_client, "resident_a")
    assert "My micro-wishes" in html and "Lamp to confirm" in html and "Please confirm" in html
    empty = home(make_client, "resident_a2")
    assert "My micro-wishes" in empty and "You have no open wish" in empty


def test_member_and_agency_admin_home_show_my_claims(make_client, city):
    make_wish(city, "claimed", title="Member claim")
    make_wish(city, "claimed", title="Branch claim", claimer=city.agency_admin_a, organisation=city.agency_a)
    html = home(make_client, "member_a")
    assert "My claimed wishes" in html and "Member claim" in html and "Branch claim" not in html
    html = home(make_client, "agency_a")
    assert "My claimed wishes" in html and "Branch claim" in html
    assert "Branch claim" not in home(make_client, "agency_b")
    assert "My claimed wishes" not in home(make_client, "resident_a")


def test_mine_lists_wishes_and_claims(make_client, city):
    make_wish(city, "claimed", title="Claimed lamp")
    c = make_client()
    c.login("member_a")
    assert "Claimed lamp" in c.get("/wishes/mine").get_data(as_text=True)
    c = make_client()
    c.login("resident_a")
    assert "Claimed lamp" in c.get("/wishes/mine").get_data(as_text=True)


def test_demo_seed_has_wishes_in_every_state_and_is_idempotent(app, make_client):
    from app.cli import load_domain_modules
    from app.demo import seed

    load_domain_modules("demo")
    seed()
    states = dict(db.session.execute(select(Wish.state, func.count()).group_by(Wish.state)).all())
    assert set(states) == {"pending", "published", "claimed", "fulfilled", "completed", "rejected", "withdrawn",
                           "expired"}
    from app.accounts.models import User
    from app.areas.models import Area

    community1 = db.session.scalar(select(Area).where(Area.code == "C-S1-C1"))
    open_here = db.session.scalar(select(func.count()).select_from(Wish)
                                  .where(Wish.community_id == community1.id, Wish.state == "published"))
    assert open_here >= 3
    users = {u.username: u.id for u in db.session.scalars(select(User))}
    claimants = set(db.session.scalars(select(WishClaim.claimant_id)))
    assert users["member1"] in claimants and users["agency1"] in claimants
    assert db.session.scalar(select(func.count()).select_from(Wish).where(Wish.on_behalf.is_(True))) >= 1
    before = db.session.scalar(select(func.count()).select_from(Wish))
    seed()
    assert db.session.scalar(select(func.count()).select_from(Wish)) == before

    c = make_client()
    c.login("staff1")
    assert "Micro-wishes to review" in c.get("/").get_data(as_text=True)
    c = make_client()
    c.login("member1")
    html = c.get("/wishes/").get_data(as_text=True)
    assert "/claim" in html
