"""API-key administration: only city admins, the key is shown once and stored hashed, audit on issue/revoke."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.open311.models import ApiKey

KEY_RE = re.compile(r'id="api-key"[^>]*>(o311_[A-Za-z0-9_-]+)<')


def issue_via_page(client, city, **extra):
    data = {"name": "Street app", "owner": "Vendor Ltd, 0510-1234", "organisation_id": "0",
            "street": str(city.street_a.id), "community": str(city.comm_a.id), "grid": str(city.grid_a.id),
            "area_id": str(city.micro_a1.id), "action": "issue"}
    data.update(extra)
    return client.post("/open311/keys", data)


def test_admin_issues_a_key_shown_once_and_stored_hashed(client, city):
    from app.issues.services import ensure_default_categories

    ensure_default_categories()
    db.session.commit()
    client.login("admin")
    page = client.get("/open311/keys")
    assert page.status_code == 200
    r = issue_via_page(client, city)
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    plaintext = KEY_RE.search(r.get_data(as_text=True)).group(1)
    key = db.session.scalar(select(ApiKey))
    assert key.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert key.key_prefix == plaintext[:12] and len(plaintext) > 40
    assert key.default_area_id == city.micro_a1.id and key.created_by_id == city.admin.id
    # the plaintext is stored nowhere: not in the key row, not in the audit log
    row = db.session.execute(select(ApiKey.__table__)).one()
    assert plaintext not in " ".join(str(v) for v in row)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "open311.key_issued"))
    assert audit.actor_id == city.admin.id and audit.subject_id == key.id
    assert plaintext not in str(audit.details)
    # the list shows only the prefix
    listing = client.get("/open311/keys").get_data(as_text=True)
    assert key.key_prefix in listing and plaintext not in listing
    # and the key works
    api = client.c.post("/open311/v2/requests.json", data={
        "api_key": plaintext, "service_code": "street_light", "description": "Out", "address_string": "Gate 1"})
    assert api.status_code == 201


def test_admin_revokes_a_key(client, city):
    from app.issues.services import ensure_default_categories

    ensure_default_categories()
    db.session.commit()
    client.login("admin")
    plaintext = KEY_RE.search(issue_via_page(client, city).get_data(as_text=True)).group(1)
    key = db.session.scalar(select(ApiKey))
    body = {"api_key": plaintext, "service_code": "street_light", "description": "Out", "address_string": "Gate"}
    assert client.c.post("/open311/v2/requests.json", data=body).status_code == 201
    r = client.post(f"/open311/keys/{key.id}/revoke")
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(ApiKey, key.id).revoked_at is not None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "open311.key_revoked"))
    assert client.c.post("/open311/v2/requests.json", data=body).status_code == 403
    listing = client.get("/open311/keys").get_data(as_text=True)
    assert f"/open311/keys/{key.id}/revoke" not in listing  # no revoke button on a revoked key
    # revoking twice changes nothing and does not fail
    assert client.post(f"/open311/keys/{key.id}/revoke").status_code == 303
    r = client.post("/open311/keys/999999/revoke")
    assert r.status_code == 404 and r.mimetype == "text/html" and "Page not found" in r.get_data(as_text=True)


def test_form_errors_rerender_and_create_nothing(client, city):
    client.login("admin")
    r = issue_via_page(client, city, name="")
    assert r.status_code == 200 and 'class="error"' in r.get_data(as_text=True)
    r = issue_via_page(client, city, street="", community="", grid="", area_id="")
    assert r.status_code == 200 and 'class="error"' in r.get_data(as_text=True)
    r = issue_via_page(client, city, name="x" * 81)
    assert r.status_code == 200
    # the no-JavaScript picker step re-renders without creating anything
    r = issue_via_page(client, city, action="pick")
    assert r.status_code == 200
    assert db.session.scalar(select(ApiKey)) is None


def test_key_for_a_larger_default_area(client, city):
    client.login("admin")
    r = issue_via_page(client, city, grid="", area_id="")
    assert r.status_code == 200
    assert db.session.scalar(select(ApiKey)).default_area_id == city.comm_a.id


def test_csrf_is_required_on_the_admin_page(client, city):
    client.login("admin")
    r = client.post("/open311/keys", {"name": "x", "area_id": str(city.micro_a1.id)}, csrf=False)
    assert r.status_code == 400
    assert r.mimetype == "text/html" and "This form has expired" in r.get_data(as_text=True)
    assert db.session.scalar(select(ApiKey)) is None


@pytest.mark.parametrize("username", ["street_a", "staff_a", "leader_a1", "resident_a", "agency_a", "rider"])
def test_others_get_403_and_no_link(client, city, username):
    from app.open311.services import issue_key

    key, _ = issue_key(city.admin, name="k", default_area=city.micro_a1)
    db.session.commit()
    client.login(username)
    r = client.get("/open311/keys")
    assert r.status_code == 403
    assert r.mimetype == "text/html"  # the portal's error page, not the API's error document
    assert "You may not do this" in r.get_data(as_text=True)
    assert client.post("/open311/keys", {"name": "x", "area_id": str(city.micro_a1.id)}).status_code == 403
    assert client.post(f"/open311/keys/{key.id}/revoke").status_code == 403
    db.session.expire_all()
    assert db.session.get(ApiKey, key.id).revoked_at is None
    assert "/open311/keys" not in client.get("/").get_data(as_text=True)


def test_admin_sees_the_link(client, city):
    client.login("admin")
    assert "/open311/keys" in client.get("/").get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client, city):
    r = client.get("/open311/keys")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    assert "/open311/keys" not in client.get("/").get_data(as_text=True)


def test_service_refuses_non_admins(city):
    from app.open311.services import ApiKeyError, issue_key, revoke_key

    with pytest.raises(ApiKeyError):
        issue_key(city.staff_a, name="k", default_area=city.micro_a1)
    key, _ = issue_key(city.admin, name="k", default_area=city.micro_a1)
    with pytest.raises(ApiKeyError):
        revoke_key(city.staff_a, key)
    with pytest.raises(ApiKeyError):
        issue_key(city.admin, name="k", default_area=city.city)


def test_key_list_pages(client, city, queries):
    from app.open311.services import issue_key

    for i in range(3):
        issue_key(city.admin, name=f"k{i}", default_area=city.micro_a1)
    db.session.commit()
    client.login("admin")
    client.get("/open311/keys")
    with queries() as few:
        client.get("/open311/keys")
    for i in range(20):
        issue_key(city.admin, name=f"more{i}", default_area=city.micro_a2)
    db.session.commit()
    with queries() as many:
        page = client.get("/open311/keys").get_data(as_text=True)
    assert "more19" in page
    assert len(many) == len(few)


def test_load_more_rows(client, city, monkeypatch):
    from app.open311 import admin
    from app.open311.services import issue_key

    monkeypatch.setattr(admin, "PAGE_SIZE", 2)
    for i in range(5):
        issue_key(city.admin, name=f"app-{i}", default_area=city.micro_a1)
    db.session.commit()
    client.login("admin")
    first = client.get("/open311/keys").get_data(as_text=True)
    assert ">app-4" in first and ">app-3" in first and ">app-2" not in first
    more = re.search(r'hx-get="([^"]+after=[^"]+)"', first).group(1).replace("&amp;", "&")
    fragment = client.htmx_get(more).get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith("<tr")
    assert ">app-2" in fragment and ">app-1" in fragment and ">app-4" not in fragment
    # without JavaScript the same URL is a full page
    assert "<html" in client.get(more).get_data(as_text=True)


def test_keys_page_in_chinese(client, city):
    client.login("admin")
    page = client.get("/open311/keys", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "发放新密钥" in page
