"""Static files: a versioned URL is cached for a year without revalidation; every copy can be revalidated cheaply."""
from __future__ import annotations

import re

import pytest

ASSET_RE = re.compile(r'(?:href|src)="(/static/[^"?]+\?v=[0-9a-f]+)"')
GZIP = {"Accept-Encoding": "gzip, deflate, br"}
IDENTITY = {"Accept-Encoding": "identity"}


def _asset_urls(client) -> list[str]:
    page = client.get("/").get_data(as_text=True)
    urls = [u.replace("&amp;", "&") for u in ASSET_RE.findall(page)]
    assert any("app.css" in u for u in urls) and any("app.js" in u for u in urls), urls
    return urls


def _directives(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("headers", [GZIP, IDENTITY], ids=["gzip", "identity"])
def test_versioned_assets_are_cached_for_a_year_without_no_cache(client, headers):
    for url in _asset_urls(client):
        r = client.get(url, headers=headers)
        assert r.status_code == 200, url
        assert _directives(r) == {"public", "max-age=31536000", "immutable"}, (url, r.headers["Cache-Control"])
        assert "Cookie" not in r.headers.get("Vary", ""), url


def test_versioned_asset_has_no_vary_cookie_for_a_signed_in_user(client, city):
    client.login("staff_a")
    client.get("/")  # a page that reads the session
    url = next(u for u in _asset_urls(client) if "app.css" in u)
    r = client.get(url, headers=GZIP)
    assert r.status_code == 200
    assert "Cookie" not in r.headers.get("Vary", "")
    assert "Set-Cookie" not in r.headers


def test_a_stale_version_is_not_cached_as_immutable(client):
    url = next(u for u in _asset_urls(client) if "app.css" in u)
    stale = re.sub(r"v=[0-9a-f]+", "v=0000000000", url)
    r = client.get(stale, headers=GZIP)
    assert r.status_code == 200
    directives = _directives(r)
    assert "immutable" not in directives and "no-cache" not in directives
    assert "max-age=300" in directives


def test_unversioned_static_file_gets_a_short_max_age(client):
    r = client.get("/static/app.css", headers=GZIP)
    assert r.status_code == 200
    assert _directives(r) == {"public", "max-age=300"}


@pytest.mark.parametrize("url", ["/static/app.css", "/static/app.js"])
def test_compressed_etag_is_its_own_and_revalidates_with_304(client, url):
    plain = client.get(url, headers=IDENTITY)
    packed = client.get(url, headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert plain.headers["ETag"] and packed.headers["ETag"]
    assert plain.headers["ETag"] != packed.headers["ETag"]
    assert "Accept-Encoding" in plain.headers.get("Vary", "") and "Accept-Encoding" in packed.headers["Vary"]

    again = client.get(url, headers={**GZIP, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == packed.headers["ETag"]
    assert "no-cache" not in _directives(again)

    again_plain = client.get(url, headers={**IDENTITY, "If-None-Match": plain.headers["ETag"]})
    assert again_plain.status_code == 304 and again_plain.data == b""

    # the gzip ETag never confirms an identity copy, nor the other way round
    crossed = client.get(url, headers={**IDENTITY, "If-None-Match": packed.headers["ETag"]})
    assert crossed.status_code == 200 and "Content-Encoding" not in crossed.headers
    assert crossed.data == plain.data


def test_a_changed_file_is_sent_whole(client):
    r = client.get("/static/app.css", headers={**GZIP, "If-None-Match": '"something-else-gz"'})
    assert r.status_code == 200
    assert r.headers["Content-Encoding"] == "gzip" and len(r.data) > 100
