"""Every transition, allowed and forbidden per role, through HTTP: status codes, state, and absent buttons."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.timeline.models import TimelineEntry
from tests.wishes.helpers import active_claims, get_wish, make_wish


def as_user(make_client, username):
    c = make_client()
    if username:
        c.login(username)
    return c


def body(r):
    return r.get_data(as_text=True)


def refused(c, r) -> str:
    """A refused plain form goes back to the wish's own page (303), where the message is shown."""
    assert r.status_code == 303 and r.headers["Location"].split("#")[0].rstrip("0123456789").endswith("/wishes/")
    return body(c.get(r.headers["Location"]))


# ------------------------------------------------------------------ visibility

@pytest.mark.parametrize("username,status", [
    (None, 404), ("resident_b", 404), ("staff_b", 404), ("member_a", 404), ("resident_a2", 404),
    ("resident_a", 200), ("staff_a", 200), ("street_a", 200), ("admin", 200),
])
def test_pending_wish_is_seen_only_by_its_resident_and_staff(make_client, city, username, status):
    wid = make_wish(city, "pending")
    assert as_user(make_client, username).get(f"/wishes/{wid}").status_code == status


@pytest.mark.parametrize("state", ["rejected", "withdrawn", "expired"])
def test_closed_wishes_are_not_public(make_client, city, state):
    wid = make_wish(city, state)
    assert as_user(make_client, None).get(f"/wishes/{wid}").status_code == 404
    assert as_user(make_client, "member_a").get(f"/wishes/{wid}").status_code == 404
    assert as_user(make_client, "resident_a").get(f"/wishes/{wid}").status_code == 200


def test_forged_ids_are_404(make_client, city):
    c = as_user(make_client, "member_a")
    assert c.get("/wishes/999999").status_code == 404
    assert c.post("/wishes/999999/claim").status_code == 404
    assert c.post("/wishes/999999/confirm").status_code == 404
    assert c.get("/wishes/abc").status_code == 404


def test_public_pages_mask_the_resident(make_client, city):
    wid = make_wish(city, "published")
    for username in (None, "member_a", "resident_b", "staff_b"):
        c = as_user(make_client, username)
        for url in ("/wishes/", f"/wishes/{wid}"):
            html = body(c.get(url))
            assert "王*" in html
            assert "王小明" not in html
            assert city.resident_a.mobile not in html


# ------------------------------------------------------------------ review

def test_staff_approves_and_the_buttons_follow_the_policy(make_client, city):
    wid = make_wish(city, "pending")
    resident = as_user(make_client, "resident_a")
    assert f"/wishes/{wid}/approve" not in body(resident.get(f"/wishes/{wid}"))
    assert resident.post(f"/wishes/{wid}/approve").status_code == 403
    assert as_user(make_client, "staff_b").post(f"/wishes/{wid}/approve").status_code == 404
    assert as_user(make_client, "member_a").post(f"/wishes/{wid}/approve").status_code == 404
    anon = as_user(make_client, None).post(f"/wishes/{wid}/approve", csrf=False)
    assert anon.status_code in (302, 400)
    assert get_wish(wid).state == "pending"

    staff = as_user(make_client, "staff_a")
    assert f"/wishes/{wid}/approve" in body(staff.get(f"/wishes/{wid}"))
    r = staff.post(f"/wishes/{wid}/approve")
    assert r.status_code == 303
    wish = get_wish(wid)
    assert wish.state == "published" and wish.published_at is not None
    assert f"/wishes/{wid}/approve" not in body(staff.get(f"/wishes/{wid}"))
    # a second approval is a clear message, not an error
    again = staff.post(f"/wishes/{wid}/approve")
    assert "awaiting review" in refused(staff, again)


def test_street_admin_and_city_admin_review_too(make_client, city):
    wid = make_wish(city, "pending")
    assert as_user(make_client, "street_a").post(f"/wishes/{wid}/approve").status_code == 303
    wid2 = make_wish(city, "pending", wisher=city.resident_b)
    assert as_user(make_client, "street_a").post(f"/wishes/{wid2}/approve").status_code == 404
    assert as_user(make_client, "admin").post(f"/wishes/{wid2}/approve").status_code == 303


def test_reject_needs_a_reason_the_resident_sees(make_client, city):
    wid = make_wish(city, "pending")
    staff = as_user(make_client, "staff_a")
    r = staff.post(f"/wishes/{wid}/reject", {"reject-reason": "  "})
    assert r.status_code == 303 and "why the wish is not approved" in body(staff.get(r.headers["Location"]))
    assert get_wish(wid).state == "pending"
    r = staff.post(f"/wishes/{wid}/reject", {"reject-reason": "Please ask the community office directly."})
    assert r.status_code == 303
    assert get_wish(wid).state == "rejected"
    resident = as_user(make_client, "resident_a")
    assert "Please ask the community office directly." in body(resident.get(f"/wishes/{wid}"))
    assert as_user(make_client, "resident_a").post(f"/wishes/{wid}/reject", {"reject-reason": "x"}).status_code == 403


def test_review_queue_is_for_staff_of_the_community(make_client, city):
    wid = make_wish(city, "pending")
    html = body(as_user(make_client, "staff_a").get("/wishes/review"))
    assert f"/wishes/{wid}/approve" in html and "王小明" in html
    assert f"/wishes/{wid}" not in body(as_user(make_client, "staff_b").get("/wishes/review"))
    assert as_user(make_client, "resident_a").get("/wishes/review").status_code == 403
    assert as_user(make_client, "member_a").get("/wishes/review").status_code == 403
    r = as_user(make_client, "staff_a").post(f"/wishes/{wid}/approve", {"next": "/wishes/review"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/wishes/review")


# ------------------------------------------------------------------ claim

def test_member_claims_and_then_sees_the_contact(make_client, city):
    wid = make_wish(city, "published")
    member = as_user(make_client, "member_a")
    page = body(member.get(f"/wishes/{wid}"))
    assert f"/wishes/{wid}/claim" in page and city.resident_a.mobile not in page
    r = member.post(f"/wishes/{wid}/claim")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/wishes/{wid}")
    assert get_wish(wid).state == "claimed" and active_claims(wid) == 1
    page = body(member.get(f"/wishes/{wid}"))
    assert city.resident_a.mobile in page and "王小明" in page
    assert f"/wishes/{wid}/claim" not in page and f"/wishes/{wid}/fulfil" in page
    # nobody else sees the contact except staff of that community
    assert city.resident_a.mobile not in body(as_user(make_client, "member_b").get(f"/wishes/{wid}"))
    assert city.resident_a.mobile not in body(as_user(make_client, "staff_b").get(f"/wishes/{wid}"))
    assert city.resident_a.mobile not in body(as_user(make_client, None).get(f"/wishes/{wid}"))
    assert city.resident_a.mobile in body(as_user(make_client, "staff_a").get(f"/wishes/{wid}"))
    events = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == wid,
                                                                AuditEntry.subject_type == "wish")).all()
    assert "wish.claimed" in events
    actions = db.session.scalars(select(TimelineEntry.action).where(TimelineEntry.subject_id == wid,
                                                                    TimelineEntry.subject_type == "wish")).all()
    assert actions[-1] == "claimed"


@pytest.mark.parametrize("username,status", [("resident_b", 403), ("staff_b", 403), ("staff_a", 403),
                                             ("rider", 403)])
def test_only_members_and_agency_admins_claim(make_client, city, username, status):
    wid = make_wish(city, "published")
    c = as_user(make_client, username)
    assert f"/wishes/{wid}/claim" not in body(c.get(f"/wishes/{wid}"))
    assert f"/wishes/{wid}/claim" not in body(c.get("/wishes/"))
    assert c.post(f"/wishes/{wid}/claim").status_code == status
    assert get_wish(wid).state == "published"


def test_anonymous_cannot_claim(make_client, city):
    wid = make_wish(city, "published")
    anon = as_user(make_client, None)
    assert f"/wishes/{wid}/claim" not in body(anon.get("/wishes/"))
    r = anon.post(f"/wishes/{wid}/claim")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    assert get_wish(wid).state == "published"


def test_cannot_claim_own_wish(make_client, city):
    wid = make_wish(city, "published", wisher=city.member_a)
    c = as_user(make_client, "member_a")
    assert f"/wishes/{wid}/claim" not in body(c.get(f"/wishes/{wid}"))
    r = c.htmx_post(f"/wishes/{wid}/claim")
    assert r.status_code == 200 and "your own wish" in body(r)
    assert get_wish(wid).state == "published" and active_claims(wid) == 0


@pytest.mark.parametrize("state,status,message", [
    ("pending", 404, None), ("rejected", 404, None), ("withdrawn", 404, None),
    ("completed", 303, "This wish cannot be claimed now (it is: Completed)."),
    ("claimed", 303, "Already claimed by "),  # the claimant's public name follows
])
def test_cannot_claim_outside_published(make_client, city, state, status, message):
    wid = make_wish(city, state, claimer=city.agency_admin_a, organisation=city.agency_a)
    before = active_claims(wid)
    c = as_user(make_client, "member_b")
    r = c.post(f"/wishes/{wid}/claim")
    assert r.status_code == status
    if status == 303:
        flashed = body(c.get(r.headers["Location"]))
        assert message in flashed
    assert get_wish(wid).state == state and active_claims(wid) == before


def test_htmx_claim_returns_the_card_and_the_loser_gets_the_message(make_client, city):
    wid = make_wish(city, "published")
    winner = as_user(make_client, "member_a").htmx_post(f"/wishes/{wid}/claim")
    assert winner.status_code == 200 and f'id="wish-{wid}"' in body(winner)
    assert "<html" not in body(winner) and "HX-Trigger" in winner.headers
    loser = as_user(make_client, "member_b").htmx_post(f"/wishes/{wid}/claim")
    assert loser.status_code == 200
    assert "Already claimed by 王*" not in body(loser)
    assert f"Already claimed by {city.member_a.masked_name}." in body(loser)  # the claimant's masked name
    assert f"/wishes/{wid}/claim" not in body(loser)
    assert active_claims(wid) == 1


def test_agency_admin_claims_for_the_branch_with_a_team(make_client, city):
    wid = make_wish(city, "published")
    admin = as_user(make_client, "agency_a")
    page = body(admin.get(f"/wishes/{wid}"))
    assert 'name="members"' in page and "member_a" in page
    r = admin.post(f"/wishes/{wid}/claim", {"organisation_id": str(city.agency_a.id),
                                           "members": [str(city.member_a.id)]})
    assert r.status_code == 303
    wish = get_wish(wid)
    claim = wish.active_claim
    assert claim.kind == "branch" and claim.organisation_id == city.agency_a.id
    assert claim.member_ids == {city.member_a.id}
    # the team member sees the contact and can fulfil; another branch cannot
    member = as_user(make_client, "member_a")
    assert city.resident_a.mobile in body(member.get(f"/wishes/{wid}"))
    other = as_user(make_client, "agency_b")
    page = body(other.get(f"/wishes/{wid}"))
    assert f"/wishes/{wid}/fulfil" not in page and f"/wishes/{wid}/release" not in page
    assert other.post(f"/wishes/{wid}/fulfil", {"fulfil-note": "x"}).status_code == 403
    assert other.post(f"/wishes/{wid}/release", {"release-reason": "x"}).status_code == 403
    assert "Agency A branch" in body(as_user(make_client, None).get(f"/wishes/{wid}"))


def test_agency_admin_cannot_claim_for_another_branch_or_name_outsiders(make_client, city):
    wid = make_wish(city, "published")
    admin = as_user(make_client, "agency_a")
    assert admin.post(f"/wishes/{wid}/claim", {"organisation_id": str(city.agency_b.id)}).status_code == 403
    r = admin.post(f"/wishes/{wid}/claim", {"organisation_id": str(city.agency_a.id),
                                           "members": [str(city.member_b.id)]})
    assert r.status_code == 303
    assert get_wish(wid).state == "published" and active_claims(wid) == 0


# ------------------------------------------------------------------ release

def test_release_by_claimant_needs_a_reason(make_client, city):
    wid = make_wish(city, "claimed")
    member = as_user(make_client, "member_a")
    r = member.post(f"/wishes/{wid}/release", {"release-reason": ""})
    assert "why the claim is released" in refused(member, r)
    assert get_wish(wid).state == "claimed"
    r = member.post(f"/wishes/{wid}/release", {"release-reason": "I am ill this week"})
    assert r.status_code == 303
    assert get_wish(wid).state == "published" and active_claims(wid) == 0
    assert f"/wishes/{wid}/claim" in body(as_user(make_client, "member_b").get(f"/wishes/{wid}"))


@pytest.mark.parametrize("username,status", [("member_b", 403), ("staff_b", 403), ("resident_a", 403),
                                             ("agency_b", 403), ("staff_a", 303)])
def test_who_may_release(make_client, city, username, status):
    wid = make_wish(city, "claimed")
    c = as_user(make_client, username)
    shown = f"/wishes/{wid}/release" in body(c.get(f"/wishes/{wid}"))
    assert shown == (status == 303)
    assert c.post(f"/wishes/{wid}/release", {"release-reason": "no time"}).status_code == status
    assert get_wish(wid).state == ("published" if status == 303 else "claimed")


# ------------------------------------------------------------------ fulfil, confirm, not received

def test_fulfil_then_confirm(make_client, city):
    wid = make_wish(city, "claimed")
    assert as_user(make_client, "member_b").post(f"/wishes/{wid}/fulfil", {"fulfil-note": "x"}).status_code == 403
    assert as_user(make_client, "resident_a").post(f"/wishes/{wid}/fulfil", {"fulfil-note": "x"}).status_code == 403
    member = as_user(make_client, "member_a")
    r = member.post(f"/wishes/{wid}/fulfil", {"fulfil-note": ""})
    assert "what was done" in refused(member, r) and get_wish(wid).state == "claimed"
    assert member.post(f"/wishes/{wid}/fulfil", {"fulfil-note": "Brought the lamp"}).status_code == 303
    assert get_wish(wid).state == "fulfilled"

    # confirming someone else's wish
    for username in ("resident_b", "resident_a2", "member_a", "staff_b"):
        c = as_user(make_client, username)
        assert f"/wishes/{wid}/confirm" not in body(c.get(f"/wishes/{wid}"))
        assert c.post(f"/wishes/{wid}/confirm", {"confirm-note": "ok"}).status_code == 403
    assert get_wish(wid).state == "fulfilled"

    resident = as_user(make_client, "resident_a")
    assert f"/wishes/{wid}/confirm" in body(resident.get(f"/wishes/{wid}"))
    assert resident.post(f"/wishes/{wid}/confirm", {"confirm-note": "Thank you so much"}).status_code == 303
    wish = get_wish(wid)
    assert wish.state == "completed" and wish.thanks_note == "Thank you so much" and wish.active_claim is None
    story = body(as_user(make_client, None).get("/wishes/?status=completed"))
    assert "Thank you so much" in story and "Brought the lamp" in story


def test_staff_confirms_on_behalf_and_it_is_recorded(make_client, city):
    wid = make_wish(city, "fulfilled")
    staff = as_user(make_client, "staff_a")
    assert staff.post(f"/wishes/{wid}/confirm", {"confirm-note": ""}).status_code == 303
    assert get_wish(wid).state == "completed"
    entry = db.session.scalars(select(TimelineEntry).where(TimelineEntry.subject_id == wid,
                                                           TimelineEntry.action == "confirmed")).one()
    assert entry.actor_id == city.staff_a.id and entry.on_behalf_of_id == city.resident_a.id


def test_not_received_goes_back_to_claimed_with_the_note(make_client, city):
    wid = make_wish(city, "fulfilled")
    resident = as_user(make_client, "resident_a")
    r = resident.post(f"/wishes/{wid}/not-received", {"notreceived-note": ""})
    assert r.status_code == 303 and get_wish(wid).state == "fulfilled"
    r = resident.post(f"/wishes/{wid}/not-received", {"notreceived-note": "The lamp never came"})
    assert r.status_code == 303
    wish = get_wish(wid)
    assert wish.state == "claimed" and active_claims(wid) == 1
    assert "The lamp never came" in body(as_user(make_client, "member_a").get(f"/wishes/{wid}"))
    assert "The lamp never came" in body(as_user(make_client, "staff_a").get(f"/wishes/{wid}"))
    # the note is for the people involved: neighbours and passers-by see the entry, not what was written
    outsider = body(as_user(make_client, "resident_a2").get(f"/wishes/{wid}"))
    anonymous = make_client().get(f"/wishes/{wid}")
    assert anonymous.status_code == 200 and "The lamp never came" not in body(anonymous)
    assert "The lamp never came" not in outsider
    assert as_user(make_client, "resident_b").post(f"/wishes/{wid}/not-received",
                                                    {"notreceived-note": "x"}).status_code == 403


def test_confirm_before_fulfilled_is_a_message(make_client, city):
    wid = make_wish(city, "claimed")
    resident = as_user(make_client, "resident_a")
    r = resident.post(f"/wishes/{wid}/confirm", {"confirm-note": ""})
    assert "Only a fulfilled wish" in refused(resident, r)
    assert get_wish(wid).state == "claimed"


# ------------------------------------------------------------------ withdraw

@pytest.mark.parametrize("state,ok", [("pending", True), ("published", True), ("claimed", False)])
def test_withdraw_by_the_resident(make_client, city, state, ok):
    wid = make_wish(city, state)
    resident = as_user(make_client, "resident_a")
    assert (f"/wishes/{wid}/withdraw" in body(resident.get(f"/wishes/{wid}"))) == ok
    r = resident.post(f"/wishes/{wid}/withdraw")
    page = refused(resident, r)
    assert ("cannot be withdrawn" in page) != ok
    assert get_wish(wid).state == ("withdrawn" if ok else state)


def test_others_cannot_withdraw(make_client, city):
    wid = make_wish(city, "published")
    for username in ("resident_b", "member_a", "staff_a"):
        assert as_user(make_client, username).post(f"/wishes/{wid}/withdraw").status_code == 403
    assert get_wish(wid).state == "published"


def test_every_transition_is_on_the_timeline_and_in_the_audit_log(make_client, city):
    wid = make_wish(city, "completed")
    actions = db.session.scalars(select(TimelineEntry.action).where(TimelineEntry.subject_type == "wish",
                                                                    TimelineEntry.subject_id == wid)
                                 .order_by(TimelineEntry.id)).all()
    assert actions == ["posted", "approved", "claimed", "fulfilled", "confirmed"]
    audit = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "wish",
                                                               AuditEntry.subject_id == wid)
                               .order_by(AuditEntry.id)).all()
    assert audit == ["wish.posted", "wish.published", "wish.claimed", "wish.fulfilled", "wish.completed"]
    html = body(as_user(make_client, None).get(f"/wishes/{wid}"))
    assert "Claimed" in html and "Confirmed by the resident" in html


def test_fulfil_with_a_photo_and_a_bad_photo(app, make_client, city):
    import io

    from tests.wishes.helpers import files_under, jpeg_bytes

    wid = make_wish(city, "claimed")
    member = as_user(make_client, "member_a")
    before = files_under(app.config["UPLOAD_DIR"])
    pdf = io.BytesIO(b"%PDF-1.4 not an image")
    r = member.post(f"/wishes/{wid}/fulfil", {"fulfil-note": "Done", "fulfil-photo": (pdf, "done.png")})
    assert "Only JPEG, PNG or WebP" in refused(member, r)
    assert get_wish(wid).state == "claimed" and files_under(app.config["UPLOAD_DIR"]) == before
    r = member.post(f"/wishes/{wid}/fulfil", {"fulfil-note": "Done",
                                             "fulfil-photo": (io.BytesIO(jpeg_bytes()), "done.jpg")})
    assert r.status_code == 303
    wish = get_wish(wid)
    assert wish.state == "fulfilled" and wish.fulfil_photo_id is not None
    assert len(files_under(app.config["UPLOAD_DIR"])) == len(before) + 1
    assert f"/uploads/{wish.fulfil_photo.token}.jpg" in body(as_user(make_client, None).get(f"/wishes/{wid}"))


def test_post_key_of_someone_else_does_not_leak_their_wish(make_client, city):
    from datetime import timedelta

    from app.timeutil import local_today

    data = {"category": "study", "title": "Mine", "description": "d", "value": "1",
            "wanted_by": (local_today() + timedelta(days=3)).isoformat(), "post_key": "shared-key-123"}
    first = as_user(make_client, "resident_a").post("/wishes/new", data)
    assert first.status_code == 303
    other = as_user(make_client, "resident_b").post("/wishes/new", data)
    assert other.status_code == 200 and "send it again" in body(other)


# ------------------------------------------------------------------ not received: the claimant's deadline


def _active_claim_row(wid):
    from app.wishes.models import WishClaim

    db.session.expire_all()
    return db.session.scalar(select(WishClaim).where(WishClaim.wish_id == wid, WishClaim.status == "active"))


def test_not_received_gives_the_claimant_a_fresh_deadline_and_the_job_leaves_it(app, make_client, city):
    """Claimed, fulfilled late (the deadline has passed meanwhile), then 'not received': the claimant has the full
    claim period again, sees the new date and the resident's note, and the release job does not take it away."""
    from datetime import timedelta

    from app.jobs import run_all
    from app.timeutil import to_local, utcnow
    from app.wishes import jobs as _jobs  # noqa: F401 — registers the jobs

    wid = make_wish(city, "fulfilled")
    claim = _active_claim_row(wid)
    claim.deadline_at = utcnow() - timedelta(days=2)
    db.session.commit()
    before = utcnow()
    resident = as_user(make_client, "resident_a")
    r = resident.post(f"/wishes/{wid}/not-received", {"notreceived-note": "Only the box came, no lamp"})
    assert r.status_code == 303
    claim = _active_claim_row(wid)
    assert claim is not None and claim.fulfilled_at is None
    assert claim.deadline_at >= before + timedelta(days=14) - timedelta(seconds=5)
    assert claim.deadline_at <= utcnow() + timedelta(days=14)

    member = as_user(make_client, "member_a")
    page = body(member.get(f"/wishes/{wid}"))
    new_day = to_local(claim.deadline_at).date().isoformat()
    assert f"To be fulfilled by {new_day}" in page
    assert "Reported as not received" in page and "Only the box came, no lamp" in page
    assert f"/wishes/{wid}/fulfil" in page  # the claimant can put it right
    home = body(member.get("/"))
    assert "fulfil by" in home
    entry = db.session.scalars(select(TimelineEntry).where(TimelineEntry.subject_id == wid,
                                                           TimelineEntry.subject_type == "wish")
                               .order_by(TimelineEntry.id.desc())).first()
    assert (entry.action, entry.from_state, entry.to_state, entry.note) == (
        "not_received", "fulfilled", "claimed", "Only the box came, no lamp")
    assert entry.actor_id == city.resident_a.id

    result = {r.name: r for r in run_all(only="wishes.release_overdue_claims")}["wishes.release_overdue_claims"]
    assert result.error is None and result.changes == []
    assert get_wish(wid).state == "claimed" and active_claims(wid) == 1
    # once the fresh period has passed too, the job releases it as for any claim
    later = utcnow() + timedelta(days=15)
    result = {r.name: r for r in run_all(now=later, only="wishes.release_overdue_claims")}[
        "wishes.release_overdue_claims"]
    assert len(result.changes) == 1 and get_wish(wid).state == "published"


def test_not_received_keeps_a_later_deadline(make_client, city):
    from datetime import timedelta

    from app.timeutil import utcnow

    wid = make_wish(city, "fulfilled")
    claim = _active_claim_row(wid)
    far = (utcnow() + timedelta(days=40)).replace(microsecond=0)
    claim.deadline_at = far
    db.session.commit()
    r = as_user(make_client, "staff_a").post(f"/wishes/{wid}/not-received", {"notreceived-note": "Wrong size"})
    assert r.status_code == 303
    assert _active_claim_row(wid).deadline_at == far
    entry = db.session.scalars(select(TimelineEntry).where(TimelineEntry.subject_id == wid,
                                                           TimelineEntry.action == "not_received")).one()
    assert entry.actor_id == city.staff_a.id and entry.note == "Wrong size"
    # the resident sees it on the timeline of their wish as well
    assert "Wrong size" in body(as_user(make_client, "resident_a").get(f"/wishes/{wid}"))
