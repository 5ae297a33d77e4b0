"""``next=`` after signing in, on /lang and on the organisation pages: control characters fall back, never a 500."""
from __future__ import annotations

import pytest

from app.web.routes import safe_next

BAD = ["/wishes/\r\nSet-Cookie: x=1", "/\r\n", "/issues/\n", "/\t/evil.example", "/wishes/\x85",
       "/wishes/\u2028x", "/\u200e/x", "/\x7f"]


@pytest.mark.parametrize("target", BAD)
def test_safe_next_refuses_control_characters(target):
    assert safe_next(target, "/fallback") == "/fallback"


def test_safe_next_keeps_ordinary_paths():
    assert safe_next("/wishes/?q=%E4%B8%AD&after=abc", "/") == "/wishes/?q=%E4%B8%AD&after=abc"
    assert safe_next("/wishes/?q=中文", "/") == "/wishes/?q=中文"


@pytest.mark.parametrize("target", ["/wishes/\r\nSet-Cookie: x=1", "/issues/\n"])
def test_sign_in_with_a_crlf_next_signs_in_and_is_not_counted_as_a_failure(app, client, city, target):
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for _ in range(limit + 2):  # more than the failure budget: every one is a success
        r = client.post("/auth/login", {"username": "resident_a", "password": "demo12345", "next": target})
        assert r.status_code == 303 and r.headers["Location"] == "/", r.status_code
        assert "Set-Cookie: x" not in str(r.headers)
        client.logout()
    assert client.post("/auth/login", {"username": "resident_a", "password": "demo12345"}).status_code == 303


def test_language_switch_with_a_crlf_next_goes_home(client, city):
    r = client.post("/lang", {"lang": "en", "next": "/wishes/\r\nX-Injected: 1"})
    assert r.status_code == 303 and r.headers["Location"] == "/"
    client.login("resident_a")
    r = client.post("/lang", {"lang": "zh_CN", "next": "/issues/\n"})
    assert r.status_code == 303 and r.headers["Location"] == "/"
