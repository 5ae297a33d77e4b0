"""A person's page in the one shape: each action through ``perform`` (a refusal back on their page, 303, with the
reason at the top); the temporary password carried as a slip, never as the password; the views a temporary
password still reaches are marked by their own domain."""
from __future__ import annotations

import re

from werkzeug.security import check_password_hash

from app.accounts.models import User
from app.accounts.services import TEMP_ALPHABET, TEMP_LENGTH, temporary_password
from app.extensions import db

TEMP_RE = re.compile(r'<code[^>]*>([^<]+)</code>')


def test_a_reset_password_is_shown_once_from_a_slip_and_works(client, make_client, city):
    client.login("staff_a")
    r = client.post(f"/users/{city.resident_a.id}/password")
    assert r.status_code == 303 and r.location.endswith(f"/users/{city.resident_a.id}")
    with client.c.session_transaction() as sess:
        held = dict(sess["people_temp_password"])
    assert set(held) == {"user_id", "slip"} and held["user_id"] == city.resident_a.id
    password = TEMP_RE.search(client.get(r.location).get_data(as_text=True)).group(1)
    assert password == temporary_password(held["slip"]) and password not in repr(held)
    assert TEMP_RE.search(client.get(r.location).get_data(as_text=True)) is None  # once
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, city.resident_a.id).password_hash, password)
    other = make_client()
    assert other.post("/auth/login", {"username": "resident_a", "password": password}).status_code == 303


def test_a_temporary_password_depends_on_the_servers_secret(app, city):
    made = temporary_password("the-same-slip")
    assert len(made) == TEMP_LENGTH and set(made) <= set(TEMP_ALPHABET)
    assert any(c.isdigit() for c in made) and any(c.isalpha() for c in made)
    assert temporary_password("the-same-slip") == made
    assert temporary_password("another-slip") != made
    secret = app.secret_key
    app.secret_key = "another secret"
    try:
        assert temporary_password("the-same-slip") != made
    finally:
        app.secret_key = secret


def test_a_refused_account_action_goes_back_to_their_page_with_the_reason(client, city):
    from app.accounts.services import grant_role

    grant_role(city.admin, "street_admin", area=city.street_b)
    db.session.commit()
    city_role = next(r for r in city.admin.roles if r.role == "city_admin")
    client.login("admin")
    r = client.post(f"/users/{city.admin.id}/roles/{city_role.id}/revoke")
    assert r.status_code == 303 and r.location.endswith(f"/users/{city.admin.id}#refused")
    page = client.get(r.location).get_data(as_text=True)
    assert 'id="refused" data-focus-error>The city must keep at least one active city administrator.' in page
    assert "The city must keep" not in client.get(f"/users/{city.admin.id}").get_data(as_text=True)  # once
    r = client.htmx_post(f"/users/{city.admin.id}/roles/{city_role.id}/revoke")
    assert r.status_code == 200 and "The city must keep at least one active city administrator." in r.get_data(
        as_text=True)


def test_deactivate_and_reactivate_keep_their_addresses(client, make_client, city):
    client.login("staff_a")
    r = client.post(f"/users/{city.resident_a.id}/deactivate", follow_redirects=True)
    assert r.status_code == 200 and "is deactivated" in r.get_data(as_text=True)
    assert client.post(f"/users/{city.resident_a.id}/deactivate").status_code == 403  # already
    r = client.post(f"/users/{city.resident_a.id}/reactivate", follow_redirects=True)
    assert r.status_code == 200 and "is active again" in r.get_data(as_text=True)
    assert make_client().post("/users/1/reactivate").status_code == 302  # signed out: to the sign-in page


def test_views_reachable_with_a_temporary_password_are_marked_by_their_domain(app):
    from app.web.access import _ATTR, _blueprints

    marked = set()
    for endpoint, view in app.view_functions.items():
        while view is not None:
            if getattr(view, _ATTR, False):
                marked.add(endpoint)
                break
            view = getattr(view, "__wrapped__", None)
    assert marked == {"accounts.password", "accounts.logout", "web.set_language", "web.healthz", "uploads.serve"}
    assert _blueprints == {"open311"}
