"""The boards: deterministic ties, paged without a silent cut, bounded SQL served by the board index."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import text

from app.accounts.models import User
from app.extensions import db
from app.points import queries, services
from app.points.services import Period
from app.timeutil import local_today
from tests.points.helpers import rules


def last_month() -> Period:
    return Period.containing(local_today()).previous()


def give(rule, user, points, hours, *, source, area, organisation_id=None):
    start, _end = last_month().utc_range()
    return services.award(rule, cause="test", source_type="wish", source_id=source, points=points,
                          user_id=user.id, organisation_id=organisation_id, area_id=area.id,
                          occurred_at=start + timedelta(hours=hours))


def test_ties_are_ordered_by_who_reached_the_total_first_then_by_id(make_client, city):
    rule = rules()["wish_claimant"]
    a, b, c, d = city.member_a, city.resident_a, city.resident_a2, city.leader_a1
    give(rule, c, 10, 1, source=1, area=city.micro_a1)       # c reaches 10 first …
    give(rule, b, 10, 2, source=2, area=city.micro_a1)       # … then b …
    give(rule, a, 10, 2, source=3, area=city.micro_a2)       # … and a at the same moment (a's id is smaller)
    extra = give(rule, d, 5, 0, source=4, area=city.micro_a1)
    give(rule, d, 10, 3, source=5, area=city.micro_a1)
    services.reverse(extra, cause="test", occurred_at=extra.occurred_at + timedelta(hours=5))  # d: 15 → 10 late
    give(rule, city.member_b, 50, 1, source=6, area=city.micro_b1)  # another street's community: not on this board
    db.session.commit()
    assert a.id < b.id
    rows, more = queries.board("community", city.comm_a.id, "members", last_month())
    assert [(r.rank, r.holder_id, r.points) for r in rows] == \
        [(1, c.id, 10), (2, a.id, 10), (3, b.id, 10), (4, d.id, 10)]
    assert more is None
    # the same on the page, every time
    client = make_client()
    client.login("resident_a")
    url = f"/points/board?scope=community&id={city.comm_a.id}&period={last_month().key}"
    pages = {client.get(url).get_data(as_text=True).split('id="board"')[1] for _ in range(2)}
    assert len(pages) == 1
    order = re.findall(r'id="rank-(\d+)"', pages.pop())
    assert order == ["1", "2", "3", "4"]


def test_branches_are_compared_by_their_members_and_their_own_points(city):
    rule = rules()["wish_claimant"]
    give(rule, city.member_a, 10, 1, source=1, area=city.micro_a1, organisation_id=city.agency_a.id)
    services.award(rule, cause="test", source_type="checklist_item", source_id=9, points=30,
                   organisation_id=city.agency_b.id, area_id=city.comm_a.id,
                   occurred_at=last_month().utc_range()[0] + timedelta(hours=1))
    db.session.commit()
    rows, _ = queries.board("community", city.comm_a.id, "branches", last_month())
    assert [(r.holder_id, r.points) for r in rows] == [(city.agency_b.id, 30), (city.agency_a.id, 10)]
    branch, _ = queries.board("branch", city.agency_a.id, "members", last_month())
    assert [(r.holder_id, r.points) for r in branch] == [(city.member_a.id, 10)]


def _many(city, n):
    rule = rules()["wish_claimant"]
    for i in range(n):
        user = User(username=f"p{i:04d}", display_name=f"Person {i}", password_hash="x", mobile=f"1360000{i:04d}")
        db.session.add(user)
        db.session.flush()
        give(rule, user, 1000 - i, 1, source=i + 1, area=city.micro_a1)
    db.session.commit()


def test_the_board_is_paged_and_its_101st_row_is_reachable_with_the_same_number_of_statements(
        make_client, city, queries):
    _many(city, 120)
    client = make_client()
    client.login("resident_a")
    base = f"/points/board?scope=community&id={city.comm_a.id}&period={last_month().key}"
    client.get(base)
    with queries() as first:
        page = client.get(base).get_data(as_text=True)
    assert page.count('id="rank-') == queries_module_page_size()
    seen = re.findall(r'id="rank-(\d+)"', page)
    url = re.search(r'href="([^"]*after=\d+[^"]*)"', page).group(1).replace("&amp;", "&")
    with queries() as second:
        page2 = client.htmx_get(url).get_data(as_text=True)
    seen += re.findall(r'id="rank-(\d+)"', page2)
    url = re.search(r'href="([^"]*after=\d+[^"]*)"', page2).group(1).replace("&amp;", "&")
    page3 = client.htmx_get(url).get_data(as_text=True)
    seen += re.findall(r'id="rank-(\d+)"', page3)
    assert "Person 100" in page3  # the 101st
    assert seen == [str(i) for i in range(1, 121)]
    assert 'after=' not in page3
    assert len(second) <= len(first)
    # the count does not grow with the rows: a board of 3 takes as many statements
    db.session.execute(text("DELETE FROM point_entry WHERE user_id IN "
                            "(SELECT id FROM \"user\" WHERE username > 'p0002' AND username LIKE 'p%')"))
    db.session.commit()
    with queries() as small:
        client.get(base)
    assert len(small) == len(first)


def queries_module_page_size() -> int:
    return queries.BOARD_PAGE


def test_the_board_query_is_served_by_the_board_index(city):
    _many(city, 30)
    stmt = queries.board_statement("community", city.comm_a.id, "members", last_month())
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(str(r) for r in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table would be scanned anyway
        plan = " ".join(str(r) for r in db.session.execute(text(f"EXPLAIN {compiled}")))
    assert "ix_point_entry_community_board" in plan, plan
    db.session.rollback()
