"""Posting a wish: a resident for themself, staff / leaders on behalf of a resident; bad input changes nothing."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.timeline.models import TimelineEntry
from app.timeutil import local_today
from app.uploads.models import Upload
from app.wishes.models import Wish
from tests.factories import make_user
from tests.wishes.helpers import files_under, get_wish, jpeg_bytes, wish_count

NO_RESIDENT = "No resident with this username or mobile number in your area."
RESIDENT_ERROR_RE = re.compile(r'<p class="error" id="resident-error">([^<]*)</p>')


def form(**kw):
    data = {"category": "study", "title": "A desk lamp", "description": "My grandson needs a lamp for homework.",
            "value": "80", "wanted_by": (local_today() + timedelta(days=20)).isoformat(), "post_key": "key-0123456789"}
    data.update(kw)
    return data


def test_new_form_needs_login(client, city):
    r = client.get("/wishes/new")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


def test_resident_posts_a_wish(client, city):
    client.login("resident_a")
    page = client.get("/wishes/new").get_data(as_text=True)
    assert 'name="post_key"' in page and 'name="resident"' not in page  # no 代录 fields for a resident
    r = client.post("/wishes/new", form())
    assert r.status_code == 303
    wish = db_wish()
    assert wish.state == "pending" and wish.wisher_id == city.resident_a.id and not wish.on_behalf
    assert wish.community_id == city.comm_a.id and wish.street_id == city.street_a.id
    actions = [e.action for e in entry_list(wish)]
    assert actions == ["posted"]
    assert audit_actions(wish) == ["wish.posted"]
    assert r.headers["Location"].endswith(f"/wishes/{wish.id}")
    detail = client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert "A desk lamp" in detail and f"wishes/{wish.id}/withdraw" in detail


def db_wish() -> Wish:
    db.session.expire_all()
    return db.session.scalars(select(Wish).order_by(Wish.id.desc())).first()


def entry_list(wish):
    return list(db.session.scalars(select(TimelineEntry).where(TimelineEntry.subject_type == "wish",
                                                               TimelineEntry.subject_id == wish.id)
                                   .order_by(TimelineEntry.id)))


def audit_actions(wish):
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "wish",
                                                                   AuditEntry.subject_id == wish.id)
                                   .order_by(AuditEntry.id)))


@pytest.mark.parametrize("field,value,message", [
    ("value", "501", "at most ¥500"),
    ("value", "-5", "estimated value"),
    ("value", "lots", "as a number"),
    ("wanted_by", "2000-01-01", "in the past"),
    ("wanted_by", "not-a-date", "YYYY-MM-DD"),
    ("description", "", "Describe the wish"),
    ("description", "x" * 10_000, "at most 1000"),
    ("title", "", "short title"),
    ("category", "weapons", "category from the list"),
])
def test_bad_input_is_refused_with_a_clear_message(client, city, field, value, message):
    client.login("resident_a")
    r = client.post("/wishes/new", form(**{field: value}), headers={"Accept-Language": "en"})
    assert r.status_code == 200
    assert message in r.get_data(as_text=True)
    assert wish_count() == 0


def test_bad_input_message_in_chinese_by_default(client, city):
    client.login("resident_a")
    r = client.post("/wishes/new", form(value="900"), headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert r.status_code == 200
    assert "微心愿的价值不超过 ¥500" in r.get_data(as_text=True)
    assert wish_count() == 0


def test_value_cap_is_configurable(app, client, city, monkeypatch):
    monkeypatch.setitem(app.config, "WISH_VALUE_CAP", 1000)
    client.login("resident_a")
    assert client.post("/wishes/new", form(value="900")).status_code == 303


def test_photo_is_reencoded_without_metadata(app, client, city):
    client.login("resident_a")
    r = client.post("/wishes/new", form(photo=(io.BytesIO(jpeg_bytes(exif_gps=True)), "lamp.jpg")))
    assert r.status_code == 303
    wish = db_wish()
    assert wish.photo_id is not None
    upload = db.session.get(Upload, wish.photo_id)
    assert upload.subject_type == "wish" and upload.subject_id == wish.id
    path = app.config["UPLOAD_DIR"] + "/" + upload.relpath
    with Image.open(path) as img:
        assert not img.getexif()
    served = client.get(f"/uploads/{upload.token}.jpg")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"


def test_renamed_pdf_is_refused_and_leaves_no_file(app, client, city):
    before = files_under(app.config["UPLOAD_DIR"])
    client.login("resident_a")
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF"
    r = client.post("/wishes/new", form(photo=(io.BytesIO(pdf), "photo.jpg")), headers={"Accept-Language": "en"})
    assert r.status_code == 200
    assert "Only JPEG, PNG or WebP" in r.get_data(as_text=True)
    assert wish_count() == 0
    assert files_under(app.config["UPLOAD_DIR"]) == before


def test_a_request_over_the_whole_body_limit_gets_a_clear_413(app, client, city, monkeypatch):
    """A single 20 MB photo gets the form's own message (test_photos_post_form_and_contacts); a body over
    MAX_CONTENT_LENGTH (several huge files) is stopped before it is read, with a page that says what to do."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 8 * 1024 * 1024)
    before = files_under(app.config["UPLOAD_DIR"])
    client.login("resident_a")
    big = jpeg_bytes() + b"\0" * (9 * 1024 * 1024)
    r = client.post("/wishes/new", form(photo=(io.BytesIO(big), "big.jpg")), headers={"Accept-Language": "en"})
    assert r.status_code == 413
    assert "5 MB" in r.get_data(as_text=True)
    assert wish_count() == 0
    assert files_under(app.config["UPLOAD_DIR"]) == before


def test_6mb_image_is_refused_by_the_photo_check(app, client, city):
    before = files_under(app.config["UPLOAD_DIR"])
    client.login("resident_a")
    big = jpeg_bytes() + b"\0" * (6 * 1024 * 1024)
    r = client.post("/wishes/new", form(photo=(io.BytesIO(big), "big.jpg")), headers={"Accept-Language": "en"})
    assert r.status_code == 200 and "at most 5 MB" in r.get_data(as_text=True)
    assert wish_count() == 0 and files_under(app.config["UPLOAD_DIR"]) == before


def test_failure_after_storing_the_photo_leaves_no_orphan(app, client, city, monkeypatch):
    """A photo stored and then rolled back (the service fails later) is removed from disk."""
    from app.wishes import services

    def boom(*a, **kw):
        raise services.WishError("late failure")

    monkeypatch.setattr(services, "record", boom)
    before = files_under(app.config["UPLOAD_DIR"])
    client.login("resident_a")
    r = client.post("/wishes/new", form(photo=(io.BytesIO(jpeg_bytes()), "lamp.jpg")))
    assert r.status_code == 200 and "late failure" in r.get_data(as_text=True)
    assert wish_count() == 0
    # no stored upload is left; the checked photo waits (outside the uploads) for the form to come back
    kept = app.config["UPLOAD_DIR"] + "/kept"
    assert [f for f in files_under(app.config["UPLOAD_DIR"]) if not str(f).startswith(kept)] == [
        f for f in before if not str(f).startswith(kept)]


def test_double_submit_creates_one_wish(client, city):
    client.login("resident_a")
    first = client.post("/wishes/new", form(post_key="same-key-12345"))
    second = client.post("/wishes/new", form(post_key="same-key-12345"))
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert wish_count() == 1


def test_staff_records_a_wish_on_behalf_of_a_resident(client, city):
    client.login("staff_a")
    page = client.get("/wishes/new").get_data(as_text=True)
    assert 'name="resident"' in page
    r = client.post("/wishes/new", form(resident="resident_a"))
    assert r.status_code == 303
    wish = db_wish()
    assert wish.on_behalf and wish.wisher_id == city.resident_a.id and wish.author_id == city.staff_a.id
    entry = entry_list(wish)[0]
    assert entry.action == "posted_on_behalf" and entry.on_behalf_of_id == city.resident_a.id
    staff_view = client.get(f"/wishes/{wish.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "on behalf of the resident" in staff_view
    client.logout()
    client.login("resident_a")  # the resident sees their wish and can withdraw it
    own = client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert f"/wishes/{wish.id}/withdraw" in own


def test_leader_records_a_wish_for_a_resident_without_an_account(client, city):
    client.login("leader_a1")
    r = client.post("/wishes/new", form(subject_name="黄奶奶", subject_contact="son 13900000099",
                                        area_id=str(city.micro_a1.id)))
    assert r.status_code == 303
    wish = db_wish()
    assert wish.on_behalf and wish.wisher_id is None and wish.subject_name == "黄奶奶"
    assert wish.area_id == city.micro_a1.id and wish.masked_wisher == "黄*"


def test_leader_cannot_record_for_a_resident_of_another_area(client, city):
    client.login("leader_a1")
    r = client.post("/wishes/new", form(resident="resident_b"), headers={"Accept-Language": "en"})
    assert r.status_code == 200 and NO_RESIDENT in r.get_data(as_text=True)
    r = client.post("/wishes/new", form(subject_name="Someone", area_id=str(city.micro_b1.id)),
                    headers={"Accept-Language": "en"})
    assert r.status_code == 200 and "where the resident lives" in r.get_data(as_text=True)
    assert wish_count() == 0


def test_resident_cannot_use_the_on_behalf_fields(client, city):
    client.login("resident_a2")
    r = client.post("/wishes/new", form(resident="resident_a"))
    assert r.status_code == 303
    wish = db_wish()
    assert wish.wisher_id == city.resident_a2.id and not wish.on_behalf


def test_user_without_home_cannot_post(client, city):
    """Told when opening the form, not after filling it in."""
    client.login("agency_a")
    r = client.get("/wishes/new")
    assert r.status_code == 403 and "no home community" in r.get_data(as_text=True)
    assert 'action="/wishes/new"' not in r.get_data(as_text=True)
    assert client.post("/wishes/new", form()).status_code == 403
    assert wish_count() == 0


def test_missing_csrf_is_refused(client, city):
    client.login("resident_a")
    r = client.post("/wishes/new", form(), csrf=False)
    assert r.status_code == 400
    assert wish_count() == 0
    assert get_wish(1) is None


def test_simultaneous_double_submit_creates_one_wish(race, make_client, city):
    clients = []
    for _ in range(5):
        c = make_client()
        c.login("resident_a")
        c.token()
        clients.append(c)

    def submit(i: int):
        r = clients[i].post("/wishes/new", form(post_key="tap-tap-tap-123"))
        return r.status_code, r.headers.get("Location")

    results = race(len(clients), submit)
    assert all(isinstance(r, tuple) for r in results), results
    assert wish_count() == 1
    assert {s for s, _ in results} == {303} and len({loc for _, loc in results}) == 1


def test_categories_are_configurable(app, client, city, monkeypatch):
    monkeypatch.setitem(app.config, "WISH_CATEGORIES", ["study", "housing"])
    monkeypatch.setitem(app.config, "WISH_CATEGORY_LABELS", {"housing": "Housing help"})
    client.login("resident_a")
    page = client.get("/wishes/new").get_data(as_text=True)
    assert "Housing help" in page and "Daily goods" not in page
    assert client.post("/wishes/new", form(category="daily")).status_code == 200
    assert wish_count() == 0
    assert client.post("/wishes/new", form(category="housing")).status_code == 303
    assert "Housing help" in client.get(f"/wishes/{db_wish().id}").get_data(as_text=True)


def test_posting_is_rate_limited_per_account(app, client, city, monkeypatch):
    monkeypatch.setitem(app.config, "WISH_POST_LIMIT", "2 per day")
    client.login("resident_a")
    assert client.post("/wishes/new", form(post_key="k-000000001")).status_code == 303
    assert client.post("/wishes/new", form(value="9999")).status_code == 200  # refused input does not count
    assert client.post("/wishes/new", form(post_key="k-000000002")).status_code == 303
    r = client.post("/wishes/new", form(post_key="k-000000003"))
    assert r.status_code == 429
    assert wish_count() == 2


# ------------------------------------------------------------------ 代录: finding the resident stays inside the area


def _resident_error(r) -> str | None:
    match = RESIDENT_ERROR_RE.search(r.get_data(as_text=True))
    return match.group(1) if match else None


def test_on_behalf_lookup_does_not_reveal_accounts_outside_the_area(client, city):
    """An account in another micro-grid, in another street, without a home, deactivated, or none at all: the same
    answer, nothing recorded."""
    gone = make_user("moved_away", home=city.micro_a1)
    gone.active = False  # a deactivated account in the leader's own micro-grid
    db.session.commit()
    client.login("leader_a1")  # micro-grid leader of Micro A1
    answers = {}
    for query in ("moved_away", gone.mobile,
                  "resident_a2", city.resident_a2.mobile,  # same grid, another micro-grid
                  "resident_b", city.resident_b.mobile,  # another street
                  "agency_a",  # an account without a home
                  "nobody-at-all", "13999999999"):  # no such account
        r = client.post("/wishes/new", form(resident=query))
        assert r.status_code == 200, query
        answers[query] = _resident_error(r)
    assert set(answers.values()) == {NO_RESIDENT}, answers
    assert wish_count() == 0


@pytest.mark.parametrize("username,resident,ok", [
    ("leader_a1", "resident_a", True),  # lives in the leader's micro-grid
    ("gridlead_a", "resident_a2", True),  # the grid covers both micro-grids
    ("staff_a", "resident_a2", True),
    ("staff_a", "resident_b", False),  # another community
    ("street_a", "resident_b", False),  # another street
    ("admin", "resident_b", True),  # a city administrator reaches the whole city
])
def test_on_behalf_lookup_follows_the_actors_area(client, city, username, resident, ok):
    client.login(username)
    wisher = getattr(city, resident)
    r = client.post("/wishes/new", form(resident=wisher.mobile))
    if ok:
        assert r.status_code == 303
        wish = db_wish()
        assert wish.on_behalf and wish.wisher_id == wisher.id
    else:
        assert r.status_code == 200 and _resident_error(r) == NO_RESIDENT
        assert wish_count() == 0


def test_on_behalf_lookup_message_in_chinese(client, city):
    client.login("leader_a1")
    r = client.post("/wishes/new", form(resident="resident_b"), headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 200 and _resident_error(r) and _resident_error(r) != NO_RESIDENT
    assert wish_count() == 0


@pytest.mark.parametrize("area_id", ["99999999999999999999999", "9223372036854775808", "-1", "0", "abc", "1e3", ""])
def test_on_behalf_area_with_a_bad_id_is_a_message(client, city, area_id):
    client.login("leader_a1")
    r = client.post("/wishes/new", form(subject_name="黄奶奶", area_id=area_id))
    assert r.status_code == 200 and "where the resident lives" in r.get_data(as_text=True)
    assert wish_count() == 0


def test_every_problem_of_the_post_form_is_shown_at_once(make_client, city):
    """A resident fixes the form in one go: category, description, value and date are all reported together."""
    from tests.wishes.helpers import wish_count

    client = make_client()
    client.login("resident_a")
    before = wish_count()
    r = client.post("/wishes/new", {"category": "", "title": "A TV", "description": "", "value": "5000",
                                    "wanted_by": "2000-01-01"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and wish_count() == before
    for message in ("Choose a category from the list.", "Describe the wish: what is needed and why.",
                    "A micro-wish is worth at most", "The wanted-by date is in the past."):
        assert message in html, message
