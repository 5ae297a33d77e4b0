"""People administration on a 360×740 phone: staff_a opens /users/, creates an account for a resident without
one, hands over the temporary password, makes her a micro-grid leader — and she signs in with it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_people_journey_on_a_phone(phone, shoot, city):
    page = phone.new_page()
    login(page, "staff_a")

    page.goto("/me")
    page.click("a[href='/users/']")
    page.wait_for_url("**/users/")
    assert page.locator("h1").inner_text() == "人员管理"
    resident = page.locator(".person", has_text="王小明")
    expect(resident).to_be_visible()
    expect(resident).to_contain_text(city.resident_a.masked_mobile)  # staff see the mobile number masked
    no_sideways_scroll(page)
    shoot(page, "people-1-list-phone")

    # search narrows the list in place
    page.fill("input[name=q]", "小明")
    page.click("form[role=search] button")
    expect(page.locator("#people-list .person")).to_have_count(1)  # (no wait_for_function: the CSP forbids eval)
    assert "q=" in page.url  # hx-push-url: the search is in the address

    page.goto("/users/new")
    page.fill("input[name=display_name]", "赵桂英")
    page.fill("input[name=mobile]", "13822223333")
    # the picker starts at staff_a's community; choose the grid, then the micro-grid (htmx fills each list)
    page.select_option("select[name=grid]", str(city.grid_a.id))
    page.wait_for_selector(f"select[name=area_id] option[value='{city.micro_a2.id}']", state="attached")
    page.select_option("select[name=area_id]", str(city.micro_a2.id))
    no_sideways_scroll(page)
    shoot(page, "people-2-new-phone")
    page.click("form[action='/users/new'] button[value=create]")
    page.wait_for_url(re.compile(r".*/users/\d+$"))
    expect(page.get_by_text("临时密码").first).to_be_visible()
    password = page.locator("section.urgent code").inner_text().strip()
    assert len(password) == 10
    no_sideways_scroll(page)
    shoot(page, "people-3-created-phone")

    # grant micro-grid leader: the picker already shows where she lives
    page.click("details#grant summary")
    page.select_option("details#grant select[name=role]", "microgrid_leader")
    no_sideways_scroll(page)
    shoot(page, "people-3b-grant-form-phone")
    page.click("details#grant button[value=grant]")
    page.wait_for_load_state()
    expect(page.get_by_text("微网格长").first).to_be_visible()
    assert not page.locator("section.urgent code").count()  # the temporary password is shown once only
    no_sideways_scroll(page)
    shoot(page, "people-4-person-phone")

    user = db.session.scalar(select(User).where(User.mobile == "13822223333"))
    assert [(r.role, r.area_id) for r in user.roles] == [("microgrid_leader", city.micro_a2.id)]

    logout(page)
    login(page, "13822223333", password)
    # the temporary password is replaced before anything else
    page.wait_for_url(lambda url: url.endswith("/auth/password"))
    expect(page.get_by_text("您拿到的是临时密码")).to_be_visible()
    page.fill("input[name=current_password]", password)
    page.fill("input[name=new_password]", "my-own-secret")
    page.fill("input[name=confirm]", "my-own-secret")
    shoot(page, "people-5-replace-temporary-password-phone")
    page.click("form[action='/auth/password'] button")
    page.wait_for_url(lambda url: "/auth/password" not in url)
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("您好")
