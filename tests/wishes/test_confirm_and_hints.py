"""Withdrawing asks first (with and without JavaScript); a signed-out visitor is told how to claim; a successful
htmx action on the wish's page answers with the refreshed page part."""
from __future__ import annotations

import re

from tests.wishes.helpers import get_wish, make_wish


def body(r):
    return r.get_data(as_text=True)


def client_as(make_client, username):
    c = make_client()
    if username:
        c.login(username)
    return c


def test_withdraw_asks_first_without_javascript(make_client, city):
    wid = make_wish(city, "published")
    resident = client_as(make_client, "resident_a")
    page = body(resident.get(f"/wishes/{wid}"))
    section = re.search(r'<section [^>]*id="withdraw">(.*?)</section>', page, re.S).group(1)
    # one tap on the wish page only opens the question: no form there posts the withdrawal
    assert "<form" not in section and f'href="/wishes/{wid}/withdraw"' in section
    ask = resident.get(f"/wishes/{wid}/withdraw")
    assert ask.status_code == 200 and "<html" in body(ask)
    assert "Withdraw this wish?" in body(ask) and "cannot be undone" in body(ask)
    assert re.search(rf'<form method="post" action="/wishes/{wid}/withdraw"', body(ask))
    assert f'href="/wishes/{wid}"' in body(ask)  # "No, keep my wish"
    assert get_wish(wid).state == "published"  # asking changes nothing
    r = resident.post(f"/wishes/{wid}/withdraw")
    assert r.status_code == 303 and get_wish(wid).state == "withdrawn"


def test_withdraw_asks_in_place_with_htmx(make_client, city):
    wid = make_wish(city, "published")
    resident = client_as(make_client, "resident_a")
    page = body(resident.get(f"/wishes/{wid}"))
    assert f'hx-get="/wishes/{wid}/withdraw" hx-target="#withdraw"' in page
    frag = resident.htmx_get(f"/wishes/{wid}/withdraw")
    assert frag.status_code == 200 and "<html" not in body(frag)
    assert body(frag).lstrip().startswith('<section class="card urgent" id="withdraw">')
    assert f'hx-post="/wishes/{wid}/withdraw" hx-target="#wish-detail"' in body(frag)
    done = resident.htmx_post(f"/wishes/{wid}/withdraw")
    assert done.status_code == 200 and body(done).lstrip().startswith('<div id="wish-detail">')
    assert "withdrawn" in done.headers["HX-Trigger"] and get_wish(wid).state == "withdrawn"


def test_only_the_resident_is_asked(make_client, city):
    wid = make_wish(city, "published")
    assert client_as(make_client, "resident_b").get(f"/wishes/{wid}/withdraw").status_code == 403
    assert client_as(make_client, "staff_a").get(f"/wishes/{wid}/withdraw").status_code == 403
    assert client_as(make_client, None).get(f"/wishes/{wid}/withdraw").status_code == 302  # to sign in
    claimed = make_wish(city, "claimed", title="Claimed")
    assert client_as(make_client, "resident_a").get(f"/wishes/{claimed}/withdraw").status_code == 403
    pending = make_wish(city, "pending", wisher=city.resident_b)
    assert client_as(make_client, "resident_a").get(f"/wishes/{pending}/withdraw").status_code == 404


def test_signed_out_visitor_is_told_how_to_claim(make_client, city):
    wid = make_wish(city, "published")
    page = body(client_as(make_client, None).get(f"/wishes/{wid}"))
    link = f'href="/auth/login?next=/wishes/{wid}"'
    assert "Sign in to claim" in page and link in page
    # signed in, or a wish that cannot be claimed: no such hint
    assert "Sign in to claim" not in body(client_as(make_client, "member_a").get(f"/wishes/{wid}"))
    claimed = make_wish(city, "claimed", title="Claimed")
    assert "Sign in to claim" not in body(client_as(make_client, None).get(f"/wishes/{claimed}"))
    # the link brings the visitor back to the wish after signing in
    member = make_client()
    login = body(member.get(f"/auth/login?next=/wishes/{wid}"))
    assert re.search(rf'name="next"[^>]*value="/wishes/{wid}"', login)
    r = member.post("/auth/login", {"username": "member_a", "password": "demo12345", "next": f"/wishes/{wid}"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/wishes/{wid}")


def test_a_successful_htmx_action_answers_with_the_page_part(make_client, city):
    wid = make_wish(city, "claimed")
    member = client_as(make_client, "member_a")
    page = body(member.get(f"/wishes/{wid}"))
    assert f'hx-post="/wishes/{wid}/fulfil" hx-target="#wish-detail"' in page
    r = member.htmx_post(f"/wishes/{wid}/fulfil", {"fulfil-note": "Brought the lamp"})
    assert r.status_code == 200 and body(r).lstrip().startswith('<div id="wish-detail">')
    assert "asked to confirm" in r.headers["HX-Trigger"]
    assert get_wish(wid).state == "fulfilled"
