"""On a 360×740 phone: staff record a wish for a resident without an account, choosing where she lives in the
cascading place lists (with htmx the next list appears in place; without JavaScript "Show the next list")."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.timeutil import local_today
from tests.browser.conftest import PHONE, login

pytestmark = pytest.mark.browser


def _fill(page, title):
    page.select_option("select[name=category]", "care")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=description]", "黄奶奶的助行器坏了。")
    page.fill("input[name=value]", "120")
    page.fill("input[name=wanted_by]", (local_today() + timedelta(days=20)).isoformat())
    page.click("details summary")
    page.fill("input[name=subject_name]", "黄奶奶")


def _placed(title):
    from app.wishes.models import Wish

    db.session.expire_all()
    return db.session.scalar(select(Wish.area_id).where(Wish.title == title))


def test_record_for_a_resident_choosing_the_place_with_htmx(phone, shoot, city):
    page = phone.new_page()
    login(page, "staff_a")
    page.goto("/wishes/new")
    _fill(page, "助行器")
    page.select_option("#picker-grid", str(city.grid_a.id))
    expect(page.locator(f"#picker-microgrid option[value='{city.micro_a2.id}']")).to_have_count(1)
    page.select_option("#picker-microgrid", str(city.micro_a2.id))
    shoot(page, "wishes-on-behalf-picker-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("form[action='/wishes/new'] button.btn-block")
    page.wait_for_url("**/wishes/*")
    assert _placed("助行器") == city.micro_a2.id


def test_record_for_a_resident_choosing_the_place_without_javascript(browser, live_server, shoot, city):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server, is_mobile=True,
                                  has_touch=True, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        login(page, "staff_a")
        page.goto("/wishes/new")
        _fill(page, "拐杖")
        page.select_option("#picker-grid", str(city.grid_a.id))
        page.click("#area-picker button[name=action][value=pick]")
        expect(page.locator(f"#picker-microgrid option[value='{city.micro_a2.id}']")).to_have_count(1)
        expect(page.locator("input[name=title]")).to_have_value("拐杖")  # what was typed is kept
        page.select_option("#picker-microgrid", str(city.micro_a2.id))
        shoot(page, "wishes-on-behalf-picker-nojs-phone")
        page.click("form[action='/wishes/new'] button.btn-block")
        page.wait_for_url("**/wishes/*")
        assert _placed("拐杖") == city.micro_a2.id
    finally:
        context.close()
