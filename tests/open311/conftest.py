"""Open311 fixtures: categories, area codes, an API key, and helpers to call the API and check its output."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from app.extensions import db
from app.timeutil import utcnow

SCHEMAS = Path(__file__).parent / "schemas"
API = "/open311/v2"


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


_REGISTRY = _registry()


def validate(name: str, data) -> None:
    """Validate ``data`` against tests/open311/schemas/<name>.json (raises on the first error)."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema, registry=_REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(data)


def parse_xml(response) -> ET.Element:
    assert response.mimetype == "text/xml", response.mimetype
    assert "charset=utf-8" in response.headers["Content-Type"]
    body = response.get_data()
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    from defusedxml.ElementTree import fromstring

    return fromstring(body)


def parse_json(response):
    assert response.mimetype == "application/json", response.mimetype
    assert "charset=utf-8" in response.headers["Content-Type"]
    return json.loads(response.get_data(as_text=True))


def child_names(element: ET.Element) -> list[str]:
    return [c.tag for c in element]


def assert_error(response, status: int, fmt: str = "json", contains: str | None = None) -> str:
    """A spec-shaped error: HTTP status, and [{"code", "description"}] / <errors><error><code/><description/>."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    if fmt == "json":
        data = parse_json(response)
        validate("errors", data)
        assert data[0]["code"] == status
        description = data[0]["description"]
    else:
        root = parse_xml(response)
        assert root.tag == "errors"
        assert child_names(root) == ["error"]
        error = root.find("error")
        assert child_names(error) == ["code", "description"]
        assert error.findtext("code") == str(status)
        description = error.findtext("description")
    assert description
    if contains:
        assert contains.lower() in description.lower(), description
    return description


@pytest.fixture
def o311(city):
    """Default categories, codes on the test areas, and one active key (plaintext in ``.key``)."""
    from app.issues.services import ensure_default_categories
    from app.open311.services import issue_key

    ensure_default_categories()
    for attr, code in (("micro_a1", "MA1"), ("micro_a2", "MA2"), ("micro_b1", "MB1"), ("comm_a", "CA"),
                       ("city", "CITY")):
        getattr(city, attr).code = code
    key, plaintext = issue_key(city.admin, name="Test app", owner="QA", default_area=city.micro_a2)
    db.session.commit()
    return SimpleNamespace(city=city, key=plaintext, key_row=key)


@pytest.fixture
def api(client):
    """client.get / client.post without CSRF tokens, as an API client sends them."""

    class Api:
        def get(self, path, **kw):
            return client.c.get(API + path, **kw)

        def post(self, path, data=None, **kw):
            return client.c.post(API + path, data=data or {}, **kw)

    return Api()


def report(city, code="street_light", *, area=None, reporter=None, days_ago=0, description="A broken light",
           **kw):
    """File an issue through the issue tracker's own service (as the web form would)."""
    from app.issues.services import category_by_code, report_issue

    issue = report_issue(reporter=reporter or city.resident_a, category=category_by_code(code),
                         description=description, area=area or city.micro_a1,
                         now=utcnow() - timedelta(days=days_ago), **kw)
    db.session.commit()
    return issue
