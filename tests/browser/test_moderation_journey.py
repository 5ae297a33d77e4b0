"""Moderation and the audit log on a 360×740 phone, in real Chromium on the demo city: resident2 reports a wish,
the threshold is reached (two earlier reports made by the factory), staff1 removes it with a reason, its author
resident1 reads the notice; the city admin opens /audit/ and filters it down to the removal."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.timeutil import local_today
from tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser

TITLE = "想要一盏护眼台灯"
REASON = "留下了邻居的电话号码"


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _wish_with_two_reports() -> int:
    from app.accounts.models import User
    from app.moderation import services as moderation
    from app.wishes import services
    from app.wishes.services import WishInput

    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(
        ["resident1", "staff1", "member1", "leader1"])))}
    wish = services.post_wish(users["resident1"], WishInput(
        category="study", title=TITLE, description="孙子写作业要用，请打 13912345678 联系隔壁。", value=60,
        wanted_by=local_today() + timedelta(days=20)))
    services.approve(wish, users["staff1"])
    moderation.flag(wish, users["member1"], "有他人隐私")
    moderation.flag(wish, users["leader1"], "电话号码不是本人的")
    db.session.commit()
    return wish.id


def test_report_remove_notice_and_audit_on_a_phone(phone, desktop, shoot, demo_city):
    wish_id = _wish_with_two_reports()
    page = phone.new_page()

    # resident2 reports the wish: the third report hides it
    login(page, "resident2")
    page.goto(f"/wishes/{wish_id}")
    page.locator("details.report summary").click()
    page.fill("#flag-reason", "帖子里有别人的手机号")
    no_sideways_scroll(page)
    shoot(page, "moderation-1-report-phone")
    page.get_by_role("button", name="提交举报").click()
    page.wait_for_load_state()
    expect(page.get_by_text("谢谢您的举报")).to_be_visible()
    expect(page.get_by_role("heading", name="待审核，暂时隐藏")).to_be_visible()
    shoot(page, "moderation-2-hidden-for-the-public-phone")
    logout(page)

    # staff1: the home card, the queue, the review; removes it with a reason
    login(page, "staff1")
    card = page.get_by_role("link", name="1 条内容待审核")
    expect(card).to_be_visible()
    card.click()
    page.wait_for_url("**/moderation/")
    expect(page.get_by_text("帖子里有别人的手机号")).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, "moderation-3-queue-phone")
    page.get_by_role("link", name="审核", exact=True).click()
    page.wait_for_url(f"**/moderation/wish/{wish_id}")
    page.fill("#remove-reason", REASON)
    no_sideways_scroll(page)
    shoot(page, "moderation-4-review-phone")
    page.get_by_role("button", name="移除内容").click()
    page.wait_for_load_state()
    expect(page.get_by_text("内容已移除")).to_be_visible()
    logout(page)

    # the author reads the notice; the public page says why
    login(page, "resident1")
    page.goto("/notifications/")
    expect(page.get_by_text(f"您发布的“{TITLE}”已被管理员移除：{REASON}")).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, "moderation-5-author-notice-phone")
    page.goto(f"/wishes/{wish_id}")
    expect(page.get_by_text(f"已被管理员移除：{REASON}")).to_be_visible()
    logout(page)

    # the city admin reads it in the audit log, filtered by action and object
    login(page, "admin")
    page.get_by_role("link", name="审计日志").click()
    page.wait_for_url("**/audit/")
    page.get_by_text("筛选", exact=True).first.click()
    page.select_option("#action", "moderation.removed")
    page.select_option("#type", "wish")
    page.fill("#object", str(wish_id))
    shoot(page, "moderation-6-audit-filter-phone")
    no_sideways_scroll(page)
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/audit/?*")
    entry = page.locator(".audit-entry")
    expect(entry).to_have_count(1)
    expect(entry.get_by_text("moderation.removed")).to_be_visible()
    entry.locator("summary").click()
    expect(entry.get_by_text(TITLE)).to_be_visible()  # the original, kept in the audit trail
    no_sideways_scroll(page)
    shoot(page, "moderation-7-audit-result-phone")
    # a day that is not a date: told, nothing breaks
    page.goto("/audit/?date_from=昨天")
    expect(page.get_by_text("“昨天”不是日期").first).to_be_visible()
    shoot(page, "moderation-8-audit-bad-date-phone")

    # the same log on a desktop screen
    wide = desktop.new_page()
    login(wide, "admin")
    wide.goto("/audit/?action=moderation.")
    expect(wide.locator(".audit-entry").first).to_be_visible()
    shoot(wide, "moderation-9-audit-desktop")
