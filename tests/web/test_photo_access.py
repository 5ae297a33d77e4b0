"""A photo is served only to people who may see the object it belongs to; the unguessable URL alone is not enough."""
from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.issues import services as issue_services
from app.issues.models import Issue
from app.uploads.models import Upload
from app.wishes.models import Wish
from tests.issues.conftest import jpeg_bytes


def _post_wish_with_photo(client) -> tuple[Wish, str]:
    from datetime import timedelta

    from app.timeutil import local_today

    client.login("resident_a")
    r = client.post("/wishes/new", {
        "category": "study", "title": "A desk lamp", "description": "For homework.", "value": "80",
        "wanted_by": (local_today() + timedelta(days=20)).isoformat(), "post_key": "key-photo-access",
        "photo": (io.BytesIO(jpeg_bytes()), "lamp.jpg")}, content_type="multipart/form-data")
    assert r.status_code == 303
    wish = db.session.scalars(select(Wish)).one()
    return wish, f"/uploads/{db.session.get(Upload, wish.photo_id).token}.jpg"


def test_pending_wish_photo_only_for_the_wisher_and_staff_then_public(make_client, city):
    owner = make_client()
    wish, url = _post_wish_with_photo(owner)
    r = owner.get(url)
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    assert "private" in r.headers["Cache-Control"] and "public" not in r.headers["Cache-Control"]

    assert make_client().get(url).status_code == 404  # anonymous, before review
    other = make_client()
    other.login("staff_b")
    assert other.get(url).status_code == 404  # staff of another community
    staff = make_client()
    staff.login("staff_a")
    assert staff.get(url).status_code == 200

    assert staff.post(f"/wishes/{wish.id}/approve").status_code == 303
    db.session.expire_all()
    assert db.session.get(Wish, wish.id).state == "published"
    assert make_client().get(url).status_code == 200  # published: on the public wall


def test_photo_of_a_rejected_issue_is_not_public(make_client, city):
    issue_services.ensure_default_categories()
    db.session.commit()
    reporter = make_client()
    reporter.login("resident_a")
    r = reporter.post("/issues/new", {"category": "street_light", "description": "Lamp out", "place": "home",
                                      "photos": [(io.BytesIO(jpeg_bytes()), "a.jpg")]},
                      content_type="multipart/form-data")
    assert r.status_code == 303
    upload = db.session.scalars(select(Upload)).one()
    url = f"/uploads/{upload.token}.jpg"
    assert make_client().get(url).status_code == 200  # an open report in a public category

    leader = make_client()
    leader.login("leader_a1")
    issue_id = upload.subject_id
    assert leader.post(f"/issues/{issue_id}/reject", {"reason": "Not a public matter"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Issue, issue_id).state == "rejected"
    assert make_client().get(url).status_code == 404
    assert reporter.get(url).status_code == 200  # the reporter still sees their own photo


def test_unattached_photo_only_for_its_uploader(app, make_client, city):
    upload = Upload(token="unattached-token-01", relpath="x.jpg", content_type="image/jpeg", size=1, width=1,
                    height=1, owner_id=city.resident_a.id)
    db.session.add(upload)
    db.session.commit()
    assert make_client().get("/uploads/unattached-token-01.jpg").status_code == 404
    other = make_client()
    other.login("resident_b")
    assert other.get("/uploads/unattached-token-01.jpg").status_code == 404
