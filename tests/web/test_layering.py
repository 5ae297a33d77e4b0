"""The shared web layer and the foundation domains depend in one direction: app/web imports no domain's forms,
accounts names no other domain's pages, the area page imports no organisations code, and can_view_area lives in
areas."""
from __future__ import annotations

import pathlib
import re

APP = pathlib.Path(__file__).resolve().parents[2] / "app"


def sources(package: str):
    return sorted((APP / package).rglob("*.py"))


def test_the_web_layer_imports_no_domain_forms():
    for path in sources("web"):
        assert "app.accounts.forms" not in path.read_text(), path


def test_accounts_routes_name_only_their_own_endpoints():
    for path in sources("accounts"):
        for endpoint in re.findall(r"url_for\(\s*[\"']([\w.]+)[\"']", path.read_text()):
            assert endpoint.startswith("accounts."), (path.name, endpoint)
        assert "EXEMPT_ENDPOINTS" not in path.read_text()


def test_can_view_area_is_defined_once_in_areas():
    from app.areas import policy

    assert policy.can_view_area.__module__ == "app.areas.policy"
    assert "def can_view_area" not in (APP / "accounts" / "policy.py").read_text()


def test_empty_form_lives_in_the_web_layer():
    from app.accounts import forms
    from app.web.forms import EmptyForm

    assert EmptyForm.__module__ == "app.web.forms" and not hasattr(forms, "EmptyForm")
