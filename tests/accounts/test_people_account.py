"""Reset password, deactivate and reactivate: sessions end, the old password stops working, the rules on oneself
and on city administrators."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.services import grant_role
from app.audit.models import AuditEntry
from app.extensions import db

TEMP_RE = re.compile(r'<code[^>]*>([^<]+)</code>')


def signed_in(client) -> bool:
    return client.get("/me").status_code == 200


def reload(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_reset_password_gives_a_temporary_password_once_and_ends_their_sessions(client, make_client, city):
    resident = make_client()
    resident.login("resident_a")
    version = city.resident_a.auth_version
    client.login("staff_a")
    r = client.post(f"/users/{city.resident_a.id}/password")
    assert r.status_code == 303
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    password = TEMP_RE.search(page).group(1)
    assert "Temporary password" in page
    assert password not in client.get(r.headers["Location"]).get_data(as_text=True)  # once
    assert reload(city.resident_a).auth_version == version + 1
    assert not signed_in(resident)  # their session has ended
    fresh = make_client()
    r = fresh.post("/auth/login", {"username": "resident_a", "password": "demo12345"})
    assert r.status_code == 200  # the old password no longer works
    fresh.login("resident_a", password)
    assert reload(city.resident_a).must_change_password
    assert fresh.post("/auth/password", {"current_password": password, "new_password": "my-own-secret",
                                         "confirm": "my-own-secret"}).status_code == 303
    assert signed_in(fresh) and not reload(city.resident_a).must_change_password
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.password_reset"))
    assert audit.actor_id == city.staff_a.id and audit.subject_id == city.resident_a.id
    assert password not in str(audit.details)


def test_two_resets_make_two_different_passwords(client, city):
    client.login("staff_a")
    seen = set()
    for _ in range(2):
        r = client.post(f"/users/{city.resident_a.id}/password")
        seen.add(TEMP_RE.search(client.get(r.headers["Location"]).get_data(as_text=True)).group(1))
    assert len(seen) == 2


def test_deactivate_and_reactivate(client, make_client, city):
    resident = make_client()
    resident.login("resident_a")
    client.login("staff_a")
    r = client.post(f"/users/{city.resident_a.id}/deactivate")
    assert r.status_code == 303
    assert not reload(city.resident_a).active
    assert not signed_in(resident)  # their session ends at once
    fresh = make_client()
    assert fresh.post("/auth/login", {"username": "resident_a", "password": "demo12345"}).status_code == 200
    page = client.get(f"/users/{city.resident_a.id}").get_data(as_text=True)
    assert "Deactivated" in page and "Reactivate" in page and ">Deactivate<" not in page
    # deactivated people stay in the list, marked
    assert "Deactivated" in client.get("/users/").get_data(as_text=True)
    assert client.post(f"/users/{city.resident_a.id}/deactivate").status_code == 403  # already
    r = client.post(f"/users/{city.resident_a.id}/reactivate")
    assert r.status_code == 303 and reload(city.resident_a).active
    fresh.login("resident_a")
    assert signed_in(fresh)
    assert client.post(f"/users/{city.resident_a.id}/reactivate").status_code == 403  # already
    actions = [a.action for a in db.session.scalars(select(AuditEntry).where(
        AuditEntry.subject_id == city.resident_a.id, AuditEntry.actor_id == city.staff_a.id).order_by(AuditEntry.id))]
    assert actions == ["account.deactivated", "account.reactivated"]


def test_nobody_deactivates_or_resets_themself(client, city):
    client.login("admin")
    assert client.post(f"/users/{city.admin.id}/deactivate").status_code == 403
    assert client.post(f"/users/{city.admin.id}/password").status_code == 403
    assert reload(city.admin).active
    page = client.get(f"/users/{city.admin.id}").get_data(as_text=True)
    assert "This is your own account." in page and "Deactivate" not in page
    assert signed_in(client)


def test_only_a_city_admin_manages_a_city_admin(client, city):
    city.admin.home_area = city.micro_a1  # now within staff A's and street A's reach
    db.session.commit()
    for username in ("staff_a", "street_a"):
        client.login(username)
        page = client.get(f"/users/{city.admin.id}")
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert "Reset the password" not in body and "Deactivate" not in body and "Grant a role" not in body
        assert city.admin.mobile not in body
        assert client.post(f"/users/{city.admin.id}/password").status_code == 403
        assert client.post(f"/users/{city.admin.id}/deactivate").status_code == 403
        client.logout()
    other = User(username="admin2", display_name="admin2", password_hash="x")
    db.session.add(other)
    db.session.flush()
    grant_role(other, "city_admin")
    db.session.commit()
    client.login("admin")
    assert client.post(f"/users/{other.id}/deactivate").status_code == 303
    assert not reload(other).active


def test_street_admin_of_one_street_cannot_touch_people_of_another(client, city):
    client.login("street_a")
    for url in (f"/users/{city.resident_b.id}", f"/users/{city.staff_b.id}"):
        assert client.get(url).status_code == 404
        assert client.post(url + "/password").status_code == 404
        assert client.post(url + "/deactivate").status_code == 404
        assert client.post(url + "/reactivate").status_code == 404
    assert reload(city.resident_b).active


def test_street_admin_manages_staff_of_their_street_but_not_themself(client, city):
    client.login("street_a")
    body = client.get(f"/users/{city.staff_a.id}").get_data(as_text=True)
    assert "Reset the password" in body and city.staff_a.mobile in body
    own = client.get(f"/users/{city.street_admin_a.id}").get_data(as_text=True)
    assert "Reset the password" not in own and "/revoke" not in own


def test_ids_out_of_range_are_not_found(client, city):
    client.login("admin")
    for raw in ("0", "99999", "99999999999999999999", "-1", "abc"):
        assert client.get(f"/users/{raw}").status_code == 404
        assert client.post(f"/users/{raw}/password").status_code in (404, 405)


def test_actions_need_the_csrf_token(client, city):
    client.login("staff_a")
    assert client.post(f"/users/{city.resident_a.id}/deactivate", csrf=False).status_code == 400
    assert client.post(f"/users/{city.resident_a.id}/password", csrf=False).status_code == 400
    assert reload(city.resident_a).active
