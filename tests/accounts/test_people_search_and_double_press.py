"""The people pages: a whole number finds only people whose number one may see; a
temporary password cannot be "replaced" by itself; the "number has an account" answer is rationed per staff member;
a double press of "create" or "grant" reports success; with JavaScript, Enter submits the form's real action."""
from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.services import grant_role, reset_password
from app.extensions import db
from tests.accounts.test_people_create import TEMP_RE, form, place
from tests.factories import make_user


def test_a_whole_number_finds_only_people_whose_number_one_may_see(client, city):
    colleague = make_user("staff_a2", home=city.micro_a1, roles=[("community_staff", city.comm_a)])
    colleague.mobile = "13912345678"
    city.resident_a.mobile = "13912345679"
    db.session.commit()
    client.login("staff_a")
    page = client.get(f"/users/{colleague.id}").get_data(as_text=True)
    assert "139****5678" in page and "13912345678" not in page  # masked: a colleague is not managed by staff_a
    found = client.get("/users/?q=13912345678").get_data(as_text=True)
    assert "staff_a2" not in found  # so a guess of the hidden digits finds nothing either
    found = client.get("/users/?q=13912345679").get_data(as_text=True)
    assert "resident_a" in found  # a resident one manages is found by number


def test_a_temporary_password_cannot_be_kept(make_client, city):
    password = reset_password(city.staff_a, city.resident_a)
    db.session.commit()
    c = make_client()
    c.login("resident_a", password)
    r = c.post("/auth/password", {"current_password": password, "new_password": password, "confirm": password})
    assert r.status_code == 200 and "differs from the current one" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, city.resident_a.id).must_change_password


def test_the_number_has_an_account_answer_is_rationed_per_staff_member(app, client, city):
    city.resident_b.mobile = "13900000077"  # lives in another street
    db.session.commit()
    client.login("staff_a")
    limit = int(app.config["PEOPLE_TAKEN_LIMIT"].split()[0])
    data = form(mobile="13900000077", **place(city.micro_a1))
    for _ in range(limit):
        r = client.post("/users/new", data)
        assert r.status_code == 200 and "This mobile number already has an account." in r.get_data(as_text=True)
    assert client.post("/users/new", data).status_code == 429


def test_create_pressed_twice_reports_the_account_made_by_the_first_press(client, city):
    client.login("staff_a")
    data = form(display_name="孙阿姨", mobile="13811119999", **place(city.micro_a1))
    first = client.post("/users/new", data)
    second = client.post("/users/new", data)
    assert first.status_code == 303 and second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert TEMP_RE.search(page), "the temporary password of the first press is still shown once"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.mobile == "13811119999")) == 1


def test_someone_elses_account_with_that_number_is_still_refused(client, city):
    client.login("staff_a")
    other = make_user("old_account", home=city.micro_a1, name="孙阿姨")
    other.mobile = "13811118888"
    db.session.commit()
    r = client.post("/users/new", form(display_name="孙阿姨", mobile="13811118888", **place(city.micro_a1)))
    assert r.status_code == 200 and "This mobile number already has an account." in r.get_data(as_text=True)


def test_grant_pressed_twice_is_success_both_times(client, city):
    client.login("staff_a")
    grant_role(city.resident_a, "microgrid_leader", area=city.micro_a1, actor=city.staff_a)
    db.session.commit()
    r = client.post(f"/users/{city.resident_a.id}/roles", {"role": "microgrid_leader", **place(city.micro_a1)})
    assert r.status_code == 303
