"""An organisation's pairings and people are read a page at a time: the 301st pairing (beyond the old cut at 300)
is reachable by "Load more", and a page costs the same number of queries whatever its size."""
from __future__ import annotations

import re

from app.accounts.models import RoleAssignment, User
from app.extensions import db
from app.organisations.models import Pairing
from tests.areas.test_long_lists import many_children


def next_link(html: str, anchor: str) -> str | None:
    found = re.search(rf'id="{anchor}">\s*<a class="btn btn-ghost" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def all_pages(client, url: str, anchor: str) -> list[str]:
    pages = [client.get(url).get_data(as_text=True)]
    while (nxt := next_link(pages[-1], anchor)) is not None:
        pages.append(client.htmx_get(nxt).get_data(as_text=True))
    return pages


def test_the_301st_pairing_of_an_organisation_is_reachable(app, client, city):
    communities = many_children(city.street_b, "community", 301, "Estate")
    db.session.add_all([Pairing(organisation_id=city.agency_a.id, community_id=c.id, year=2020) for c in communities])
    db.session.commit()
    app.config["ORGANISATION_LIST_SIZE"] = 100
    try:
        client.login("admin")
        pages = all_pages(client, f"/organisations/{city.agency_a.id}", "pairings-more")
    finally:
        app.config.pop("ORGANISATION_LIST_SIZE")
    assert len(pages) == 4 and "<html" not in pages[-1]
    assert "Street B · Estate 301<" in pages[-1]
    assert sum(len(re.findall(r"Street [AB] · [^<]+</a>", p)) for p in pages) == 302  # Community A's too


def test_people_are_paged_in_a_fixed_number_of_queries(app, client, city, queries):
    users = [User(username=f"helper{i:03d}", display_name=f"Helper {i:03d}", password_hash="x") for i in range(30)]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all([RoleAssignment(user_id=u.id, role="member", organisation_id=city.agency_a.id) for u in users])
    db.session.commit()
    client.login("admin")
    url = f"/organisations/{city.agency_a.id}"
    counts = {}
    for size in (5, 25):
        app.config["ORGANISATION_LIST_SIZE"] = size
        try:
            first = client.get(url).get_data(as_text=True)
            nxt = next_link(first, "people-more")
            with queries() as statements:
                frag = client.htmx_get(nxt).get_data(as_text=True)
        finally:
            app.config.pop("ORGANISATION_LIST_SIZE")
        counts[size] = len(statements)
        assert "<html" not in frag and f"Helper {size:03d}" in frag
    assert counts[5] == counts[25]
    pages = all_pages(client, url, "people-more")
    assert "Helper 029" in pages[-1] and "people-more" not in pages[-1]
