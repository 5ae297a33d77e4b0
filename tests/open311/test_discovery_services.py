"""Discovery, service list and service definitions, in JSON and XML."""
from __future__ import annotations

import pytest

from tests.open311.conftest import assert_error, child_names, parse_json, parse_xml, validate

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]


def test_discovery_json(api, o311):
    r = api.get("/discovery.json")
    assert r.status_code == 200
    data = parse_json(r)
    validate("discovery", data)
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}


def test_discovery_xml(api, o311):
    root = parse_xml(api.get("/discovery.xml"))
    assert root.tag == "discovery"
    assert child_names(root) == ["changeset", "contact", "key_service", "endpoints"]
    endpoints = root.find("endpoints")
    assert child_names(endpoints) == ["endpoint"]
    endpoint = endpoints.find("endpoint")
    assert child_names(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
    assert {f.tag for f in endpoint.find("formats")} == {"format"}


def test_services_json(api, o311):
    r = api.get("/services.json", headers={"Accept-Language": "en"})
    assert r.status_code == 200
    data = parse_json(r)
    validate("services", data)
    codes = [s["service_code"] for s in data]
    assert codes[0] == "street_light" and "safety_hazard" in codes and "other" in codes
    # neighbour disputes are private: not offered through the public API
    assert "neighbour_dispute" not in codes
    light = data[0]
    assert light["service_name"] == "Street light"
    assert light["metadata"] is True and light["type"] == "realtime"
    assert {s["group"] for s in data} == {"urgent", "general"}


def test_services_xml(api, o311):
    root = parse_xml(api.get("/services.xml"))
    assert root.tag == "services"
    assert set(child_names(root)) == {"service"}
    for service in root:
        assert child_names(service) == SERVICE_FIELDS
        assert service.findtext("metadata") in ("true", "false")
    assert root[0].findtext("service_code") == "street_light"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition(api, o311, fmt):
    r = api.get(f"/services/street_light.{fmt}")
    assert r.status_code == 200
    if fmt == "json":
        data = parse_json(r)
        validate("service_definition", data)
        assert data["service_code"] == "street_light"
        by_code = {a["code"]: a for a in data["attributes"]}
        assert by_code["ANONYMOUS"]["variable"] is True and by_code["ANONYMOUS"]["required"] is False
        assert [v["key"] for v in by_code["ANONYMOUS"]["values"]] == ["no", "yes"]
        assert by_code["LOCATION_HELP"]["variable"] is False
        assert "address_id" in by_code["LOCATION_HELP"]["description"]
    else:
        root = parse_xml(r)
        assert root.tag == "service_definition"
        assert child_names(root) == ["service_code", "attributes"]
        attributes = root.find("attributes")
        assert set(child_names(attributes)) == {"attribute"}
        anonymous = [a for a in attributes if a.findtext("code") == "ANONYMOUS"][0]
        assert child_names(anonymous) == ["variable", "code", "datatype", "required", "datatype_description",
                                          "order", "description", "values"]
        values = anonymous.find("values")
        assert set(child_names(values)) == {"value"}
        assert child_names(values[0]) == ["key", "name"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_definition_is_404(api, o311, fmt):
    assert_error(api.get(f"/services/no_such_thing.{fmt}"), 404, fmt, contains="no_such_thing")
    # private and inactive categories are unknown to the API too
    assert_error(api.get(f"/services/neighbour_dispute.{fmt}"), 404, fmt)


def test_inactive_category_is_not_offered(api, o311):
    from app.extensions import db
    from app.issues.services import category_by_code

    category_by_code("noise").active = False
    db.session.commit()
    codes = [s["service_code"] for s in parse_json(api.get("/services.json"))]
    assert "noise" not in codes
    assert api.get("/services/noise.json").status_code == 404


def test_unknown_format_or_path_is_a_spec_error(api, o311):
    r = api.get("/services.html")
    assert r.status_code == 404  # answered by the portal's error handler, in the spec's JSON shape
    assert r.get_json()[0]["code"] == 404


def test_errors_speak_the_clients_language(api, o311):
    """Error descriptions are meant for the person using the app: zh_CN (the default locale) or English."""
    zh = parse_json(api.get("/services/nope.json", headers={"Accept-Language": "zh-CN"}))[0]["description"]
    en = parse_json(api.get("/services/nope.json", headers={"Accept-Language": "en"}))[0]["description"]
    assert en == "service_code nope was not found. GET services.json lists the codes."
    assert zh == "未找到 service_code nope。可用的编码见 GET services.json。"


def test_other_sites_may_call_the_api_without_credentials(api, client, o311):
    """CORS: any origin may read (and POST with an api_key); the key administration pages stay same-origin."""
    preflight = client.c.open("/open311/v2/services.json", method="OPTIONS")
    for r in (api.get("/services.json"), api.get("/requests/999.json"), preflight):
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in r.headers
    client.login("admin")
    assert "Access-Control-Allow-Origin" not in client.get("/open311/keys").headers
