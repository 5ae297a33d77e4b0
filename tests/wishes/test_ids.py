"""Ids from URLs, query strings and forms: oversized, negative or non-numeric values never reach the database
(an integer beyond 64 bits overflows SQLite's driver: a 500), they give a 404, a 403 or a message."""
from __future__ import annotations

import pytest

from tests.wishes.helpers import active_claims, get_wish, make_wish, wish_count

HUGE = "99999999999999999999999"
JUST_OVER = str(2**63)  # one past the largest 64-bit id
BAD_IDS = [HUGE, JUST_OVER, "-1", "0", "abc", "1e3", " 7 x", "0x1f", "²", "１２"]  # no non-ASCII digits either


@pytest.mark.parametrize("raw", BAD_IDS)
@pytest.mark.parametrize("status", ["published", "claimed", "completed"])
def test_wall_community_filter_with_a_bad_id_shows_the_unfiltered_wall(make_client, city, raw, status):
    make_wish(city, "published", title="Lamp A")
    c = make_client()
    r = c.get("/wishes/", query_string={"community": raw, "status": status})
    assert r.status_code == 200
    if status == "published":
        assert "Lamp A" in r.get_data(as_text=True)
    frag = c.htmx_get("/wishes/", query_string={"community": raw, "status": status, "category": "study"})
    assert frag.status_code == 200 and "<html" not in frag.get_data(as_text=True)


@pytest.mark.parametrize("raw", [HUGE, JUST_OVER])
def test_wall_near_me_and_cursor_with_huge_values(make_client, city, raw):
    c = make_client()
    c.login("resident_a")
    assert c.get("/wishes/", query_string={"community": raw, "near": "1"}).status_code == 200
    assert c.get("/wishes/", query_string={"after": raw}).status_code == 200
    assert c.htmx_get("/wishes/", query_string={"after": raw, "community": raw}).status_code == 200


@pytest.mark.parametrize("raw", [HUGE, JUST_OVER, "-1", "abc"])
def test_wish_urls_with_a_bad_id_are_404(make_client, city, raw):
    c = make_client()
    c.login("staff_a")
    assert c.get(f"/wishes/{raw}").status_code == 404
    for action in ("claim", "approve", "reject", "withdraw", "release", "fulfil", "confirm", "not-received"):
        assert c.post(f"/wishes/{raw}/{action}").status_code == 404, action


@pytest.mark.parametrize("raw", [HUGE, JUST_OVER, "-1", "0", "abc", "²"])
def test_claim_for_a_branch_with_a_bad_id_is_forbidden(make_client, city, raw):
    wid = make_wish(city, "published")
    admin = make_client()
    admin.login("agency_a")
    assert admin.post(f"/wishes/{wid}/claim", {"organisation_id": raw}).status_code == 403
    assert admin.htmx_post(f"/wishes/{wid}/claim", {"organisation_id": raw}).status_code == 403
    assert get_wish(wid).state == "published" and active_claims(wid) == 0


@pytest.mark.parametrize("raw", [HUGE, JUST_OVER, "-1", "abc", "²"])
def test_claim_naming_a_team_member_with_a_bad_id_is_a_message(make_client, city, raw):
    wid = make_wish(city, "published")
    admin = make_client()
    admin.login("agency_a")
    data = {"organisation_id": str(city.agency_a.id), "members": [str(city.member_a.id), raw]}
    r = admin.post(f"/wishes/{wid}/claim", data)
    assert r.status_code == 303
    assert "Team members must be party members" in admin.get(r.headers["Location"]).get_data(as_text=True)
    r = admin.htmx_post(f"/wishes/{wid}/claim", data)
    assert r.status_code == 200 and "Team members must be party members" in r.get_data(as_text=True)
    assert get_wish(wid).state == "published" and active_claims(wid) == 0


@pytest.mark.parametrize("raw", [HUGE, JUST_OVER, "abc", "²"])
def test_post_form_area_with_a_bad_id_changes_nothing(make_client, city, raw):
    from datetime import timedelta

    from app.timeutil import local_today

    c = make_client()
    c.login("staff_a")
    r = c.post("/wishes/new", {"category": "study", "title": "Lamp", "description": "A lamp", "value": "10",
                               "wanted_by": (local_today() + timedelta(days=5)).isoformat(),
                               "subject_name": "黄奶奶", "area_id": raw})
    assert r.status_code == 200 and "where the resident lives" in r.get_data(as_text=True)
    assert wish_count() == 0
