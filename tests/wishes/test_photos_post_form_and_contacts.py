"""Wishes: damaged and multi-picture photos, a double-tapped claim, every problem of the post
form at once, contact details only for the wish's own community staff, one 'no home' message."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from app.timeutil import local_today
from tests.wishes.helpers import active_claims, files_under, get_wish, jpeg_bytes, make_wish, wish_count


def body(r):
    return r.get_data(as_text=True)


def client_as(make_client, username):
    c = make_client()
    if username:
        c.login(username)
    return c


def form(**kw):
    data = {"category": "study", "title": "A desk lamp", "description": "My grandson needs a lamp for homework.",
            "value": "80", "wanted_by": (local_today() + timedelta(days=20)).isoformat(), "post_key": "key-review-01"}
    data.update(kw)
    return data


def cut_off_jpeg() -> bytes:
    img = Image.effect_noise((800, 600), 64).convert("RGB")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    data = out.getvalue()
    return data[: len(data) // 2]


def mpo_bytes() -> bytes:
    """A JPEG carrying a second picture (multi-picture format), as many phones save HDR or depth photos."""
    out = io.BytesIO()
    first, second = Image.new("RGB", (64, 48), (10, 120, 200)), Image.new("RGB", (64, 48), (200, 120, 10))
    first.save(out, "MPO", save_all=True, append_images=[second])
    return out.getvalue()


DAMAGED = "The photo could not be read; the file may be damaged. Please choose it again."


def test_a_cut_off_photo_is_refused_clearly_when_posting(app, make_client, city):
    before = files_under(app.config["UPLOAD_DIR"])
    r = client_as(make_client, "resident_a").post(
        "/wishes/new", form(photo=(io.BytesIO(cut_off_jpeg()), "IMG_0001.jpg")), content_type="multipart/form-data")
    assert r.status_code == 200 and DAMAGED in body(r)
    assert 'value="A desk lamp"' in body(r)  # what was typed is kept
    assert wish_count() == 0 and files_under(app.config["UPLOAD_DIR"]) == before


def test_a_cut_off_photo_is_refused_clearly_when_fulfilling(app, make_client, city):
    wid = make_wish(city, "claimed")
    before = files_under(app.config["UPLOAD_DIR"])
    member = client_as(make_client, "member_a")
    r = member.post(
        f"/wishes/{wid}/fulfil", {"fulfil-note": "Delivered", "fulfil-photo": (io.BytesIO(cut_off_jpeg()), "a.jpg")},
        content_type="multipart/form-data")
    assert r.status_code == 303 and DAMAGED in body(member.get(r.headers["Location"]))
    assert get_wish(wid).state == "claimed" and files_under(app.config["UPLOAD_DIR"]) == before


def test_a_phone_photo_with_extra_pictures_is_accepted_as_one_jpeg(make_client, city):
    data = mpo_bytes()
    with Image.open(io.BytesIO(data)) as probe:
        assert probe.format == "MPO"
    r = client_as(make_client, "resident_a").post(
        "/wishes/new", form(photo=(io.BytesIO(data), "IMG_0002.jpg")), content_type="multipart/form-data")
    assert r.status_code == 303
    assert wish_count() == 1


def test_a_20mb_photo_gets_the_forms_own_message_and_keeps_what_was_typed(app, make_client, city):
    big = jpeg_bytes() + b"\0" * (20 * 1024 * 1024)
    r = client_as(make_client, "resident_a").post(
        "/wishes/new", form(photo=(io.BytesIO(big), "huge.jpg")), content_type="multipart/form-data")
    assert r.status_code == 200 and "Each photo may be at most 5 MB." in body(r)
    assert 'value="A desk lamp"' in body(r) and wish_count() == 0


def test_the_page_tells_javascript_the_photo_limit(make_client, city):
    page = body(client_as(make_client, "resident_a").get("/wishes/new"))
    assert f'data-photo-max="{5 * 1024 * 1024}"' in page and "Each photo may be at most 5 MB." in page


def test_a_double_tapped_claim_does_not_refuse_the_winner(make_client, city):
    wid = make_wish(city, "published")
    member = client_as(make_client, "member_a")
    assert member.htmx_post(f"/wishes/{wid}/claim").status_code == 200
    again = member.htmx_post(f"/wishes/{wid}/claim")
    assert again.status_code == 200
    assert "Already claimed by" not in body(again)
    assert "You have already claimed this wish." in again.headers.get("HX-Trigger", "")
    assert active_claims(wid) == 1
    plain = member.post(f"/wishes/{wid}/claim")  # without JavaScript: a flash on the wish's page
    assert plain.status_code == 303
    assert "You have already claimed this wish." in body(member.get(plain.headers["Location"]))


def test_the_post_form_reports_a_bad_value_together_with_the_other_problems(make_client, city):
    r = client_as(make_client, "resident_a").post("/wishes/new", form(value="abc", title="", description="",
                                                                       wanted_by="tomorrow"))
    page = body(r)
    assert r.status_code == 200 and wish_count() == 0
    assert "Enter the estimated value as a number of yuan, e.g. 80." in page
    assert "Give the wish a short title." in page
    assert "Describe the wish: what is needed and why." in page
    assert "Enter the date as YYYY-MM-DD" in page


def test_an_unknown_resident_is_reported_with_the_other_problems(make_client, city):
    r = client_as(make_client, "staff_a").post("/wishes/new", form(resident="nobody-here", title=""))
    page = body(r)
    assert "No resident with this username or mobile number in your area." in page
    assert "Give the wish a short title." in page and wish_count() == 0


@pytest.mark.parametrize("username,sees", [
    ("staff_a", True), ("member_a", True), ("resident_a", True),
    ("street_a", False), ("admin", False), ("staff_b", False), ("gridlead_a", False), ("member_b", False),
])
def test_contact_details_only_for_the_wisher_the_claimant_and_the_communitys_staff(make_client, city, username,
                                                                                     sees):
    city.resident_a.mobile = "13900000042"
    from app.extensions import db

    db.session.commit()
    wid = make_wish(city, "claimed")
    r = client_as(make_client, username).get(f"/wishes/{wid}")
    if r.status_code == 404:
        assert not sees
        return
    page = body(r)
    assert ("13900000042" in page) is (sees and username != "resident_a")  # the wisher is not shown their own
    assert ("<dd>王小明</dd>" in page) is sees
    assert ("<dd>王*</dd>" in page) is not sees


def test_no_home_community_is_said_once(make_client, city):
    r = client_as(make_client, "agency_a").get("/wishes/new")
    assert r.status_code == 403 and body(r).count("Your account has no home community yet") == 1
