"""Ids beyond the id columns' range (32-bit ``Integer``; PostgreSQL fails with "integer out of range") never reach
the database: every URL, form field, query value and pagination cursor that names a row gives a 404, a 403, a form
message or an empty answer — never a 500. Run on SQLite and PostgreSQL."""
from __future__ import annotations

import base64
import json

import pytest

from app.web.params import MAX_ID

#: above 32 bits but within 64: the values that used to pass every check and then overflow on PostgreSQL
TOO_BIG = ["99999999999", str(MAX_ID + 1)]
#: names of query / form values that carry ids somewhere in the portal
ID_PARAMS = ("area_id", "street", "community", "grid", "organisation_id", "assignee_id", "original_id",
             "service_request_id", "id", "after")


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def issue(city):
    from app.extensions import db
    from app.issues import services as s

    s.ensure_default_categories()
    made = s.report_issue(reporter=city.resident_a, category=s.category_by_code("street_light"),
                          description="Lamp out", area=city.micro_a1)
    db.session.commit()
    return made


def test_max_id_is_the_32_bit_limit():
    from app.issues.models import Issue
    from app.web.pagination import _fits

    assert MAX_ID == 2**31 - 1
    assert _fits(MAX_ID, Issue.id) and not _fits(MAX_ID + 1, Issue.id) and not _fits(99999999999999, Issue.id)


@pytest.mark.parametrize("big", TOO_BIG)
def test_every_int_url_with_an_oversized_id_is_404(app, make_client, city, issue, big):
    """A sweep over every route with an ``<int:…>`` part, as a city admin (who may do the most)."""
    c = make_client()
    c.login("admin")
    swept = 0
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if type(conv).__name__ == "BoundedInt"]
        if not ints:
            continue
        url = rule.rule
        for name in ints:
            url = url.replace(f"<int:{name}>", big)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = c.get(url) if method == "GET" else c.post(url, {"note": "x", "reason": "x"})
            assert r.status_code == 404, (method, url, r.status_code)
            swept += 1
    assert swept >= 20


@pytest.mark.parametrize("big", TOO_BIG)
def test_every_get_page_with_oversized_id_values_is_not_a_500(app, make_client, city, issue, big):
    """Every GET page without URL parameters, with every id-like query value set to an oversized number."""
    c = make_client()
    c.login("staff_a")
    query = {name: big for name in ID_PARAMS}
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in rule.methods:
            continue
        r = c.get(rule.rule, query_string=query)
        assert r.status_code < 500, (rule.rule, r.status_code)
        r = c.htmx_get(rule.rule, query_string=query)
        assert r.status_code < 500, (rule.rule, r.status_code)


@pytest.mark.parametrize("big", TOO_BIG)
def test_issue_forms_with_oversized_ids(make_client, city, issue, big):
    from app.extensions import db
    from app.issues.models import Issue

    resident = make_client()
    resident.login("resident_a")
    r = resident.post("/issues/new", {"category": "street_light", "description": "Lamp", "place": "pick",
                                      "area_id": big})
    assert r.status_code == 200 and "Choose where the problem is." in r.get_data(as_text=True)
    r = resident.get("/issues/similar", query_string={"category": "street_light", "place": "pick", "area_id": big})
    assert r.status_code == 200
    r = resident.get("/issues/new", query_string={"category": "street_light", "place": "pick", "area_id": big})
    assert r.status_code == 200

    staff = make_client()
    staff.login("staff_a")
    # a refused plain form goes back to the issue's page, which shows the message
    r = staff.post(f"/issues/{issue.id}/assign", {"assignee_id": big}, follow_redirects=True)
    assert r.status_code == 200 and "Choose the person who should act." in r.get_data(as_text=True)
    r = staff.post(f"/issues/{issue.id}/duplicate", {"original_id": big}, follow_redirects=True)
    assert r.status_code == 200 and "Enter the number of the original issue." in r.get_data(as_text=True)
    r = staff.post("/issues/quick", {"area_id": big, "category": "street_light", "description": "x"})
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.get(Issue, issue.id).state == "reported" and db.session.get(Issue, issue.id).assignee_id is None

    admin = make_client()
    admin.login("admin")
    assert admin.post(f"/issues/categories/{big}", {"accept_hours": "1", "resolve_hours": "2",
                                                   "default_level": "grid"}).status_code == 404
    assert admin.post("/open311/keys", {"name": "k", "area_id": big}).status_code == 200


@pytest.mark.parametrize("view", ["queue", "area", "mine", "public"])
def test_tampered_cursor_with_an_oversized_id_starts_again(make_client, city, issue, view):
    c = make_client()
    c.login({"queue": "leader_a1", "mine": "resident_a"}.get(view, "staff_a"))
    for values in ([{"dt": "2026-01-01T00:00:00"}, 99999999999999], [{"dt": "2026-01-01T00:00:00"}, MAX_ID + 1],
                   [{"dt": "2026-01-01T00:00:00"}, -(2**31) - 1]):
        r = c.get("/issues/", query_string={"view": view, "after": _cursor(values)})
        assert r.status_code == 200, values
        assert f"/issues/{issue.id}" in r.get_data(as_text=True), (view, values)
        assert c.htmx_get("/issues/", query_string={"view": view, "after": _cursor(values)}).status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("big", TOO_BIG)
def test_open311_with_oversized_ids(client, city, issue, fmt, big):
    from tests.open311.conftest import assert_error, parse_json, parse_xml

    assert_error(client.get(f"/open311/v2/requests/{big}.{fmt}"), 404, fmt)
    # an id that cannot exist is an unknown id: the filter matches nothing (as for any other unknown id)
    r = client.get(f"/open311/v2/requests.{fmt}", query_string={"service_request_id": big})
    assert r.status_code == 200
    assert (parse_json(r) == []) if fmt == "json" else (len(parse_xml(r)) == 0)
    r = client.get(f"/open311/v2/requests.{fmt}", query_string={"service_request_id": f"{issue.id},{big}"})
    assert r.status_code == 200
    if fmt == "json":
        assert [d["service_request_id"] for d in parse_json(r)] == [str(issue.id)]
