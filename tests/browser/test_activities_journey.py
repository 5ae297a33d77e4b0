"""A patrol from publishing to attested hours on a 360×740 phone: staff1 publishes, member1 signs up, the
organiser's page shows the rotating QR code, member1 opens the URL it encodes to check in and later out, staff1
attests — in real Chromium, on the demo city."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from app.accounts.models import User
from app.extensions import db
from app.points.services import balance_of
from app.timeutil import to_local, utcnow
from tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser

TITLE = "梧桐苑周末安全巡逻"


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.fixture
def demo_city(app):
    from app.cli import load_domain_modules
    from app.demo import seed

    load_domain_modules("demo")
    seed()
    db.session.commit()


def test_patrol_journey_on_a_phone(phone, shoot, demo_city):
    from app.activities.models import Activity, Attendance

    page = phone.new_page()
    login(page, "staff1")
    page.goto("/activities/new")
    start = to_local(utcnow() + timedelta(minutes=10))
    page.select_option("select[name=kind]", "patrol")
    page.fill("input[name=title]", TITLE)
    page.fill("input[name=place]", "梧桐苑东门岗亭")
    page.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=capacity]", "5")
    no_sideways_scroll(page)
    shoot(page, "activities-1-publish-phone")
    page.click("form[action='/activities/new'] button")
    page.wait_for_url("**/activities/*")
    db.session.expire_all()
    activity = db.session.scalar(select(Activity).where(Activity.title == TITLE))
    assert activity is not None
    aid = activity.id
    logout(page)

    login(page, "member1")
    page.goto("/activities/?near=1")
    shoot(page, "activities-2-list-phone")
    no_sideways_scroll(page)
    page.goto(f"/activities/{aid}")
    page.get_by_role("button", name="报名").click()
    page.get_by_text("已报名").first.wait_for()
    shoot(page, "activities-3-signed-up-phone")
    logout(page)

    login(page, "staff1")
    page.goto(f"/activities/{aid}/checkin")
    qr = page.locator("figure.qr svg")
    qr.wait_for()
    no_sideways_scroll(page)
    shoot(page, "activities-4-qr-phone")
    url = page.locator("figure.qr").get_attribute("data-checkin-url")
    logout(page)

    login(page, "member1")
    page.goto(url)
    page.get_by_role("button", name="立即签到").click()
    page.get_by_text("签到成功").wait_for()
    shoot(page, "activities-5-checked-in-phone")
    logout(page)

    login(page, "staff1")
    page.goto(f"/activities/{aid}/checkin?mode=out")
    out_url = page.locator("figure.qr").get_attribute("data-checkin-url")
    logout(page)
    login(page, "member1")
    page.goto(out_url)
    page.get_by_role("button", name="立即签退").click()
    page.get_by_text("签退成功").wait_for()
    logout(page)

    # the patrol is over: its window moves into the past, as time would, and so does member1's presence in it
    # (two hours on patrol rather than the seconds this journey took)
    starts, ends = utcnow() - timedelta(hours=2), utcnow() - timedelta(minutes=1)
    db.session.execute(update(Activity).where(Activity.id == aid).values(starts_at=starts, ends_at=ends))
    db.session.execute(update(Attendance).where(Attendance.activity_id == aid).values(
        check_in_at=starts, check_out_at=ends, minutes=119))
    db.session.commit()
    member1 = db.session.scalar(select(User).where(User.username == "member1"))
    points_before = balance_of(member1.id)
    login(page, "staff1")
    page.goto(f"/activities/{aid}")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="确认签到名单").click()
    page.get_by_text("名单已确认").first.wait_for()
    no_sideways_scroll(page)
    shoot(page, "activities-6-attested-phone")
    db.session.expire_all()
    assert db.session.scalar(select(Activity.attested_at).where(Activity.id == aid)) is not None
    assert db.session.scalar(select(Attendance.id).where(Attendance.activity_id == aid)) is not None

    # hours count once attested: member1 sees the points for the patrol, and the board
    db.session.expire_all()
    earned = balance_of(member1.id) - points_before
    assert earned > 0
    logout(page)
    login(page, "member1")
    page.goto("/points/")
    expect(page.locator("#balance strong")).to_have_text(str(points_before + earned))
    no_sideways_scroll(page)
    shoot(page, "activities-7-member-points-phone")
    page.goto("/points/board")
    no_sideways_scroll(page)
    shoot(page, "activities-8-board-phone")
