"""Granting and revoking roles on a person's page, per role; forged ids; the buttons a user does not get."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import RoleAssignment
from app.accounts.services import grant_role
from app.audit.models import AuditEntry
from app.extensions import db
from tests.accounts.test_people_create import place


def roles_of(user) -> set[tuple]:
    db.session.expire_all()
    return {(r.role, r.area_id or r.organisation_id) for r in
            db.session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user.id))}


def grant(client, user, role, **values):
    return client.post(f"/users/{user.id}/roles", {"role": role, "action": "grant", **values})


def test_community_staff_grants_a_micro_grid_leader_in_their_community(client, city):
    client.login("staff_a")
    page = client.get(f"/users/{city.resident_a.id}").get_data(as_text=True)
    assert "Grant a role" in page and 'value="community_staff"' not in page
    r = grant(client, city.resident_a, "microgrid_leader", **place(city.micro_a1))
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/users/{city.resident_a.id}")
    assert roles_of(city.resident_a) == {("microgrid_leader", city.micro_a1.id)}
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.role_granted",
                                                      AuditEntry.subject_id == city.resident_a.id))
    assert audit.actor_id == city.staff_a.id and audit.subject_id == city.resident_a.id
    assert audit.area_id == city.micro_a1.id
    assert "Micro-grid leader" in client.get(f"/users/{city.resident_a.id}").get_data(as_text=True)


def test_grid_leader_takes_the_grid_from_the_picker(client, city):
    client.login("staff_a")
    assert grant(client, city.resident_a, "grid_leader", **place(city.micro_a1)).status_code == 303
    assert roles_of(city.resident_a) == {("grid_leader", city.grid_a.id)}


def test_community_staff_cannot_grant_community_staff(client, city):
    client.login("staff_a")
    r = grant(client, city.resident_a, "community_staff", **place(city.micro_a1))
    assert r.status_code == 200 and "Choose a role from the list." in r.get_data(as_text=True)
    assert roles_of(city.resident_a) == set()


def test_community_staff_cannot_grant_outside_their_community(client, city):
    client.login("staff_a")
    r = grant(client, city.resident_a, "microgrid_leader", **place(city.micro_a3))
    assert r.status_code == 200 and "You cannot grant this role there" in r.get_data(as_text=True)
    assert roles_of(city.resident_a) == set()


def test_a_role_without_its_place_asks_for_the_place(client, city):
    client.login("staff_a")
    r = grant(client, city.resident_a, "microgrid_leader", **place(grid=city.grid_a))
    assert r.status_code == 200 and "Choose the Micro-grid this role is held on." in r.get_data(as_text=True)
    r = grant(client, city.resident_a, "", **place(city.micro_a1))
    assert r.status_code == 200 and "Choose a role from the list." in r.get_data(as_text=True)
    assert roles_of(city.resident_a) == set()


def test_granting_a_role_held_already_is_said(client, city):
    client.login("staff_a")
    r = grant(client, city.leader_a1, "microgrid_leader", **place(city.micro_a1))
    # said, not refused: it is usually the same "grant" pressed twice, and the first press did it
    assert r.status_code == 303
    assert "They already hold this role there." in client.get(r.headers["Location"]).get_data(as_text=True)
    assert roles_of(city.leader_a1) == {("microgrid_leader", city.micro_a1.id)}


def test_street_admin_grants_staff_and_sentinels_in_their_street(client, city):
    client.login("street_a")
    assert grant(client, city.resident_a, "community_staff", **place(community=city.comm_a2)).status_code == 303
    assert grant(client, city.resident_a2, "sentinel", street=city.street_a.id).status_code == 303
    assert roles_of(city.resident_a) == {("community_staff", city.comm_a2.id)}
    assert roles_of(city.resident_a2) == {("sentinel", city.street_a.id)}
    page = client.get(f"/users/{city.resident_a.id}").get_data(as_text=True)
    assert 'value="street_admin"' not in page and 'value="city_admin"' not in page
    for role in ("street_admin", "city_admin", "member", "agency_admin"):
        r = grant(client, city.resident_a2, role, street=city.street_a.id, organisation_id=city.agency_a.id)
        assert r.status_code == 200 and "Choose a role from the list." in r.get_data(as_text=True), role
    # a sentinel on street B, or on the whole city, is not theirs to give
    r = grant(client, city.resident_a2, "sentinel", street=city.street_b.id)
    assert "You cannot grant this role there" in r.get_data(as_text=True)
    r = grant(client, city.resident_a2, "sentinel")
    assert "this role is held on" in r.get_data(as_text=True)
    assert roles_of(city.resident_a2) == {("sentinel", city.street_a.id)}


def test_city_admin_grants_anything(client, city):
    client.login("admin")
    assert grant(client, city.resident_b, "street_admin", street=city.street_b.id).status_code == 303
    assert grant(client, city.resident_b, "city_admin").status_code == 303
    assert grant(client, city.resident_a, "sentinel").status_code == 303  # nothing chosen: the whole city
    assert grant(client, city.resident_a2, "agency_admin", organisation_id=city.agency_b.id).status_code == 303
    assert roles_of(city.resident_b) == {("street_admin", city.street_b.id), ("city_admin", None)}
    assert roles_of(city.resident_a) == {("sentinel", city.city.id)}
    assert roles_of(city.resident_a2) == {("agency_admin", city.agency_b.id)}


@pytest.mark.parametrize("org", ["abc", "0", "99999", "99999999999999999999", ""])
def test_forged_organisation_ids_get_a_message(client, city, org):
    client.login("admin")
    r = grant(client, city.resident_a, "member", organisation_id=org)
    assert r.status_code == 200 and "Choose the organisation this role is held in." in r.get_data(as_text=True)
    assert roles_of(city.resident_a) == set()


def test_agency_admin_grants_members_of_their_own_branch_only(client, city):
    # member_a quits the branch and rejoins: only agency A's admin may bring them back, in agency A
    member = city.member_a
    client.login("admin")
    [ra] = member.roles
    assert client.post(f"/users/{member.id}/roles/{ra.id}/revoke").status_code == 303
    assert grant(client, member, "member", organisation_id=city.agency_a.id).status_code == 303
    client.logout()
    client.login("agency_a")
    r = grant(client, member, "member", organisation_id=city.agency_b.id)
    assert r.status_code == 200 and "only in your own organisation" in r.get_data(as_text=True)
    r = grant(client, member, "microgrid_leader", **place(city.micro_a2))
    assert r.status_code == 200 and "Choose a role from the list." in r.get_data(as_text=True)
    assert roles_of(member) == {("member", city.agency_a.id)}
    client.logout()
    client.login("agency_b")
    assert grant(client, member, "member", organisation_id=city.agency_b.id).status_code == 404


def test_revoke(client, city):
    client.login("staff_a")
    [ra] = city.leader_a1.roles
    page = client.get(f"/users/{city.leader_a1.id}").get_data(as_text=True)
    assert f"/users/{city.leader_a1.id}/roles/{ra.id}/revoke" in page
    r = client.post(f"/users/{city.leader_a1.id}/roles/{ra.id}/revoke")
    assert r.status_code == 303
    assert roles_of(city.leader_a1) == set()
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.role_revoked"))
    assert audit.actor_id == city.staff_a.id and audit.subject_id == city.leader_a1.id
    assert audit.details["role"] == "microgrid_leader" and audit.area_id == city.micro_a1.id


def test_revoke_forged_and_foreign_ids(client, city):
    client.login("staff_a")
    [other] = city.leader_a2.roles
    assert client.post(f"/users/{city.leader_a1.id}/roles/{other.id}/revoke").status_code == 404
    assert client.post(f"/users/{city.leader_a1.id}/roles/99999/revoke").status_code == 404
    assert client.post(f"/users/{city.leader_a1.id}/roles/99999999999999/revoke").status_code == 404
    assert client.post("/users/99999/roles/1/revoke").status_code == 404
    # staff B does not see leader A1 at all
    client.logout()
    client.login("staff_b")
    [ra] = city.leader_a1.roles
    assert client.post(f"/users/{city.leader_a1.id}/roles/{ra.id}/revoke").status_code == 404
    assert roles_of(city.leader_a1) == {("microgrid_leader", city.micro_a1.id)}


def test_street_admin_revokes_community_staff_but_staff_do_not_revoke_colleagues(client, city):
    grant_role(city.resident_a, "community_staff", area=city.comm_a)
    db.session.commit()
    [ra] = city.resident_a.roles
    client.login("staff_a")
    page = client.get(f"/users/{city.resident_a.id}")
    assert page.status_code == 200  # they see their colleague …
    body = page.get_data(as_text=True)
    assert "/revoke" not in body and "Reset the password" not in body and "Deactivate" not in body
    assert "Grant a role" not in body
    assert city.resident_a.mobile not in body and city.resident_a.masked_mobile in body
    # … but change nothing
    assert client.post(f"/users/{city.resident_a.id}/roles/{ra.id}/revoke").status_code == 403
    assert grant(client, city.resident_a, "microgrid_leader", **place(city.micro_a1)).status_code == 403
    assert client.post(f"/users/{city.resident_a.id}/password").status_code == 403
    assert client.post(f"/users/{city.resident_a.id}/deactivate").status_code == 403
    client.logout()
    client.login("street_a")
    assert client.post(f"/users/{city.resident_a.id}/roles/{ra.id}/revoke").status_code == 303
    assert roles_of(city.resident_a) == set()


def test_a_role_one_cannot_grant_shields_the_person(client, city):
    """A party member who also leads a micro-grid is not the agency admin's to reset: that would hand them the
    leader's powers."""
    grant_role(city.member_a, "microgrid_leader", area=city.micro_a2)
    db.session.commit()
    client.login("agency_a")
    body = client.get(f"/users/{city.member_a.id}").get_data(as_text=True)
    assert "Reset the password" not in body and "Grant a role" not in body and "/revoke" not in body
    assert client.post(f"/users/{city.member_a.id}/password").status_code == 403
    client.logout()
    client.login("staff_a")  # where they live and lead: still not theirs, the branch gave the member role
    assert client.post(f"/users/{city.member_a.id}/password").status_code == 403
    client.logout()
    client.login("admin")  # above both bodies
    assert client.post(f"/users/{city.member_a.id}/password").status_code == 303


def test_nobody_revokes_their_own_last_admin_role(client, city):
    client.login("admin")
    [ra] = city.admin.roles
    body = client.get(f"/users/{city.admin.id}").get_data(as_text=True)
    assert "/revoke" not in body and "Deactivate" not in body and "Reset the password" not in body
    assert client.post(f"/users/{city.admin.id}/roles/{ra.id}/revoke").status_code == 403
    assert roles_of(city.admin) == {("city_admin", None)}


def test_the_city_keeps_a_city_admin(client, city):
    grant_role(city.admin, "street_admin", area=city.street_b)
    db.session.commit()
    city_role = next(r for r in city.admin.roles if r.role == "city_admin")
    client.login("admin")
    r = client.post(f"/users/{city.admin.id}/roles/{city_role.id}/revoke")
    assert r.status_code == 303 and r.location.endswith(f"/users/{city.admin.id}#refused")  # back to their page
    r = client.get(r.location)
    assert "The city must keep at least one active city administrator." in r.get_data(as_text=True)
    assert ("city_admin", None) in roles_of(city.admin)
    # their other admin role they may drop
    street_role = next(r for r in city.admin.roles if r.role == "street_admin")
    assert client.post(f"/users/{city.admin.id}/roles/{street_role.id}/revoke").status_code == 303


def test_the_no_javascript_picker_button_redraws_the_grant_form(client, city):
    client.login("street_a")
    r = client.post(f"/users/{city.resident_a.id}/roles", {"role": "grid_leader", "action": "pick",
                                                            "street": city.street_a.id,
                                                            "community": city.comm_a2.id})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and f'<option value="{city.grid_a2.id}"' in body
    assert roles_of(city.resident_a) == set()


def test_agency_admin_grant_form_has_their_branch_and_no_area_picker(client, city):
    client.login("agency_a")
    body = client.get(f"/users/{city.member_a.id}").get_data(as_text=True)
    assert "Grant a role" in body and 'name="street"' not in body
    assert f'<option selected value="{city.agency_a.id}">' in body
    assert "Agency B branch" not in body
    new = client.get("/users/new").get_data(as_text=True)
    assert f'<option selected value="{city.agency_a.id}">' in new and "Agency B branch" not in new
