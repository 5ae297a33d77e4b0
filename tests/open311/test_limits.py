"""Rate limits: per API key on POST, per IP on every endpoint; 429 in the spec's error shape."""
from __future__ import annotations

from tests.open311.conftest import assert_error


def test_per_key_limit(api, o311, app, monkeypatch):
    from app.extensions import db
    from app.open311.services import issue_key

    monkeypatch.setitem(app.config, "OPEN311_LIMIT_PER_KEY", "2 per minute")
    body = {"api_key": o311.key, "service_code": "street_light", "description": "Out", "address_string": "Gate"}
    assert api.post("/requests.json", body).status_code == 201
    assert api.post("/requests.json", body).status_code == 201
    assert_error(api.post("/requests.json", body), 429, contains="2 per 1 minute")
    assert_error(api.post("/requests.xml", body), 429, "xml")
    # another key from the same address is not affected
    _, other = issue_key(o311.city.admin, name="other", default_area=o311.city.micro_a1)
    db.session.commit()
    assert api.post("/requests.json", dict(body, api_key=other)).status_code == 201
    # reading needs no key and is not counted against one
    assert api.get("/requests.json").status_code == 200


def test_per_ip_limit(api, o311, app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN311_LIMIT_PER_IP", "3 per minute")
    assert api.get("/services.json").status_code == 200
    assert api.get("/discovery.json").status_code == 200
    assert api.get("/requests.xml").status_code == 200
    assert_error(api.get("/services.xml"), 429, "xml")
    assert_error(api.get("/requests.json"), 429)
    # another client address still gets through
    r = api.get("/services.json", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert r.status_code == 200
