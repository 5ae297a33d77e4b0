"""A co-building project on a 360×740 phone, on the demo city: agency1 offers a resource, staff1 proposes a need and
matches them into a project, agency1 agrees, reports both parts at 100 % and marks it done, staff1 evaluates; the
spreadsheet downloads."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.timeutil import local_today
from tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _propose(page, pairing_id, kind, title):
    page.goto(f"/cobuild/pairings/{pairing_id}/new?kind={kind}")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=description]", "每周两次")
    page.fill("input[name=target_date]", f"{local_today().year}-12-20")
    page.click("#cobuild-form button.btn-block")
    page.wait_for_url("**/cobuild/items/*")


def test_cobuild_journey_on_a_phone(phone, shoot, demo_city):
    from app.cobuild.models import ChecklistItem
    from app.organisations.models import Pairing

    pairing_id = db.session.scalar(select(Pairing.id).join(ChecklistItem, ChecklistItem.pairing_id == Pairing.id)
                                   .limit(1))
    page = phone.new_page()
    login(page, "agency1")
    page.goto("/cobuild/")
    no_sideways_scroll(page)
    shoot(page, "cobuild-1-index-phone")
    _propose(page, pairing_id, "resource", "党员理发志愿队")
    logout(page)

    login(page, "staff1")
    _propose(page, pairing_id, "need", "老人上门理发")
    page.goto(f"/cobuild/pairings/{pairing_id}/match")
    page.get_by_label("需求 · 老人上门理发").check()
    page.get_by_label("资源 · 党员理发志愿队").check()
    page.fill("input[name=title]", "银发理发日")
    page.fill("input[name=target_date]", f"{local_today().year}-12-20")
    no_sideways_scroll(page)
    shoot(page, "cobuild-2-match-phone")
    page.click("#cobuild-form button.btn-block")
    page.wait_for_url("**/cobuild/items/*")
    project_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_text("待双方确认").first).to_be_visible()
    logout(page)

    login(page, "agency1")
    page.goto(f"/cobuild/items/{project_id}")
    page.get_by_role("button", name="代表我方确认").click()
    page.get_by_text("双方均已确认").first.wait_for()
    shoot(page, "cobuild-3-agreed-phone")
    for title in ("老人上门理发", "党员理发志愿队"):
        item_id = db.session.scalar(select(ChecklistItem.id).where(ChecklistItem.title == title))
        page.goto(f"/cobuild/items/{item_id}")
        page.fill("input[name=progress-percent]", "100")
        page.fill("textarea[name=progress-note]", "已为 12 位老人上门理发")
        page.click("#progress button")
        page.wait_for_url(f"**/cobuild/items/{item_id}")
    page.goto(f"/cobuild/items/{project_id}")
    assert page.locator("progress").first.get_attribute("value") == "100"
    page.fill("textarea[name=done-note]", "12 位老人理发完成")
    page.click("#done button")
    page.get_by_text("12 位老人理发完成").first.wait_for()
    logout(page)

    login(page, "staff1")
    page.goto(f"/cobuild/items/{project_id}")
    page.locator("#evaluate input[value='5']").check()
    page.fill("textarea[name=evaluate-comment]", "老人们很满意")
    no_sideways_scroll(page)
    page.click("#evaluate button")
    page.get_by_text("已评价").first.wait_for()
    shoot(page, "cobuild-4-evaluated-phone")
    db.session.expire_all()
    assert db.session.get(ChecklistItem, project_id).rating == 5

    page.goto(f"/cobuild/pairings/{pairing_id}?list=project")
    no_sideways_scroll(page)
    shoot(page, "cobuild-5-projects-phone")
    with page.expect_download() as download:
        page.get_by_text("下载清单（.xlsx）").click()
    wb = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert "银发理发日" in [c.value for c in wb["项目清单"]["E"]]


def _small_targets(page) -> list[str]:
    """Links and buttons in the page's content smaller than 44 px high (a finger's tap)."""
    return page.evaluate("""() => [...document.querySelectorAll('main a, main button, main summary, main select')]
        .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44
                && !e.closest('p, dd, li.timeline-entry, ol.timeline'))
        .map(e => e.outerHTML.slice(0, 120))""")


def _walk(page, shoot, who: str, size: str, pairing_id: int) -> list:
    from app.cobuild.models import ChecklistItem

    items = db.session.scalars(select(ChecklistItem.id).where(ChecklistItem.pairing_id == pairing_id)
                               .order_by(ChecklistItem.id)).all()
    urls = {"index": "/cobuild/", "open": "/cobuild/open", "needs": f"/cobuild/pairings/{pairing_id}",
            "projects": f"/cobuild/pairings/{pairing_id}?list=project",
            "new": f"/cobuild/pairings/{pairing_id}/new?kind=resource",
            "match": f"/cobuild/pairings/{pairing_id}/match", "item": f"/cobuild/items/{items[0]}",
            "key": "/cobuild/key-projects"}
    small = []
    for name, url in urls.items():
        response = page.goto(url)
        assert response.status == 200, (who, url)
        if size == "phone":
            no_sideways_scroll(page)
            small += [(who, url, t) for t in _small_targets(page)]
        shoot(page, f"cobuild-{who}-{name}-{size}")
    # every link on the pages leads somewhere this person may go
    for name in ("index", "open", "needs"):
        page.goto(urls[name])
        hrefs = set(page.eval_on_selector_all("main a[href^='/cobuild']",
                                              "els => els.map(e => e.getAttribute('href'))"))
        for href in sorted(hrefs):
            assert page.request.get(href).status == 200, (who, name, href)
    return small


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_page_as_each_side(request, size, shoot, demo_city):
    from app.cobuild.models import ChecklistItem
    from app.organisations.models import Pairing

    context = request.getfixturevalue(size)
    pairing_id = db.session.scalar(select(Pairing.id).join(ChecklistItem, ChecklistItem.pairing_id == Pairing.id)
                                   .limit(1))
    page = context.new_page()
    page.goto("/cobuild/key-projects")
    if size == "phone":
        no_sideways_scroll(page)
    shoot(page, f"cobuild-visitor-key-{size}")
    small = []
    for who in ("agency1", "staff1"):
        login(page, who)
        small += _walk(page, shoot, who, size, pairing_id)
        logout(page)
    assert small == [], "\n".join(map(str, small))
