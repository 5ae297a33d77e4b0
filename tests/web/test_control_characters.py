"""NUL and other C0 control characters in any query value, form value or name are refused for the whole app before a
view runs (PostgreSQL cannot store NUL: it used to be a 500): a 400 with the translated error page (the fragment for
htmx), nothing changed. Tab, newline and carriage return are ordinary text. Run on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db

MESSAGE = "The text contains characters that cannot be saved. Please remove them and try again."
BAD = ["bad\x00byte", "bell\x07", "esc\x1b[0m", "\x0bvertical tab", "form\x0cfeed"]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def refused(r) -> None:
    assert r.status_code == 400, (r.status_code, r.get_data(as_text=True)[:300])
    assert MESSAGE in r.get_data(as_text=True)


@pytest.fixture
def issue(city):
    from app.issues import services as s

    s.ensure_default_categories()
    made = s.report_issue(reporter=city.resident_a, category=s.category_by_code("street_light"),
                          description="Lamp out", area=city.micro_a1)
    db.session.commit()
    return made


@pytest.mark.parametrize("text", BAD)
def test_issue_forms_with_control_characters_change_nothing(make_client, city, issue, text):
    from app.issues.models import Issue
    from app.timeline.models import TimelineEntry

    resident = make_client()
    resident.login("resident_a")
    issues, entries = count(Issue), count(TimelineEntry)
    refused(resident.post("/issues/new", {"category": "street_light", "description": text, "place": "home"}))
    refused(resident.post("/issues/new", {"category": "street_light", "description": "Lamp", "place": "home",
                                          "address": text}))
    # a control character in a field's name is refused too
    refused(resident.post("/issues/new", {"category": "street_light", "description": "Lamp", "place": "home",
                                          "x" + text: "1"}))
    staff = make_client()
    staff.login("staff_a")
    refused(staff.post(f"/issues/{issue.id}/note", {"note": text, "public": "y"}))
    refused(staff.post(f"/issues/{issue.id}/reject", {"reason": text}))
    refused(staff.post(f"/issues/{issue.id}/accept", {"note": text}))
    frag = staff.htmx_post(f"/issues/{issue.id}/reject", {"reason": text})
    refused(frag)
    assert "<html" not in frag.get_data(as_text=True)
    assert count(Issue) == issues and count(TimelineEntry) == entries
    assert db.session.get(Issue, issue.id).state == "reported"


def test_issue_query_values_with_control_characters(make_client, city, issue):
    staff = make_client()
    staff.login("staff_a")
    for url in ("/issues/new?category=%00", "/issues/?view=area&category=x%00", "/issues/?view=area&state=%01",
                "/issues/similar?category=street_light&place=pick&area_id=1%00", "/issues/?view=queue&after=%00",
                f"/issues/{issue.id}?x%00=1", "/areas/picker?street=%00"):
        refused(staff.get(url))
        frag = staff.htmx_get(url)
        refused(frag)
        assert "<html" not in frag.get_data(as_text=True), url


def test_wish_forms_and_queries_with_control_characters(make_client, city):
    from app.timeutil import local_today
    from app.wishes.models import Wish

    staff = make_client()
    staff.login("staff_a")
    wishes = count(Wish)
    form = {"category": "study", "title": "Lamp", "description": "A lamp", "value": "10",
            "wanted_by": (local_today() + timedelta(days=5)).isoformat(), "subject_name": "黄奶奶",
            "area_id": str(city.micro_a1.id)}
    for name in ("title", "description", "subject_name"):
        refused(staff.post("/wishes/new", {**form, name: "bad\x00byte"}))
    assert count(Wish) == wishes
    for url in ("/wishes/?category=%00", "/wishes/?community=1%00", "/wishes/new?x=%1f", "/wishes/mine?status=%00"):
        refused(staff.get(url))


def test_the_message_is_translated(make_client, city, issue):
    c = make_client()
    c.login("staff_a")
    r = c.get("/issues/new?category=%00", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert MESSAGE not in page and "无法保存" in page


def test_tab_newline_and_carriage_return_are_ordinary_text(make_client, city, issue):
    from app.issues.models import Issue

    c = make_client()
    c.login("resident_a")
    r = c.post("/issues/new", {"category": "street_light", "description": "Lamp out\r\n\tsince Monday",
                               "place": "home"})
    assert r.status_code == 303
    assert count(Issue) == 2
