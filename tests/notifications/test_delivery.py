"""Who is told of what: through the services, as the routes and jobs call them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.issues import services as issues
from app.notifications.models import Notification
from app.timeutil import utcnow
from app.wishes import services as wishes
from tests.notifications.conftest import notes_of, told
from tests.wishes.helpers import get_wish, make_wish, wish_input


# -- wishes -----------------------------------------------------------------------------------------------------
def test_a_claim_tells_the_wisher_and_not_the_claimant(city):
    wish_id = make_wish(city, "claimed", claimer=city.member_a)
    assert told("wish.claimed", wish_id) == {city.resident_a.id}
    (note,) = [n for n in notes_of(city.resident_a) if n.event == "wish.claimed"]
    assert note.subject_type == "wish" and note.subject_id == wish_id and note.read_at is None
    assert note.params["title"] == "A desk lamp"
    assert not [n for n in notes_of(city.member_a) if n.event == "wish.claimed"]


def test_a_new_wish_reaches_the_staff_of_its_community_only(city):
    wish = wishes.post_wish(city.resident_a, wish_input())
    db.session.commit()
    assert told("wish.posted", wish.id) == {city.staff_a.id}  # not staff_b, not the street, not the resident


def test_a_wish_recorded_by_staff_tells_the_other_staff_not_the_recorder(city):
    from tests.factories import make_user

    colleague = make_user("staff_a_two", roles=[("community_staff", city.comm_a)])
    db.session.commit()
    wish = wishes.post_wish(city.staff_a, wish_input(), wisher=city.resident_a)
    db.session.commit()
    assert told("wish.posted", wish.id) == {colleague.id}


def test_the_resident_hears_of_review_and_expiry(city):
    published = make_wish(city, "published")
    rejected = make_wish(city, "rejected")
    assert told("wish.published", published) == {city.resident_a.id}
    assert told("wish.rejected", rejected) == {city.resident_a.id}
    (note,) = [n for n in notes_of(city.resident_a) if n.event == "wish.rejected"]
    assert note.params["reason"] == "Not a micro-wish"
    wishes.expire(get_wish(published))
    db.session.commit()
    assert told("wish.expired", published) == {city.resident_a.id}


def test_fulfilled_asks_the_wisher_and_completed_thanks_claimant_and_team(city):
    team_member = city.member_a
    wish = get_wish(make_wish(city, "published"))
    wishes.claim(wish, city.agency_admin_a, organisation_id=city.agency_a.id, member_ids=[team_member.id])
    wishes.fulfil(wish, city.agency_admin_a, "Brought it round")
    db.session.commit()
    assert told("wish.fulfilled", wish.id) == {city.resident_a.id}
    wishes.not_received(get_wish(wish.id), city.resident_a, "The bulb is missing")
    db.session.commit()
    assert told("wish.not_received", wish.id) == {city.agency_admin_a.id, team_member.id}
    wish = get_wish(wish.id)
    wishes.fulfil(wish, city.agency_admin_a, "Bulb delivered")
    wishes.confirm(wish, city.resident_a, "Thanks")
    db.session.commit()
    assert told("wish.completed", wish.id) == {city.agency_admin_a.id, team_member.id}


def test_a_release_tells_the_claimant_unless_they_released_it_themself(city):
    wish_id = make_wish(city, "claimed", claimer=city.member_a)
    wishes.release(get_wish(wish_id), city.member_a, "Cannot make it")
    db.session.commit()
    assert told("wish.released", wish_id) == set()

    wishes.claim(get_wish(wish_id), city.member_a)
    wishes.release(get_wish(wish_id), city.staff_a, "No progress for two weeks")
    db.session.commit()
    assert told("wish.released", wish_id) == {city.member_a.id}

    wishes.claim(get_wish(wish_id), city.member_a)
    wishes.release(get_wish(wish_id), None, None, automatic=True)
    db.session.commit()
    notes = [n for n in notes_of(city.member_a) if n.event == "wish.released"]
    assert len(notes) == 2 and notes[-1].params.get("_v") == "auto"


# -- issues -----------------------------------------------------------------------------------------------------
def test_a_report_reaches_the_leader_of_its_micro_grid_only(city, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1)
    assert issue.level == "microgrid"
    # the leader of micro-grid A1 must accept it; not A2's leader, not the grid leader, not staff
    assert told("issue.reported", issue.id) == {city.leader_a1.id}


def test_a_report_at_grid_level_reaches_the_grid_leader_and_community_staff(city, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1, code="facilities")
    assert issue.level == "grid"
    # the same people whose queue it lands in (community staff take grid work too)
    assert told("issue.reported", issue.id) == {city.grid_leader_a.id, city.staff_a.id}


def test_a_report_in_a_micro_grid_without_leader_reaches_the_grid(city, file_issue):
    from app.areas.services import create_area

    micro = create_area("Micro A4", "microgrid", city.grid_a)
    db.session.commit()
    issue = file_issue(city.resident_a, micro)
    assert told("issue.reported", issue.id) == {city.grid_leader_a.id}


def test_a_report_where_nobody_leads_reaches_the_nearest_people_above(city, file_issue):
    resident = city.resident_a
    issue = issues.report_issue(reporter=city.street_admin_a, category=issues.category_by_code("street_light"),
                                description="Dark stairway", area=city.micro_a3, on_behalf_of=resident)
    db.session.commit()
    # micro-grid A3, grid A2 and community A2 have nobody: the street office is next — but it recorded the report
    assert told("issue.reported", issue.id) == set()
    issue2 = file_issue(city.sentinel, city.micro_a3)
    assert told("issue.reported", issue2.id) == {city.street_admin_a.id}


def test_the_leader_reporting_in_their_own_micro_grid_is_not_told(city, file_issue):
    issue = file_issue(city.leader_a1, city.micro_a1)
    assert told("issue.reported", issue.id) == set()


def test_escalation_tells_the_next_level(city, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1)
    issues.escalate(issue, city.leader_a1, "Needs a ladder truck")
    db.session.commit()
    assert told("issue.escalated", issue.id) == {city.grid_leader_a.id, city.staff_a.id}
    assert city.leader_a2.id not in told("issue.escalated")
    issues.escalate(issue, city.grid_leader_a, "Needs the community's budget")
    db.session.commit()
    notes = [n for n in notes_of(city.staff_a) if n.event == "issue.escalated"]
    assert [n.params["level"] for n in notes] == ["grid", "community"]
    assert notes[-1].params["reason"] == "Needs the community's budget"
    assert len([n for n in notes_of(city.grid_leader_a) if n.event == "issue.escalated"]) == 1
    issues.escalate(issue, city.staff_a, "Needs the street office")
    db.session.commit()
    assert [n.event for n in notes_of(city.street_admin_a)] == ["issue.escalated"]


def test_the_overdue_job_escalates_and_tells_the_next_level(city, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1)
    changes = issues.escalate_overdue(utcnow() + timedelta(hours=25))
    db.session.commit()
    assert changes
    assert told("issue.escalated", issue.id) == {city.grid_leader_a.id, city.staff_a.id}
    (note,) = notes_of(city.grid_leader_a)
    assert note.params.get("_v") == "auto"


def test_overdue_at_street_level_tells_the_street(city, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1)
    for actor in (city.leader_a1, city.grid_leader_a, city.staff_a):
        issues.escalate(issue, actor, "Up")
    db.session.commit()
    issues.escalate_overdue(utcnow() + timedelta(days=30))
    db.session.commit()
    assert told("issue.overdue", issue.id) == {city.street_admin_a.id}


def test_the_resident_hears_every_answer_and_the_assignee_their_task(city, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1)
    issues.accept(issue, city.leader_a1)
    issues.assign(issue, city.staff_a, city.leader_a1)
    db.session.commit()
    assert told("issue.accepted", issue.id) == {city.resident_a.id}
    assert told("issue.assigned", issue.id) == {city.leader_a1.id}
    issues.resolve(issue, city.leader_a1, "Replaced the bulb")
    db.session.commit()
    assert told("issue.resolved", issue.id) == {city.resident_a.id}
    # not satisfied: the resident is the actor; the assignee must act again
    issues.rate(issue, city.resident_a, "unsatisfied", "Still dark")
    db.session.commit()
    assert told("issue.reopened", issue.id) == {city.leader_a1.id}
    issues.resolve(issue, city.leader_a1, "Replaced the fitting")
    db.session.commit()
    issues.auto_close(utcnow() + timedelta(days=30))
    db.session.commit()
    assert told("issue.closed", issue.id) == {city.resident_a.id}
    # nobody is told of their own steps
    assert not [n for n in notes_of(city.resident_a) if n.event == "issue.reported"]


def test_a_rejection_carries_the_reason(city, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1)
    issues.reject(issue, city.leader_a1, "Not in our area")
    db.session.commit()
    (note,) = [n for n in notes_of(city.resident_a) if n.event == "issue.rejected"]
    assert note.params["reason"] == "Not in our area" and note.params["n"] == issue.id


def test_a_duplicate_tells_both_residents_in_their_own_words(city, file_issue):
    original = file_issue(city.resident_a, city.micro_a1)
    duplicate = file_issue(city.staff_a, city.micro_a1, description="Gate 3 lamp out")
    issues.mark_duplicate(duplicate, city.leader_a1, original)
    db.session.commit()
    assert told("issue.duplicate_linked", original.id) == {city.resident_a.id, city.staff_a.id}
    mine = [n for n in notes_of(city.staff_a) if n.event == "issue.duplicate_linked"]
    assert mine[0].params.get("_v") == "mine" and mine[0].params["dup"] == duplicate.id


# -- the rules of delivery -------------------------------------------------------------------------------------
def test_a_rolled_back_change_leaves_no_notification(city):
    wishes.post_wish(city.resident_a, wish_input())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_long_params_are_cut_short(city):
    wish_id = make_wish(city, "pending")
    wishes.reject(get_wish(wish_id), city.staff_a, "x" * 500)
    db.session.commit()
    (note,) = [n for n in notes_of(city.resident_a) if n.event == "wish.rejected"]
    assert len(note.params["reason"]) <= 120


@pytest.mark.parametrize("event", ["wish.withdrawn", "issue.noted", "issue.supported", "area.created"])
def test_events_not_listed_tell_nobody(event):
    from app.notifications import registry

    assert registry.notice_for(event) is None
