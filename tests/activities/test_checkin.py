"""The rotating code: fresh tokens only, this activity only, this account only; the window; idempotence; hours
capped; attestation emits once per person; corrections refused when absurd."""
from __future__ import annotations

import re
from datetime import timedelta

from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from app.activities import tokens
from app.activities.models import Attendance, Signup
from app.audit.models import AuditEntry
from app.extensions import db
from app.timeutil import utcnow
from tests.activities.helpers import get, make_activity

PASS_RE = re.compile(r'name="checkin_pass"[^>]*value="([^"]+)"')


def _signed_up(city, aid, user):
    db.session.add(Signup(activity_id=aid, user_id=user.id, status="confirmed"))
    db.session.commit()


def _audited(action):
    db.session.expire_all()
    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def _scan(client, aid, token):
    r = client.get(f"/activities/{aid}/checkin?t={token}")
    m = PASS_RE.search(r.get_data(as_text=True))
    return r, (m.group(1) if m else None)


def _running(city, **kw):
    return make_activity(city, start_in=timedelta(minutes=-5), **kw)


def test_check_in_and_out_with_fresh_codes(app, client, city):
    aid = _running(city)
    _signed_up(city, aid, city.member_a)
    client.login("member_a")
    with app.test_request_context():
        token = tokens.make(aid, "in")
    r, p = _scan(client, aid, token)
    assert p, r.get_data(as_text=True)
    assert client.post(f"/activities/{aid}/checkin", data={"checkin_pass": p}).status_code == 303
    # double check-in is idempotent
    client.post(f"/activities/{aid}/checkin", data={"checkin_pass": p})
    assert db.session.query(Attendance).filter_by(activity_id=aid).count() == 1
    with app.test_request_context():
        out = tokens.make(aid, "out")
    r, p = _scan(client, aid, out)
    r = client.htmx_post(f"/activities/{aid}/checkin", data={"checkin_pass": p})
    assert "checked out" in r.headers.get("HX-Trigger", "")
    db.session.expire_all()
    attendance = db.session.query(Attendance).filter_by(activity_id=aid).one()
    assert attendance.check_out_at is not None and attendance.minutes is not None
    assert attendance.minutes <= get(aid).window_minutes


def test_stale_foreign_and_tampered_tokens_are_refused(app, client, city):
    aid = _running(city)
    other = _running(city)
    _signed_up(city, aid, city.member_a)
    client.login("member_a")
    with app.test_request_context():
        stale = tokens.make(aid, "in", utcnow() - timedelta(seconds=2 * tokens.SLICE_SECONDS))
        foreign = tokens.make(other, "in")
        fresh = tokens.make(aid, "in")
        forged = URLSafeSerializer("not-our-secret", salt=tokens.SALT).dumps([aid, "in", tokens.slice_of()])
    for token, message in ((stale, "expired"), (foreign, "another activity"), (fresh[:-3] + "abc", "not valid"),
                           (forged, "not valid")):
        r, p = _scan(client, aid, token)
        assert r.status_code == 200 and p is None
        assert message in r.get_data(as_text=True)
    assert db.session.query(Attendance).count() == 0


def test_a_pass_cannot_be_used_by_another_account(app, make_client, city):
    aid = _running(city)
    _signed_up(city, aid, city.member_a)
    a, b = make_client(), make_client()
    a.login("member_a")
    b.login("member_b")
    with app.test_request_context():
        token = tokens.make(aid, "in")
    _, p = _scan(a, aid, token)
    r = b.htmx_post(f"/activities/{aid}/checkin", data={"checkin_pass": p})
    assert "another account" in r.get_data(as_text=True)
    # the code itself is refused to someone not signed up when walk-ins are not allowed
    _, p2 = _scan(b, aid, token)
    r = b.htmx_post(f"/activities/{aid}/checkin", data={"checkin_pass": p2})
    assert "not signed up" in r.get_data(as_text=True)
    assert db.session.query(Attendance).count() == 0


def test_check_in_outside_the_window_is_refused(app, client, city):
    aid = make_activity(city, start_in=timedelta(hours=3))
    _signed_up(city, aid, city.member_a)
    client.login("member_a")
    with app.test_request_context():
        token = tokens.make(aid, "in")
    _, p = _scan(client, aid, token)
    r = client.htmx_post(f"/activities/{aid}/checkin", data={"checkin_pass": p})
    assert "Check-in is open from" in r.get_data(as_text=True)
    assert db.session.query(Attendance).count() == 0


def test_attestation_emits_once_per_person_and_corrections_are_checked(client, city):
    aid = make_activity(city, start_in=timedelta(hours=-3), hours=2)
    activity = get(aid)
    for user, minutes in ((city.member_a, 130), (city.member_b, 60)):
        db.session.add(Attendance(activity_id=aid, user_id=user.id, check_in_at=activity.starts_at,
                                  check_out_at=activity.ends_at, minutes=minutes))
    db.session.commit()
    client.login("staff_a")
    assert client.post(f"/activities/{aid}/attest").status_code == 303
    assert client.post(f"/activities/{aid}/attest").status_code == 303  # refused: already attested
    assert _audited("attendance.attested") == 2
    att = db.session.query(Attendance).filter_by(user_id=city.member_b.id).one()
    r = client.htmx_post(f"/activities/{aid}/attendance/{att.id}/correct",
                         data={"correct-minutes": str(30 * 60), "correct-reason": "typo"})
    assert "At most 120 minutes" in r.get_data(as_text=True)
    r = client.htmx_post(f"/activities/{aid}/attendance/{att.id}/correct",
                         data={"correct-minutes": "90", "correct-reason": "came early"})
    assert r.status_code == 200
    rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "attendance.corrected")))
    assert len(rows) == 1 and rows[0].details["previous_minutes"] == 60 and rows[0].details["minutes"] == 90


def test_the_organiser_page_shows_a_qr_code_and_others_get_told_to_scan(make_client, city):
    client = make_client()
    aid = _running(city)
    client.login("staff_a")
    body = client.get(f"/activities/{aid}/checkin").get_data(as_text=True)
    assert "<svg" in body and "hx-trigger" in body and "data-checkin-url" in body
    client = make_client()
    client.login("member_a")
    assert "data-checkin-url" not in client.get(f"/activities/{aid}/checkin").get_data(as_text=True)
    assert client.get(f"/activities/{aid}/checkin/code").status_code == 403
