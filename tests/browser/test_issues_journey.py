"""Issue loop on a phone, in real Chromium: rider1 files a hazard in under 5 interactions, leader1 accepts and
resolves it, the rider rates it unsatisfied, it reopens, staff1 escalates and resolves it."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_city(app):
    from app.cli import load_domain_modules
    from app.demo import seed

    load_domain_modules("demo")
    seed()
    db.session.commit()


def photo_file() -> dict:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(buf, "JPEG")
    return {"name": "hazard.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}


def badge(page):
    return page.locator("#issue-detail .meta .badge").first


def test_hazard_loop_on_a_phone(phone, shoot, demo_city):
    from app.areas.models import Area
    from app.issues.models import Issue

    micro = db.session.scalar(select(Area).where(Area.code == "C-S1-C1-G1-M1"))  # leader1's micro-grid
    page = phone.new_page()

    # rider1: home card → photo → place → one tap on the category = 4 interactions
    login(page, "rider1")
    interactions = 0
    page.click("a[href='/issues/quick'] >> nth=0")
    interactions += 1
    page.wait_for_url("**/issues/quick")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_input_files("input[name=photo]", photo_file())
    interactions += 1
    page.select_option("select[name=area_id]", value=str(micro.id))
    interactions += 1
    shoot(page, "issues-1-sentinel-quick-report")
    page.click("button[name=category][value=safety_hazard]")
    interactions += 1
    page.wait_for_url("**/issues/*")
    assert interactions < 5
    assert page.get_by_text("已上报").first.is_visible()
    issue_url = page.url
    issue_id = int(issue_url.rstrip("/").rsplit("/", 1)[1])
    issue = db.session.get(Issue, issue_id)
    assert (issue.channel, issue.state, issue.level, issue.area_id) == ("sentinel", "reported", "microgrid", micro.id)
    expect(badge(page)).to_have_text("待受理")
    shoot(page, "issues-2-sentinel-reported")
    logout(page)

    # leader1 sees it in the queue, accepts, resolves
    login(page, "leader1")
    page.goto("/issues/?view=queue")
    assert page.locator(f"a[href='/issues/{issue_id}']").first.is_visible()
    shoot(page, "issues-3-leader-queue")
    page.goto(issue_url)
    page.click("form[action$='/accept'] button")
    expect(badge(page)).to_have_text("已受理")
    page.click("details:has(form[action$='/resolve']) summary")
    page.fill("form[action$='/resolve'] textarea[name=note]", "已加装井盖锁扣，现场已恢复安全。")
    shoot(page, "issues-4-leader-resolving")
    page.click("form[action$='/resolve'] button")
    expect(badge(page)).to_have_text("已办结")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(page, "issues-5-leader-resolved")
    logout(page)

    # the reporter rates it unsatisfied: it reopens at the same level
    login(page, "rider1")
    page.goto(issue_url)
    page.check("form[action$='/rate'] input[value=unsatisfied]")
    page.fill("form[action$='/rate'] textarea[name=comment]", "锁扣只装了一边，另一侧还是松的。")
    shoot(page, "issues-6-reporter-rating")
    page.click("form[action$='/rate'] button")
    expect(badge(page)).to_have_text("办理中")
    assert page.get_by_text("另一侧还是松的").first.is_visible()
    shoot(page, "issues-7-reopened")
    db.session.expire_all()
    issue = db.session.get(Issue, issue_id)
    assert (issue.state, issue.level) == ("in_progress", "microgrid")
    logout(page)

    # staff1 escalates it to the grid and resolves it
    login(page, "staff1")
    page.goto(issue_url)
    page.click("details:has(form[action$='/escalate']) summary")
    page.fill("form[action$='/escalate'] textarea[name=reason]", "需要网格统一更换井盖。")
    page.click("form[action$='/escalate'] button")
    expect(page.locator("#issue-detail .meta").first).to_contain_text("办理层级：网格")
    shoot(page, "issues-8-staff-escalated")
    details = page.locator("details:has(form[action$='/resolve'])")
    if details.get_attribute("open") is None:
        page.click("details:has(form[action$='/resolve']) summary")
    page.fill("form[action$='/resolve'] textarea[name=note]", "已整体更换为防盗防滑井盖。")
    page.click("form[action$='/resolve'] button")
    expect(badge(page)).to_have_text("已办结")
    shoot(page, "issues-9-staff-resolved")
    db.session.expire_all()
    issue = db.session.get(Issue, issue_id)
    assert (issue.state, issue.level, issue.resolve_count) == ("resolved", "grid", 2)


def test_report_form_without_javascript(browser, live_server, shoot, demo_city):
    """The report form works with JavaScript off (the picker's button, plain posts)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server,
                                  java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, "resident1")
        page.goto("/issues/new")
        page.check("input[name=category][value=street_light]")
        page.fill("textarea[name=description]", "单元门口的灯不亮了。")
        shoot(page, "issues-10-report-no-js")
        page.click("button[name=action][value=report]")
        page.wait_for_url("**/issues/*")
        assert page.get_by_text("感谢反映").first.is_visible()
    finally:
        context.close()


def test_staff_area_list_filters_on_a_phone(phone, shoot, demo_city, app):
    app.config["ISSUES_PAGE_SIZE"] = 3
    try:
        page = phone.new_page()
        login(page, "staff1")
        page.goto("/issues/?view=area")
        assert page.locator(".issue-item").count() == 3
        page.click("#load-more a")  # htmx appends the next page in place
        expect(page.locator(".issue-item")).to_have_count(6)
        assert "/issues/?view=area" in page.url and "after=" not in page.url
        page.click("details.action summary")
        page.check("input[name=overdue]")
        page.click("form.filters button")
        page.wait_for_url(lambda url: "overdue=1" in url)  # the filtered list has its own address
        expect(page.locator(".issue-item:not(.overdue)")).to_have_count(0)
        expect(page.locator(".issue-item.overdue").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shoot(page, "issues-11-staff-area-overdue")
    finally:
        app.config.pop("ISSUES_PAGE_SIZE")
