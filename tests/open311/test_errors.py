"""Errors raised before any Open311 view runs (no such URL, a method the URL does not accept, input refused for
control characters) are the spec's error document in the format the URL asks for, and a 405 says what is allowed."""
from __future__ import annotations

import pytest

from tests.open311.conftest import API, assert_error


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_method_not_allowed_is_spec_shaped_with_allow(client, o311, fmt):
    for method, path, allowed in (("POST", f"/services.{fmt}", {"GET"}), ("PUT", f"/requests.{fmt}", {"GET", "POST"}),
                                  ("DELETE", f"/requests/1.{fmt}", {"GET"}), ("PATCH", f"/discovery.{fmt}", {"GET"})):
        r = client.c.open(API + path, method=method, headers={"Accept-Language": "en"})
        assert_error(r, 405, fmt, contains=method)
        assert allowed <= {m.strip() for m in r.headers["Allow"].split(",")}, (path, r.headers.get("Allow"))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_urls_are_spec_shaped_404(api, o311, fmt):
    for path in (f"/nothing.{fmt}", f"/services/a/b.{fmt}", f"/requests/1/2.{fmt}"):
        assert_error(api.get(path), 404, fmt)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_control_characters_in_a_query_are_spec_shaped_400(api, o311, fmt):
    r = api.get(f"/requests.{fmt}?service_code=%00", headers={"Accept-Language": "en"})
    assert assert_error(r, 400, fmt, contains="cannot be saved").startswith("service_code:")
    assert_error(api.get(f"/services.{fmt}?x%01=1"), 400, fmt)


def test_html_pages_send_allow_with_405(client, city):
    r = client.c.open("/issues/similar", method="POST")
    assert r.status_code == 405 and r.mimetype == "text/html"
    assert "GET" in r.headers["Allow"]
