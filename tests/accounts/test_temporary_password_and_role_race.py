"""A temporary password (made by staff) is replaced before anything else; a role granted twice at the same instant
is held once — the database keeps one row per role and place."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import RoleAssignment, User
from app.accounts.services import grant_role, reset_password
from app.extensions import db
from app.wishes.models import Wish

N = 8


def _must_change(user_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(User, user_id).must_change_password


@pytest.fixture
def temporary(city):
    password = reset_password(city.staff_a, city.resident_a)
    db.session.commit()
    return password


def test_every_page_leads_to_the_password_page_until_it_is_replaced(make_client, city, temporary):
    c = make_client()
    c.login("resident_a", temporary)
    for url in ("/", "/wishes/new", "/issues/", "/me", "/notifications/"):
        r = c.get(url)
        assert r.status_code == 303 and r.headers["Location"].endswith("/auth/password"), url
    page = c.get("/auth/password").get_data(as_text=True)
    assert "the one you were given is temporary" in page
    # a state change is not carried out either
    r = c.post("/wishes/new", {"category": "study", "title": "x", "description": "y", "value": "1",
                               "wanted_by": "2099-01-01", "post_key": "k-temporary-01"})
    assert r.status_code == 303 and db.session.scalar(select(func.count()).select_from(Wish)) == 0
    # signing out and the language switch still work
    assert c.post("/lang", {"lang": "zh_CN", "next": "/"}).status_code == 303
    r = c.post("/auth/password", {"current_password": temporary, "new_password": "my-own-secret",
                                  "confirm": "my-own-secret"})
    assert r.status_code == 303 and not _must_change(city.resident_a.id)
    assert c.get("/").status_code == 200


def test_an_account_with_its_own_password_is_not_sent_anywhere(client, city):
    client.login("resident_a")
    assert client.get("/").status_code == 200 and not _must_change(city.resident_a.id)


def test_the_api_and_health_check_are_not_redirected(make_client, city, temporary):
    c = make_client()
    c.login("resident_a", temporary)
    assert c.get("/healthz").status_code == 200
    assert c.get("/open311/v2/discovery.json").status_code == 200


def test_the_database_keeps_one_row_per_role_and_place(city):
    for kwargs in ({"area_id": city.micro_a1.id}, {"organisation_id": city.agency_a.id}, {}):
        role = "microgrid_leader" if "area_id" in kwargs else ("member" if kwargs else "city_admin")
        user = city.resident_b
        db.session.add(RoleAssignment(user_id=user.id, role=role, **kwargs))
        db.session.flush()
        db.session.add(RoleAssignment(user_id=user.id, role=role, **kwargs))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_granting_twice_at_the_same_instant_gives_one_role(race, city):
    from app.areas.models import Area

    user_id, area_id, staff_id = city.resident_b.id, city.micro_b1.id, city.staff_b.id

    def grant(_i: int) -> None:
        grant_role(db.session.get(User, user_id), "microgrid_leader", area=db.session.get(Area, area_id),
                   actor=db.session.get(User, staff_id))
        db.session.commit()

    errors = [r for r in race(N, grant) if r is not None]
    assert not errors, errors[:2]
    assert db.session.scalar(select(func.count()).select_from(RoleAssignment).where(
        RoleAssignment.user_id == user_id, RoleAssignment.role == "microgrid_leader")) == 1
