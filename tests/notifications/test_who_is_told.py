"""Who is told: nobody left untold when the usual person is missing, the named team hears of its
claim, and the demo city's history does not ring the bell all at once."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.issues import services as issues
from app.notifications.models import Notification
from app.wishes import services as wishes
from app.wishes.models import Wish
from tests.factories import make_user
from tests.notifications.conftest import told
from tests.wishes.helpers import make_wish, wish_input


def test_a_wish_in_a_community_without_staff_reaches_the_street_office(city):
    resident = make_user("resident_a3", home=city.micro_a3)  # Community A2 has no staff
    db.session.commit()
    wish = wishes.post_wish(resident, wish_input())
    db.session.commit()
    assert told("wish.posted", wish.id) == {city.street_admin_a.id}


def test_a_wish_in_a_community_with_staff_reaches_only_them(city):
    wish = wishes.post_wish(city.resident_a, wish_input())
    db.session.commit()
    assert told("wish.posted", wish.id) == {city.staff_a.id}


def test_the_named_team_hears_of_its_claim_and_of_its_release(city):
    wid = make_wish(city, "published")
    wish = db.session.get(Wish, wid)
    wishes.claim(wish, city.agency_admin_a, organisation_id=city.agency_a.id, member_ids=[city.member_a.id])
    db.session.commit()
    assert told("wish.claimed", wid) == {city.resident_a.id, city.member_a.id}
    team_row = db.session.scalar(select(Notification).where(Notification.user_id == city.member_a.id,
                                                            Notification.event == "wish.claimed"))
    assert team_row.params.get("_v") == "team"
    wishes.release(wish, city.staff_a, "The branch cannot make it this month")
    db.session.commit()
    assert told("wish.released", wid) == {city.agency_admin_a.id, city.member_a.id}


def test_street_work_in_a_street_without_its_admin_reaches_the_city_admin(city, file_issue):
    issue = file_issue(city.resident_b, city.micro_b1)
    for _ in range(3):  # micro-grid → grid → community → street
        issues.escalate(issue, city.staff_b, "Beyond the community")
        db.session.commit()
    assert issue.level == "street"
    assert city.admin.id in told("issue.escalated", issue.id)


def test_the_demo_city_rings_the_bell_only_for_what_still_waits(demo_city):
    from app.issues.models import Issue

    unread = db.session.execute(
        select(Notification.event, Notification.subject_id).where(Notification.read_at.is_(None))).all()
    assert unread, "some notices still ask for something"
    assert db.session.scalar(select(func.count()).select_from(Notification)) > len(unread)
    for event, subject_id in unread:
        if event == "wish.posted":
            assert db.session.get(Wish, subject_id).state == "pending"
        if event == "issue.reported":
            assert db.session.get(Issue, subject_id).state == "reported"
        if event == "issue.resolved":
            assert db.session.get(Issue, subject_id).state == "resolved"
