"""Issue loop on a phone, in real Chromium: rider1 files a hazard in under 5 interactions, leader1 accepts and
resolves it, the rider rates it unsatisfied, it reopens, staff1 escalates and resolves it."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser


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
    expect(page.get_by_text("已上报").first).to_be_visible()
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
    expect(page.locator(f"a[href='/issues/{issue_id}']").first).to_be_visible()
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
    expect(page.get_by_text("另一侧还是松的").first).to_be_visible()
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
        expect(page.get_by_text("感谢反映").first).to_be_visible()
    finally:
        context.close()


def test_staff_area_list_filters_on_a_phone(phone, shoot, demo_city, app, monkeypatch):
    monkeypatch.setitem(app.config, "ISSUES_PAGE_SIZE", 3)
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


def _pick_place(page, javascript, *names):
    """Choose the place in the picker's lists, street first. With JavaScript each choice reloads the lists below
    (wait for the new ones: the old lists may hold options of the same names); without, "show the next list"."""
    levels = ("street", "community", "grid", "microgrid")
    for i, (level, name) in enumerate(zip(levels, names, strict=True)):
        last = level == "microgrid"
        if javascript and not last:
            page.evaluate("document.querySelectorAll('#area-picker select').forEach(s => s.dataset.old = '1')")
        page.locator(f"#picker-{level}").select_option(label=name)
        if last:
            break
        if javascript:
            page.wait_for_selector(f"#picker-{levels[i + 1]}:not([data-old]):enabled")
        else:
            with page.expect_navigation():
                page.click("button[name=action][value=pick]")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_place_picked_is_the_place_filed(browser, live_server, shoot, demo_city, javascript):
    """resident1 (home: 梧桐社区) leaves "我家所在地" ticked and picks 南门街道 › 青石社区 › 第一网格 ›
    第一网格一组: not filed silently at home but refused (another community); picking 梧桐社区 › 第二网格 ›
    第二网格一组 files it there."""
    from app.issues.models import Issue

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server,
                                  java_script_enabled=javascript, is_mobile=javascript, has_touch=javascript)
    try:
        page = context.new_page()
        login(page, "resident1")
        page.goto("/issues/new")
        page.locator("label:has(input[name=category][value=facilities])").click()
        page.fill("textarea[name=description]", "长椅坏了。")
        assert page.locator("#place-home").is_checked()
        _pick_place(page, javascript, "南门街道", "青石社区", "第一网格", "第一网格一组")
        page.click("button[name=action][value=report]")
        expect(page.locator("[role=alert]").first).to_contain_text("只能反映")
        db.session.expire_all()
        assert db.session.scalar(select(Issue.id).where(Issue.description == "长椅坏了。")) is None
        _pick_place(page, javascript, "南门街道", "梧桐社区", "第二网格", "第二网格一组")
        shoot(page, f"issues-12-place-picked-{'js' if javascript else 'nojs'}")
        assert page.locator("textarea[name=description]").input_value() == "长椅坏了。"
        page.click("button[name=action][value=report]")
        page.wait_for_url(re.compile(r"/issues/\d+$"))
        issue_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
        db.session.expire_all()
        area = db.session.get(Issue, issue_id).area
        assert (area.name, area.parent.name, area.parent.parent.name) == ("第二网格一组", "第二网格", "梧桐社区")
    finally:
        context.close()


def test_a_refused_rating_is_shown_at_the_rating(phone, shoot, demo_city):
    """Sending the rating without a choice: the message is in the rating form, not above the screen, and the
    resident sees no empty handling card."""
    from app.accounts.models import User
    from app.issues import services as s

    resident = db.session.scalar(select(User).where(User.username == "resident1"))
    leader = db.session.scalar(select(User).where(User.username == "leader1"))
    issue = s.report_issue(reporter=resident, category=s.category_by_code("street_light"),
                           description="楼道灯不亮。", area=resident.home_area)
    s.accept(issue, leader)
    s.resolve(issue, leader, "已更换灯泡。")
    db.session.commit()
    page = phone.new_page()
    login(page, "resident1")
    page.goto(f"/issues/{issue.id}")
    page.locator("form[action$='/rate'] button").scroll_into_view_if_needed()
    page.click("form[action$='/rate'] button")
    alert = page.locator("#act-rate [data-focus-error]")
    expect(alert).to_contain_text("请选择满意程度")
    alert.scroll_into_view_if_needed()
    box = alert.bounding_box()
    assert box is not None and 0 <= box["y"] <= 740
    assert page.locator("#handling").count() == 0
    shoot(page, "issues-13-rating-refused")
