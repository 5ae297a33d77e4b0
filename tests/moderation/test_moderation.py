"""Flag → hidden at the threshold → staff of the area restore or remove it; originals kept; the author is told."""
from __future__ import annotations

from html import unescape

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.issues.models import Issue
from app.notifications.models import Notification
from tests.moderation.conftest import as_user, body, case_of, flag_with, flags_of, wish


def notices_of(user, event):
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.event == event)))


def test_the_third_flag_hides_a_wish_from_the_wall_and_its_public_page(make_client, city, wish_id):
    flag_with([city.resident_b, city.member_a], wish(wish_id))
    assert wish(wish_id).moderation is None
    anon = as_user(make_client, None)
    assert "A reading lamp" in body(anon.get("/wishes/"))

    reporter = as_user(make_client, "resident_a2")
    page = body(reporter.get(f"/wishes/{wish_id}"))
    assert "Report this content" in page
    r = reporter.post(f"/moderation/wish/{wish_id}/flag", {"reason": "Advertising a shop"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/wishes/{wish_id}")

    assert wish(wish_id).moderation == "hidden"
    assert case_of("wish", wish_id).state == "hidden" and case_of("wish", wish_id).flag_count == 3
    assert "A reading lamp" not in body(anon.get("/wishes/"))
    public = body(anon.get(f"/wishes/{wish_id}"))
    assert "Hidden pending review" in public and "A reading lamp" not in public
    # the author still sees it, marked; and is told
    author_page = body(as_user(make_client, "resident_a").get(f"/wishes/{wish_id}"))
    assert "A reading lamp" in author_page and "Hidden pending review" in author_page
    assert len(notices_of(city.resident_a, "moderation.hidden")) == 1
    # staff of its community see it with the way to the review, and the home card counts it
    staff = as_user(make_client, "staff_a")
    assert "Review: restore or remove" in body(staff.get(f"/wishes/{wish_id}"))
    home = body(staff.get("/"))
    assert "1 items awaiting review" in home and 'href="/moderation/"' in home
    assert "A reading lamp" in body(staff.get("/moderation/"))
    # exactly one "hidden" in the audit log
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "moderation.hidden",
                                                         AuditEntry.subject_id == wish_id)) is not None


def test_threshold_is_a_setting(app, monkeypatch, make_client, city, wish_id):
    monkeypatch.setitem(app.config, "MODERATION_FLAG_THRESHOLD", 1)
    flag_with([city.resident_b], wish(wish_id))
    assert wish(wish_id).moderation == "hidden"


def test_flagging_ones_own_post_or_twice_is_refused_with_a_message(make_client, city, wish_id):
    author = as_user(make_client, "resident_a")
    assert "Report this content" not in body(author.get(f"/wishes/{wish_id}"))  # no button for one's own post
    r = author.post(f"/moderation/wish/{wish_id}/flag", {"reason": "Testing"})
    assert r.status_code == 303 and "/moderation/wish/" in r.headers["Location"]
    assert "You cannot report your own post." in unescape(body(author.get(r.headers["Location"])))
    assert flags_of("wish", wish_id) == 0

    other = as_user(make_client, "resident_b")
    assert other.post(f"/moderation/wish/{wish_id}/flag", {"reason": "Spam"}).status_code == 303
    page = body(other.get(f"/wishes/{wish_id}"))
    assert "You reported this." in page and "Report this content" not in page
    r = other.post(f"/moderation/wish/{wish_id}/flag", {"reason": "Spam again"})
    assert "You have already reported this." in body(other.get(r.headers["Location"]))
    assert flags_of("wish", wish_id) == 1
    # an empty reason: the message by its field, nothing changed
    third = as_user(make_client, "resident_a2")
    r = third.post(f"/moderation/wish/{wish_id}/flag", {"reason": "   "})
    assert "Say briefly what is wrong with it." in body(third.get(r.headers["Location"]))
    assert flags_of("wish", wish_id) == 1


def test_signed_out_visitors_are_sent_to_sign_in_and_unknown_kinds_are_404(make_client, city, wish_id):
    anon = as_user(make_client, None)
    assert "Report this content" not in body(anon.get(f"/wishes/{wish_id}"))
    r = anon.post(f"/moderation/wish/{wish_id}/flag", {"reason": "x"})
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    assert flags_of("wish", wish_id) == 0
    member = as_user(make_client, "resident_b")
    assert member.get("/moderation/poll/1/flag").status_code == 404
    assert member.get("/moderation/wish/999999/flag").status_code == 404


def test_a_pending_wish_cannot_be_flagged_by_a_stranger(make_client, city):
    from tests.wishes.helpers import make_wish
    wid = make_wish(city, "pending")
    assert as_user(make_client, "resident_b").post(f"/moderation/wish/{wid}/flag", {"reason": "x"}).status_code == 404


def test_staff_restore_shows_it_again_and_tells_the_author(make_client, city, wish_id):
    flag_with([city.resident_b, city.member_a, city.resident_a2], wish(wish_id))
    staff = as_user(make_client, "staff_a")
    review = body(staff.get(f"/moderation/wish/{wish_id}"))
    assert "Rude words" in review and "Show it again" in review
    r = staff.post(f"/moderation/wish/{wish_id}/restore", {"restore-reason": "Nothing wrong with it"})
    assert r.status_code == 303
    assert wish(wish_id).moderation is None and case_of("wish", wish_id).state == "restored"
    assert "A reading lamp" in body(as_user(make_client, None).get("/wishes/"))
    [notice] = notices_of(city.resident_a, "moderation.restored")
    assert notice.params["reason"] == "Nothing wrong with it"
    # those who flagged before cannot flag it again; a new person opens a new case
    again = as_user(make_client, "resident_b")
    r = again.post(f"/moderation/wish/{wish_id}/flag", {"reason": "Still rude"})
    assert "You have already reported this." in body(again.get(r.headers["Location"]))
    flag_with([city.member_b], wish(wish_id))
    assert case_of("wish", wish_id).state == "flagged" and case_of("wish", wish_id).flag_count == 1


def test_staff_remove_replaces_the_text_and_keeps_the_original(make_client, city, wish_id):
    flag_with([city.resident_b, city.member_a, city.resident_a2], wish(wish_id))
    staff = as_user(make_client, "staff_a")
    r = staff.post(f"/moderation/wish/{wish_id}/remove", {"remove-reason": "Personal details of a neighbour"})
    assert r.status_code == 303
    w = wish(wish_id)
    assert w.moderation == "removed"
    assert "A reading lamp" not in w.title and "Personal details of a neighbour" in w.description
    case = case_of("wish", wish_id)
    assert case.state == "removed" and case.original == {"title": "A reading lamp",
                                                         "description": "For my grandson's homework"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "moderation.removed",
                                                       AuditEntry.subject_id == wish_id))
    assert entry.details["original"]["title"] == "A reading lamp" and entry.actor_id == city.staff_a.id
    [notice] = notices_of(city.resident_a, "moderation.removed")
    assert notice.params["title"] == "A reading lamp"
    public = body(as_user(make_client, None).get(f"/wishes/{wish_id}"))
    assert "Personal details of a neighbour" in public and "grandson" not in public
    # decided: a second decision is refused with a message, nothing changes
    late = as_user(make_client, "street_a")
    r = late.post(f"/moderation/wish/{wish_id}/restore", {"restore-reason": "oops"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/moderation/wish/{wish_id}")
    page = body(late.get(r.headers["Location"]))
    assert "This is no longer waiting for review: someone decided already." in unescape(page)
    assert "Show it again" not in page
    assert wish(wish_id).moderation == "removed" and case_of("wish", wish_id).state == "removed"


def test_a_decision_needs_a_reason(make_client, city, wish_id):
    flag_with([city.resident_b, city.member_a, city.resident_a2], wish(wish_id))
    staff = as_user(make_client, "staff_a")
    r = staff.post(f"/moderation/wish/{wish_id}/remove", {"remove-reason": ""})
    assert r.status_code == 303 and r.headers["Location"].endswith("#act-remove")
    assert "Give the reason for your decision" in body(staff.get(r.headers["Location"]))
    assert wish(wish_id).moderation == "hidden"


def test_staff_of_another_area_and_residents_may_not_decide(make_client, city, wish_id):
    flag_with([city.resident_b, city.member_a, city.resident_a2], wish(wish_id))
    other = as_user(make_client, "staff_b")
    assert "Review: restore or remove" not in body(other.get(f"/wishes/{wish_id}"))
    assert other.get(f"/moderation/wish/{wish_id}").status_code == 403
    assert other.post(f"/moderation/wish/{wish_id}/remove", {"remove-reason": "x"}).status_code == 403
    assert "A reading lamp" not in body(other.get("/moderation/"))
    resident = as_user(make_client, "resident_b")
    assert resident.get("/moderation/").status_code == 403
    assert resident.post(f"/moderation/wish/{wish_id}/restore", {"restore-reason": "x"}).status_code == 403
    assert wish(wish_id).moderation == "hidden"
    # the street office of the wish's street and the city admin may
    assert as_user(make_client, "street_a").get(f"/moderation/wish/{wish_id}").status_code == 200
    assert as_user(make_client, "admin").get(f"/moderation/wish/{wish_id}").status_code == 200


def test_an_issue_description_is_flagged_hidden_and_removed(app, monkeypatch, make_client, city, issue_id):
    monkeypatch.setitem(app.config, "MODERATION_FLAG_THRESHOLD", 2)
    anon = as_user(make_client, None)
    assert "The lamp by gate 3" in body(anon.get("/issues/?view=public"))
    reporter = as_user(make_client, "resident_b")
    assert "Report this content" in body(reporter.get(f"/issues/{issue_id}"))
    flag_with([city.resident_b, city.member_a], db.session.get(Issue, issue_id))
    db.session.expire_all()
    assert db.session.get(Issue, issue_id).moderation == "hidden"
    assert "The lamp by gate 3" not in body(anon.get("/issues/?view=public"))
    assert "Hidden pending review" in body(anon.get(f"/issues/{issue_id}"))
    staff = as_user(make_client, "staff_a")
    r = staff.post(f"/moderation/issue/{issue_id}/remove", {"remove-reason": "Insults"})
    assert r.status_code == 303
    db.session.expire_all()
    issue = db.session.get(Issue, issue_id)
    assert issue.moderation == "removed" and "Insults" in issue.description
    assert case_of("issue", issue_id).original == {"description": "The lamp by gate 3 is broken"}
    assert len(notices_of(city.resident_a, "moderation.removed")) == 1


def test_a_hidden_issue_leaves_the_open311_api_too(app, monkeypatch, make_client, city, issue_id):
    monkeypatch.setitem(app.config, "MODERATION_FLAG_THRESHOLD", 1)
    api = as_user(make_client, None)
    assert api.get(f"/open311/v2/requests/{issue_id}.json").status_code == 200
    flag_with([city.resident_b], db.session.get(Issue, issue_id))
    assert api.get(f"/open311/v2/requests/{issue_id}.json").status_code == 404
    assert "The lamp by gate 3" not in body(api.get("/open311/v2/requests.json"))


def test_a_wish_story_is_flaggable_and_removing_it_replaces_the_story(make_client, city):
    from tests.wishes.helpers import make_wish
    wid = make_wish(city, "completed", title="Story lamp")
    public = body(as_user(make_client, None).get(f"/wishes/{wid}"))
    assert "Delivered the lamp" in public and "Thank you!" in public  # the story (圆梦故事)
    flag_with([city.resident_b, city.resident_a2, city.member_b], wish(wid))
    staff = as_user(make_client, "staff_a")
    assert staff.post(f"/moderation/wish/{wid}/remove", {"remove-reason": "A stranger's address"}).status_code == 303
    w = wish(wid)
    assert "Delivered the lamp" not in (w.fulfil_note or "") and "A stranger's address" in w.fulfil_note
    assert case_of("wish", wid).original["fulfil_note"] == "Delivered the lamp"
    assert case_of("wish", wid).original["thanks_note"] == "Thank you!"
    wall = body(as_user(make_client, None).get("/wishes/?status=completed"))
    assert "Story lamp" not in wall and "Delivered the lamp" not in wall


def test_a_hidden_wish_offers_no_claim_and_a_direct_claim_is_refused(make_client, city, wish_id):
    claimant = as_user(make_client, "member_a")
    assert f'action="/wishes/{wish_id}/claim"' in body(claimant.get(f"/wishes/{wish_id}"))
    flag_with([city.resident_b, city.resident_a2, city.member_b], wish(wish_id))
    assert wish(wish_id).moderation == "hidden"
    assert f'action="/wishes/{wish_id}/claim"' not in body(claimant.get(f"/wishes/{wish_id}"))
    r = claimant.post(f"/wishes/{wish_id}/claim", {})
    assert r.status_code == 303
    # back on the wish's page, which now says why it cannot be seen (nor claimed)
    assert "Hidden pending review" in body(claimant.get(r.headers["Location"]))
    assert wish(wish_id).state == "published"
