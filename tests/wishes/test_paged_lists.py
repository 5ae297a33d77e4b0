"""No list of the wishes domain stops without a word: the review queue, "my wishes" and "my claims" page with
"load more" (a plain next-page link without JavaScript) in a number of queries that does not grow with the page
size, and the place of a resident recorded on their behalf is chosen in the cascading lists, whatever the number
of micro-grids."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.areas.services import create_area
from app.extensions import db
from app.timeutil import local_today, utcnow
from app.wishes.models import Wish, WishClaim
from tests.wishes.helpers import get_wish, wish_count


def body(r):
    return r.get_data(as_text=True)


def bulk_wishes(city, n, *, state="pending", wisher=None, author=None, title="W"):
    """``n`` wishes in community A, created a minute apart (oldest first), without the service's side effects."""
    wisher = wisher or city.resident_a
    base = utcnow() - timedelta(days=1)
    rows = [Wish(area_id=city.micro_a1.id, community_id=city.comm_a.id, street_id=city.street_a.id,
                 wisher_id=wisher.id, author_id=(author or wisher).id, on_behalf=author is not None,
                 category="study", title=f"{title} {i:03d}", description="d", value=10,
                 wanted_by=local_today() + timedelta(days=20), state=state,
                 published_at=base if state != "pending" else None,
                 created_at=base + timedelta(minutes=i), updated_at=base) for i in range(n)]
    db.session.add_all(rows)
    db.session.commit()
    return [w.id for w in rows]


def next_link(html, more="load-more"):
    m = re.search(rf'<div class="load-more" id="{more}">\s*<a class="btn btn-ghost" href="([^"]+)"', html)
    return m.group(1).replace("&amp;", "&") if m else None


def walk(c, url, pattern, more="load-more"):
    """Follow the "load more" link ``more`` with htmx from the full page at ``url``; every item found by
    ``pattern``, in order."""
    html = body(c.get(url))
    found = re.findall(pattern, html)
    nxt = next_link(html, more)
    rounds = 0
    while nxt:
        frag = c.htmx_get(nxt)
        assert frag.status_code == 200 and "<html" not in body(frag)
        found += re.findall(pattern, body(frag))
        nxt = next_link(body(frag), more)
        rounds += 1
        assert rounds < 50
    return found


def test_the_101st_wish_waiting_for_review_is_reachable(app, make_client, city, monkeypatch):
    ids = bulk_wishes(city, 101)
    monkeypatch.setitem(app.config, "WISH_PAGE_SIZE", 40)
    c = make_client()
    c.login("staff_a")
    first = body(c.get("/wishes/review"))
    assert '<span class="count">101</span>' in first  # the whole queue is counted, not the page
    assert re.findall(r'id="wish-(\d+)"', first) == [str(i) for i in ids[:40]]  # oldest first
    seen = walk(c, "/wishes/review", r'<article class="card" id="wish-(\d+)"')
    assert seen == [str(i) for i in ids]
    # without JavaScript the link is a full page of the next wishes
    nxt = next_link(first)
    page2 = body(c.get(nxt))
    assert "<html" in page2 and f'id="wish-{ids[40]}"' in page2 and f'id="wish-{ids[0]}"' not in page2
    # the last one can be approved from there, and the queue is where the approval returns to
    r = c.post(f"/wishes/{ids[100]}/approve", {"next": "/wishes/review"})
    assert r.status_code == 303 and r.headers["Location"] == "/wishes/review"
    assert get_wish(ids[100]).state == "published"


def test_the_review_queue_is_only_the_staffs_own_community(make_client, city):
    bulk_wishes(city, 3)
    c = make_client()
    c.login("staff_b")
    html = body(c.get("/wishes/review"))
    assert '<span class="count">0</span>' in html and "No wish is waiting for your review." in html


def test_the_51st_own_wish_is_reachable(app, make_client, city, monkeypatch):
    ids = bulk_wishes(city, 51, state="published")
    monkeypatch.setitem(app.config, "WISH_PAGE_SIZE", 20)
    c = make_client()
    c.login("resident_a")
    seen = walk(c, "/wishes/mine", r'<a href="/wishes/(\d+)">W \d+</a>', "more-wishes")
    assert seen == [str(i) for i in reversed(ids)]  # newest first, each once


def test_wishes_recorded_for_residents_are_in_the_recorders_list_too(app, make_client, city, monkeypatch):
    ids = bulk_wishes(city, 25, author=city.staff_a)
    monkeypatch.setitem(app.config, "WISH_PAGE_SIZE", 10)
    c = make_client()
    c.login("staff_a")
    seen = walk(c, "/wishes/mine", r'<a href="/wishes/(\d+)">W \d+</a>', "more-wishes")
    assert seen == [str(i) for i in reversed(ids)]


def bulk_claims(city, n):
    """``n`` wishes claimed by member_a, a minute apart (oldest first)."""
    ids = bulk_wishes(city, n, state="claimed")
    now = utcnow()
    db.session.add_all([WishClaim(wish_id=wid, kind="member", claimant_id=city.member_a.id, status="active",
                                  claimed_at=now - timedelta(minutes=100 - i), deadline_at=now + timedelta(days=14))
                        for i, wid in enumerate(ids)])
    db.session.commit()
    return ids


def test_my_claims_page_on_their_own(app, make_client, city, monkeypatch):
    """Two lists on one page: each "load more" fetches (and replaces) only its own."""
    ids = bulk_claims(city, 23)
    bulk_wishes(city, 12, state="published", wisher=city.member_a, title="Own")
    monkeypatch.setitem(app.config, "WISH_PAGE_SIZE", 10)
    c = make_client()
    c.login("member_a")
    html = body(c.get("/wishes/mine"))
    assert 'id="more-wishes"' in html and 'id="more-claims"' in html
    assert 'hx-target="#more-claims"' in html and 'hx-target="#more-wishes"' in html
    claims = walk(c, "/wishes/mine", r'<a href="/wishes/(\d+)">W \d+</a>', "more-claims")
    assert claims == [str(i) for i in reversed(ids)]
    own = walk(c, "/wishes/mine", r'<a href="/wishes/(\d+)">Own \d+</a>', "more-wishes")
    assert len(own) == 12 and len(set(own)) == 12


@pytest.mark.parametrize("url, username, more, make", [
    ("/wishes/review", "staff_a", "load-more", lambda city, n: bulk_wishes(city, n)),
    ("/wishes/mine", "resident_a", "more-wishes", lambda city, n: bulk_wishes(city, n, state="published")),
    ("/wishes/mine", "member_a", "more-claims", bulk_claims),
])
def test_lists_run_a_bounded_number_of_queries_whatever_the_page_size(app, make_client, city, queries, url,
                                                                      username, more, make, monkeypatch):
    make(city, 30)
    c = make_client()
    c.login(username)
    counts = {}
    for size in (3, 25):
        monkeypatch.setitem(app.config, "WISH_PAGE_SIZE", size)
        c.get(url)  # warm: the session
        with queries() as statements:
            assert c.get(url).status_code == 200
        counts[size] = len(statements)
        nxt = next_link(body(c.get(url)), more)
        with queries() as statements:
            assert c.htmx_get(nxt).status_code == 200
        counts[(size, "more")] = len(statements)
    assert counts[3] == counts[25] and counts[(3, "more")] == counts[(25, "more")], counts


# ------------------------------------------------------------------ the place of a resident without an account


def many_microgrids(city, n):
    """``n`` micro-grids in community A, spread over grids of 50 (the old choice listed the first 300)."""
    grids, micros = [], []
    for i in range(n):
        if i % 50 == 0:
            grids.append(create_area(f"Grid X{len(grids)}", "grid", city.comm_a))
        micros.append(create_area(f"Micro X{i:03d}", "microgrid", grids[-1]))
    db.session.commit()
    return grids, micros


def post_form(**kw):
    data = {"category": "study", "title": "A walking frame", "description": "Her old one broke.", "value": "80",
            "wanted_by": (local_today() + timedelta(days=20)).isoformat(), "post_key": "key-paged-01"}
    data.update(kw)
    return data


def test_the_301st_microgrid_is_reachable_in_the_cascade(make_client, city):
    grids, micros = many_microgrids(city, 301)
    last = micros[300]
    c = make_client()
    c.login("staff_a")
    page = body(c.get("/wishes/new"))
    # the lists start where this person works: street and community chosen, the grids listed, no long list
    assert 'id="area-picker"' in page and f'<option value="{city.comm_a.id}" selected>' in page
    assert f'<option value="{grids[-1].id}">' in page and "Micro X" not in page
    # choosing the grid lists its micro-grids (htmx), the 301st among them
    rows = body(c.htmx_get(f"/areas/picker?street={city.street_a.id}&community={city.comm_a.id}"
                           f"&grid={grids[-1].id}"))
    assert f'<option value="{last.id}">Micro X300</option>' in rows
    r = c.post("/wishes/new", post_form(subject_name="黄奶奶", street=str(city.street_a.id),
                                        community=str(city.comm_a.id), grid=str(grids[-1].id),
                                        area_id=str(last.id)))
    assert r.status_code == 303
    wish = db.session.get(Wish, int(r.headers["Location"].rsplit("/", 1)[1]))
    assert wish.area_id == last.id and wish.community_id == city.comm_a.id and wish.on_behalf


def test_without_javascript_the_next_list_keeps_what_was_typed_and_posts_nothing(make_client, city):
    grids, micros = many_microgrids(city, 3)
    c = make_client()
    c.login("staff_a")
    before = wish_count()
    r = c.post("/wishes/new", post_form(subject_name="黄奶奶", street=str(city.street_a.id),
                                        community=str(city.comm_a.id), grid=str(grids[0].id), action="pick"))
    html = body(r)
    assert r.status_code == 200 and wish_count() == before
    assert f'<option value="{micros[2].id}">Micro X002</option>' in html  # the next list
    assert 'value="A walking frame"' in html and "黄奶奶" in html and "<details class=\"card\" open>" in html
    assert 'role="alert"' not in html  # nothing was checked yet


def test_a_microgrid_outside_the_recorders_area_is_refused_by_its_lists(make_client, city):
    c = make_client()
    c.login("staff_a")
    r = c.post("/wishes/new", post_form(subject_name="黄奶奶", area_id=str(city.micro_b1.id)),
               headers={"Accept-Language": "en"})
    html = body(r)
    assert r.status_code == 200 and wish_count() == 0
    assert re.search(r'id="area_id-error" role="alert" data-focus-error[^>]*>Choose where the resident lives', html)
