"""The scenario library (catalogue, adoption per community) and the evaluation index built on it."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.areas.models import StaffingPost
from app.dashboard import evaluation
from app.dashboard.periods import Period
from app.extensions import db
from app.scenarios import services
from app.scenarios.models import Scenario, ScenarioAdoption
from app.timeutil import local_today


def _catalogue(c):
    common = [services.create_scenario(c.admin, name=n, dimension="scenarios", kind="common")
              for n in ("治安防控", "线上问诊", "智慧养老", "一网通办")]
    specific = services.create_scenario(c.admin, name="乡村治理积分制", dimension="co_governance", kind="specific")
    db.session.commit()
    return common, specific


def test_city_admin_keeps_the_catalogue(city, client):
    client.login("admin")
    r = client.post("/scenarios/new", {"new-name": "智慧养老", "new-dimension": "scenarios", "new-kind": "common"})
    assert r.status_code == 303
    assert db.session.scalar(select(func.count(Scenario.id))) == 1
    r = client.post("/scenarios/new", {"new-name": " 智慧养老 ", "new-dimension": "scenarios", "new-kind": "common"})
    assert r.status_code == 303
    page = client.get("/scenarios/").get_data(as_text=True)
    assert 'role="alert"' in page
    assert db.session.scalar(select(func.count(Scenario.id))) == 1  # nothing changed
    r = client.post("/scenarios/new", {"new-name": "", "new-dimension": "nope", "new-kind": "common"})
    assert r.status_code == 303 and db.session.scalar(select(func.count(Scenario.id))) == 1
    client.logout()
    client.login("staff_a")
    assert client.post("/scenarios/new", {"new-name": "X", "new-dimension": "scenarios",
                                          "new-kind": "common"}).status_code == 403
    scenario = db.session.scalar(select(Scenario))
    assert client.get(f"/scenarios/{scenario.id}").status_code == 403


def test_community_staff_mark_what_their_community_runs(city, client):
    common, _specific = _catalogue(city)
    client.login("staff_a")
    page = client.get("/scenarios/").get_data(as_text=True)
    assert "治安防控" in page and "Run in 0 of 3 communities" in page
    since = (local_today() - timedelta(days=30)).isoformat()
    r = client.post(f"/scenarios/{common[0].id}/adopt/{city.comm_a.id}", {"since": since, "note": "24 h patrol"})
    assert r.status_code == 303
    adoption = db.session.scalar(select(ScenarioAdoption))
    assert (adoption.community_id, adoption.since.isoformat(), adoption.note) == (city.comm_a.id, since, "24 h patrol")
    # a date that is not one, or in the future: told, nothing changed
    for bad in ("soon", (local_today() + timedelta(days=3)).isoformat()):
        r = client.post(f"/scenarios/{common[1].id}/adopt/{city.comm_a.id}", {"since": bad})
        assert r.status_code == 303
        assert 'role="alert"' in client.get(r.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert db.session.scalar(select(func.count(ScenarioAdoption.id))) == 1
    # another community: not theirs
    assert client.post(f"/scenarios/{common[0].id}/adopt/{city.comm_b.id}", {"since": since}).status_code == 403
    assert client.get(f"/scenarios/?community={city.comm_b.id}").status_code == 404
    assert db.session.scalar(select(func.count(ScenarioAdoption.id))) == 1
    # the catalogue shows adoption per scenario
    client.logout()
    client.login("admin")
    assert "Run in 1 of 3 communities" in client.get("/scenarios/").get_data(as_text=True)
    from app.scenarios.queries import adoption_counts
    assert adoption_counts([s.id for s in common]) == {common[0].id: 1}
    client.logout()
    client.login("staff_a")
    r = client.post(f"/scenarios/{common[0].id}/drop/{city.comm_a.id}", {})
    assert r.status_code == 303 and db.session.scalar(select(func.count(ScenarioAdoption.id))) == 0


def test_the_index_is_weighted_ranked_and_compared(city):
    c = city
    common, specific = _catalogue(c)
    long_ago = local_today() - timedelta(days=400)
    for s in common[:2]:
        services.adopt(s, c.comm_a, c.staff_a, since=long_ago.isoformat())
    services.adopt(specific, c.comm_a2, c.street_admin_a, since=local_today().isoformat())
    for post, n in (("backbone", 1), ("liaison", 1), ("volunteer", 3)):
        for i in range(n):
            db.session.add(StaffingPost(area_id=c.micro_a1.id, post=post, name=f"{post}{i}"))
    db.session.commit()
    period = Period.of("this_month")
    rows = evaluation.ranking(c.street_a, period)
    by = {r.area.name: r for r in rows}
    a, a2 = by["Community A"], by["Community A2"]
    assert a.scores == {"facilities": 50.0, "data_sharing": 0.0, "scenarios": 50.0, "co_governance": 0.0}
    assert a2.scores == {"facilities": 0.0, "data_sharing": 0.0, "scenarios": 10.0, "co_governance": 0.0}
    assert a.index == pytest.approx(25.0) and a2.index == pytest.approx(2.5)
    assert [r.area.name for r in rows] == ["Community A", "Community A2"] and [r.rank for r in rows] == [1, 2]
    # the previous month: community A2's specific scenario started today, so it counted nothing then
    assert a2.previous == pytest.approx(0.0) and a2.change == pytest.approx(2.5)
    assert a.change == pytest.approx(0.0)
    # weights chosen by the city change the index
    from app.dashboard.services import set_weights
    set_weights(c.admin, {"facilities": 100, "data_sharing": 0, "scenarios": 0, "co_governance": 0})
    db.session.commit()
    assert {r.area.name: r.index for r in evaluation.ranking(c.street_a, period)} == {"Community A": 50.0,
                                                                                      "Community A2": 0.0}


def test_index_formulas_are_on_the_page(city, client):
    client.login("street_a")
    html = client.get(f"/dashboard/{city.street_a.id}/ranking").get_data(as_text=True)
    from flask_babel import force_locale

    with force_locale("en"):
        for formula in evaluation.FORMULAS.values():
            assert str(formula)[:40] in html
    assert "Community A2" in html
    assert Period("custom", date(2026, 3, 1), date(2026, 3, 31)).previous() == Period(
        "custom", date(2026, 1, 29), date(2026, 2, 28))
    assert Period.of("this_month", date(2026, 3, 15)).previous() == Period(
        "custom", date(2026, 2, 1), date(2026, 2, 28))


def test_city_admin_edits_a_scenario_and_takes_it_out(city, client):
    common, _specific = _catalogue(city)
    client.login("admin")
    url = f"/scenarios/{common[0].id}"
    assert client.get(url).status_code == 200
    r = client.post(f"{url}/edit", {"name": "治安防控（升级版）", "dimension": "facilities", "kind": "common",
                                    "description": "", "active": ""})
    assert r.status_code == 303
    db.session.expire_all()
    changed = db.session.get(Scenario, common[0].id)
    assert (changed.name, changed.dimension, changed.active) == ("治安防控（升级版）", "facilities", False)
    r = client.post(f"{url}/edit", {"name": common[1].name, "dimension": "facilities", "kind": "common"})
    assert r.status_code == 303 and db.session.get(Scenario, common[0].id).name == "治安防控（升级版）"
    client.logout()
    client.login("staff_a")  # a scenario out of the catalogue is not offered to communities any more
    assert "治安防控（升级版）" not in client.get("/scenarios/").get_data(as_text=True)
    assert client.post(f"{url}/edit", {"name": "x", "dimension": "facilities", "kind": "common"}).status_code == 403
