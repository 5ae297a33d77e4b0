"""Pairings (结对): an agency branch with a community for a year — who may make and remove them, duplicates, races."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.extensions import db
from app.organisations import services
from app.organisations.models import Pairing
from app.organisations.services import create_organisation
from app.timeutil import local_today

YEAR = local_today().year


def text(response) -> str:
    return response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")


def pairings(org=None, community=None) -> list[tuple[int, int, int]]:
    stmt = select(Pairing.organisation_id, Pairing.community_id, Pairing.year).order_by(Pairing.id)
    if org is not None:
        stmt = stmt.where(Pairing.organisation_id == org.id)
    if community is not None:
        stmt = stmt.where(Pairing.community_id == community.id)
    return [tuple(r) for r in db.session.execute(stmt)]


def test_street_admin_pairs_from_the_community_overview(client, city):
    client.login("street_a")
    page = text(client.get(f"/areas/{city.comm_a.id}"))
    assert 'action="/organisations/pairings"' in page and f'value="{city.agency_b.id}"' in page
    assert re.search(rf'<input[^>]*name="year"[^>]*value="{YEAR}"', page)  # this year, filled in
    r = client.post("/organisations/pairings", {"organisation_id": city.agency_b.id, "community_id": city.comm_a.id,
                                               "year": YEAR, "next": f"/areas/{city.comm_a.id}#pairings"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/areas/{city.comm_a.id}#pairings")
    assert (city.agency_b.id, city.comm_a.id, YEAR) in pairings()
    page = text(client.get(f"/areas/{city.comm_a.id}"))
    assert f"Agency B branch is paired with Community A for {YEAR}." in page
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "pairing.created"))
    assert audit.actor_id == city.street_admin_a.id and audit.area_id == city.comm_a.id


def test_city_admin_pairs_from_the_agency_page_for_next_year(client, city):
    client.login("admin")
    page = text(client.get(f"/organisations/{city.agency_a.id}"))
    assert 'action="/organisations/pairings"' in page and f'value="{city.comm_b.id}"' in page
    r = client.post("/organisations/pairings", {"organisation_id": city.agency_a.id, "community_id": city.comm_b.id,
                                               "year": YEAR + 1, "next": f"/organisations/{city.agency_a.id}#pairings"})
    assert r.status_code == 303
    assert (city.agency_a.id, city.comm_b.id, YEAR + 1) in pairings()
    # the pairing form is offered on agency pages only
    team = create_organisation("A team", "volunteer_team", city.comm_a)
    db.session.commit()
    assert 'action="/organisations/pairings"' not in text(client.get(f"/organisations/{team.id}"))


def test_a_duplicate_pairing_is_refused_with_a_clear_message(client, city):
    client.login("street_a")
    r = client.post("/organisations/pairings", {"organisation_id": city.agency_a.id, "community_id": city.comm_a.id,
                                               "year": str(YEAR), "next": f"/areas/{city.comm_a.id}"})
    assert r.status_code == 200
    assert f"Agency A branch is already paired with Community A for {YEAR}." in text(r)
    assert f'href="/areas/{city.comm_a.id}"' in text(r)  # the way back stays on the form
    assert pairings(city.agency_a) == [(city.agency_a.id, city.comm_a.id, YEAR)]


def test_double_submit_gives_one_pairing(client, city):
    client.login("street_a")
    data = {"organisation_id": city.agency_b.id, "community_id": city.comm_a2.id, "year": YEAR}
    assert client.post("/organisations/pairings", data).status_code == 303
    second = client.post("/organisations/pairings", data)
    assert second.status_code == 200 and "is already paired with Community A2" in text(second)
    assert pairings(city.agency_b, city.comm_a2) == [(city.agency_b.id, city.comm_a2.id, YEAR)]


def test_simultaneous_pairings_give_one(race, make_client, city):
    n = 8
    data = {"organisation_id": city.agency_b.id, "community_id": city.comm_a.id, "year": YEAR}
    clients = []
    for _ in range(n):
        c = make_client()
        c.login("street_a")
        c.token()
        clients.append(c)
    results = race(n, lambda i: clients[i].post("/organisations/pairings", data).status_code)
    assert sorted(results, key=str) == [200] * (n - 1) + [303], results
    assert len(pairings(community=city.comm_a)) == 2  # agency A's from the fixture, and this one


def test_street_admin_may_not_pair_in_another_street(client, city):
    client.login("street_a")
    r = client.post("/organisations/pairings", {"organisation_id": city.agency_a.id, "community_id": city.comm_b.id,
                                               "year": YEAR})
    assert r.status_code == 403
    page = text(client.get(f"/organisations/{city.agency_a.id}"))
    assert f'value="{city.comm_b.id}"' not in page and f'value="{city.comm_a2.id}"' in page
    assert pairings(city.agency_a) == [(city.agency_a.id, city.comm_a.id, YEAR)]


@pytest.mark.parametrize("who", ["staff_a", "agency_a", "member_a", "resident_a", "leader_a1"])
def test_others_may_not_pair(make_client, city, who):
    c = make_client()
    c.login(who)
    r = c.post("/organisations/pairings", {"organisation_id": city.agency_b.id, "community_id": city.comm_a.id,
                                          "year": YEAR})
    assert r.status_code == 403
    assert c.get("/organisations/pairings/new").status_code == 403
    assert len(pairings()) == 2


def test_community_staff_see_their_pairings_without_forms(client, make_client, city):
    client.login("staff_a")
    page = text(client.get(f"/areas/{city.comm_a.id}"))
    assert "Pairings" in page and "Agency A branch" in page
    assert 'action="/organisations/pairings"' not in page and "/remove" not in page
    leader = make_client()
    leader.login("gridlead_a")
    assert leader.get(f"/areas/{city.grid_a.id}").status_code == 200
    assert "Agency A branch" not in text(leader.get(f"/areas/{city.grid_a.id}"))


def test_bad_pairing_input_changes_nothing(client, city):
    client.login("admin")
    team = create_organisation("A team", "volunteer_team", city.comm_a)
    db.session.commit()
    b, a = city.agency_b.id, city.comm_a.id
    cases = [
        ({"organisation_id": team.id, "community_id": city.comm_a.id, "year": YEAR}, "Choose an agency party branch."),
        ({"organisation_id": "", "community_id": city.comm_a.id, "year": YEAR}, "Choose an agency party branch."),
        ({"organisation_id": 2**40, "community_id": city.comm_a.id, "year": YEAR}, "Choose an agency party branch."),
        ({"organisation_id": city.agency_b.id, "community_id": city.grid_a.id, "year": YEAR}, "Choose a community."),
        ({"organisation_id": city.agency_b.id, "community_id": "-1", "year": YEAR}, "Choose a community."),
        ({"organisation_id": b, "community_id": a, "year": "1999"}, "Enter a year from 2000"),
        ({"organisation_id": b, "community_id": a, "year": YEAR + 2}, "Enter a year from"),
        ({"organisation_id": b, "community_id": a, "year": "２０２６"}, "Enter a year from"),
        ({"organisation_id": b, "community_id": a, "year": "9" * 40}, "Enter a year from"),
    ]
    for data, message in cases:
        r = client.post("/organisations/pairings", data)
        assert r.status_code == 200 and message in text(r), data
    assert len(pairings()) == 2


def test_the_pairing_page_prefills_and_offers_only_reachable_communities(client, city):
    client.login("street_a")
    page = text(client.get(f"/organisations/pairings/new?organisation={city.agency_b.id}&community={city.comm_a2.id}"
                           "&next=https://evil.example/"))
    assert f'selected value="{city.agency_b.id}"' in page and f'selected value="{city.comm_a2.id}"' in page
    communities = page[page.index('id="community_id"'):]
    communities = communities[:communities.index("</select>")]
    assert f'value="{city.comm_a.id}"' in communities and f'value="{city.comm_b.id}"' not in communities
    assert 'name="next" type="hidden" value=""' in page  # an outside address is not kept as the way back
    assert client.get("/organisations/pairings/new?organisation=abc&community=99999999999999999").status_code == 200


def test_remove_a_pairing(client, make_client, city):
    pid = city.pairing_a.id
    staff = make_client()
    staff.login("staff_a")
    assert staff.post(f"/organisations/pairings/{pid}/remove").status_code == 403
    other = make_client()
    other.login("street_a")
    assert other.post(f"/organisations/pairings/{city.pairing_b.id}/remove").status_code == 403  # street B's
    resident = make_client()
    resident.login("resident_a")
    assert resident.post(f"/organisations/pairings/{pid}/remove").status_code == 404
    client.login("street_a")
    page = text(client.get(f"/areas/{city.comm_a.id}"))
    assert f'action="/organisations/pairings/{pid}/remove"' in page and "Yes, remove the pairing" in page
    r = client.post(f"/organisations/pairings/{pid}/remove", {"next": f"/areas/{city.comm_a.id}#pairings"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/areas/{city.comm_a.id}#pairings")
    assert pairings(city.agency_a) == []
    assert "was removed" in text(client.get(f"/areas/{city.comm_a.id}"))
    again = client.post(f"/organisations/pairings/{pid}/remove")  # a double tap
    assert again.status_code == 303 and "already removed" in text(client.get(again.headers["Location"]))
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "pairing.removed")) == 1
    assert client.post(f"/organisations/pairings/{2**31}/remove").status_code == 404


def test_a_pairing_with_dependent_data_stays(client, city):
    counter = services.pairing_dependents(lambda pairing: 1)
    try:
        client.login("admin")
        r = client.post(f"/organisations/pairings/{city.pairing_a.id}/remove")
        assert r.status_code == 303
        assert "co-building work recorded" in text(client.get(r.headers["Location"]))
        assert len(pairings()) == 2
    finally:
        services._DEPENDENT_COUNTERS.remove(counter)
