"""The public wall: filters, keyset "load more" (htmx) degrading to a next-page link, bounded queries, an index."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.extensions import db
from app.timeutil import utcnow
from app.wishes import queries
from app.wishes.models import Wish
from tests.wishes.helpers import make_wish


def spread(ids):
    """Distinct publication times, newest last created."""
    base = utcnow() - timedelta(hours=len(ids))
    for i, wid in enumerate(ids):
        db.session.get(Wish, wid).published_at = base + timedelta(minutes=i)
    db.session.commit()


def titles(html):
    return re.findall(r'<h3><a href="/wishes/\d+">([^<]+)</a></h3>', html)


def test_wall_shows_published_newest_first_and_pages_with_a_plain_link(app, client, city, monkeypatch):
    ids = [make_wish(city, "published", title=f"Wish {i:02d}") for i in range(7)]
    spread(ids)
    monkeypatch.setitem(app.config, "WISH_PAGE_SIZE", 3)
    html = client.get("/wishes/").get_data(as_text=True)
    assert titles(html) == ["Wish 06", "Wish 05", "Wish 04"]
    nxt = re.search(r'<a class="btn btn-ghost" href="([^"]+)" hx-get=', html).group(1).replace("&amp;", "&")
    assert "after=" in nxt
    page2 = client.get(nxt).get_data(as_text=True)  # no JavaScript: a full page
    assert "<html" in page2 and titles(page2) == ["Wish 03", "Wish 02", "Wish 01"]
    frag = client.htmx_get(nxt).get_data(as_text=True)  # htmx: just the cards and the next link
    assert "<html" not in frag and titles(frag) == ["Wish 03", "Wish 02", "Wish 01"]
    nxt3 = re.search(r'href="([^"]+)" hx-get=', frag).group(1).replace("&amp;", "&")
    last = client.htmx_get(nxt3).get_data(as_text=True)
    assert titles(last) == ["Wish 00"] and "load-more" not in last


def test_wall_filters(client, city):
    a = make_wish(city, "published", title="Lamp A", category="study")
    b = make_wish(city, "published", title="Bag B", wisher=city.resident_b, category="daily")
    c = make_wish(city, "completed", title="Done C")
    make_wish(city, "pending", title="Pending D")
    make_wish(city, "claimed", title="Claimed E")
    assert set(titles(client.get("/wishes/").get_data(as_text=True))) == {"Lamp A", "Bag B"}
    assert titles(client.get("/wishes/?category=daily").get_data(as_text=True)) == ["Bag B"]
    assert titles(client.get(f"/wishes/?community={city.comm_a.id}").get_data(as_text=True)) == ["Lamp A"]
    assert titles(client.get("/wishes/?status=completed").get_data(as_text=True)) == ["Done C"]
    assert titles(client.get("/wishes/?status=claimed").get_data(as_text=True)) == ["Claimed E"]
    # nonsense filters fall back instead of failing
    assert client.get("/wishes/?status=evil&category=zzz&community=x&after=!!!").status_code == 200
    client.login("resident_b")
    assert titles(client.get("/wishes/?near=1").get_data(as_text=True)) == ["Bag B"]
    assert a and b and c


def test_wall_card_shows_masked_name_community_category_value_days_left(client, city):
    make_wish(city, "published", title="Lamp", value=80)
    html = client.get("/wishes/").get_data(as_text=True)
    assert "王*" in html and "Community A" in html and "Study supplies" in html and "¥80" in html
    assert "days left" in html


@pytest.mark.parametrize("username", [None, "member_a"])
def test_wall_runs_a_bounded_number_of_queries_whatever_the_page_size(app, make_client, city, queries, username,
                                                                      monkeypatch):
    ids = [make_wish(city, "published", title=f"W{i}") for i in range(12)]
    ids += [make_wish(city, "claimed", title=f"C{i}") for i in range(3)]
    ids += [make_wish(city, "published", title=f"B{i}", wisher=city.resident_b) for i in range(3)]
    c = make_client()
    if username:
        c.login(username)
    counts = {}
    for size in (2, 15):
        monkeypatch.setitem(app.config, "WISH_PAGE_SIZE", size)
        c.get("/wishes/")  # warm: the CSRF token, the session
        for status in ("published", "claimed"):
            with queries() as statements:
                r = c.get(f"/wishes/?status={status}")
            assert r.status_code == 200
            counts[(size, status)] = len(statements)
    assert counts[(2, "published")] == counts[(15, "published")], counts
    assert counts[(2, "claimed")] == counts[(15, "claimed")], counts
    assert max(counts.values()) <= 14, counts


def _plan(stmt) -> str:
    """The database's plan for the wall's query (first page, as keyset_page runs it)."""
    keys = queries.WALL_KEYS
    full = stmt.order_by(*[col.desc() for col, _ in keys]).limit(21)
    sql = str(full.compile(db.engine, compile_kwargs={"literal_binds": True}))
    conn = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL enable_seqscan = off"))  # tiny test tables: ask what it *can* use
        # a handful of rows is sorted faster than read in order: ask whether the order *can* come from an index
        # (with the statistics earlier tests left, the planner would otherwise sort)
        conn.execute(text("SET LOCAL enable_sort = off"))
        conn.execute(text("SET LOCAL enable_bitmapscan = off"))
        rows = conn.execute(text("EXPLAIN " + sql)).all()
    else:
        rows = conn.execute(text("EXPLAIN QUERY PLAN " + sql)).all()
    return "\n".join(str(r[-1]) for r in rows)


def _assert_indexed(plan: str, index: str) -> None:
    if db.engine.dialect.name == "sqlite":
        assert index in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # the order comes from the index: no sort step
    else:
        # PostgreSQL's planner may prefer another of the wall indexes on tiny tables; it must still be an index
        # scan that delivers the order (no Sort node, no sequential scan)
        assert re.search(r"Index Scan( Backward)? using ix_wish_\w*wall", plan), plan
        assert "Sort" not in plan and "Seq Scan" not in plan, plan


def test_wall_query_uses_the_wall_index_for_filter_and_order(city):
    for _ in range(3):
        make_wish(city, "published")
    _assert_indexed(_plan(queries.wall_statement(("published",))), "ix_wish_wall")
    _assert_indexed(_plan(queries.wall_statement(("published",), community_id=city.comm_a.id)),
                    "ix_wish_community_wall")
    _assert_indexed(_plan(queries.wall_statement(("published",), street_id=city.street_a.id)),
                    "ix_wish_street_wall")


def test_wall_indexes_exist_in_the_database(city):
    from sqlalchemy import inspect

    names = {ix["name"]: ix for ix in inspect(db.session.connection()).get_indexes("wish")}
    assert names["ix_wish_wall"]["column_names"] == ["state", "published_at", "id"]
    assert names["ix_wish_community_wall"]["column_names"] == ["community_id", "state", "published_at", "id"]
    claims = {ix["name"]: ix for ix in inspect(db.session.connection()).get_indexes("wish_claim")}
    assert claims["uq_wish_claim_active"]["unique"]


def test_claim_from_the_wall_with_htmx_swaps_the_card(make_client, city):
    wid = make_wish(city, "published", title="Lamp")
    c = make_client()
    c.login("member_a")
    html = c.get("/wishes/").get_data(as_text=True)
    assert f'hx-post="/wishes/{wid}/claim"' in html and f'hx-target="#wish-{wid}"' in html
    r = c.htmx_post(f"/wishes/{wid}/claim")
    assert r.status_code == 200
    card = r.get_data(as_text=True)
    assert card.lstrip().startswith("<article") and f'id="wish-{wid}"' in card and "Claimed" in card
    assert len(r.get_data()) <= 8 * 1024  # only the card travels, not the page
    assert "You claimed this wish" in r.headers["HX-Trigger"] and f"/wishes/{wid}#contact" in card


def test_claimed_card_offers_the_contact_to_whoever_holds_the_claim(make_client, city):
    """The wall's card decides its buttons from the row it is built from: a branch's claim is held by the branch's
    admin and by the members named in its team (while they are members of the branch), by nobody else."""
    from tests.factories import make_user

    wid = make_wish(city, "published", title="Lamp")
    admin = make_client()
    admin.login("agency_a")
    assert admin.post(f"/wishes/{wid}/claim", {"organisation_id": str(city.agency_a.id),
                                              "members": [str(city.member_a.id)]}).status_code == 303
    make_user("member_a_other", home=city.micro_a2, roles=[("member", city.agency_a)])
    db.session.commit()
    contact = f'href="/wishes/{wid}#contact"'

    def card_of(username):
        c = make_client()
        if username:
            c.login(username)
        html = c.get("/wishes/?status=claimed").get_data(as_text=True)
        assert titles(html) == ["Lamp"]
        return html

    assert contact in card_of("agency_a") and contact in card_of("member_a")
    for username in ("member_a_other", "agency_b", "member_b", "resident_a", None):
        assert contact not in card_of(username), username


def test_remembered_cards_follow_every_change_and_forms_are_drawn_anew(make_client, city):
    """The wall remembers a card by everything it shows: a changed wish is a new card at once, in each language; a
    card with the one-step claim form is served with the token of the session that asks, which the claim accepts."""
    wid = make_wish(city, "published", title="Lamp", value=80)
    anon = make_client()
    assert "Lamp" in anon.get("/wishes/").get_data(as_text=True)
    wish = db.session.get(Wish, wid)
    wish.title, wish.value = "Desk lamp", 120
    db.session.commit()
    html = anon.get("/wishes/").get_data(as_text=True)
    assert titles(html) == ["Desk lamp"] and "¥120" in html and "¥80" not in html
    zh = anon.get("/wishes/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    en = anon.get("/wishes/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "天" in zh.split('id="wish-')[1] and "days left" in en.split('id="wish-')[1]
    # two members: each card's form carries its own session's token
    tokens, members = [], []
    for _ in range(3):
        c = make_client()
        c.login("member_a")
        card = c.get("/wishes/").get_data(as_text=True).split(f'id="wish-{wid}"')[1].split("</article>")[0]
        assert f'hx-post="/wishes/{wid}/claim"' in card
        tokens.append(re.search(r'name="csrf_token"[^>]*value="([^"]+)"', card).group(1))
        members.append(c)
    assert len(set(tokens)) == 3 and "\x00" not in "".join(tokens)
    # the third session's card (served from memory with its own token) posts the claim with that token
    claim = members[2].post(f"/wishes/{wid}/claim", {"csrf_token": tokens[2]}, follow_redirects=False)
    assert claim.status_code in (200, 303), claim.status_code
    assert db.session.get(Wish, wid).state == "claimed"
