"""Publishing: who may, and bad input (capacity 0 or −1, an end before the start) refused with nothing changed;
the phone list pages by keyset with a bounded number of queries."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.activities.models import Activity
from app.extensions import db
from app.timeutil import to_local, utcnow
from tests.activities.helpers import make_activity


def _form(city, **extra):
    start = to_local(utcnow() + timedelta(days=2))
    data = {"kind": "patrol", "title": "Night patrol", "area_id": str(city.comm_a.id), "place": "Gate 3",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "capacity": "6",
            "audience": "everyone"}
    data.update(extra)
    return data


def _count():
    db.session.expire_all()
    return db.session.scalar(select(func.count(Activity.id)))


def test_staff_publish_and_bad_input_is_refused(client, city):
    client.login("staff_a")
    for bad, message in (({"capacity": "0"}, "capacity must be"), ({"capacity": "-1"}, "capacity must be"),
                         ({"ends_at": "2020-01-01T10:00"}, "end must be after"),
                         ({"area_id": str(city.comm_b.id)}, "cannot publish"),
                         ({"area_id": "99999999"}, "Please choose the community")):
        r = client.post("/activities/new", data=_form(city, **bad))
        assert r.status_code == 200 and message in r.get_data(as_text=True), bad
    assert _count() == 0
    assert client.post("/activities/new", data=_form(city)).status_code == 303
    assert _count() == 1


def test_agency_admin_publishes_for_a_paired_community_only(client, city):
    client.login("agency_a")
    assert client.post("/activities/new", data=_form(city, area_id=str(city.comm_b.id))).status_code == 200
    assert client.post("/activities/new", data=_form(city)).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(Activity.organisation_id)) == city.agency_a.id


def test_residents_cannot_publish(client, city):
    client.login("resident_a")
    assert client.get("/activities/new").status_code == 403


def test_the_list_pages_with_bounded_queries(client, city, queries):
    for i in range(45):
        make_activity(city, start_in=timedelta(days=1, minutes=i))
    client.login("resident_a")
    with queries() as first:
        r = client.get("/activities/")
    assert r.status_code == 200
    seen = r.get_data(as_text=True).count('class="card" id="activity-')
    url = "/activities/?after="
    pages = 1
    body = r.get_data(as_text=True)
    while 'id="load-more"' in body:
        nxt = body.split('id="load-more"')[1].split('href="')[1].split('"')[0].replace("&amp;", "&")
        with queries() as later:
            body = client.htmx_get(nxt).get_data(as_text=True)
        seen += body.count('class="card" id="activity-')
        pages += 1
        assert len(later) <= len(first) + 2
    assert seen == 45 and pages >= 3 and url
    r = client.get("/activities/?near=1&kind=patrol")
    assert r.status_code == 200
