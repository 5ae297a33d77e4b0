"""Points on a 360×740 phone, on the demo city: 李海燕 (member2) sees her points and 杏林社区's board, where three
people are level and ordered by who reached the total first; the city admin's rule edit with a fractional value is
refused where it was typed."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.areas.models import Area
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


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_member_sees_points_and_a_board_with_a_tie(demo_city, phone, shoot):
    community2 = db.session.scalar(select(Area).where(Area.code == "C-S2-C1"))
    page = phone.new_page()
    login(page, "member2")
    page.goto("/points/")
    assert page.locator("#balance strong").inner_text() == "20"
    assert "完成微心愿" in page.locator("#history").inner_text()
    no_sideways_scroll(page)
    shoot(page, "points-mine")
    page.goto(f"/points/board?scope=community&id={community2.id}")
    rows = page.locator("#board li.row")
    assert rows.count() == 3
    points = [rows.nth(i).locator("strong").inner_text() for i in range(3)]
    assert points == ["20", "20", "20"]
    assert [rows.nth(i).locator(".count").inner_text() for i in range(3)] == ["1", "2", "3"]
    no_sideways_scroll(page)
    shoot(page, "points-board-tie")
    page.click("text=支部")
    page.wait_for_url(re.compile(r".*of=branches.*"))
    assert page.locator("#board li.row").count() == 2
    shoot(page, "points-board-branches")
    logout(page)

    login(page, "admin")
    page.goto("/points/rules")
    first = page.locator("section.card").first
    first.locator("input[name=points]").fill("1.5")
    first.locator("button").click()
    page.wait_for_load_state()
    alert = page.locator("[role=alert]").first
    assert "小数" in alert.inner_text()
    no_sideways_scroll(page)
    shoot(page, "points-rules-refused")
