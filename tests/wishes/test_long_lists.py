"""The wall's place filter is a street → community cascade: a community far down a long list is reachable, older
``?community=`` links keep working, and nothing is cut without a word."""
from __future__ import annotations

import re

from app.extensions import db
from app.wishes.models import Wish
from tests.areas.test_long_lists import many_children, options
from tests.wishes.helpers import make_wish
from tests.wishes.test_wall import titles


def far_community(city):
    """The 302nd community of street B (beyond the old list of 300 communities) holding a published wish."""
    communities = many_children(city.street_b, "community", 301, "Estate")
    far = communities[-1]
    wish = db.session.get(Wish, make_wish(city, "published", title="Far lamp"))
    wish.community_id, wish.street_id = far.id, city.street_b.id
    db.session.commit()
    make_wish(city, "published", title="Near lamp")
    return far


def test_a_community_beyond_the_old_list_is_offered_and_filters(client, city):
    far = far_community(city)
    # an older link naming only the community opens its street and keeps the community chosen
    html = client.get(f"/wishes/?community={far.id}").get_data(as_text=True)
    assert titles(html) == ["Far lamp"]
    assert f'<option value="{city.street_b.id}" selected>' in html
    assert f'<option value="{far.id}" selected>' in html
    assert len(options(html, "picker-community")) == 302  # every community of the street, none cut

    # choosing the street lists its communities; choosing one filters the wall (htmx answers the cards and the
    # place lists out of band, so the community list follows the street)
    frag = client.htmx_get(f"/wishes/?street={city.street_b.id}").get_data(as_text=True)
    assert "<html" not in frag and 'id="wall-places-community" hx-swap-oob="true"' in frag
    assert str(far.id) in options(frag, "picker-community") and titles(frag) == ["Far lamp"]
    frag = client.htmx_get(f"/wishes/?street={city.street_b.id}&community={far.id}").get_data(as_text=True)
    assert titles(frag) == ["Far lamp"]


def test_a_community_outside_the_chosen_street_is_dropped_and_the_street_filters(client, city):
    far = far_community(city)
    html = client.get(f"/wishes/?street={city.street_a.id}&community={far.id}").get_data(as_text=True)
    assert titles(html) == ["Near lamp"]
    assert f'value="{far.id}"' not in html


def test_the_load_more_link_keeps_the_place_and_comes_without_the_place_lists(app, client, city):
    far = far_community(city)
    for i in range(2):
        wish = db.session.get(Wish, make_wish(city, "published", title=f"Far {i}"))
        wish.community_id, wish.street_id = far.id, city.street_b.id
    db.session.commit()
    app.config["WISH_PAGE_SIZE"] = 2
    try:
        html = client.get(f"/wishes/?street={city.street_b.id}").get_data(as_text=True)
        nxt = re.search(r'href="([^"]+)" hx-get=', html).group(1).replace("&amp;", "&")
        assert f"street={city.street_b.id}" in nxt
        frag = client.htmx_get(nxt).get_data(as_text=True)
        assert len(titles(frag)) == 1 and "wall-places" not in frag
    finally:
        app.config.pop("WISH_PAGE_SIZE")


def test_every_claim_of_a_wish_is_reachable_in_pages_of_a_fixed_number_of_queries(app, client, city, queries):
    from datetime import timedelta

    from app.timeutil import utcnow
    from app.wishes.models import WishClaim

    wish_id = make_wish(city, "published", title="Often claimed")
    start = utcnow() - timedelta(days=2)
    db.session.add_all([WishClaim(wish_id=wish_id, claimant_id=city.member_a.id, status="released",
                                  claimed_at=start + timedelta(minutes=i), deadline_at=start + timedelta(days=7),
                                  release_reason=f"Reason {i:02d}") for i in range(1, 26)])
    db.session.commit()
    client.login("staff_a")
    html = client.get(f"/wishes/{wish_id}").get_data(as_text=True)
    assert "Reason 25" in html and "Reason 05" not in html  # the newest 20 first …
    nxt = re.search(r'id="claims-more">\s*<a class="btn btn-ghost" href="([^"]+)"', html).group(1)
    counts = {}
    for size in (3, 10):
        app.config["WISH_CLAIMS_PAGE_SIZE"] = size
        try:
            with queries() as statements:
                frag = client.htmx_get(nxt.replace("&amp;", "&")).get_data(as_text=True)
        finally:
            app.config.pop("WISH_CLAIMS_PAGE_SIZE")
        counts[size] = len(statements)
        assert "<html" not in frag
    assert "Reason 01" in frag and "claims-more" not in frag  # … and the 21st to the 25th after "Load more"
    assert counts[3] == counts[10]
