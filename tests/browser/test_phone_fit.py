"""On a 360×740 phone: long unbroken strings wrap, whole cards and small controls are 44 px tap targets, small text is
at least 14 px, a refused htmx action's message is scrolled into view and focused, and CSS/JS come from the cache."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser

LONG_URL = "https://example.com/" + "a1b2c3d4e5" * 18
DIGITS = "1" * 50


@pytest.fixture
def long_city(demo_city):
    """The demo city, with a URL of 200 characters and 50 digits in a published and a pending wish, an issue, and a
    notification; resident1's issue resolved (to be rated) and one accepted at leader1's micro-grid."""
    from app.accounts.models import User
    from app.areas.models import Area
    from app.issues import services as issues
    from app.notifications.models import Notification
    from app.wishes.models import Wish

    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(
        ["resident1", "leader1", "staff1"])))}
    published = db.session.scalars(select(Wish).where(Wish.state == "published").order_by(Wish.id)).first()
    pending = db.session.scalars(select(Wish).where(Wish.state == "pending").order_by(Wish.id)).first()
    assert published is not None and pending is not None
    for wish in (published, pending):
        wish.title = DIGITS
        wish.description = f"详情见 {LONG_URL} 谢谢"
    db.session.add(Notification(user_id=users["resident1"].id, event="wish.claimed", subject_type="wish",
                                subject_id=published.id, params={"title": DIGITS, "by": LONG_URL}))
    micro = db.session.scalar(select(Area).where(Area.code == "C-S1-C1-G1-M1"))  # leader1's micro-grid
    category = next(c for c in issues.active_categories() if not c.requires_mediation)
    long_text = f"路灯不亮 {LONG_URL} 编号{DIGITS}\n" + "\n".join(f"第{i}行：情况说明。" for i in range(30))
    rated = issues.report_issue(reporter=users["resident1"], category=category, description=long_text, area=micro)
    issues.accept(rated, users["leader1"])
    issues.resolve(rated, users["leader1"], f"已修复 {LONG_URL}")
    open_issue = issues.report_issue(reporter=users["resident1"], category=category, description=long_text,
                                     area=micro)
    issues.accept(open_issue, users["leader1"])
    db.session.commit()
    return {"wish": published.id, "pending": pending.id, "rated": rated.id, "open": open_issue.id}


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide"


def height(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["height"]


def font_px(locator) -> float:
    return float(locator.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))


def test_long_strings_wrap_and_targets_are_big_enough(phone, shoot, long_city):
    page = phone.new_page()
    login(page, "resident1")
    for name, url in [("wish", f"/wishes/{long_city['wish']}"), ("wall", "/wishes/"),
                      ("issue-list", "/issues/"), ("issue", f"/issues/{long_city['rated']}"),
                      ("notifications", "/notifications/")]:
        page.goto(url)
        fits(page)
        shoot(page, f"fit-resident-{name}")

    # the back link above a page, the rating choices: 44 px; badges and the bottom bar's labels: 14 px
    page.goto(f"/issues/{long_city['rated']}")
    assert height(page.locator("#toasts + p.small > a")) >= 44
    choices = page.locator("#rate .field.check label")
    assert choices.count() >= 2
    for i in range(choices.count()):
        assert height(choices.nth(i)) >= 44
    choices.nth(0).click()  # the label's whole height chooses
    assert page.locator("#rate input[type=radio]").nth(0).is_checked()
    assert font_px(page.locator(".badge").first) >= 14
    for i in range(page.locator(".bottomnav a").count()):
        assert font_px(page.locator(".bottomnav a").nth(i)) >= 14

    # a wish card is tapped anywhere, not only on its title
    page.goto("/wishes/")
    card = page.locator(f"#wish-{long_city['wish']}")
    card.locator(".meta").scroll_into_view_if_needed()
    meta = card.locator(".meta").bounding_box()  # in the viewport's coordinates
    page.mouse.click(meta["x"] + 4, meta["y"] + meta["height"] / 2)
    page.wait_for_url(f"**/wishes/{long_city['wish']}")
    logout(page)

    login(page, "staff1")
    for name, url in [("review", "/wishes/review"), ("queue", "/issues/?view=queue"), ("issues", "/issues/"),
                      ("notifications", "/notifications/")]:
        page.goto(url)
        fits(page)
        shoot(page, f"fit-staff-{name}")
    page.goto("/issues/?view=queue")
    item = page.locator(".issue-item").first
    href = item.locator("a.title").get_attribute("href")
    item.scroll_into_view_if_needed()
    box = item.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 8, box["y"] + box["height"] - 8)  # the card's bottom corner
    page.wait_for_url(f"**{href}")


def test_a_refused_htmx_action_shows_its_message_in_view(phone, shoot, long_city):
    page = phone.new_page()
    login(page, "leader1")
    page.goto(f"/issues/{long_city['open']}")
    summary = page.locator("details:has(form[action$='/resolve']) summary")
    summary.scroll_into_view_if_needed()
    if page.locator("form[action$='/resolve']").is_hidden():
        summary.click()
    form = page.locator("form[action$='/resolve']")
    form.locator("textarea[name=note]").fill("")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    form.locator("button").last.click()
    message = page.locator("#issue-detail form[action$='/resolve'] [role=alert]").first
    expect(message).to_be_visible()
    expect(message).to_be_focused()
    expect(message).to_be_in_viewport()
    shoot(page, "fit-refused-resolve")


def test_versioned_css_and_js_come_from_the_cache(app, phone, long_city, monkeypatch):
    """After the first page, app.css and app.js are taken from the browser's cache: the server is not asked again."""
    asked: list[str] = []
    inner = app.wsgi_app

    def counting(environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/static/app."):
            asked.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    monkeypatch.setattr(app, "wsgi_app", counting)
    page = phone.new_page()
    login(page, "resident1")
    page.goto("/wishes/")
    first = len(asked)
    assert first >= 2, asked
    for url in ("/issues/", "/me", "/wishes/"):
        page.goto(url)
    page.click(".bottomnav a[href='/issues/']")
    page.wait_for_url("**/issues/")
    assert len(asked) == first, asked[first:]
