"""A street administrator, who looks after more micro-grids than one list shows, files a quick report on a phone:
the place is chosen in the street → community → grid → micro-grid cascade (htmx reloads the next list)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.issues import queries as q
from app.issues.models import Issue
from tests.browser.conftest import login
from tests.issues.test_long_lists import _micro_grids

pytestmark = pytest.mark.browser


def test_a_street_files_a_quick_report_through_the_cascade(phone, shoot, city):
    from app.issues import services as s

    s.ensure_default_categories()
    last = _micro_grids(city.comm_a, q.QUICK_CHOICE_MAX + 1)[-1]
    db.session.commit()
    page = phone.new_page()
    login(page, "street_a")
    page.goto("/issues/quick")
    expect(page.locator("#area_id")).to_have_count(0)
    page.select_option("#picker-street", str(city.street_a.id))
    expect(page.locator("#picker-community")).to_be_enabled()
    page.select_option("#picker-community", str(city.comm_a.id))
    expect(page.locator("#picker-grid")).to_be_enabled()
    page.select_option("#picker-grid", str(last.parent_id))
    expect(page.locator("#picker-microgrid")).to_be_enabled()
    page.select_option("#picker-microgrid", str(last.id))
    shoot(page, "quick-report-cascade")
    page.locator(".cat-grid button").first.click()
    expect(page.locator("#issue-detail")).to_be_visible()
    db.session.expire_all()
    issue = db.session.scalar(select(Issue).order_by(Issue.id.desc()))
    assert (issue.area_id, issue.channel) == (last.id, "sentinel")
