"""Community staff fill a micro-grid's "1+1+3" team and add a grid; a street admin adds an organisation and pairs it
— on a 360 px phone, in real Chromium."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_staff_fill_a_micro_grid_team_on_a_phone(phone, shoot, city):
    page = phone.new_page()
    login(page, "staff_a")
    page.goto(f"/areas/{city.micro_a1.id}")
    expect(page.get_by_text("1+1+3 未配齐").first).to_be_visible()
    shoot(page, "area-admin-microgrid-empty-phone")
    for post, name in [("backbone", "王书记"), ("liaison", "李联络"), ("volunteer", "张一"), ("volunteer", "张二")]:
        page.select_option("select[name='staff-post']", post)
        page.fill("input[name='staff-name']", name)
        page.click("#staffing-form button")
        page.wait_for_load_state()
        expect(page.get_by_text(f"已将{name}添加为")).to_be_visible()
    # a resident of the community linked by their username; the name comes from the account
    page.select_option("select[name='staff-post']", "volunteer")
    page.fill("input[name='staff-account']", "resident_a")
    page.click("#staffing-form button")
    page.wait_for_load_state()
    expect(page.get_by_text("1+1+3 已配齐").first).to_be_visible()
    expect(page.get_by_text("王小明").first).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, "area-admin-microgrid-complete-phone")

    # with a full team the form folds away; a refusal is shown by the field, nothing changes
    expect(page.locator("select[name='staff-post']")).to_be_hidden()
    page.click("#staffing details summary")
    page.select_option("select[name='staff-post']", "liaison")
    page.fill("input[name='staff-name']", "多余的人")
    page.click("#staffing-form button")
    page.wait_for_load_state()
    expect(page.get_by_text("请先从该岗位移除一人")).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, "area-admin-microgrid-refused-phone")

    page.goto(f"/areas/{city.grid_a.id}")
    page.click("#add-child summary")
    page.fill("input[name='child-name']", "三组")
    page.click("#add-child button")
    page.wait_for_load_state()
    expect(page.get_by_text("已添加三组。")).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, "area-admin-grid-phone")


def test_street_admin_adds_an_organisation_and_pairs_it(phone, shoot, city):
    page = phone.new_page()
    login(page, "street_a")
    page.goto(f"/areas/{city.street_a.id}")
    page.click("a[href='/organisations/']")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "组织"
    page.click("a[href='/organisations/new']")
    page.fill("input[name=name]", "街道综治办机关党支部")
    page.select_option("select[name=kind]", "agency")
    page.fill("input[name=contact_name]", "孙敏")
    page.fill("input[name=contact_phone]", "13912345678")
    page.click("form button.btn-block")
    page.wait_for_load_state()
    expect(page.get_by_text("已添加街道综治办机关党支部。")).to_be_visible()
    page.select_option("select[name=community_id]", label="Street A · Community A2")
    page.click("#pairings form button")
    page.wait_for_load_state()
    expect(page.get_by_text("已与Community A2结对")).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, "organisation-page-phone")

    page.goto("/organisations/")
    no_sideways_scroll(page)
    shoot(page, "organisations-list-phone")

    page.goto(f"/areas/{city.comm_a2.id}")
    expect(page.locator("#pairings a", has_text="街道综治办机关党支部")).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, "area-admin-community-pairings-phone")
