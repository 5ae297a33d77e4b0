"""On a 360×740 phone, with and without JavaScript: a refused "not received" stands by its field at the wish's own
URL, and withdrawing a wish asks first."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, login
from tests.wishes.helpers import get_wish, make_wish

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_nojs(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server, device_scale_factor=1,
                                  is_mobile=True, has_touch=True, java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def _refuse_not_received(page, wid):
    login(page, "resident_a")
    page.goto(f"/wishes/{wid}")
    page.click(f"form[action='/wishes/{wid}/not-received'] button")


def test_not_received_without_a_note_without_javascript(phone_nojs, shoot, city):
    wid = make_wish(city, "fulfilled")
    page = phone_nojs.new_page()
    _refuse_not_received(page, wid)
    page.wait_for_url(f"**/wishes/{wid}#confirm")
    error = page.locator("#notreceived-note-error")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_be_visible()
    assert page.locator("#notreceived-note").get_attribute("aria-invalid") == "true"
    shoot(page, "wishes-refusal-nojs-phone")
    page.reload()  # a refresh sends nothing again, and the message has been shown
    assert page.url.endswith(f"/wishes/{wid}#confirm") and page.locator("#notreceived-note-error").count() == 0
    assert get_wish(wid).state == "fulfilled"


def test_not_received_without_a_note_with_htmx(phone, shoot, city):
    wid = make_wish(city, "fulfilled")
    page = phone.new_page()
    _refuse_not_received(page, wid)
    error = page.locator("#notreceived-note-error[data-focus-error]")
    error.wait_for()
    assert page.url.endswith(f"/wishes/{wid}")
    shoot(page, "wishes-refusal-htmx-phone")
    assert get_wish(wid).state == "fulfilled"


def test_withdraw_asks_first_on_a_phone(phone, phone_nojs, shoot, city):
    first, second = make_wish(city, "published", title="First"), make_wish(city, "published", title="Second")
    plain = phone_nojs.new_page()
    login(plain, "resident_a")
    plain.goto(f"/wishes/{first}")
    plain.click(f"a[href='/wishes/{first}/withdraw']")
    plain.wait_for_url(f"**/wishes/{first}/withdraw")
    shoot(plain, "wishes-withdraw-ask-nojs-phone")
    assert get_wish(first).state == "published"
    plain.click(f"form[action='/wishes/{first}/withdraw'] button")
    plain.wait_for_url(f"**/wishes/{first}")
    assert get_wish(first).state == "withdrawn"

    page = phone.new_page()
    login(page, "resident_a")
    page.goto(f"/wishes/{second}")
    page.click(f"a[href='/wishes/{second}/withdraw']")
    page.locator("#withdraw h2").wait_for()
    shoot(page, "wishes-withdraw-ask-htmx-phone")
    assert page.url.endswith(f"/wishes/{second}") and get_wish(second).state == "published"
    page.click("#withdraw a.btn-ghost")  # no, keep it
    page.locator(f"a[href='/wishes/{second}/withdraw']").wait_for()
    assert get_wish(second).state == "published"
