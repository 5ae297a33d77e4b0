"""Each rule fires once per source, even when its event is replayed; awards follow the events only."""
from __future__ import annotations

from datetime import timedelta

from app import events
from app.cobuild import services as cobuild
from app.cobuild.models import ChecklistItem
from app.extensions import db
from app.points import services
from app.timeutil import local_today
from app.wishes import services as wishes
from app.wishes.services import WishInput
from tests.cobuild.helpers import agreed_item
from tests.points.helpers import Subject, attested, entries, rules, total, wish_completed


def test_attested_hours_award_once_per_attendance_even_replayed(city):
    found = rules()
    for _ in range(3):
        attested(city.staff_a, city.member_a, city.comm_a, minutes=90, organisation_id=city.agency_a.id)
    db.session.commit()
    rows = entries(user_id=city.member_a.id)
    assert len(rows) == 1
    assert rows[0].points == 15  # 10 per hour, 90 minutes
    assert rows[0].rule_id == found["attendance_hour"].id
    assert (rows[0].community_id, rows[0].street_id, rows[0].organisation_id) == \
        (city.comm_a.id, city.street_a.id, city.agency_a.id)
    assert services.balance_of(city.member_a.id) == 15


def test_an_inactive_rule_awards_nothing(city):
    found = rules()
    found["attendance_hour"].active = False
    db.session.commit()
    attested(city.staff_a, city.member_a, city.comm_a)
    db.session.commit()
    assert entries() == []


def test_wish_completed_awards_claimant_and_team_once(city):
    rules()
    for _ in range(2):
        wish_completed(city.resident_a, city.micro_a1, claimant=city.agency_admin_a, organisation_id=city.agency_a.id,
                       members=(city.member_a, city.agency_admin_a))
    db.session.commit()
    assert total(city.agency_admin_a) == 20  # claimant only, not also as a team member
    assert total(city.member_a) == 10
    assert len(entries()) == 2
    assert {e.community_id for e in entries()} == {city.comm_a.id}


def test_a_real_wish_completed_through_the_wishes_services_earns_the_member_points(city):
    rules()
    wish = wishes.post_wish(city.resident_a, WishInput(category="daily", title="A lamp", description="For reading.",
                                                       value=50, wanted_by=local_today() + timedelta(days=10)))
    wishes.approve(wish, city.staff_a)
    wishes.claim(wish, city.member_a)
    wishes.fulfil(wish, city.member_a, "Brought it round.")
    wishes.confirm(wish, city.resident_a, "Thank you")
    db.session.commit()
    assert total(city.member_a) == 20
    assert entries()[0].source_type == "wish" and entries()[0].source_id == wish.id


def test_checklist_done_awards_the_branch_not_persons_and_only_for_its_own_items(city):
    rules()
    ours = db.session.get(ChecklistItem, agreed_item(city, kind="need", side="agency", title="Meals"))
    theirs = db.session.get(ChecklistItem, agreed_item(city, kind="need", side="community", title="A room"))
    cobuild.mark_done(city.agency_admin_a, ours, "Served twice a week.")
    cobuild.mark_done(city.staff_a, theirs, "The room is open.")
    cobuild.emit_item("checklist.done", city.agency_admin_a, ours, title=ours.title)  # replayed
    db.session.commit()
    rows = entries()
    assert len(rows) == 1
    assert rows[0].user_id is None and rows[0].organisation_id == city.agency_a.id and rows[0].points == 30
    assert rows[0].source_type == "checklist_item" and rows[0].source_id == ours.id


def _accepted(city, issue):
    return events.emit("issue.accepted", actor=city.leader_a1, subject=issue, area_id=city.micro_a1.id,
                       level="microgrid", from_state="reported", to_state="accepted", notify=())


def test_an_accepted_sentinel_report_awards_the_sentinel_once(city):
    rules()
    sentinel_issue = Subject("issue", 40, channel="sentinel", reporter_id=city.sentinel.id)
    web_issue = Subject("issue", 41, channel="web", reporter_id=city.resident_a.id)
    for _ in range(2):
        _accepted(city, sentinel_issue)
    _accepted(city, web_issue)
    db.session.commit()
    assert total(city.sentinel) == 5
    assert total(city.resident_a) == 0


def _resolved_and_rated(city, issue, resolver, rating):
    events.emit("issue.resolved", actor=resolver, subject=issue, area_id=city.micro_a1.id, level="microgrid",
                from_state="in_progress", to_state="resolved", notify=(), mediation=False, agreement_reached=False)
    for _ in range(2):
        events.emit("issue.rated", actor=city.resident_a, subject=issue, area_id=city.micro_a1.id,
                    level="microgrid", from_state="resolved", to_state="closed", notify=(), rating=rating,
                    revisit=False, resolved_by_id=resolver.id)


def test_an_issue_resolved_by_a_leader_and_rated_satisfied_awards_the_leader_once(city):
    rules()
    _resolved_and_rated(city, Subject("issue", 50), city.leader_a1, "satisfied")
    _resolved_and_rated(city, Subject("issue", 51), city.leader_a1, "basically_satisfied")
    _resolved_and_rated(city, Subject("issue", 52), city.staff_a, "satisfied")  # staff, not a leader
    db.session.commit()
    assert total(city.leader_a1) == 10
    assert total(city.staff_a) == 0
    assert len(entries()) == 1


def test_points_arriving_give_one_notice_per_event(make_client, city):
    from sqlalchemy import func, select

    from app.notifications.models import Notification
    rules()
    wish_completed(city.resident_a, city.micro_a1, claimant=city.agency_admin_a, organisation_id=city.agency_a.id,
                   members=(city.member_a,))
    attested(city.staff_a, city.member_a, city.comm_a, attendance_id=2, minutes=60)
    attested(city.staff_a, city.member_a, city.comm_a, attendance_id=2, minutes=60)  # replayed: no second notice
    db.session.commit()
    count = db.session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.user_id == city.member_a.id, Notification.event == "points.awarded"))
    assert count == 2
    c = make_client()
    c.login("member_a")
    page = c.get("/notifications/").get_data(as_text=True)
    assert "You received 10 points" in page
