"""Reporting through HTTP: the web form, 代录 by a leader, the sentinel quick report, duplicates and +1, bad input."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.issues.models import Issue, IssueSupporter
from app.timeline.models import TimelineEntry
from app.uploads.models import Upload
from tests.issues.conftest import refused


def count(model=Issue) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def only_issue() -> Issue:
    return db.session.scalars(select(Issue)).one()


def test_resident_reports_at_home_with_photos(client, city, cats, jpeg):
    client.login("resident_a")
    r = client.get("/issues/new")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Street light" in page and "Micro A1" in page
    r = client.post("/issues/new", {"category": "street_light", "description": "Lamp out at gate 3",
                                     "place": "home", "address": "Gate 3", "lat": "31.9", "lon": "120.28",
                                     "anonymous": "y", "photos": [jpeg("a.jpg"), jpeg("b.jpg")]},
                    content_type="multipart/form-data")
    assert r.status_code == 303
    issue = only_issue()
    assert r.headers["Location"].endswith(f"/issues/{issue.id}")
    assert (issue.state, issue.level, issue.area_id, issue.handler_area_id) == (
        "reported", "microgrid", city.micro_a1.id, city.micro_a1.id)
    assert issue.channel == "web" and issue.anonymous and issue.reporter_id == city.resident_a.id
    assert (issue.lat, issue.lon) == (31.9, 120.28)
    assert issue.accept_due_at and issue.resolve_due_at and issue.due_at == issue.accept_due_at
    assert count(Upload) == 2
    entry = db.session.scalars(select(TimelineEntry)).one()
    assert (entry.action, entry.to_state, entry.public) == ("reported", "reported", True)
    # the public sees the issue without the reporter's name
    client.logout()
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "Lamp out at gate 3" in page and "王" not in page and "Anonymous" in page


def test_picked_place_and_category_default_level(client, city, cats):
    client.login("resident_a")
    r = client.post("/issues/new", {"category": "facilities", "description": "Broken bench", "place": "pick",
                                     "street": city.street_a.id, "community": city.comm_a.id,
                                     "grid": city.grid_a.id, "area_id": city.micro_a2.id})
    assert r.status_code == 303
    issue = only_issue()
    # public facilities start at grid level
    assert (issue.area_id, issue.level, issue.handler_area_id) == (city.micro_a2.id, "grid", city.grid_a.id)
    # safety hazards go to the micro-grid leader first, to be accepted within one hour
    r = client.post("/issues/new", {"category": "safety_hazard", "description": "Open manhole", "place": "home"})
    hazard = db.session.scalars(select(Issue).where(Issue.category.has(code="safety_hazard"))).one()
    assert (hazard.level, hazard.handler_area_id) == ("microgrid", city.micro_a1.id)
    assert round((hazard.accept_due_at - hazard.created_at).total_seconds()) == 3600


def test_bad_input_changes_nothing(client, city, cats):
    client.login("resident_a")
    cases = [
        ({"description": "no category", "place": "home"}, "Choose what kind of problem it is."),
        ({"category": "noise", "description": "no place", "place": "pick"}, "Choose where the problem is."),
        ({"category": "noise", "description": "elsewhere", "place": "pick", "area_id": city.micro_b1.id},
         "You can report problems in your own community"),
        ({"category": "noise", "description": "x" * 10_000, "place": "home"}, "Please keep it to 2000 characters."),
        ({"category": "noise", "description": "   ", "place": "home"}, "Describe the problem in a few words."),
        ({"category": "nonsense", "description": "bad code", "place": "home"}, "Choose what kind of problem it is."),
        ({"category": "noise", "description": "bad lat", "place": "home", "lat": "abc", "lon": "1"},
         "The position is not valid."),
        ({"category": "noise", "description": "far lat", "place": "home", "lat": "95", "lon": "1"},
         "The position is not valid."),
    ]
    for data, message in cases:
        r = client.post("/issues/new", data)
        assert r.status_code == 200, data
        assert message in r.get_data(as_text=True), (data, message)
    assert count() == 0


def test_every_problem_of_the_report_form_is_shown_at_once(client, city, cats):
    client.login("resident_a")
    r = client.post("/issues/new", {"description": "  ", "place": "pick"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and count() == 0
    for message in ("Choose what kind of problem it is.", "Choose where the problem is.",
                    "Describe the problem in a few words."):
        assert message in html, message


def test_bad_photo_and_too_many_photos(client, city, cats, jpeg):
    import io

    client.login("resident_a")
    r = client.post("/issues/new", {"category": "noise", "description": "d", "place": "home",
                                     "photos": [(io.BytesIO(b"not an image"), "x.jpg")]},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and "Only JPEG, PNG or WebP" in r.get_data(as_text=True)
    r = client.post("/issues/new", {"category": "noise", "description": "d", "place": "home",
                                     "photos": [jpeg(), jpeg(), jpeg(), jpeg()]}, content_type="multipart/form-data")
    assert r.status_code == 200 and "At most 3 photos." in r.get_data(as_text=True)
    assert count() == 0 and count(Upload) == 0


def test_html_in_description_is_escaped(client, city, cats):
    client.login("resident_a")
    r = client.post("/issues/new", {"category": "noise", "description": "<script>alert(1)</script><b>loud</b>",
                                     "place": "home"})
    assert r.status_code == 303
    issue = only_issue()
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>loud</b>" not in page


def test_not_signed_in_or_without_place_cannot_report(client, city, cats):
    r = client.get("/issues/new")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    client.login("agency_a")  # no home, no area role
    assert client.get("/issues/new").status_code == 403


def test_leader_records_for_registered_resident(client, city, cats):
    client.login("leader_a1")
    page = client.get("/issues/new").get_data(as_text=True)
    assert "Recording for a resident" in page
    r = client.post("/issues/new", {"category": "facilities", "description": "Handrail loose", "place": "pick",
                                     "area_id": city.micro_a1.id, "channel": "visit",
                                     "resident_mobile": city.resident_a.mobile})
    assert r.status_code == 303
    issue = only_issue()
    assert (issue.channel, issue.reporter_id, issue.on_behalf_of_id) == ("visit", city.leader_a1.id,
                                                                       city.resident_a.id)
    entry = db.session.scalars(select(TimelineEntry)).one()
    assert entry.action == "recorded" and entry.on_behalf_of_id == city.resident_a.id
    # the resident sees it in their own list
    client.logout()
    client.login("resident_a")
    assert "Handrail loose" in client.get("/issues/?view=mine").get_data(as_text=True)


def test_leader_records_for_resident_without_account(client, city, cats):
    client.login("leader_a1")
    r = client.post("/issues/new", {"category": "noise", "description": "Dogs", "place": "pick",
                                     "area_id": city.micro_a1.id, "channel": "phone"})
    assert r.status_code == 200 and "Name the resident" in r.get_data(as_text=True)
    r = client.post("/issues/new", {"category": "noise", "description": "Dogs", "place": "pick",
                                     "area_id": city.micro_a1.id, "channel": "phone", "resident_mobile": "13999999999"})
    assert r.status_code == 200 and NOT_FOUND in r.get_data(as_text=True)
    r = client.post("/issues/new", {"category": "noise", "description": "Dogs", "place": "pick",
                                     "area_id": city.micro_a1.id, "channel": "wechat", "resident_name": "Grandma Liu",
                                     "resident_phone": "0510-1234567"})
    assert r.status_code == 303
    issue = only_issue()
    assert (issue.channel, issue.on_behalf_of_id, issue.reporter_name) == ("wechat", None, "Grandma Liu")


NOT_FOUND = "No resident with that mobile number lives in the areas you look after"


def test_recording_finds_only_residents_in_the_recorders_area(client, city, cats):
    """代录 by mobile: a resident elsewhere in the city gets the same answer as an unknown number (no account
    lookup across the city)."""
    city.resident_a.mobile = "13900000001"
    city.resident_b.mobile = "13900000002"
    db.session.commit()
    client.login("leader_a1")
    form = {"category": "noise", "description": "Dogs", "place": "pick", "area_id": city.micro_a1.id,
            "channel": "phone"}
    unknown = client.post("/issues/new", {**form, "resident_mobile": "13999999999"}).get_data(as_text=True)
    elsewhere = client.post("/issues/new", {**form, "resident_mobile": "13900000002"}).get_data(as_text=True)
    assert NOT_FOUND in unknown and NOT_FOUND in elsewhere
    assert count() == 0
    assert client.post("/issues/new", {**form, "resident_mobile": "13900000001"}).status_code == 303
    issue = only_issue()
    assert (issue.on_behalf_of_id, issue.resident_id) == (city.resident_a.id, city.resident_a.id)


def test_resident_cannot_choose_a_recorded_channel(client, city, cats):
    client.login("resident_a")
    r = client.post("/issues/new", {"category": "noise", "description": "d", "place": "home", "channel": "visit",
                                     "resident_name": "Someone"})
    assert r.status_code == 303
    issue = only_issue()
    assert issue.channel == "web" and issue.reporter_name is None


def test_sentinel_quick_report(client, city, cats, jpeg):
    client.login("rider")
    page = client.get("/issues/quick").get_data(as_text=True)
    assert "Safety hazard" in page and "Micro A1" in page and "Micro B1" not in page
    r = client.post("/issues/quick", {"category": "safety_hazard", "area_id": city.micro_a3.id,
                                       "photo": jpeg()}, content_type="multipart/form-data")
    assert r.status_code == 303
    issue = only_issue()
    assert (issue.channel, issue.level, issue.area_id) == ("sentinel", "microgrid", city.micro_a3.id)
    assert issue.description == "Safety hazard" and count(Upload) == 1
    # the next quick report remembers the place
    assert f'value="{city.micro_a3.id}" selected' in client.get("/issues/quick").get_data(as_text=True)
    # outside the sentinel's street: refused, nothing filed
    r = client.post("/issues/quick", {"category": "noise", "area_id": city.micro_b1.id})
    assert r.status_code == 200 and "Choose where the problem is." in r.get_data(as_text=True)
    assert count() == 1


def test_quick_report_is_for_sentinels_and_handlers(client, city, cats):
    client.login("resident_a")
    assert client.get("/issues/quick").status_code == 403


def test_similar_suggestions_and_me_too(client, city, file_issue):
    existing = file_issue(city.resident_a, city.micro_a1, "street_light")
    other = file_issue(city.resident_b, city.micro_b1, "street_light")
    client.login("resident_a2")  # lives in micro A2, same grid
    r = client.htmx_get("/issues/similar?category=street_light&place=home")
    body = r.get_data(as_text=True)
    assert f"#{existing.id}" in body and f"#{other.id}" not in body and "Me too (+1)" in body
    # without JavaScript: "check for similar reports" re-renders the form with the list
    r = client.post("/issues/new", {"category": "street_light", "place": "home", "action": "check"})
    assert r.status_code == 200 and f"#{existing.id}" in r.get_data(as_text=True) and count() == 2
    r = client.post(f"/issues/{existing.id}/support")
    assert r.status_code == 303
    r = refused(client, f"/issues/{existing.id}/support")  # twice: counted once
    assert "already" in r.get_data(as_text=True)
    db.session.refresh(existing)
    assert existing.supporters_count == 1 and count(IssueSupporter) == 1
    # the reporter cannot +1 their own report
    client.logout()
    client.login("resident_a")
    assert client.post(f"/issues/{existing.id}/support").status_code == 403


def test_report_page_in_chinese(client, city, cats):
    client.login("resident_a")
    page = client.get("/issues/new", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    for text in ("反映问题", "路灯照明", "安全隐患", "邻里纠纷", "提交反映", "对公众隐藏我的姓名"):
        assert text in page, text
    r = client.post("/issues/new", {"description": "没有类型", "place": "home"}, headers={"Accept-Language": "zh-CN"})
    assert "请选择问题类型。" in r.get_data(as_text=True)


def test_similar_is_never_offered_for_private_categories(client, city, file_issue):
    file_issue(city.resident_a, city.micro_a1, "neighbour_dispute", "Quarrel about the stairs")
    client.login("resident_a2")
    r = client.htmx_get("/issues/similar?category=neighbour_dispute&place=home")
    assert "Quarrel" not in r.get_data(as_text=True)


def test_position_helper_is_a_plain_static_script(client):
    r = client.get("/static/geo.js")
    assert r.status_code == 200 and "javascript" in r.mimetype
    body = r.get_data(as_text=True)
    assert "eval(" not in body and "new Function" not in body and "innerHTML" not in body
