"""A claim rests on a role: when the role is revoked or the account deactivated, the power it gave ends with it —
contact details, the claim's buttons and its POSTs — and a personal claim goes back to the wall, on the timeline."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification
from app.notifications.registry import VARIANT
from app.timeline.models import TimelineEntry
from app.wishes.models import WishClaim, WishClaimMember
from tests.wishes.helpers import active_claims, get_wish, make_wish


def body(r):
    return r.get_data(as_text=True)


def client_as(make_client, username):
    c = make_client()
    c.login(username)
    return c


def role_id(user, role):
    db.session.expire_all()
    return next(ra.id for ra in user.roles if ra.role == role)


def team_claim(make_client, city):
    """Agency A's admin claims a wish for the branch, naming member_a in the team."""
    wid = make_wish(city, "published")
    admin = client_as(make_client, "agency_a")
    r = admin.post(f"/wishes/{wid}/claim", {"organisation_id": str(city.agency_a.id),
                                           "members": [str(city.member_a.id)]})
    assert r.status_code == 303
    return wid, admin


def timeline_actions(wid):
    return [e.action for e in db.session.scalars(
        select(TimelineEntry).where(TimelineEntry.subject_type == "wish", TimelineEntry.subject_id == wid)
        .order_by(TimelineEntry.id))]


def test_team_member_whose_member_role_is_revoked_loses_the_contact_and_the_buttons(make_client, city):
    wid, admin = team_claim(make_client, city)
    member = client_as(make_client, "member_a")
    page = body(member.get(f"/wishes/{wid}"))
    assert city.resident_a.mobile in page and f"/wishes/{wid}/fulfil" in page  # while a member of the branch

    r = admin.post(f"/users/{city.member_a.id}/roles/{role_id(city.member_a, 'member')}/revoke")
    assert r.status_code == 303

    page = body(member.get(f"/wishes/{wid}"))
    assert city.resident_a.mobile not in page and 'id="contact"' not in page
    assert "王小明" not in page
    for action in ("fulfil", "release"):
        assert f"/wishes/{wid}/{action}" not in page
    assert member.post(f"/wishes/{wid}/fulfil", {"fulfil-note": "Done"}).status_code == 403
    assert member.post(f"/wishes/{wid}/release", {"release-reason": "x"}).status_code == 403
    wish = get_wish(wid)
    assert wish.state == "claimed" and wish.active_claim.organisation_id == city.agency_a.id  # the branch keeps it
    assert db.session.scalar(select(WishClaimMember).where(WishClaimMember.user_id == city.member_a.id)) is None
    assert "team_member_left" in timeline_actions(wid)
    # the branch's admin still acts on the claim
    assert city.resident_a.mobile in body(admin.get(f"/wishes/{wid}"))


def test_a_stale_team_row_gives_no_power_without_the_role(make_client, city):
    """The policy itself requires the role: a team row left behind (e.g. from before this rule) opens nothing."""
    wid, admin = team_claim(make_client, city)
    ra = db.session.get(type(city.member_a.roles[0]), role_id(city.member_a, "member"))
    db.session.delete(ra)  # the role gone without the event (as an old database might have it)
    db.session.commit()
    member = client_as(make_client, "member_a")
    page = body(member.get(f"/wishes/{wid}"))
    assert city.resident_a.mobile not in page and 'id="contact"' not in page
    assert member.post(f"/wishes/{wid}/fulfil", {"fulfil-note": "Done"}).status_code == 403


def test_revoked_agency_admin_no_longer_holds_the_branch_claim(make_client, city):
    wid, admin = team_claim(make_client, city)
    root = client_as(make_client, "admin")
    assert root.post(f"/users/{city.agency_admin_a.id}/roles/"
                     f"{role_id(city.agency_admin_a, 'agency_admin')}/revoke").status_code == 303
    former = client_as(make_client, "agency_a")
    page = body(former.get(f"/wishes/{wid}"))
    assert city.resident_a.mobile not in page and f"/wishes/{wid}/fulfil" not in page
    assert former.post(f"/wishes/{wid}/fulfil", {"fulfil-note": "Done"}).status_code == 403
    # the claim belongs to the branch: it stays, and the named member still works on it
    assert get_wish(wid).state == "claimed"
    assert city.resident_a.mobile in body(client_as(make_client, "member_a").get(f"/wishes/{wid}"))


def test_personal_claim_is_released_when_the_member_role_is_revoked(make_client, city):
    wid = make_wish(city, "claimed", claimer=city.member_a)
    member = client_as(make_client, "member_a")
    assert city.resident_a.mobile in body(member.get(f"/wishes/{wid}"))
    admin = client_as(make_client, "agency_a")
    assert admin.post(f"/users/{city.member_a.id}/roles/"
                      f"{role_id(city.member_a, 'member')}/revoke").status_code == 303

    wish = get_wish(wid)
    assert wish.state == "published" and active_claims(wid) == 0
    claim = db.session.scalar(select(WishClaim).where(WishClaim.wish_id == wid))
    assert claim.status == "released" and claim.released_by_id == city.agency_admin_a.id
    assert timeline_actions(wid)[-1] == "released_role_ended"
    page = body(member.get(f"/wishes/{wid}"))
    assert city.resident_a.mobile not in page and "王小明" not in page
    assert f"/wishes/{wid}/claim" not in page  # no longer a member: no claim button either
    assert member.post(f"/wishes/{wid}/claim").status_code == 403
    # the public page says why, and the former claimant is told
    assert "role ended" in body(client_as(make_client, "resident_a").get(f"/wishes/{wid}"))
    told = db.session.scalar(select(Notification).where(Notification.user_id == city.member_a.id,
                                                        Notification.event == "wish.released"))
    assert told is not None and told.params.get(VARIANT) == "role_ended"


def test_personal_claim_stays_while_another_member_role_remains(make_client, city):
    from app.accounts.services import grant_role

    grant_role(city.member_a, "member", organisation=city.agency_b)
    db.session.commit()
    wid = make_wish(city, "claimed", claimer=city.member_a)
    # a member of two branches is managed by the city admin (a branch admin manages only those whose every role
    # it could grant: see the accounts policy)
    admin = client_as(make_client, "admin")
    ra = next(r.id for r in city.member_a.roles if r.role == "member" and r.organisation_id == city.agency_a.id)
    assert admin.post(f"/users/{city.member_a.id}/roles/{ra}/revoke").status_code == 303
    assert get_wish(wid).state == "claimed"
    assert city.resident_a.mobile in body(client_as(make_client, "member_a").get(f"/wishes/{wid}"))


def test_deactivating_a_claimant_releases_the_personal_claim_and_leaves_teams(make_client, city):
    personal = make_wish(city, "claimed", claimer=city.member_a, title="Personal")
    team, _admin = team_claim(make_client, city)
    staff = client_as(make_client, "admin")
    assert staff.post(f"/users/{city.member_a.id}/deactivate").status_code == 303
    assert get_wish(personal).state == "published"
    assert timeline_actions(personal)[-1] == "released_role_ended"
    assert get_wish(team).state == "claimed"
    assert db.session.scalar(select(WishClaimMember).where(WishClaimMember.user_id == city.member_a.id)) is None


def test_on_behalf_author_whose_staff_role_ends_no_longer_answers_for_the_wish(make_client, city):
    staff = client_as(make_client, "staff_a")
    r = staff.post("/wishes/new", {"category": "daily", "title": "Rice", "description": "A bag of rice",
                                   "value": "50", "wanted_by": "", "subject_name": "黄奶奶",
                                   "subject_contact": "son 13900000099", "area_id": str(city.micro_a1.id)})
    assert r.status_code == 200  # no date: refused, shows the form
    from datetime import timedelta

    from app.timeutil import local_today
    r = staff.post("/wishes/new", {"category": "daily", "title": "Rice", "description": "A bag of rice",
                                   "value": "50", "wanted_by": (local_today() + timedelta(days=9)).isoformat(),
                                   "subject_name": "黄奶奶", "subject_contact": "son 13900000099",
                                   "area_id": str(city.micro_a1.id)})
    assert r.status_code == 303
    wid = int(r.headers["Location"].rsplit("/", 1)[1])
    root = client_as(make_client, "admin")
    assert root.post(f"/users/{city.staff_a.id}/roles/"
                     f"{role_id(city.staff_a, 'community_staff')}/revoke").status_code == 303
    former = client_as(make_client, "staff_a")
    assert former.get(f"/wishes/{wid}").status_code == 404  # pending: seen only by the resident's side and staff
    assert former.post(f"/wishes/{wid}/withdraw").status_code == 404
    assert get_wish(wid).state == "pending"
