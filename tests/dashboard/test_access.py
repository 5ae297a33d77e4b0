"""Who sees which dashboard, bad input answered with a message, the public page, and bounded SQL at every level."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.dashboard.models import EvaluationWeight
from app.extensions import db
from app.issues import services as issues
from app.stations import services as stations
from tests.stations.helpers import build_station, request_, send


def test_community_staff_cannot_open_another_community(city, client):
    client.login("staff_a")
    assert client.get(f"/dashboard/{city.comm_a.id}").status_code == 200
    r = client.get(f"/dashboard/{city.comm_b.id}")
    assert r.status_code == 403
    assert "Community B" in r.get_data(as_text=True)  # the page says which area is outside the reach
    assert client.get(f"/dashboard/{city.comm_b.id}/export.xlsx").status_code == 403
    assert client.get(f"/dashboard/{city.street_a.id}").status_code == 403
    assert client.get(f"/dashboard/{city.street_a.id}/ranking.xlsx").status_code == 403
    assert client.get("/dashboard/99999").status_code == 404


def test_each_role_lands_on_its_own_area(city, client):
    for username, area in (("admin", city.city), ("street_a", city.street_a), ("staff_a", city.comm_a),
                           ("gridlead_a", city.grid_a), ("leader_a1", city.micro_a1)):
        client.login(username)
        r = client.get("/dashboard/")
        assert r.status_code == 302 and r.headers["Location"].endswith(f"/dashboard/{area.id}"), username
        client.logout()
    client.login("resident_a")
    assert client.get("/dashboard/").status_code == 403
    assert client.get(f"/dashboard/{city.comm_a.id}").status_code == 403
    assert "/dashboard/" not in client.get("/").get_data(as_text=True)


def test_a_street_admin_sees_its_communities_only(city, client):
    client.login("street_a")
    html = client.get(f"/dashboard/{city.street_a.id}").get_data(as_text=True)
    assert f"/dashboard/{city.comm_a.id}?" in html and f"/dashboard/{city.comm_a2.id}?" in html
    assert f"/dashboard/{city.comm_b.id}" not in html
    assert client.get(f"/dashboard/{city.comm_b.id}").status_code == 403
    assert client.get(f"/dashboard/{city.city.id}").status_code == 403
    ranking = client.get(f"/dashboard/{city.street_a.id}/ranking").get_data(as_text=True)
    assert "Community A2" in ranking and "Community B" not in ranking


@pytest.mark.parametrize("query, message", [
    ("period=custom&start=2026-05-01&end=2026-01-01", "ends before it starts"),
    ("period=custom&start=2000-01-01&end=2020-01-01", "at most three years"),
    ("period=custom&start=yesterday&end=2026-01-01", "is not a date"),
    ("period=custom&start=2026-02-30&end=2026-03-01", "is not a date"),
    ("period=decade", "Choose this month"),
])
def test_a_bad_period_is_told_and_this_month_shown(city, client, query, message):
    client.login("street_a")
    r = client.get(f"/dashboard/{city.street_a.id}?{query}", headers={"Accept-Language": "en"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'role="alert"' in html
    r2 = client.get(f"/dashboard/{city.street_a.id}/export.xlsx?{query}")
    assert r2.status_code == 302  # back to the page that says what is wrong, never a spreadsheet of a bad period


def _english(client):
    client.post("/language", {"lang": "en"})


def test_weights_must_add_up_to_100(city, client):
    client.login("admin")
    r = client.post("/dashboard/weights", {"facilities": "50", "data_sharing": "30", "scenarios": "10",
                                           "co_governance": "5"})
    assert r.status_code == 303
    page = client.get(r.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "95" in page and 'role="alert"' in page
    assert db.session.scalar(select(EvaluationWeight.id)) is None  # nothing changed
    r = client.post("/dashboard/weights", {"facilities": "x", "data_sharing": "30", "scenarios": "10",
                                           "co_governance": "5"})
    assert r.status_code == 303
    assert db.session.scalar(select(EvaluationWeight.id)) is None
    r = client.post("/dashboard/weights", {"facilities": "40", "data_sharing": "30", "scenarios": "20",
                                           "co_governance": "10"})
    assert r.status_code == 303
    stored = dict(db.session.execute(select(EvaluationWeight.dimension, EvaluationWeight.percent)).all())
    assert stored == {"facilities": 40, "data_sharing": 30, "scenarios": 20, "co_governance": 10}
    client.logout()
    client.login("street_a")
    assert client.get("/dashboard/weights").status_code == 403
    assert client.post("/dashboard/weights", {"facilities": "100", "data_sharing": "0", "scenarios": "0",
                                              "co_governance": "0"}).status_code == 403
    assert "/dashboard/weights" not in client.get(f"/dashboard/{city.street_a.id}").get_data(as_text=True)


def test_the_public_figures_name_no_one(city, cats, client):
    issues.report_issue(reporter=city.resident_a, category=cats["street_light"], description="Lamp by 王小明's door",
                        area=city.micro_a1)
    db.session.commit()
    r = client.get("/figures/")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "public, max-age=300"
    html = r.get_data(as_text=True)
    assert "Street A" in html and "Street B" in html
    for name in ("王小明", "李四", "张三", "resident_a", "Lamp by"):
        assert name not in html
    html = client.get(f"/figures/{city.street_a.id}").get_data(as_text=True)
    assert "Community A2" in html and "王小明" not in html
    assert client.get(f"/figures/{city.micro_a1.id}").status_code == 404
    assert client.get("/figures/?period=custom&start=x&end=y").status_code == 200


@pytest.mark.parametrize("level", ["city", "street_a", "comm_a", "grid_a", "micro_a1"])
def test_bounded_sql_at_every_level(city, cats, client, queries, level):
    client.login("admin")
    area = getattr(city, level)
    url = f"/dashboard/{area.id}?period=this_year"

    built = build_station(city)

    def report(n):
        for i in range(n):
            issues.report_issue(reporter=city.resident_a, category=cats[("street_light", "noise")[i % 2]],
                                description=f"Problem {i}", area=city.micro_a1)
        for i in range(n):  # station services delivered
            req = request_(send(city, built, note=f"Errand {i}", kind=("home_help", "errand")[i % 2]))
            stations.take(req, city.staff_a)
            stations.mark_done(req, city.staff_a, "Done")
            stations.confirm(req, city.resident_a, "satisfied", None)
        db.session.commit()

    report(1)
    client.get(url)
    with queries() as few:
        assert client.get(url).status_code == 200
    report(8)
    with queries() as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few)
    assert "Station services delivered" in client.get(url).get_data(as_text=True)
    assert len(more) <= 30  # a community adds its evaluation index (its street ranked: ~10 statements)


def test_every_page_renders_in_chinese(city, cats, client):
    zh = {"Accept-Language": "zh-CN"}
    issues.report_issue(reporter=city.resident_a, category=cats["street_light"], description="Lamp",
                        area=city.micro_a1)
    db.session.commit()
    client.login("admin")
    for url in ("/dashboard/weights", f"/dashboard/{city.city.id}", f"/dashboard/{city.comm_a.id}",
                f"/dashboard/{city.street_a.id}/ranking", "/scenarios/", "/figures/", f"/figures/{city.street_a.id}",
                f"/dashboard/{city.city.id}?period=custom&start=2026-05-01&end=2026-01-01"):
        r = client.get(url, headers=zh)
        assert r.status_code == 200, url
        assert '<html lang="zh-CN">' in r.get_data(as_text=True)
    r = client.post("/dashboard/weights", {"facilities": "50", "data_sharing": "30", "scenarios": "10",
                                           "co_governance": "5"}, headers=zh)
    page = client.get(r.headers["Location"].split("#")[0], headers=zh).get_data(as_text=True)
    assert "权重合计为 95%" in page
