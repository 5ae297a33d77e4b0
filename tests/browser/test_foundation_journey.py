"""Sign in as a resident and as staff on a phone, switch language, sign out — in real Chromium."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_resident_and_staff_on_a_phone(phone, shoot, city):
    page = phone.new_page()
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    expect(page.locator(".bottomnav")).to_be_visible()
    expect(page.locator(".topnav")).to_be_hidden()
    shoot(page, "foundation-home-anonymous-phone")

    login(page, "resident_a")
    assert page.locator("h1").inner_text().startswith("您好")
    expect(page.get_by_text("发布心愿").first).to_be_visible()
    shoot(page, "foundation-home-resident-phone")

    # the page never scrolls sideways at 360 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.click("form.lang button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Hello")
    page.click("form.lang button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-CN"

    page.goto("/me")
    page.click("form[action='/auth/logout'] button")
    page.wait_for_load_state()
    expect(page.get_by_text("您已退出登录")).to_be_visible()

    login(page, "staff_a")
    expect(page.get_by_text("“1+1+3”力量未配齐")).to_be_visible()
    shoot(page, "foundation-home-staff-phone")
    page.click("text=区域概况")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Community A")
    shoot(page, "foundation-area-overview-phone")


def test_register_with_the_cascading_picker(phone, shoot, city):
    page = phone.new_page()
    page.goto("/auth/register")
    page.fill("input[name=display_name]", "新居民")
    page.fill("input[name=mobile]", "13812345678")
    page.select_option("select[name=street]", label="Street A")
    page.wait_for_selector("select[name=community]:not([disabled]) option:has-text('Community A2')", state="attached")
    page.select_option("select[name=community]", label="Community A")
    page.wait_for_selector("select[name=grid]:not([disabled]) option:has-text('Grid A')", state="attached")
    page.select_option("select[name=grid]", label="Grid A")
    page.wait_for_selector("select[name=area_id]:not([disabled]) option:has-text('Micro A2')", state="attached")
    page.select_option("select[name=area_id]", label="Micro A2")
    assert page.locator("button[value=pick]").count() == 0  # the no-JS button is gone with htmx
    page.fill("input[name=password]", "longenough")
    page.fill("input[name=confirm]", "longenough")
    shoot(page, "foundation-register-phone")
    page.press("input[name=confirm]", "Enter")  # Enter sends the form's real action, not the picker's
    page.wait_for_url(lambda url: "/auth/register" not in url)
    expect(page.get_by_text("账号已创建")).to_be_visible()


def test_desktop_layout(desktop, shoot, city):
    page = desktop.new_page()
    login(page, "staff_a")
    expect(page.locator(".topnav")).to_be_visible()
    expect(page.locator(".bottomnav")).to_be_hidden()
    shoot(page, "foundation-home-staff-desktop")
