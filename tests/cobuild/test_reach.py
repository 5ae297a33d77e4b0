"""Who sees and claims what is published: an open need goes to the agencies of its street only (a branch sitting in
the street, or paired with one of its communities); a key project to every agency of the city. The home card, the
list, the item page and the claim agree on it."""
from __future__ import annotations

from sqlalchemy import select

from app.cobuild import services
from app.cobuild.models import ChecklistItem
from app.extensions import db
from app.organisations.services import create_organisation
from tests.cobuild.helpers import item_input
from tests.factories import make_user


def _publish(city):
    need = services.publish_open_need(city.staff_a, city.comm_a, item_input("Handrails for Street A"))
    key = services.publish_key_project(city.admin, city.comm_b, item_input("Culture room city-wide"))
    db.session.commit()
    return need.id, key.id


def test_an_open_need_reaches_only_the_agencies_of_its_street(make_client, city):
    need_id, key_id = _publish(city)
    # Agency B sits in the city and is paired in Street B only: not an agency of Street A
    b = make_client()
    b.login("agency_b")
    home = b.get("/").get_data(as_text=True)
    assert "Culture room city-wide" in home and "Handrails for Street A" not in home
    listing = b.get("/cobuild/open").get_data(as_text=True)
    assert "Culture room city-wide" in listing and "Handrails for Street A" not in listing
    assert b.get(f"/cobuild/items/{need_id}").status_code == 404
    assert b.post(f"/cobuild/items/{need_id}/claim").status_code == 404
    assert db.session.get(ChecklistItem, need_id).pairing_id is None
    assert b.get(f"/cobuild/items/{key_id}").status_code == 200

    # Agency A is paired with Community A: an agency of Street A
    a = make_client()
    a.login("agency_a")
    home = a.get("/").get_data(as_text=True)
    assert "Handrails for Street A" in home and "Culture room city-wide" in home
    assert "Handrails for Street A" in a.get("/cobuild/open").get_data(as_text=True)
    assert f'action="/cobuild/items/{need_id}/claim"' in a.get(f"/cobuild/items/{need_id}").get_data(as_text=True)


def test_a_branch_sitting_in_the_street_sees_its_open_needs(make_client, city):
    need_id, _key_id = _publish(city)
    local = create_organisation("Street A tax office branch", "agency", city.street_a)
    make_user("local_admin", roles=[("agency_admin", local)])
    db.session.commit()
    c = make_client()
    c.login("local_admin")
    assert "Handrails for Street A" in c.get("/cobuild/open").get_data(as_text=True)
    assert c.post(f"/cobuild/items/{need_id}/claim").status_code == 303
    db.session.expire_all()
    item = db.session.get(ChecklistItem, need_id)
    assert item.pairing is not None and item.pairing.organisation_id == local.id
    # once claimed, the other agencies of the street no longer see it to claim, and a late claim is told so
    a = make_client()
    a.login("agency_a")
    assert "Handrails for Street A" not in a.get("/cobuild/open").get_data(as_text=True)
    r = a.post(f"/cobuild/items/{need_id}/claim", follow_redirects=True)
    assert "just been claimed by another agency" in r.get_data(as_text=True)


def test_a_branch_in_the_city_without_a_pairing_in_the_street_sees_key_projects_only(make_client, city):
    need_id, key_id = _publish(city)
    lonely = create_organisation("City archives branch", "agency", city.city)
    make_user("lonely_admin", roles=[("agency_admin", lonely)])
    db.session.commit()
    c = make_client()
    c.login("lonely_admin")
    listing = c.get("/cobuild/open").get_data(as_text=True)
    assert "Culture room city-wide" in listing and "Handrails for Street A" not in listing
    home = c.get("/").get_data(as_text=True)
    assert "Handrails for Street A" not in home
    assert c.post(f"/cobuild/items/{need_id}/claim").status_code == 404
    assert c.post(f"/cobuild/items/{key_id}/claim").status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(ChecklistItem.pairing_id).where(ChecklistItem.id == key_id)) is not None


def test_staff_and_the_street_office_see_what_their_community_published(make_client, city):
    need_id, _key_id = _publish(city)
    for username, sees in (("staff_a", True), ("street_a", True), ("admin", True), ("staff_b", False)):
        c = make_client()
        c.login(username)
        assert ("Handrails for Street A" in c.get("/cobuild/open").get_data(as_text=True)) is sees, username


def test_the_demo_leaves_an_open_need_and_key_projects_for_agency2(app, make_client):
    from app.cli import load_domain_modules
    from app.demo import seed

    load_domain_modules("demo")
    seed()
    db.session.commit()
    agency2 = make_client()
    agency2.login("agency2")
    listing = agency2.get("/cobuild/open").get_data(as_text=True)
    assert "老旧小区加装扶手" in listing and "杏林社区智慧养老服务站" in listing
    assert listing.count('/claim"') >= 3
    agency1 = make_client()
    agency1.login("agency1")
    listing = agency1.get("/cobuild/open").get_data(as_text=True)
    assert "老旧小区加装扶手" not in listing and "杏林社区智慧养老服务站" in listing
