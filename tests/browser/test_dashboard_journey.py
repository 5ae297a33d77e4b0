"""The dashboard on the demo city, in a real browser: 周明 (street1) opens 南门街道's dashboard on a desktop and on a
360×740 phone, drills into 梧桐社区, goes back up by the breadcrumb and downloads the spreadsheet; a visitor who is
not signed in opens the public figures."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from app.extensions import db
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_city(app):
    from app.cli import load_domain_modules
    from app.demo import seed

    load_domain_modules("demo")
    seed()
    db.session.commit()


def no_sideways_scroll(page, width=360) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _journey(page, shoot, name, phone: bool) -> None:
    login(page, "street1")
    page.goto("/")
    page.click("a[href='/dashboard/']")
    page.wait_for_url("**/dashboard/*")
    assert "南门街道" in page.locator("h1").inner_text()
    assert page.locator("#sec-issues").is_visible() and page.locator("#sec-wishes").is_visible()
    assert page.locator("#trend svg").count() == 1 and page.locator("#trend table").count() == 1
    if phone:
        no_sideways_scroll(page)
    shoot(page, f"dashboard-street-{name}")
    page.click("a.db-drill:has-text('梧桐社区')")
    page.wait_for_url("**/dashboard/*")
    assert "梧桐社区" in page.locator("h1").inner_text()
    assert page.locator("#index").is_visible()  # the community's evaluation index and rank
    if phone:
        no_sideways_scroll(page)
    shoot(page, f"dashboard-community-{name}")
    with page.expect_download() as info:
        page.click("a[href*='export.xlsx']")
    download = info.value
    data = open(download.path(), "rb").read()
    wb = load_workbook(io.BytesIO(data))
    assert wb.worksheets[0].max_row > 10
    page.click("nav.db-crumbs a:has-text('南门街道')")
    page.wait_for_url("**/dashboard/*")
    assert "南门街道" in page.locator("h1").inner_text()
    page.click("a[href*='/ranking']")
    page.wait_for_url("**/ranking*")
    assert page.locator("#ranking tbody tr").count() == 2
    shoot(page, f"dashboard-ranking-{name}")


def test_street_admin_on_a_desktop(demo_city, desktop, shoot):
    _journey(desktop.new_page(), shoot, "desktop", phone=False)


def test_street_admin_on_a_phone(demo_city, phone, shoot):
    _journey(phone.new_page(), shoot, "phone", phone=True)


def test_a_visitor_opens_the_public_figures(demo_city, phone, shoot):
    page = phone.new_page()
    page.goto("/")
    page.click("a[href='/figures/']")
    page.wait_for_url("**/figures/")
    assert "南门街道" in page.locator("#figures").inner_text()
    no_sideways_scroll(page)
    shoot(page, "figures-city-phone")
    page.click("#figures a:has-text('南门街道')")
    page.wait_for_url("**/figures/*")
    assert "梧桐社区" in page.locator("#figures").inner_text()
    for name in ("王秀英", "陈静", "周明"):
        assert name not in page.content()
    shoot(page, "figures-street-phone")
