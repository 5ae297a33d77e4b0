"""Absolute URLs in Open311 answers come from PUBLIC_BASE_URL, never from the Host header a client sends;
TRUSTED_HOSTS refuses other hosts altogether."""
from __future__ import annotations

import pytest

from tests.open311.conftest import parse_json, parse_xml
from tests.open311.test_requests_post import good

EVIL = "evil.example"


@pytest.fixture
def public_base(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://portal.example.org")
    return "https://portal.example.org"


def test_discovery_url_is_the_public_address_whatever_the_host_header(api, o311, public_base):
    data = parse_json(api.get("/discovery.json", headers={"Host": EVIL}))
    assert data["endpoints"][0]["url"] == "https://portal.example.org/open311/v2"
    root = parse_xml(api.get("/discovery.xml", headers={"Host": EVIL}))
    assert root.find("endpoints/endpoint/url").text == "https://portal.example.org/open311/v2"


def test_created_request_location_is_the_public_address(api, o311, public_base):
    r = api.post("/requests.json", good(o311), headers={"Host": EVIL})
    assert r.status_code == 201, r.get_data(as_text=True)
    rid = parse_json(r)[0]["service_request_id"]
    assert r.headers["Location"] == f"https://portal.example.org/open311/v2/requests/{rid}.json"
    assert EVIL not in str(r.headers) and EVIL not in r.get_data(as_text=True)


def test_a_base_url_with_a_path_names_where_the_portal_is_mounted(app, api, o311, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://gov.example.org/portal")
    data = parse_json(api.get("/discovery.json", headers={"Host": EVIL}))
    assert data["endpoints"][0]["url"] == "https://gov.example.org/portal/open311/v2"
    data = parse_json(api.get("/discovery.json", environ_base={"SCRIPT_NAME": "/portal"}))
    assert data["endpoints"][0]["url"] == "https://gov.example.org/portal/open311/v2"


def test_trusted_hosts_refuse_another_host(app, api, o311, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["portal.example.org"])
    assert api.get("/discovery.json", headers={"Host": EVIL}).status_code == 400
    r = api.get("/discovery.json", headers={"Host": "portal.example.org"})
    assert parse_json(r)["endpoints"][0]["url"] == "http://portal.example.org/open311/v2"
