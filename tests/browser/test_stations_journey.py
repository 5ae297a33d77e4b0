"""A party-and-people station on a 360×740 phone, in real Chromium on the demo city: resident1 books a time and asks
for help at the door; member1 (a party member who reported to the community) takes the request and marks it done;
resident1 confirms and rates it; staff1 opens the day sheet and its print view. Screenshots of each step."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser

NOTE = "想请人帮忙买一袋米和两斤鸡蛋，下午都在家。"


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.fixture
def demo_city(app):
    from app.cli import load_domain_modules
    from app.demo import seed

    load_domain_modules("demo")
    seed()
    db.session.commit()


def test_station_journey_on_a_phone(phone, desktop, shoot, demo_city):
    from app.stations.models import Booking, ServiceRequest, Station, StationService

    station = db.session.scalar(select(Station))
    helpit = db.session.scalar(select(StationService).where(StationService.kind == "home_help"))

    page = phone.new_page()
    login(page, "resident1")
    page.goto("/")
    page.click("a[href='/stations/']")
    page.wait_for_url("**/stations/")
    expect(page.locator(f"#station-{station.id}")).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, "stations-1-list-phone")
    page.click(f"#station-{station.id} a")
    page.wait_for_url(f"**/stations/{station.id}")
    no_sideways_scroll(page)
    shoot(page, "stations-2-station-phone")

    # book the first free time that resident1 has not booked yet
    form = page.locator("form[action$='/book']").first
    slot_id = int(form.get_attribute("action").split("/")[-2])
    form.locator("button").click()
    page.wait_for_url(f"**/stations/{station.id}")
    expect(page.locator(".toast")).to_contain_text("预约成功")
    expect(page.locator(f"#slot-{slot_id}")).to_contain_text("您已预约")
    db.session.expire_all()
    booking = db.session.scalar(select(Booking).where(Booking.slot_id == slot_id, Booking.status == "booked"))
    assert booking is not None and booking.person.username == "resident1"

    # ask for help at the door
    page.click(f"a[href='/stations/services/{helpit.id}/request']")
    page.wait_for_url(f"**/stations/services/{helpit.id}/request")
    page.fill("textarea[name=note]", NOTE)
    no_sideways_scroll(page)
    shoot(page, "stations-3-request-form-phone")
    page.click(f"form[action='/stations/services/{helpit.id}/request'] button")
    page.wait_for_url("**/stations/requests/*")
    expect(page.locator("#request-detail")).to_contain_text(NOTE)
    rid = int(page.url.rstrip("/").split("/")[-1])
    shoot(page, "stations-4-request-sent-phone")
    logout(page)

    # member1 sees it in the station's queue, takes it and marks it done
    login(page, "member1")
    page.goto(f"/stations/{station.id}/queue")
    expect(page.locator(f"#request-{rid}")).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, "stations-5-queue-phone")
    page.click(f"#request-{rid} a")
    page.wait_for_url(f"**/stations/requests/{rid}")
    page.click(f"form[action='/stations/requests/{rid}/take'] button")
    expect(page.locator(f"form[action='/stations/requests/{rid}/done']")).to_be_visible()
    page.fill("textarea[name='done-note']", "米和鸡蛋已送到家门口，王阿姨已收到。")
    page.click(f"form[action='/stations/requests/{rid}/done'] button")
    expect(page.locator("#request-detail")).to_contain_text("米和鸡蛋已送到家门口")
    no_sideways_scroll(page)
    shoot(page, "stations-6-done-phone")
    logout(page)

    # resident1 confirms and rates
    login(page, "resident1")
    page.goto("/")
    expect(page.locator("main")).to_contain_text("请确认并评价")
    page.goto(f"/stations/requests/{rid}")
    page.check("input[name='confirm-rating'][value='satisfied']")
    page.fill("textarea[name='confirm-comment']", "很及时，谢谢！")
    shoot(page, "stations-7-confirm-phone")
    page.click(f"form[action='/stations/requests/{rid}/confirm'] button")
    expect(page.locator("#request-detail")).to_contain_text("很及时，谢谢！")
    db.session.expire_all()
    req = db.session.get(ServiceRequest, rid)
    assert req.state == "confirmed" and req.rating == "satisfied" and req.taker.username == "member1"
    shoot(page, "stations-8-confirmed-phone")
    logout(page)

    # staff1 reads the day sheet and its print view
    day = booking.starts_at
    from app.timeutil import to_local

    date = to_local(day).date().isoformat()
    login(page, "staff1")
    page.goto(f"/stations/{station.id}")
    page.click(f"a[href='/stations/{station.id}/day']")
    page.goto(f"/stations/{station.id}/day?date={date}")
    expect(page.locator(f"#booking-{booking.id}")).to_contain_text("王秀英")
    no_sideways_scroll(page)
    shoot(page, "stations-9-day-sheet-phone")
    page.click(f"a[href='/stations/{station.id}/day?date={date}&print=1']")
    expect(page.locator("table")).to_contain_text("王秀英")
    shoot(page, "stations-10-day-print-phone")

    wide = desktop.new_page()
    login(wide, "staff1")
    wide.goto(f"/stations/{station.id}")
    shoot(wide, "stations-11-station-desktop")
    wide.goto(f"/stations/{station.id}/day?date={date}&print=1")
    shoot(wide, "stations-12-day-print-desktop")
    wide.goto(f"/stations/{station.id}/queue?state=done")
    shoot(wide, "stations-13-queue-desktop")
