"""/users/new: a staff member creates an account; the temporary password is shown once and works; bad input."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import RoleAssignment, User
from app.audit.models import AuditEntry
from app.extensions import db

TEMP_RE = re.compile(r'<code[^>]*>([^<]+)</code>')


def place(micro=None, *, street=None, community=None, grid=None) -> dict:
    """The cascading picker's values down to ``micro`` (or down to the level given)."""
    if micro is not None:
        grid = grid or micro.parent
    if grid is not None:
        community = community or grid.parent
    if community is not None:
        street = street or community.parent
    values = {"street": street.id if street else "", "community": community.id if community else "",
              "grid": grid.id if grid else "", "area_id": micro.id if micro else ""}
    return {k: v for k, v in values.items() if v != ""}


def form(**over) -> dict:
    data = {"display_name": "赵大妈", "username": "", "mobile": "13811112222", "role": "", "organisation_id": "",
            "action": "create"}
    data.update(over)
    return data


def users() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(User))


def created(client, data) -> tuple[User, str]:
    r = client.post("/users/new", data)
    assert r.status_code == 303, r.get_data(as_text=True)[-3000:]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    match = TEMP_RE.search(page)
    assert match, "the temporary password is shown on the next page"
    user = db.session.scalar(select(User).where(User.display_name == data["display_name"]))
    assert r.headers["Location"].endswith(f"/users/{user.id}")
    return user, match.group(1)


def test_staff_creates_a_resident_whose_temporary_password_works_once_shown(client, make_client, city):
    client.login("staff_a")
    assert client.get("/users/new").status_code == 200
    user, password = created(client, form(**place(city.micro_a1)))
    assert user.home_area_id == city.micro_a1.id and user.mobile == "13811112222" and user.active
    assert len(password) >= 10
    # never stored in plain text anywhere on the row
    assert password not in {str(v) for v in (user.password_hash, user.username, user.display_name, user.mobile)}
    assert user.password_hash.startswith("pbkdf2:") or user.password_hash.startswith("scrypt:")
    # shown once: the next view of the page no longer has it
    again = client.get(f"/users/{user.id}")
    assert password not in again.get_data(as_text=True)
    assert again.headers["Cache-Control"] == "no-store"
    # the new person signs in with it (by mobile number)
    other = make_client()
    other.login("13811112222", password)
    first = other.get("/me")  # a temporary password is replaced before anything else
    assert first.status_code == 303 and first.headers["Location"].endswith("/auth/password")
    r = other.post("/auth/password", {"current_password": password, "new_password": "my-own-secret",
                                      "confirm": "my-own-secret"})
    assert r.status_code == 303
    assert other.get("/me").status_code == 200
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.created"))
    assert audit.actor_id == city.staff_a.id and audit.subject_id == user.id and audit.area_id == city.micro_a1.id


def test_the_new_account_is_first_in_the_list(client, city):
    client.login("staff_a")
    created(client, form(**place(city.micro_a2), display_name="新来的"))
    body = client.get("/users/").get_data(as_text=True)
    assert re.search(r'<h3><a href="/users/\d+">([^<]+)</a>', body).group(1) == "新来的"


def test_an_initial_role_is_held_on_the_matching_level_of_the_place(client, city):
    client.login("staff_a")
    user, _ = created(client, form(**place(city.micro_a2), role="microgrid_leader", username="Zhao_DM"))
    assert user.username == "zhao_dm"
    [role] = user.roles
    assert (role.role, role.area_id) == ("microgrid_leader", city.micro_a2.id)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"account.created", "account.role_granted"} <= actions


def test_street_admin_creates_community_staff_who_lives_elsewhere(client, make_client, city):
    client.login("street_a")
    user, password = created(client, form(**place(community=city.comm_a2), role="community_staff",
                                          username="newstaff", mobile=""))
    assert user.home_area_id is None and user.mobile is None
    assert [(r.role, r.area_id) for r in user.roles] == [("community_staff", city.comm_a2.id)]
    other = make_client()
    other.login("NewStaff", password)
    assert other.post("/auth/password", {"current_password": password, "new_password": "my-own-secret",
                                         "confirm": "my-own-secret"}).status_code == 303
    assert other.get("/users/").status_code == 200  # and can now look after their own community


def test_agency_admin_creates_a_member_of_their_branch(client, city):
    client.login("agency_a")
    user, _ = created(client, form(role="member", organisation_id=city.agency_a.id))
    assert [(r.role, r.organisation_id) for r in user.roles] == [("member", city.agency_a.id)]
    assert user.home_area_id is None


@pytest.mark.parametrize("over, message", [
    ({"display_name": ""}, "Enter their name."),
    ({"display_name": "一" * 21}, "The name must be 1 to 20 characters."),
    ({"display_name": "   "}, "Enter their name."),
    ({"username": "", "mobile": ""}, "Give a username or a mobile number"),
    ({"username": "RESIDENT_A"}, "This username is taken."),
    ({"username": "9lives"}, "A username is 3–30 letters"),
    ({"username": "a" * 31}, "A username is 3–30 letters"),
    ({"mobile": "123"}, "Enter an 11-digit mainland mobile number"),
    ({"mobile": "23800138000"}, "Enter an 11-digit mainland mobile number"),
    ({"mobile": "1380013800x"}, "Enter an 11-digit mainland mobile number"),
    ({"role": "superuser"}, "Choose a role from the list."),
    ({"role": "community_staff"}, "Choose a role from the list."),  # staff cannot make colleagues
    ({"role": "city_admin"}, "Choose a role from the list."),
])
def test_bad_input_is_shown_and_nothing_is_created(client, city, over, message):
    client.login("staff_a")
    before = users()
    r = client.post("/users/new", form(**place(city.micro_a1), **over))
    assert r.status_code == 200
    assert message in r.get_data(as_text=True)
    assert users() == before


def test_a_taken_mobile_number_is_refused(client, city):
    city.resident_a.mobile = "13911112222"
    db.session.commit()
    client.login("staff_a")
    before = users()
    r = client.post("/users/new", form(**place(city.micro_a1), mobile="13911112222"))
    assert r.status_code == 200 and "This mobile number already has an account." in r.get_data(as_text=True)
    assert users() == before


def test_several_problems_are_told_at_once(client, city):
    client.login("staff_a")
    r = client.post("/users/new", form(**place(city.micro_b1), username="Staff_A", mobile="12"))
    body = r.get_data(as_text=True)
    assert "This username is taken." in body
    assert "Enter an 11-digit mainland mobile number" in body
    assert "You can only add people who live in your area" in body


def test_a_home_outside_the_creators_area_is_refused(client, city):
    client.login("staff_a")
    before = users()
    for micro in (city.micro_b1, city.micro_a3):  # another street; another community of the same street
        r = client.post("/users/new", form(**place(micro)))
        assert r.status_code == 200
        assert "You can only add people who live in your area" in r.get_data(as_text=True)
    assert users() == before


def test_a_role_outside_the_creators_area_is_refused(client, city):
    client.login("staff_a")
    r = client.post("/users/new", form(**place(grid=city.grid_a2), role="grid_leader"))
    assert "You cannot grant this role there" in r.get_data(as_text=True)
    client.logout()
    client.login("street_a")
    r = client.post("/users/new", form(**place(community=city.comm_b), role="community_staff"))
    assert "You cannot grant this role there" in r.get_data(as_text=True)
    assert users() == 15


def test_nobody_is_created_outside_the_people_one_looks_after(client, city):
    client.login("staff_a")
    r = client.post("/users/new", form())  # no home, no role
    assert r.status_code == 200 and "outside the people you look after" in r.get_data(as_text=True)
    client.logout()
    client.login("agency_a")
    r = client.post("/users/new", form(**place(city.micro_a1)))  # a home, but not a member of the branch
    assert r.status_code == 200 and "outside the people you look after" in r.get_data(as_text=True)
    assert users() == 15


@pytest.mark.parametrize("org", ["other", "abc", "99999999999999999999", "2147483647", "-1", ""])
def test_agency_admin_forged_organisations_get_a_message(client, city, org):
    org_id = city.agency_b.id if org == "other" else org
    client.login("agency_a")
    r = client.post("/users/new", form(role="member", organisation_id=org_id))
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert ("You can grant this role only in your own organisation." in body
            or "Choose the organisation this role is held in." in body)
    assert users() == 15


def test_a_forged_micro_grid_outside_the_chosen_chain_is_dropped(client, city):
    client.login("staff_a")
    data = form(**place(city.micro_a1))
    data["area_id"] = city.micro_b1.id  # does not belong to grid A
    r = client.post("/users/new", data)
    assert r.status_code == 200 and users() == 15
    for bad in ("abc", "0", "99999999999999999999", "-5"):
        data["area_id"] = bad
        assert client.post("/users/new", data).status_code == 200
    assert users() == 15


def test_the_no_javascript_picker_button_only_updates_the_form(client, city):
    client.login("staff_a")
    data = form(street=city.street_a.id, community=city.comm_a.id)
    data["action"] = "pick"
    r = client.post("/users/new", data)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and f'<option value="{city.grid_a.id}"' in body
    assert "Enter their name." not in body and users() == 15


def test_without_csrf_nothing_is_created(client, city):
    client.login("staff_a")
    r = client.post("/users/new", form(**place(city.micro_a1)), csrf=False)
    assert r.status_code == 400 and users() == 15
    assert db.session.scalar(select(func.count()).select_from(RoleAssignment)) == 12


def test_an_empty_name_does_not_hide_the_other_problems(client, city):
    client.login("staff_a")
    body = client.post("/users/new", form(**place(city.micro_b1), display_name="", mobile="12")).get_data(as_text=True)
    assert "Enter their name." in body and "The name must be 1 to 20 characters." not in body
    assert "Enter an 11-digit mainland mobile number" in body
    assert "You can only add people who live in your area" in body
    assert users() == 15


def test_the_temporary_password_is_not_in_the_session_cookie_in_plain_text(client, city):
    client.login("staff_a")
    r = client.post("/users/new", form(**place(city.micro_a1)))
    assert r.status_code == 303
    with client.c.session_transaction() as sess:  # the session is the cookie
        held = repr(dict(sess))
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    password = TEMP_RE.search(page).group(1)
    assert "people_temp_password" in held and password not in held
    with client.c.session_transaction() as sess:
        assert "people_temp_password" not in sess  # taken when shown
