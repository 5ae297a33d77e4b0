"""Every link a demo account sees on its home page and in the navigation leads somewhere it may act: following it
never gives a 403, a 404 or a 500. And the city admin reaches the set-up pages of the README by clicking."""
from __future__ import annotations

import re
from html import unescape

import pytest

DEMO_ACCOUNTS = ("admin", "street1", "staff1", "staff2", "agency1", "agency2", "member1", "member2", "leader1",
                 "resident1", "resident2", "rider1")
HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')




def links_of(body: str) -> list[str]:
    """Same-site GET links (not tel:, mailto:, #fragments or other sites), in page order, without repeats."""
    seen: list[str] = []
    for href in HREF.findall(body):
        href = unescape(href)
        if not href.startswith("/") or href.startswith("//") or href in seen:
            continue
        seen.append(href)
    return seen


@pytest.mark.parametrize("username", DEMO_ACCOUNTS)
def test_every_home_and_navigation_link_leads_somewhere_one_may_act(demo_city, make_client, username):
    client = make_client()
    client.login(username)
    home = client.get("/")
    assert home.status_code == 200
    links = links_of(home.get_data(as_text=True))
    assert len(links) >= 4, links
    broken = {}
    for href in links:
        r = client.c.get(href)
        if r.status_code in (403, 404) or r.status_code >= 500:
            broken[href] = r.status_code
    assert not broken, f"{username}: {broken}"


def test_signed_out_home_links_lead_somewhere(demo_city, make_client):
    client = make_client()
    body = client.c.get("/").get_data(as_text=True)
    broken = {h: s for h in links_of(body) if (s := client.c.get(h).status_code) in (403, 404) or s >= 500}
    assert not broken


def test_the_city_admin_reaches_the_area_tree_and_the_organisations_from_home(demo_city, make_client):
    from sqlalchemy import select

    from app.areas.models import Area
    from app.extensions import db

    city = db.session.scalar(select(Area).where(Area.level == "city"))
    client = make_client()
    client.login("admin")
    links = links_of(client.get("/").get_data(as_text=True))
    assert f"/areas/{city.id}" in links and "/organisations/" in links and "/users/" in links
