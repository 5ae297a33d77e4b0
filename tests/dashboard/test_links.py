"""Each issue figure links to the list behind it narrowed to the dashboard's area: drilling from a street into one
of its communities and clicking a figure lists that community's issues, not the whole street's."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.issues import services as issues
from app.timeutil import local_today, utcnow


def ids_on(page: str) -> set[int]:
    return {int(x) for x in re.findall(r'href="/issues/(\d+)"', page)}


def issue_links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="(/issues/\?[^"]*)"', html)]


@pytest.fixture
def two_communities(city, cats):
    c = city
    start = utcnow() - timedelta(days=3)
    a = issues.report_issue(reporter=c.resident_a, category=cats["street_light"], description="Lamp in A",
                            area=c.micro_a1, now=start)
    a2 = issues.report_issue(reporter=c.street_admin_a, category=cats["street_light"], description="Lamp in A2",
                             area=c.micro_a3, now=start)
    issues.accept(a, c.leader_a1, now=start + timedelta(hours=1))
    issues.resolve(a, c.leader_a1, "Fixed", now=start + timedelta(hours=5))
    issues.accept(a2, c.street_admin_a, now=start + timedelta(hours=1))
    issues.resolve(a2, c.street_admin_a, "Fixed", now=start + timedelta(hours=5))
    db.session.commit()
    return a, a2


def _period() -> str:
    today = local_today()
    return f"period=custom&start={(today - timedelta(days=10)).isoformat()}&end={today.isoformat()}"


def test_every_issue_link_carries_the_dashboards_area(city, client, two_communities):
    a, a2 = two_communities
    client.login("street_a")
    html = client.get(f"/dashboard/{city.comm_a.id}?{_period()}").get_data(as_text=True)
    links = issue_links(html)
    # received, resolution rate, closed in the micro-grid, overdue now, and the tables by state/level/category/channel
    assert len(links) >= 6
    for link in links:
        assert f"area={city.comm_a.id}" in link, link
    assert any("overdue=1" in link for link in links)
    received = next(link for link in links if "state=" not in link and "level=" not in link
                    and "category=" not in link and "channel=" not in link and "overdue" not in link)
    assert ids_on(client.get(received).get_data(as_text=True)) == {a.id}
    # the street's own page links to the street: both communities
    street = client.get(f"/dashboard/{city.street_a.id}?{_period()}").get_data(as_text=True)
    for link in issue_links(street):
        assert f"area={city.street_a.id}" in link, link
    resolved = next(link for link in issue_links(street) if "state=resolved" in link and "level=" not in link)
    assert ids_on(client.get(resolved).get_data(as_text=True)) == {a.id, a2.id}


def test_a_leader_follows_the_link_of_their_own_patch(city, client, two_communities):
    a, _a2 = two_communities
    client.login("leader_a1")
    html = client.get(f"/dashboard/{city.micro_a1.id}?{_period()}").get_data(as_text=True)
    links = issue_links(html)
    assert links and all(f"area={city.micro_a1.id}" in link for link in links)
    page = client.get(links[0]).get_data(as_text=True)
    assert 'role="alert"' not in page and ids_on(page) <= {a.id}


def test_the_other_figures_keep_their_links(city, client, two_communities):
    """Lists without an area filter (activities, stations …) are linked as they are, not with a made-up one."""
    client.login("street_a")
    html = client.get(f"/dashboard/{city.comm_a.id}?{_period()}").get_data(as_text=True)
    for href in re.findall(r'href="(/(?:activities|stations|cobuild|members)/[^"]*)"', html):
        assert "area=" not in href and "community=" not in href, href
