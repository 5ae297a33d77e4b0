"""POST requests: a good key, no key, a wrong or revoked key, and every kind of bad input (never a 500)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.open311.conftest import assert_error, child_names, parse_json, parse_xml, validate


def count_issues() -> int:
    from app.issues.models import Issue

    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Issue))


def good(o311, **extra):
    data = {"api_key": o311.key, "jurisdiction_id": "example.org", "service_code": "street_light",
            "lat": "31.91", "long": "120.28", "address_string": "Gate 3, Lane 12",
            "description": "The light at gate 3 is out.", "email": "li@example.com", "first_name": "小明",
            "last_name": "王", "phone": "13800138000", "device_id": "dev-1", "account_id": "acct-9",
            "media_url": "https://example.com/p/1.jpg"}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_post_json_creates_an_issue(api, o311):
    from app.issues.models import Issue
    from app.open311.models import ApiKey, Open311Request

    r = api.post("/requests.json", good(o311))
    assert r.status_code == 201, r.get_data(as_text=True)
    data = parse_json(r)
    validate("post_response", data)
    assert "token" not in data[0]  # the spec: not both service_request_id and token
    assert data[0]["account_id"] == "acct-9"
    issue = db.session.get(Issue, int(data[0]["service_request_id"]))
    assert issue.channel == "open311" and issue.reporter_id is None
    assert issue.category.code == "street_light" and issue.state == "reported"
    assert issue.area_id == o311.city.micro_a2.id  # the key's default area (no address_id)
    assert issue.reporter_name == "王小明" and issue.reporter_phone == "13800138000"
    assert issue.reporter_email == "li@example.com"
    assert issue.address == "Gate 3, Lane 12" and issue.lat == pytest.approx(31.91)
    assert issue.anonymous is False
    record = db.session.scalar(select(Open311Request).where(Open311Request.issue_id == issue.id))
    assert record.device_id == "dev-1" and record.media_url == "https://example.com/p/1.jpg"
    assert r.headers["X-Open311-Token"] == record.token
    assert r.headers["Location"].endswith(f"/open311/v2/requests/{issue.id}.json")
    assert db.session.get(ApiKey, o311.key_row.id).last_used_at is not None

    # it reads back, and the token leads to it
    got = parse_json(api.get(f"/requests/{issue.id}.json"))
    assert got[0]["media_url"] == "https://example.com/p/1.jpg" and got[0]["address_id"] == "MA2"
    for fmt in ("json", "xml"):
        t = api.get(f"/tokens/{record.token}.{fmt}")
        assert t.status_code == 200
        if fmt == "json":
            tokens = parse_json(t)
            validate("token", tokens)
            assert tokens == [{"service_request_id": str(issue.id), "token": record.token}]
        else:
            root = parse_xml(t)
            assert root.tag == "service_requests" and child_names(root) == ["request"]
            assert child_names(root[0]) == ["service_request_id", "token"]
            assert root[0].findtext("service_request_id") == str(issue.id)


def test_post_xml(api, o311):
    r = api.post("/requests.xml", good(o311, account_id=None))
    assert r.status_code == 201
    root = parse_xml(r)
    assert root.tag == "service_requests" and child_names(root) == ["request"]
    assert child_names(root[0]) == ["service_request_id", "service_notice", "account_id"]
    assert root[0].findtext("service_request_id").isdigit()
    assert root[0].find("account_id").text is None


def test_post_address_id_and_anonymous(api, o311):
    from app.issues.models import Issue

    r = api.post("/requests.json", {"api_key": o311.key, "service_code": "sanitation", "address_id": "MB1",
                                    "description": "Rubbish bins overflowing", "attribute[ANONYMOUS]": "yes"})
    assert r.status_code == 201, r.get_data(as_text=True)
    issue = db.session.get(Issue, int(parse_json(r)[0]["service_request_id"]))
    assert issue.area_id == o311.city.micro_b1.id
    assert issue.anonymous is True
    assert issue.lat is None and issue.address is None
    # a larger area is accepted when the micro-grid is not known
    r = api.post("/requests.json", {"api_key": o311.key, "service_code": "sanitation", "address_id": "CA",
                                    "description": "Somewhere in the community"})
    assert r.status_code == 201, r.get_data(as_text=True)


def test_post_needs_no_csrf_token_but_the_portal_still_does(api, client, o311):
    # the API POST above carried no CSRF token; a portal form without one is still refused
    assert api.post("/requests.json", good(o311)).status_code == 201
    assert client.post("/auth/logout", csrf=False).status_code == 400


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_key_is_403(api, o311, fmt):
    before = count_issues()
    assert_error(api.post(f"/requests.{fmt}", good(o311, api_key=None)), 403, fmt)
    assert_error(api.post(f"/requests.{fmt}", good(o311, api_key="")), 403, fmt)
    assert count_issues() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_wrong_key_is_403(api, o311, fmt):
    before = count_issues()
    assert_error(api.post(f"/requests.{fmt}", good(o311, api_key=o311.key + "x")), 403, fmt)
    assert_error(api.post(f"/requests.{fmt}", good(o311, api_key="x" * 5000)), 403, fmt)
    assert count_issues() == before


def test_key_in_the_query_string_is_not_accepted(api, o311):
    data = good(o311)
    key = data.pop("api_key")
    assert_error(api.post(f"/requests.json?api_key={key}", data), 403)


def test_revoked_key_is_403(api, o311):
    from app.open311.services import revoke_key

    assert api.post("/requests.json", good(o311)).status_code == 201
    revoke_key(o311.city.admin, o311.key_row)
    db.session.commit()
    before = count_issues()
    assert_error(api.post("/requests.json", good(o311)), 403, contains="api_key")
    assert_error(api.post("/requests.xml", good(o311)), 403, "xml")
    assert count_issues() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_is_404(api, o311, fmt):
    """The spec: "404 - service_code or jurisdiction_id was not found"."""
    before = count_issues()
    assert_error(api.post(f"/requests.{fmt}", good(o311, service_code="potholes")), 404, fmt, contains="potholes")
    assert_error(api.post(f"/requests.{fmt}", good(o311, service_code="neighbour_dispute")), 404, fmt)
    assert count_issues() == before


BAD = [
    ({"service_code": None}, "service_code"),
    ({"service_code": ""}, "service_code"),
    ({"lat": "abc"}, "lat"),
    ({"long": "east"}, "long"),
    ({"lat": "91", "long": "120"}, "lat"),
    ({"lat": "nan"}, "lat"),
    ({"lat": "1e400"}, "lat"),
    ({"lat": "31.2", "long": None}, "together"),
    ({"lat": None, "long": None, "address_string": None}, "location"),
    ({"description": "x" * 5000}, "description"),
    ({"description": "x" * 4001}, "description"),
    ({"description": ""}, "description"),
    ({"description": "\x00\x01"}, "description"),
    ({"address_id": "NOPE"}, "address_id"),
    ({"address_id": "CITY"}, "address_id"),
    ({"address_string": "a" * 201}, "address_string"),
    ({"email": "not-an-email"}, "email"),
    ({"phone": "1" * 21}, "phone"),
    ({"first_name": "A" * 30, "last_name": "B" * 30}, "first_name"),
    ({"media_url": "javascript:alert(1)"}, "media_url"),
    ({"attribute[COLOUR]": "red"}, "COLOUR"),
    ({"attribute[ANONYMOUS]": "maybe"}, "ANONYMOUS"),
    ({"attribute": "x"}, "attribute"),
]


@pytest.mark.parametrize("extra,word", BAD, ids=[w + str(i) for i, (_, w) in enumerate(BAD)])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_input_is_400_and_changes_nothing(api, o311, extra, word, fmt):
    before = count_issues()
    r = api.post(f"/requests.{fmt}", good(o311, **extra), headers={"Accept-Language": "en"})
    assert_error(r, 400, fmt, contains=word)
    assert count_issues() == before


def test_description_with_html_is_stored_as_text(api, o311):
    text = "<script>alert('x')</script> & more\nsecond line"
    r = api.post("/requests.xml", good(o311, description=text))
    assert r.status_code == 201
    issue_id = parse_xml(r)[0].findtext("service_request_id")
    root = parse_xml(api.get(f"/requests/{issue_id}.xml"))
    assert root[0].findtext("description") == text
    assert "<script>" not in api.get(f"/requests/{issue_id}.xml").get_data(as_text=True)


def test_put_is_refused_in_spec_shape(client, o311):
    r = client.c.open("/open311/v2/requests.json", method="PUT")
    assert r.status_code == 405  # answered by the portal's error handler, in the spec's JSON shape
    assert r.get_json()[0]["code"] == 405


@pytest.mark.parametrize("path", [
    "/services/%00.json", "/services/%E2%80%AE.xml", "/tokens/%00.json", "/tokens/" + "a" * 300 + ".xml",
    "/requests/%00.json", "/requests/" + "9" * 40 + ".json", "/requests.json?service_code=%00",
    "/requests.json?start_date=%00", "/requests.json?service_request_id=%00", "/requests.xml?status=%00",
])
def test_odd_paths_and_arguments_are_never_a_500(api, o311, path):
    r = api.get(path)
    assert r.status_code in (400, 404), (path, r.status_code)
    assert r.get_json() or parse_xml(r).tag == "errors"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_control_characters_in_a_post_are_a_400_and_change_nothing(api, o311, fmt):
    """Refused before the view runs (app.web.input), in the spec's error shape, naming the parameter."""
    before = count_issues()
    for fields in ({"description": "Light\x00 out"}, {"address_string": "Gate\x01 1"}, {"first_name": "\x00"},
                   {"address_id": "MA1\x00"}, {"device_id": "d\x1f"}, {"attribute[ANON\x00]": "yes"}):
        r = api.post(f"/requests.{fmt}", good(o311, **fields), headers={"Accept-Language": "en"})
        assert_error(r, 400, fmt, contains="characters that cannot be saved")
        if "description" in fields:
            assert assert_error(r, 400, fmt).startswith("description:")
    assert count_issues() == before
    # tab, newline and carriage return are ordinary text
    r = api.post(f"/requests.{fmt}", good(o311, description="Light out\r\n\tsince Monday"))
    assert r.status_code == 201


def test_a_json_body_is_refused_with_a_clear_message(client, o311):
    r = client.c.post("/open311/v2/requests.json", json={"api_key": o311.key, "service_code": "street_light"})
    assert_error(r, 400, contains="x-www-form-urlencoded")
