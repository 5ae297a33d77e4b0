"""A micro-wish from post to 圆梦 on a 360×740 phone: resident1 posts, staff1 approves, member1 claims and
fulfils, resident1 confirms — in real Chromium, on the demo city."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.timeutil import local_today
from tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser

TITLE = "给奶奶买一副助听器"


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_wish_journey_on_a_phone(phone, shoot, demo_city):
    from app.wishes.models import Wish

    page = phone.new_page()

    # resident1 posts
    login(page, "resident1")
    page.goto("/wishes/new")
    page.select_option("select[name=category]", "health")
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=description]", "奶奶耳朵不好，听不清电话，想要一副简单的助听器。")
    page.fill("input[name=value]", "300")
    page.fill("input[name=wanted_by]", (local_today() + timedelta(days=20)).isoformat())
    no_sideways_scroll(page)
    shoot(page, "wishes-1-post-form-phone")
    page.click("form[action='/wishes/new'] button.btn-block")
    page.wait_for_url("**/wishes/*")
    expect(page.get_by_text("心愿已提交")).to_be_visible()
    assert page.locator("h1").inner_text() == TITLE
    expect(page.get_by_text("待审核").first).to_be_visible()
    shoot(page, "wishes-2-posted-phone")
    wish_id = db.session.scalar(select(Wish.id).where(Wish.title == TITLE))
    logout(page)

    # staff1 approves from the review queue
    login(page, "staff1")
    expect(page.get_by_text("待审核的微心愿")).to_be_visible()
    page.goto("/wishes/review")
    card = page.locator(f"#wish-{wish_id}")
    expect(card.get_by_text("王秀英")).to_be_visible()  # staff see the full name
    no_sideways_scroll(page)
    shoot(page, "wishes-3-review-queue-phone")
    card.get_by_role("button", name="通过并发布").click()
    page.wait_for_load_state()
    expect(page.get_by_text("心愿已发布到心愿墙")).to_be_visible()
    logout(page)

    # member1 claims it on the wall (htmx swaps the card), sees the contact, fulfils
    login(page, "member1")
    page.goto("/wishes/")
    card = page.locator(f"#wish-{wish_id}")
    expect(card.get_by_text("王*")).to_be_visible()
    expect(page.get_by_text("王秀英")).to_have_count(0)
    no_sideways_scroll(page)
    shoot(page, "wishes-4-wall-phone")
    card.get_by_role("button", name="认领心愿").click()
    page.locator(f"#wish-{wish_id} >> text=认领人").wait_for()
    expect(page.locator(f"#wish-{wish_id}").get_by_text("已认领").first).to_be_visible()
    shoot(page, "wishes-5-claimed-card-phone")
    page.goto(f"/wishes/{wish_id}")
    expect(page.get_by_text("13900000010")).to_be_visible()
    page.fill("textarea[name=fulfil-note]", "已陪奶奶去验配了一副助听器，效果很好。")
    no_sideways_scroll(page)
    page.get_by_role("button", name="已完成").click()
    page.get_by_text("已请居民确认").wait_for()  # htmx swaps the page part in place; the message is a toast
    shoot(page, "wishes-6-fulfilled-phone")
    logout(page)

    # resident1 confirms: 已圆梦, and the story is on the wall
    login(page, "resident1")
    expect(page.get_by_text("请确认").first).to_be_visible()
    page.goto(f"/wishes/{wish_id}")
    page.fill("textarea[name=confirm-note]", "奶奶终于能听清电话了，谢谢！")
    page.get_by_role("button", name="收到了，心愿已实现").click()
    page.get_by_text("心愿已圆梦").wait_for()
    expect(page.get_by_text("已圆梦").first).to_be_visible()
    shoot(page, "wishes-7-completed-phone")
    page.goto("/wishes/?status=completed")
    expect(page.get_by_text("奶奶终于能听清电话了")).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, "wishes-8-stories-phone")
    assert db.session.scalar(select(Wish.state).where(Wish.id == wish_id)) == "completed"


def test_an_oversized_photo_is_refused_on_the_phone_before_upload(phone, shoot, city):
    page = phone.new_page()
    login(page, "resident_a")
    page.goto("/wishes/new")
    page.fill("input[name=title]", "台灯")
    page.set_input_files("input[name=photo]", files=[
        {"name": "IMG_big.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + b"\0" * (6 * 1024 * 1024)}])
    error = page.locator("input[name=photo] + .error-js")
    error.wait_for()
    assert "5" in error.inner_text() and "MB" in error.inner_text()
    assert page.evaluate("document.querySelector('input[name=photo]').files.length") == 0
    assert page.input_value("input[name=title]") == "台灯"  # nothing typed is lost
    shoot(page, "wishes-9-photo-too-big-phone")
    page.set_input_files("input[name=photo]", files=[
        {"name": "ok.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8small"}])
    assert page.locator("input[name=photo] + .error-js").count() == 0
