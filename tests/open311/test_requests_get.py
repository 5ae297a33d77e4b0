"""GET requests (filters, window, limit), GET one request, tokens — JSON and XML."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.timeutil import utcnow
from tests.open311.conftest import assert_error, child_names, parse_json, parse_xml, report, validate

REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]
OFFSET = re.compile(r"[+-]\d{2}:\d{2}$")


def ids(data) -> list[str]:
    return [r["service_request_id"] for r in data]


def test_requests_json_and_states(api, o311):
    from app.issues.services import accept, mark_duplicate, reject, resolve

    c = o311.city
    open_one = report(c, lat=31.9, lon=120.3, address="No. 5 Main St")
    resolved = report(c, "sanitation", days_ago=1)
    accept(resolved, c.staff_a)
    resolve(resolved, c.staff_a, "Cleaned up")
    rejected = report(c, "noise")
    reject(rejected, c.staff_a, "Not a problem")
    dispute = report(c, "neighbour_dispute")
    dup = report(c)
    mark_duplicate(dup, c.staff_a, open_one)
    db.session.commit()

    r = api.get("/requests.json", headers={"Accept-Language": "en"})
    assert r.status_code == 200
    data = parse_json(r)
    validate("service_requests", data)
    got = {d["service_request_id"]: d for d in data}
    # rejected reports and private categories are not public
    assert str(rejected.id) not in got and str(dispute.id) not in got
    assert set(got) == {str(open_one.id), str(resolved.id), str(dup.id)}
    first = got[str(open_one.id)]
    assert first["status"] == "open" and first["status_notes"].startswith("reported")
    assert first["service_code"] == "street_light" and first["service_name"] == "Street light"
    assert first["lat"] == pytest.approx(31.9) and first["long"] == pytest.approx(120.3)
    assert first["address"] == "No. 5 Main St" and first["address_id"] == "MA1"
    assert first["agency_responsible"] == "Micro A1"
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert OFFSET.search(first[field]), first[field]
    assert got[str(resolved.id)]["status"] == "closed"
    assert got[str(resolved.id)]["status_notes"].startswith("resolved")
    assert got[str(resolved.id)]["expected_datetime"] is None
    assert got[str(dup.id)]["status"] == "closed"
    assert f"request {open_one.id}" in got[str(dup.id)]["status_notes"]
    # newest first
    assert ids(data)[-1] == str(resolved.id)
    # reporters never leak
    text = r.get_data(as_text=True)
    assert "王小明" not in text and "resident_a" not in text


def test_requests_xml(api, o311):
    c = o311.city
    issue = report(c, description='Lamp <b>out</b> & "dark" \x07 at night')
    root = parse_xml(api.get("/requests.xml"))
    assert root.tag == "service_requests"
    assert child_names(root) == ["request"]
    req = root.find("request")
    assert child_names(req) == REQUEST_FIELDS
    assert req.findtext("service_request_id") == str(issue.id)
    assert req.findtext("status") == "open"
    # escaped on the way out, control characters dropped
    assert req.findtext("description") == 'Lamp <b>out</b> & "dark"  at night'
    assert req.find("zipcode").text is None  # an empty element, as in the spec's examples


def test_status_filter(api, o311):
    from app.issues.services import accept, resolve

    c = o311.city
    a = report(c)
    b = report(c)
    accept(b, c.staff_a)
    resolve(b, c.staff_a, "Fixed")
    db.session.commit()
    assert ids(parse_json(api.get("/requests.json?status=open"))) == [str(a.id)]
    assert ids(parse_json(api.get("/requests.json?status=closed"))) == [str(b.id)]
    assert set(ids(parse_json(api.get("/requests.json?status=open,closed")))) == {str(a.id), str(b.id)}
    # an empty optional argument is the same as none
    assert len(parse_json(api.get("/requests.json?status="))) == 2
    assert_error(api.get("/requests.json?status=pending"), 400, contains="status")
    assert_error(api.get("/requests.xml?status=pending"), 400, "xml")


def test_service_code_filter(api, o311):
    c = o311.city
    light = report(c, "street_light")
    trash = report(c, "sanitation")
    assert ids(parse_json(api.get("/requests.json?service_code=street_light"))) == [str(light.id)]
    both = ids(parse_json(api.get("/requests.json?service_code=street_light,sanitation")))
    assert set(both) == {str(light.id), str(trash.id)}
    assert_error(api.get("/requests.json?service_code=potholes"), 400, contains="potholes")
    assert_error(api.get("/requests.xml?service_code=potholes"), 400, "xml", contains="potholes")


def test_date_window(api, o311):
    c = o311.city
    recent = report(c, days_ago=1)
    older = report(c, days_ago=30)
    ancient = report(c, days_ago=120)
    # default: the most recent 90 days
    assert ids(parse_json(api.get("/requests.json"))) == [str(recent.id), str(older.id)]
    start = (utcnow() - timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (utcnow() - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(parse_json(api.get(f"/requests.json?start_date={start}&end_date={end}"))) == [str(older.id)]
    # only a start: 90 days from there
    start = (utcnow() - timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert ids(parse_json(api.get("/requests.json", query_string={"start_date": start}))) == [str(ancient.id)]
    # only an end: the 90 days before it
    end = (utcnow() - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(parse_json(api.get(f"/requests.json?end_date={end}"))) == [str(older.id)]
    # an unencoded "+" arrives as a space: still understood
    start = (utcnow() - timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert str(older.id) in ids(parse_json(api.get("/requests.json?start_date=" + start)))
    # a bare date is a local calendar day
    day = (utcnow() - timedelta(days=40)).strftime("%Y-%m-%d")
    assert str(older.id) in ids(parse_json(api.get(f"/requests.json?start_date={day}")))


@pytest.mark.parametrize("query,word", [
    ("start_date=yesterday", "start_date"),
    ("end_date=2026-13-45T00:00:00Z", "end_date"),
    ("start_date=2026-01-01T00:00:00", "timezone"),  # the spec requires the offset
    ("start_date=2026-02-30", "start_date"),
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "90 days"),
    ("start_date=2026-03-01T00:00:00Z&end_date=2026-02-01T00:00:00Z", "before"),
    ("start_date=" + "9" * 500, "start_date"),
    ("start_date=0001-01-01T00:00:00%2B08:00", "start_date"),
    ("end_date=9999-12-31T23:59:59-08:00", "end_date"),
    ("start_date=%D9%A2%D9%A0%D9%A2%D9%A6-01-01", "start_date"),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_dates_are_400(api, o311, query, word, fmt):
    assert_error(api.get(f"/requests.{fmt}?{query}", headers={"Accept-Language": "en"}), 400, fmt, contains=word)


def test_max_count(api, o311, app, monkeypatch):
    c = o311.city
    issues = [report(c) for _ in range(4)]
    monkeypatch.setitem(app.config, "OPEN311_MAX_REQUESTS", 3)
    data = parse_json(api.get("/requests.json"))
    assert ids(data) == [str(i.id) for i in reversed(issues)][:3]


def test_service_request_id_list_overrides_other_filters(api, o311):
    c = o311.city
    a = report(c)
    b = report(c, "sanitation", days_ago=200)  # outside the default window
    x = report(c)
    got = ids(parse_json(api.get(f"/requests.json?service_request_id={a.id},{b.id}&service_code=noise"
                                 "&status=closed")))
    assert set(got) == {str(a.id), str(b.id)} and str(x.id) not in got
    assert_error(api.get("/requests.json?service_request_id=1,abc"), 400, contains="service_request_id")
    assert parse_json(api.get("/requests.json?service_request_id=999999")) == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_single_request(api, o311, fmt):
    c = o311.city
    issue = report(c, lat=31.5, lon=120.1)
    r = api.get(f"/requests/{issue.id}.{fmt}")
    assert r.status_code == 200
    if fmt == "json":
        data = parse_json(r)
        validate("service_requests", data)
        assert len(data) == 1 and data[0]["service_request_id"] == str(issue.id)
    else:
        root = parse_xml(r)
        assert root.tag == "service_requests" and child_names(root) == ["request"]
        assert child_names(root[0]) == REQUEST_FIELDS
        assert root[0].findtext("lat") == "31.5"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_public_position_is_rounded_to_about_100_m(api, o311, fmt):
    """The portal shows the exact position only to the reporter and handlers; the public API rounds it."""
    c = o311.city
    issue = report(c, lat=31.912345, lon=120.285678)
    for path in (f"/requests/{issue.id}.{fmt}", f"/requests.{fmt}"):
        r = api.get(path)
        assert r.status_code == 200
        if fmt == "json":
            item = parse_json(r)[0]
            assert (item["lat"], item["long"], item["address_id"]) == (31.912, 120.286, "MA1")
        else:
            item = parse_xml(r)[0]
            assert (item.findtext("lat"), item.findtext("long"), item.findtext("address_id")) == (
                "31.912", "120.286", "MA1")
        assert "31.9123" not in r.get_data(as_text=True) and "120.2856" not in r.get_data(as_text=True)


def test_non_ascii_digit_ids_are_client_errors(api, o311):
    """Unicode digits that int() rejects (superscript two) must be a 404 / 400, never a 500."""
    assert api.get("/requests/%C2%B2.json").status_code == 404
    assert api.get("/requests.json?service_request_id=%C2%B2").status_code == 400


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_is_404(api, o311, fmt):
    from app.issues.services import reject

    c = o311.city
    assert_error(api.get(f"/requests/999999.{fmt}"), 404, fmt, contains="999999")
    assert_error(api.get(f"/requests/abc.{fmt}"), 404, fmt)
    hidden = report(c, "neighbour_dispute")
    assert_error(api.get(f"/requests/{hidden.id}.{fmt}"), 404, fmt)
    rejected = report(c)
    reject(rejected, c.staff_a, "Spam")
    db.session.commit()
    assert_error(api.get(f"/requests/{rejected.id}.{fmt}"), 404, fmt)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_token_is_404(api, o311, fmt):
    assert_error(api.get(f"/tokens/nope.{fmt}"), 404, fmt, contains="nope")


def test_bounded_queries(api, o311, queries):
    c = o311.city
    report(c)
    with queries() as few:
        api.get("/requests.json")
    for _ in range(6):
        report(c, "sanitation", area=c.micro_a2)
    with queries() as many:
        data = parse_json(api.get("/requests.json"))
    assert len(data) == 7
    assert len(many) == len(few)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_request_filed_through_the_api_stays_visible_once_rejected(api, o311, fmt):
    """The app that filed it can still tell its user what happened: closed, with the state and the reason."""
    from app.issues.models import Issue
    from app.issues.services import reject

    c = o311.city
    r = api.post("/requests.json", {"api_key": o311.key, "service_code": "street_light", "address_id": "MA1",
                                     "description": "Light out"})
    assert r.status_code == 201
    issue_id, token = parse_json(r)[0]["service_request_id"], r.headers["X-Open311-Token"]
    reject(db.session.get(Issue, int(issue_id)), c.staff_a, "Not public land: the housing estate repairs it")
    web_rejected = report(c)
    reject(web_rejected, c.staff_a, "Spam")
    db.session.commit()

    for path in (f"/requests/{issue_id}.{fmt}", f"/requests.{fmt}", f"/requests.{fmt}?status=closed",
                 f"/requests.{fmt}?service_request_id={issue_id},{web_rejected.id}"):
        r = api.get(path)
        assert r.status_code == 200, path
        if fmt == "json":
            data = parse_json(r)
            validate("service_requests", data)
            items = {d["service_request_id"]: (d["status"], d["status_notes"], d["expected_datetime"]) for d in data}
        else:
            items = {e.findtext("service_request_id"): (e.findtext("status"), e.findtext("status_notes"),
                                                          e.findtext("expected_datetime")) for e in parse_xml(r)}
        # the API's own request is there; a rejected report from another channel stays hidden, as on the web
        assert set(items) == {issue_id}, path
        status, notes, expected = items[issue_id]
        assert status == "closed" and not expected
        assert notes.startswith("rejected: Not accepted") and "Not public land" in notes
    r = api.get(f"/requests.{fmt}?status=open")
    assert r.status_code == 200
    assert (parse_json(r) if fmt == "json" else list(parse_xml(r))) == []
    # the token still resolves, and leads to a request that answers
    t = api.get(f"/tokens/{token}.{fmt}")
    assert t.status_code == 200 and issue_id in t.get_data(as_text=True)
    assert_error(api.get(f"/requests/{web_rejected.id}.{fmt}"), 404, fmt)
