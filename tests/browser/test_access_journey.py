"""Registration without JavaScript keeps the typed password through the area picker; the city admin's home leads
to the area tree and the organisations (screenshots at 360×740)."""
from __future__ import annotations

from tests.browser.conftest import PHONE, login


def test_register_without_javascript_keeps_the_password_through_the_picker(browser, live_server, demo_city, shoot):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/auth/register")
        page.fill("input[name=display_name]", "新居民")
        page.fill("input[name=password]", "longenough1")
        page.fill("input[name=confirm]", "longenough1")
        page.select_option("select[name=street]", index=1)
        page.click("button[value=pick]")
        assert page.input_value("input[name=password]") == "longenough1"
        assert page.input_value("input[name=confirm]") == "longenough1"
        assert page.input_value("input[name=display_name]") == "新居民"
        # a refused submit (no micro-grid yet) says next to the field that the password must be typed again
        page.click("button[value=register]")
        assert page.input_value("input[name=password]") == ""
        assert page.locator(".field:has(input[name=password]) .hint").inner_text().startswith("为了安全")
        shoot(page, "register-nojs-refused")
    finally:
        context.close()


def test_city_admin_clicks_through_to_the_area_tree_and_organisations(phone, demo_city, shoot):
    page = phone.new_page()
    login(page, "admin")
    shoot(page, "home-admin")
    page.locator("a[href^='/areas/']").first.click()
    page.wait_for_url("**/areas/*")
    assert page.locator("h1").count() == 1
    page.goto("/")
    page.click("a[href='/organisations/']")
    assert page.url.endswith("/organisations/")
