"""The wish form says everything wrong at once, keeps a good photo between rounds, and is offered only to people
who may post (asked when opening it, not after filling it in)."""
from __future__ import annotations

import io
import re

from app.extensions import db
from app.uploads.models import Upload
from tests.wishes.helpers import files_under, get_wish, jpeg_bytes, wish_count
from tests.wishes.test_post import form

KEPT_RE = re.compile(r'name="kept_photo" type="hidden" value="([^"]*)"')


def body(r):
    return r.get_data(as_text=True)


def errors_of(page: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="([a-z_]+)-error">([^<]*)</p>', page))


def test_every_problem_is_reported_in_one_round(client, city):
    """A PDF as photo, a value over the cap and a past date: three messages at once, nothing posted."""
    client.login("resident_a")
    r = client.post("/wishes/new", form(value="9999", wanted_by="2020-01-01", title="",
                                        photo=(io.BytesIO(b"%PDF-1.4 not an image"), "scan.pdf")),
                    content_type="multipart/form-data")
    assert r.status_code == 200
    errors = errors_of(body(r))
    assert "Only JPEG, PNG or WebP" in errors["photo"]
    assert "at most ¥500" in errors["value"]
    assert "in the past" in errors["wanted_by"]
    assert "short title" in errors["title"]
    assert wish_count() == 0


def test_unparseable_value_and_a_too_long_title_come_with_the_photo_message(client, city):
    client.login("resident_a")
    r = client.post("/wishes/new", form(value="a lot", title="T" * 61,
                                        photo=(io.BytesIO(b"not a photo"), "x.jpg")),
                    content_type="multipart/form-data")
    errors = errors_of(body(r))
    assert set(errors) >= {"photo", "value", "title"}
    assert body(r).count('id="title-error"') == 1  # one message per field, not the form's and the service's
    assert wish_count() == 0


def kept_files(app) -> set:
    return {f for f in files_under(app.config["UPLOAD_DIR"]) if "/kept/" in str(f)}


def test_a_good_photo_is_kept_for_the_next_round(app, client, city):
    client.login("resident_a")
    before = kept_files(app)
    r = client.post("/wishes/new", form(value="9999", photo=(io.BytesIO(jpeg_bytes()), "lamp.jpg")),
                    content_type="multipart/form-data")
    page = body(r)
    assert r.status_code == 200 and "value" in errors_of(page) and "photo" not in errors_of(page)
    assert "Your photo is kept" in page
    token = KEPT_RE.search(page).group(1)
    assert token and wish_count() == 0 and len(kept_files(app) - before) == 1
    # the next round sends no file, only the token: the wish is posted with the photo
    r = client.post("/wishes/new", form(value="80", kept_photo=token))
    assert r.status_code == 303
    wish = get_wish(int(r.headers["Location"].rsplit("/", 1)[1]))
    assert wish.photo_id is not None
    assert db.session.get(Upload, wish.photo_id).owner_id == city.resident_a.id
    assert kept_files(app) - before == set()  # used, then removed


def test_a_kept_photo_can_be_left_out(client, city):
    client.login("resident_a")
    page = body(client.post("/wishes/new", form(value="9999", photo=(io.BytesIO(jpeg_bytes()), "lamp.jpg")),
                            content_type="multipart/form-data"))
    token = KEPT_RE.search(page).group(1)
    r = client.post("/wishes/new", form(kept_photo=token, drop_photo="y"))
    assert r.status_code == 303
    assert get_wish(int(r.headers["Location"].rsplit("/", 1)[1])).photo_id is None


def test_someone_elses_or_a_forged_token_is_not_a_photo(make_client, city):
    owner = make_client()
    owner.login("resident_a")
    page = body(owner.post("/wishes/new", form(value="9999", photo=(io.BytesIO(jpeg_bytes()), "lamp.jpg")),
                           content_type="multipart/form-data"))
    token = KEPT_RE.search(page).group(1)
    other = make_client()
    other.login("resident_a2")
    for forged in (token, token[:-2] + "xx", "../../etc/passwd"):
        r = other.post("/wishes/new", form(kept_photo=forged))
        assert r.status_code == 200 and "choose it again" in errors_of(body(r)).get("photo", "")
    assert wish_count() == 0


def test_the_form_is_offered_only_to_people_who_may_post(make_client, city):
    for username in ("agency_a", "admin", "staff_a", "resident_a", "member_a", "leader_a1"):
        c = make_client()
        c.login(username)
        may = username != "agency_a"
        assert c.get("/wishes/new").status_code == (200 if may else 403), username
        for url in ("/wishes/", "/wishes/mine"):
            assert ('href="/wishes/new"' in body(c.get(url))) == may, (username, url)
    agency = make_client()
    agency.login("agency_a")
    page = body(agency.get("/wishes/new"))
    assert "no home community" in page and 'href="/wishes/"' in page  # says why, and where to go instead
    assert 'enctype="multipart/form-data"' not in page


def test_no_home_card_offers_posting_to_someone_who_cannot_post(app, city):
    """A resident whose account has no home yet gets no "post a wish" card (it would lead to a refusal)."""
    from app.wishes.cards import my_wishes
    from tests.factories import make_user

    homeless = make_user("newcomer")
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert my_wishes(homeless) is None
        card = my_wishes(city.resident_a)
        assert card is not None and card.action_label == "Post a wish"
