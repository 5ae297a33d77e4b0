"""A person holding a role given by another body is managed only by that body or above.

Community staff manage the residents of their community (and the leaders they appoint); a party member — a role an
agency branch gives — is managed by that branch's admin or the city admin, a sentinel — a role a street office gives —
by that street's admin or the city admin. Managing means resetting the password (which hands the actor the new
one: they could act as the person), deactivating, reactivating, granting and revoking.
"""
from __future__ import annotations

import pytest

from app.accounts.models import User
from app.extensions import db
from tests.accounts.test_people_create import place

BUTTONS = ("Reset the password", "Deactivate", "Reactivate", "Grant a role", "/revoke")


def _forbidden_everywhere(client, person):
    """Every account action on ``person`` is refused, and nothing of it is offered on their page."""
    page = client.get(f"/users/{person.id}")
    assert page.status_code == 200  # they still see the person (they live in their area) …
    body = page.get_data(as_text=True)
    for button in BUTTONS:  # … but are offered nothing
        assert button not in body, button
    assert "not change their account" in body
    assert person.mobile not in body  # the number is masked for those who do not manage them
    rid = person.roles[0].id
    for url, data in ((f"/users/{person.id}/password", {}),
                      (f"/users/{person.id}/deactivate", {}),
                      (f"/users/{person.id}/reactivate", {}),
                      (f"/users/{person.id}/roles/{rid}/revoke", {}),
                      (f"/users/{person.id}/roles", {"role": "microgrid_leader", "action": "grant",
                                                     **place(person.home_area)})):
        assert client.post(url, data).status_code == 403, url
    db.session.expire_all()
    fresh = db.session.get(User, person.id)
    assert fresh.active and not fresh.must_change_password and len(fresh.roles) == 1


def test_community_staff_cannot_manage_a_party_member_living_in_their_community(client, city):
    assert city.member_a.home_area.path.startswith(city.comm_a.path)
    client.login("staff_a")
    _forbidden_everywhere(client, city.member_a)


def test_community_staff_cannot_manage_a_sentinel_living_in_their_community(client, city):
    rider = city.sentinel  # a sentinel on street A, living in community A
    rider.home_area = city.micro_a1
    db.session.commit()
    client.login("staff_a")
    _forbidden_everywhere(client, rider)


@pytest.mark.parametrize("who, person", [("agency_a", "member_a"), ("admin", "member_a"),
                                         ("street_a", "sentinel"), ("admin", "sentinel")])
def test_the_body_that_gave_the_role_or_above_manages_the_person(client, city, who, person):
    target = getattr(city, person)
    target.home_area = city.micro_a1
    db.session.commit()
    client.login(who)
    body = client.get(f"/users/{target.id}").get_data(as_text=True)
    assert "Reset the password" in body and "Deactivate" in body
    assert client.post(f"/users/{target.id}/password").status_code == 303
    assert client.post(f"/users/{target.id}/deactivate").status_code == 303
    db.session.expire_all()
    assert not db.session.get(User, target.id).active


def test_community_staff_still_manage_their_residents_and_their_leaders(client, city):
    client.login("staff_a")
    for person in (city.resident_a, city.leader_a2):
        body = client.get(f"/users/{person.id}").get_data(as_text=True)
        assert "Reset the password" in body and "Deactivate" in body
        assert client.post(f"/users/{person.id}/password").status_code == 303

