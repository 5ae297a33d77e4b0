"""The bell on a 360×740 phone: resident1 of the demo city sees the unread count, opens the list, follows one
notification to its wish, and the count drops — in real Chromium."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def unread(username: str) -> int:
    from app.accounts.models import User
    from app.notifications.models import Notification

    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Notification).join(User, User.id == Notification.user_id)
                             .where(User.username == username, Notification.read_at.is_(None)))


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_bell_on_a_phone(phone, shoot, demo_city):
    before = unread("resident1")
    assert before > 0, "the demo gives resident1 something new"
    page = phone.new_page()
    login(page, "resident1")
    page.goto("/")
    bell = page.locator("header a.bell")
    expect(bell).to_be_visible()
    assert bell.get_attribute("aria-label") == f"消息：{before} 条未读"
    assert page.locator("header .bell-count").inner_text() == str(before)
    expect(page.get_by_role("heading", name="新消息")).to_be_visible()
    box = bell.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44 and box["x"] + box["width"] <= 360
    no_sideways_scroll(page)
    shoot(page, "notifications-1-home-phone")

    bell.click()
    page.wait_for_url("**/notifications/")
    assert page.locator("h1").inner_text() == "消息"
    assert page.locator("a.notice.unread").count() == before
    no_sideways_scroll(page)
    shoot(page, "notifications-2-list-phone")

    page.locator("a.notice.unread").first.click()
    page.wait_for_url(lambda url: "/notifications" not in url)
    assert unread("resident1") == before - 1
    page.goto("/")
    if before - 1:
        assert page.locator("header .bell-count").inner_text() == str(before - 1)
    else:
        assert page.locator("header .bell-count").count() == 0

    page.goto("/notifications/")
    page.click("form[action='/notifications/read-all'] button")
    page.wait_for_url("**/notifications/")
    assert page.locator("header .bell-count").count() == 0
    assert page.locator("a.notice.unread").count() == 0
    shoot(page, "notifications-3-all-read-phone")


def test_the_bell_on_a_desktop(desktop, shoot, demo_city):
    page = desktop.new_page()
    login(page, "staff1")
    page.goto("/")
    expect(page.locator("header a.bell")).to_be_visible()
    shoot(page, "notifications-4-home-desktop")
