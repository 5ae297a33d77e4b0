"""The points pages through HTTP: my history, rules editing (bad input refused clearly), commendations, and the
forbidden paths."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.jobs import run_all
from app.notifications.models import Notification
from app.points import services
from app.points.models import Commendation, PointRule
from app.timeutil import utcnow
from tests.points.helpers import attested, rules
from tests.points.test_boards import give, last_month


def test_my_points_shows_the_balance_and_a_paged_history(make_client, city):
    rule = rules()["wish_claimant"]
    for i in range(25):
        give(rule, city.member_a, 1, i, source=i + 1, area=city.micro_a2)
    db.session.commit()
    c = make_client()
    c.login("member_a")
    page = c.get("/points/").get_data(as_text=True)
    assert '<strong>25</strong>' in page
    assert page.count('id="entry-') == 20
    more = re.search(r'href="(/points/\?after=[^"]+)"', page).group(1)
    rest = c.htmx_get(more).get_data(as_text=True)
    assert rest.count('id="entry-') == 5


def _rule(code="attendance_hour") -> PointRule:
    return db.session.scalar(select(PointRule).where(PointRule.code == code))


def test_a_city_admin_edits_a_rule(make_client, city):
    rules()
    c = make_client()
    c.login("admin")
    rule = _rule()
    r = c.post(f"/points/rules/{rule.id}", {"label": "Service hour", "points": "12", "active": "y"})
    assert r.status_code == 303
    db.session.expire_all()
    assert (_rule().label, _rule().points, _rule().active) == ("Service hour", 12, True)
    attested(city.staff_a, city.member_a, city.comm_a, minutes=60)
    db.session.commit()
    assert services.balance_of(city.member_a.id) == 12


def test_bad_rule_input_is_refused_clearly_and_changes_nothing(make_client, city):
    rules()
    c = make_client()
    c.login("admin")
    rule_id = _rule().id
    for value, message in (("1.5", "has a fraction"), ("100000", "At most 1000 points"),
                           ("-5", "no negative points"), ("ten", "whole number"), ("", "Enter the points")):
        r = c.post(f"/points/rules/{rule_id}", {"label": "Hour", "points": value, "active": "y"},
                   follow_redirects=True)
        assert r.status_code == 200
        body = r.get_data(as_text=True)
        assert message in body, value
        assert 'role="alert" data-focus-error' in body
        db.session.expire_all()
        assert _rule().points == 10 and _rule().label == "Attested service hour"
    r = c.htmx_post(f"/points/rules/{rule_id}", {"label": "", "points": "3.25"})
    assert r.status_code == 200
    assert "Give the rule a name." in r.get_data(as_text=True)


def test_a_resident_cannot_see_or_edit_the_rules(make_client, city):
    rules()
    c = make_client()
    c.login("resident_a")
    assert c.get("/points/rules").status_code == 403
    assert c.post(f"/points/rules/{_rule().id}", {"label": "x", "points": "999", "active": "y"}).status_code == 403
    db.session.expire_all()
    assert _rule().points == 10
    staff = make_client()
    staff.login("staff_a")
    assert staff.get("/points/rules").status_code == 403


def _board_of_last_month(city):
    rule = rules()["wish_claimant"]
    give(rule, city.member_a, 30, 1, source=1, area=city.micro_a2)
    give(rule, city.resident_a, 20, 2, source=2, area=city.micro_a1)
    give(rule, city.leader_a1, 10, 3, source=3, area=city.micro_a1)
    db.session.commit()


def test_staff_publish_a_commendation_list_with_a_printable_page(make_client, city):
    _board_of_last_month(city)
    c = make_client()
    c.login("staff_a")
    board = c.get(f"/points/board?scope=community&id={city.comm_a.id}&period={last_month().key}")
    assert "Publish the commendation list" in board.get_data(as_text=True)
    url = f"/points/board/{city.comm_a.id}/{last_month().key}/commend"
    r = c.post(url, {"title": "Good neighbours", "top": "2"})
    assert r.status_code == 303
    item = db.session.scalar(select(Commendation))
    assert item.state == "published"
    assert [(e.rank, e.user_id, e.points) for e in item.entries] == [(1, city.member_a.id, 30),
                                                                    (2, city.resident_a.id, 20)]
    page = c.get(f"/points/commendations/{item.id}").get_data(as_text=True)
    assert "Good neighbours" in page and '<style media="print">' in page
    assert c.post(url, {"title": "Again", "top": "1"}, follow_redirects=True).status_code == 200
    db.session.expire_all()
    assert len(db.session.scalar(select(Commendation)).entries) == 2
    # the people commended hear of it; anyone signed in may read the published list
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.event == "points.commendation_published")) == 2
    reader = make_client()
    reader.login("resident_b")
    assert reader.get(f"/points/commendations/{item.id}").status_code == 200


def test_staff_pick_people_from_the_board(make_client, city):
    _board_of_last_month(city)
    c = make_client()
    c.login("staff_a")
    url = f"/points/board/{city.comm_a.id}/{last_month().key}/commend"
    r = c.post(url, {"title": "", "top": "", "picked": [str(city.leader_a1.id)]})
    assert r.status_code == 303
    assert [e.user_id for e in db.session.scalar(select(Commendation)).entries] == [city.leader_a1.id]


def test_bad_commendation_input_is_refused(make_client, city):
    _board_of_last_month(city)
    c = make_client()
    c.login("staff_a")
    url = f"/points/board/{city.comm_a.id}/{last_month().key}/commend"
    for data, message in (({"top": "0"}, "from 1 to 100"), ({"top": "2.5"}, "from 1 to 100"),
                          ({"picked": [str(city.resident_b.id)]}, "Choose people from this period")):
        r = c.post(url, data, follow_redirects=True)
        assert r.status_code == 200 and message in r.get_data(as_text=True), data
    this_month = services.Period.containing(services._today()).key
    r = c.post(f"/points/board/{city.comm_a.id}/{this_month}/commend", {"top": "3"}, follow_redirects=True)
    assert "once its period has ended" in r.get_data(as_text=True)
    assert db.session.scalar(select(Commendation).where(Commendation.state == "published")) is None


def test_who_may_not_publish_a_commendation(make_client, city):
    _board_of_last_month(city)
    url = f"/points/board/{city.comm_a.id}/{last_month().key}/commend"
    for username in ("resident_a", "staff_b", "member_a", "leader_a1"):
        c = make_client()
        c.login(username)
        assert c.post(url, {"top": "3"}).status_code == 403, username
        page = c.get(f"/points/board?scope=community&id={city.comm_a.id}&period={last_month().key}")
        assert "Publish the commendation list" not in page.get_data(as_text=True)
    assert db.session.scalar(select(Commendation)) is None
    # a branch's board is its own
    c = make_client()
    c.login("member_b")
    assert c.get(f"/points/board?scope=branch&id={city.agency_a.id}").status_code == 404


def test_a_closed_period_asks_the_staff_for_its_commendation_once(make_client, city):
    _board_of_last_month(city)
    run_all(utcnow(), only="points.close_periods")
    db.session.commit()
    run_all(utcnow() + timedelta(minutes=5), only="points.close_periods")
    db.session.commit()
    drafts = list(db.session.scalars(select(Commendation)))
    assert {(d.area_id, d.state) for d in drafts} >= {(city.comm_a.id, "open"), (city.street_a.id, "open")}
    month_drafts = [d for d in drafts if d.area_id == city.comm_a.id and d.period == "month"]
    assert len(month_drafts) == 1
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.event == "points.period_closed", Notification.user_id == city.staff_a.id))
    assert told >= 1
    c = make_client()
    c.login("staff_a")
    home = c.get("/").get_data(as_text=True)
    assert "Commendation lists to publish" in home
    resident = make_client()
    resident.login("resident_a")
    assert "Commendation lists to publish" not in resident.get("/").get_data(as_text=True)


def test_the_balance_check_job_reports_nothing_when_all_is_well(city):
    rules()
    attested(city.staff_a, city.member_a, city.comm_a)
    db.session.commit()
    results = run_all(utcnow(), only="points.check_balances")
    assert results[0].changes == [] and results[0].error is None
