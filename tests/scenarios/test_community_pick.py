"""Choosing the community whose scenarios are shown by clicking: a city admin's street → community lists on the
scenario library, and a link from a community's dashboard — each within the viewer's reach."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.scenarios import services
from app.timeutil import local_today


@pytest.fixture
def scenario(city):
    made = services.create_scenario(city.admin, name="Safe streets", dimension="scenarios", kind="common")
    db.session.commit()
    return made


def _options(html: str, level: str) -> list[str]:
    select = html.split(f'id="picker-{level}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)


def _chosen(html: str, level: str) -> str | None:
    select = html.split(f'id="picker-{level}"', 1)[1].split("</select>", 1)[0]
    found = re.search(r'<option value="\d+" selected>([^<]+)</option>', select)
    return found.group(1) if found else None


def test_a_city_admin_picks_the_street_then_the_community(city, client, scenario):
    client.login("admin")
    page = client.get("/scenarios/").get_data(as_text=True)
    assert 'id="community-pick"' in page
    assert set(_options(page, "street")) == {"Street A", "Street B"}
    assert _options(page, "community") == []  # nothing to choose before the street
    assert "We run this" not in page  # no community yet: the catalogue only
    # the street chosen (the form's "Show" button without JavaScript): its communities, and only its
    page = client.get(f"/scenarios/?street={city.street_a.id}").get_data(as_text=True)
    assert _chosen(page, "street") == "Street A"
    assert set(_options(page, "community")) == {"Community A", "Community A2"}
    assert "We run this" not in page
    # the community chosen: what it runs, with the buttons to mark it
    page = client.get(f"/scenarios/?street={city.street_a.id}&community={city.comm_a2.id}").get_data(as_text=True)
    assert "What Community A2 runs" in page and _chosen(page, "community") == "Community A2"
    assert f"/scenarios/{scenario.id}/adopt/{city.comm_a2.id}" in page and "We run this" in page
    r = client.post(f"/scenarios/{scenario.id}/adopt/{city.comm_a2.id}",
                    {"since": (local_today() - timedelta(days=3)).isoformat()})
    assert r.status_code == 303 and f"community={city.comm_a2.id}" in r.headers["Location"]
    page = client.get(r.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert _chosen(page, "street") == "Street A" and _chosen(page, "community") == "Community A2"
    assert "Run in 1 of 3 communities" in page


def test_changing_the_street_drops_the_old_community(city, client, scenario):
    """Without JavaScript the community list still holds the old street's choice when the street changes."""
    client.login("admin")
    page = client.get(f"/scenarios/?street={city.street_b.id}&community={city.comm_a.id}").get_data(as_text=True)
    assert "What Community A runs" not in page and "We run this" not in page
    assert _chosen(page, "street") == "Street B" and _options(page, "community") == ["Community B"]
    # a link with the community alone (the dashboard's) chooses its street too
    page = client.get(f"/scenarios/?community={city.comm_b.id}").get_data(as_text=True)
    assert _chosen(page, "street") == "Street B" and _chosen(page, "community") == "Community B"


@pytest.mark.parametrize("query", ["street=abc", "street=999999", "community=abc", "street=-3&community=x",
                                   "street_q=%E2%80%94"])
def test_bad_picker_values_show_the_catalogue(city, client, scenario, query):
    client.login("admin")
    r = client.get(f"/scenarios/?{query}")
    assert r.status_code == 200
    assert "Safe streets" in r.get_data(as_text=True) and "We run this" not in r.get_data(as_text=True)


def test_others_pick_within_their_reach(city, client, scenario):
    client.login("street_a")
    page = client.get("/scenarios/").get_data(as_text=True)
    assert 'id="community-pick"' not in page  # a street admin's communities are tabs
    assert f"/scenarios/?community={city.comm_a2.id}" in page and f"community={city.comm_b.id}" not in page
    assert client.get(f"/scenarios/?community={city.comm_b.id}").status_code == 404
    client.logout()
    client.login("staff_a")
    page = client.get("/scenarios/").get_data(as_text=True)
    assert 'id="community-pick"' not in page and "What Community A runs" in page
    assert client.get(f"/scenarios/?street={city.street_b.id}&community={city.comm_b.id}").status_code == 404


def test_a_communitys_dashboard_links_to_its_scenarios(city, client, scenario):
    link = f'href="/scenarios/?community={city.comm_a.id}"'
    for who in ("admin", "street_a", "staff_a"):
        client.login(who)
        page = client.get(f"/dashboard/{city.comm_a.id}").get_data(as_text=True)
        assert link in page and "Scenarios of this community" in page, who
        target = client.get(f"/scenarios/?community={city.comm_a.id}")
        assert target.status_code == 200 and "What Community A runs" in target.get_data(as_text=True), who
        client.logout()
    # a street's page has no such link, nor a grid leader's (who does not mark scenarios)
    client.login("street_a")
    assert "Scenarios of this community" not in client.get(f"/dashboard/{city.street_a.id}").get_data(as_text=True)
    client.logout()
    client.login("gridlead_a")
    assert "Scenarios of this community" not in client.get(f"/dashboard/{city.grid_a.id}").get_data(as_text=True)
