"""Every figure of the dashboard on a hand-built city whose answers are known, per area and period."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from app.dashboard import queries, rollup
from app.dashboard.periods import Period
from app.extensions import db
from app.issues import services as issues
from app.timeutil import local_date_to_utc
from tests.wishes.helpers import make_wish

OCT = Period("custom", date(2026, 10, 1), date(2026, 10, 31))
SEP = Period("custom", date(2026, 9, 1), date(2026, 9, 30))


def at(day: int, hour: int = 10, month: int = 10) -> datetime:
    """Local (Beijing) time on a day of 2026, as naive UTC."""
    return local_date_to_utc(date(2026, month, day)) + timedelta(hours=hour)


@pytest.fixture
def known(city, cats):
    c = city
    # I1: micro A1, accepted after 2 h (in time), resolved 12 h after the report, rated satisfied → closed
    i1 = issues.report_issue(reporter=c.resident_a, category=cats["street_light"], description="Lamp",
                             area=c.micro_a1, now=at(5))
    issues.accept(i1, c.leader_a1, now=at(5, 12))
    issues.resolve(i1, c.leader_a1, "Fixed", now=at(5, 22))
    issues.rate(i1, c.resident_a, "satisfied", now=at(6))
    # I2: micro A2, accepted after 30 h (late: the limit is 24 h), resolved, rated unsatisfied → reopened
    i2 = issues.report_issue(reporter=c.resident_a2, category=cats["sanitation"], description="Rubbish",
                             area=c.micro_a2, channel="web", now=at(6))
    issues.accept(i2, c.leader_a2, now=at(7, 16))
    issues.resolve(i2, c.leader_a2, "Swept", now=at(8))
    issues.rate(i2, c.resident_a2, "unsatisfied", "Still there", now=at(8, 12))
    # I3: community A2, not accepted (rejected)
    i3 = issues.report_issue(reporter=c.street_admin_a, category=cats["noise"], description="Drums",
                             area=c.micro_a3, now=at(7))
    issues.reject(i3, c.street_admin_a, "A wedding, allowed", now=at(7, 11))
    # I4: street B, never accepted
    issues.report_issue(reporter=c.resident_b, category=cats["street_light"], description="Dark",
                        area=c.micro_b1, now=at(8))
    # I5: micro A1 in September: outside October
    issues.report_issue(reporter=c.resident_a, category=cats["street_light"], description="Old", area=c.micro_a1,
                        now=at(20, month=9))
    db.session.commit()
    return c


def test_issue_figures_per_area_and_period(known):
    c = known
    s = queries.summary(c.street_a, OCT)
    assert (s.received, s.accepted, s.responded, s.resolved, s.rated, s.satisfied) == (3, 2, 1, 1, 2, 1)
    assert s.response_rate == pytest.approx(1 / 3)
    assert s.resolution_rate == pytest.approx(1 / 2)
    assert s.satisfaction_rate == pytest.approx(1 / 2)
    # accept: 2 h ([2,4)) and 30 h ([24,48)): the middle (1 of 2) is reached at the end of the first bucket
    assert s.median_accept_hours == (pytest.approx(4.0), False)
    # resolve: I1 only, 12 h after the report → bucket [12, 24), half-way → 18 h
    assert s.median_resolve_hours == (pytest.approx(18.0), False)
    assert (s.resolved_in_microgrid, s.microgrid_share, s.community_share) == (1, 1.0, 1.0)
    assert s.f.by("issue.state") == {"closed": 1, "in_progress": 1, "rejected": 1}
    assert s.f.by("issue.level") == {"microgrid": 3}
    assert s.f.by("issue.category") == {"noise": 1, "sanitation": 1, "street_light": 1}
    assert s.f.by("issue.channel") == {"web": 3}
    # per community, and the city and September
    assert queries.summary(c.comm_a, OCT).received == 2
    assert queries.summary(c.comm_a2, OCT).received == 1
    assert queries.summary(c.micro_a1, OCT).resolved == 1
    assert queries.summary(c.street_b, OCT).received == 1
    assert queries.summary(c.city, OCT).received == 4
    assert queries.summary(c.city, SEP).received == 1
    assert queries.summary(c.comm_b, OCT).response_rate == 0


def test_overdue_now_and_staffing(known):
    from sqlalchemy import select

    from app.areas.models import Area, StaffingPost
    from app.issues.models import Issue

    c = known
    overdue = {a: 0 for a in ("a", "b")}
    for issue in db.session.scalars(select(Issue)):
        if issue.is_overdue():
            overdue["b" if issue.area_id == c.micro_b1.id else "a"] += 1
    assert overdue["b"] == 1  # I4 waits past its acceptance limit
    assert queries.overdue_now(c.street_b) == (1, None)  # no snapshot yet: counted on the spot
    assert queries.overdue_now(c.street_a) == (overdue["a"], None)
    assert queries.overdue_now(c.city) == (overdue["a"] + 1, None)
    # the job's snapshot gives the same numbers, read from one row per area
    from app.dashboard.jobs import snapshot
    from app.timeutil import utcnow

    now = utcnow()
    assert snapshot(now)[0].startswith(f"{overdue['a'] + 1} issue(s) overdue now")
    db.session.commit()
    assert snapshot(now) == []  # nothing moved: only the time of the count is renewed
    assert queries.overdue_now(c.street_b, now) == (1, now)
    assert queries.overdue_now(c.street_a, now) == (overdue["a"], now)
    assert queries.overdue_now(c.city, now) == (overdue["a"] + 1, now)
    assert queries.overdue_now(c.comm_a2, now) == (0, now)
    # a stale snapshot is not trusted
    assert queries.overdue_now(c.street_b, now + queries.SNAPSHOT_MAX_AGE + timedelta(minutes=1))[1] is None
    # "1+1+3": micro A1 complete, micro A2 short of a volunteer
    for post, n in (("backbone", 1), ("liaison", 1), ("volunteer", 3)):
        for i in range(n):
            db.session.add(StaffingPost(area_id=c.micro_a1.id, post=post, name=f"{post}{i}"))
    for post, n in (("backbone", 1), ("liaison", 1), ("volunteer", 2)):
        for i in range(n):
            db.session.add(StaffingPost(area_id=c.micro_a2.id, post=post, name=f"{post}{i}"))
    db.session.commit()
    assert queries.staffing(c.comm_a) == (2, 1)
    assert queries.staffing(c.street_a) == (3, 1)
    assert queries.staffing(c.city) == (4, 1)
    assert queries.staffing_by_community(c.street_a) == {c.comm_a.id: (2, 1), c.comm_a2.id: (1, 0)}
    assert db.session.get(Area, c.micro_a1.id) is not None


def test_wish_figures(city):
    c = city
    make_wish(c, "completed")
    make_wish(c, "claimed", wisher=c.resident_a2)
    make_wish(c, "published")
    make_wish(c, "pending")
    make_wish(c, "published", wisher=c.resident_b, claimer=c.member_b)
    period = Period.of("this_month")
    s = queries.summary(c.comm_a, period)
    assert (s.wishes_posted, s.wishes_claimed, s.wishes_completed) == (4, 2, 1)
    assert s.wish_completion_rate == pytest.approx(1 / 4)
    assert s.wish_median_days == (pytest.approx(0.5), False)  # same day: bucket [0, 1), half-way
    assert queries.summary(c.city, period).wishes_posted == 5
    assert queries.summary(c.comm_b, period).wishes_claimed == 0


def test_a_rebuild_gives_the_same_figures(known):
    before = queries.figures(known.street_a, OCT).data
    rollup.rebuild()
    assert queries.figures(known.street_a, OCT).data == before


def test_the_page_shows_the_figures_with_their_definitions(known, client):
    c = known
    client.login("street_a")
    r = client.get(f"/dashboard/{c.street_a.id}?period=custom&start=2026-10-01&end=2026-10-31")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    for text in ("33.3%", "50.0%", "4.0", "18.0", "÷"):
        assert text in html, text
    assert "Community A" in html and "Community A2" in html and "Community B" not in html
    # drill down: a community's page has the breadcrumb up to the street (not to the city, outside the reach)
    r = client.get(f"/dashboard/{c.comm_a.id}?period=custom&start=2026-10-01&end=2026-10-31")
    html = r.get_data(as_text=True)
    assert f'href="/dashboard/{c.street_a.id}?' in html and f'href="/dashboard/{c.city.id}?' not in html


def test_the_spreadsheet_has_the_same_figures(known, client):
    c = known
    client.login("street_a")
    r = client.get(f"/dashboard/{c.street_a.id}/export.xlsx?period=custom&start=2026-10-01&end=2026-10-31")
    assert r.status_code == 200
    assert r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    ws = wb.worksheets[0]
    rows = {row[1]: row[2] for row in ws.iter_rows(min_row=2, values_only=True) if row[1]}
    assert any(v == 3 for k, v in rows.items() if "received" in str(k).lower() or "受理" in str(k) or "收到" in str(k))
    values = [row[2] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert 3 in values and round(1 / 3, 4) in values
    assert [s.title for s in wb.worksheets][1:] != []
    r = client.get(f"/dashboard/{c.street_a.id}/ranking.xlsx?period=custom&start=2026-10-01&end=2026-10-31")
    assert r.status_code == 200
    names = [row[1] for row in load_workbook(io.BytesIO(r.data)).worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert {"Community A", "Community A2"} <= set(names)


@pytest.mark.parametrize("start, end, received", [
    (date(2026, 9, 1), date(2026, 11, 30), 4),    # whole months only
    (date(2026, 9, 15), date(2026, 10, 31), 4),   # part of September, all of October
    (date(2026, 9, 21), date(2026, 10, 31), 3),
    (date(2026, 9, 20), date(2026, 10, 6), 3),    # parts of two months, none whole
    (date(2026, 9, 21), date(2026, 10, 5), 1),
    (date(2026, 10, 6), date(2026, 10, 6), 1),    # one day
    (date(2026, 8, 20), date(2026, 11, 2), 4),    # part, two whole months, part
    (date(2026, 10, 8), date(2026, 12, 31), 0),   # I4 on the 8th is in street B
])
def test_a_period_is_read_as_whole_months_and_days_with_the_same_figures(known, start, end, received):
    period = Period("custom", start, end)
    assert queries.summary(known.street_a, period).received == received
    by_day = {}
    for (area, metric, day, key), (count, _total) in rollup.snapshot().items():
        if area == known.street_a.id and start <= day <= end:
            by_day[(metric, key)] = by_day.get((metric, key), 0) + count
    figures = queries.figures(known.street_a, period)
    assert {(m, k): v[0] for m, keys in figures.data.items() for k, v in keys.items()} == by_day
    kids = queries.children_figures([known.comm_a.id, known.comm_a2.id], period)
    assert sum(f.n("issue.received") for f in kids.values()) == received


def test_the_trend_adds_whole_months_and_the_days_of_the_last_one(known):
    months, series = queries.trend(known.street_a, date(2026, 10, 7))
    assert months[-2:] == [date(2026, 9, 1), date(2026, 10, 1)] and len(months) == 12
    assert series["issue.received"][-2:] == [1, 3]
    months, series = queries.trend(known.street_a, date(2026, 10, 5))
    assert series["issue.received"][-2:] == [1, 1]
    months, series = queries.trend(known.city, date(2026, 11, 30))
    assert series["issue.received"][-3:] == [1, 4, 0]


@pytest.mark.parametrize("start, end, months, days", [
    ("2026-01-01", "2026-11-30", ("2026-01-01", "2026-12-01"), []),
    ("2026-01-01", "2026-11-29", ("2026-01-01", "2026-11-01"), [("2026-11-01", "2026-11-30")]),
    ("2026-01-02", "2026-12-31", ("2026-02-01", "2027-01-01"), [("2026-01-02", "2026-02-01")]),
    ("2026-11-05", "2026-11-20", None, [("2026-11-05", "2026-11-21")]),
    ("2026-10-05", "2026-11-20", None, [("2026-10-05", "2026-11-01"), ("2026-11-01", "2026-11-21")]),
    ("2026-02-28", "2026-02-28", None, [("2026-02-28", "2026-03-01")]),
])
def test_a_period_is_split_into_whole_months_and_days_within_one_month(start, end, months, days):
    d = date.fromisoformat
    expected_months = (d(months[0]), d(months[1])) if months else None
    assert queries.split(d(start), d(end)) == (expected_months, [(d(a), d(b)) for a, b in days])


def test_overdue_now_of_a_city_counts_its_own_issues_only(known):
    from app.areas.services import create_area

    c = known
    city_alone = queries.overdue_now(c.city)
    assert city_alone[1] is None and city_alone[0] > 0
    other = create_area("Other city", "city")
    area = other
    for level in ("street", "community", "grid", "microgrid"):
        area = create_area(f"Other {level}", level, area)
    issues.report_issue(reporter=None, reporter_name="Visitor", category=known_category(), description="Far away",
                        area=area, now=at(8))
    db.session.flush()
    assert queries.overdue_now(other) == (1, None)
    assert queries.overdue_now(c.city) == city_alone  # another root's issues are not the city's


def known_category():
    from sqlalchemy import select

    from app.issues.models import IssueCategory

    return db.session.scalars(select(IssueCategory).order_by(IssueCategory.id)).first()
