"""An assignment never outlives the role that justified it: revoking the role or deactivating the account hands the
issue back to the queue (recorded), and no check resting on the assignment still lets the person in."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import RoleAssignment
from app.extensions import db
from app.issues import services as s
from app.issues.models import Issue
from app.notifications.models import Notification
from app.timeline.models import TimelineEntry


def fresh(issue_id) -> Issue:
    db.session.expire_all()
    return db.session.get(Issue, issue_id)


def role_of(user, role) -> RoleAssignment:
    return db.session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user.id,
                                                           RoleAssignment.role == role)).one()


@pytest.fixture
def assigned(city, file_issue):
    """An in-progress neighbour dispute (private: only handlers see it) assigned by staff to the micro-grid leader."""
    issue = file_issue(city.resident_a, city.micro_a1, "neighbour_dispute", "Water from upstairs")
    s.accept(issue, city.staff_a)
    s.start(issue, city.staff_a)
    s.add_note(issue, city.staff_a, "Upstairs tenant is 301", public=False)
    s.assign(issue, city.staff_a, city.leader_a1)
    db.session.commit()
    return issue.id


def leader_sees(client, issue_id) -> str:
    r = client.get(f"/issues/{issue_id}")
    return "" if r.status_code == 404 else r.get_data(as_text=True)


def test_revoking_the_role_ends_the_assignment(client, make_client, city, assigned):
    leader = make_client()
    leader.login("leader_a1")
    page = leader_sees(leader, assigned)
    assert "Upstairs tenant is 301" in page and city.resident_a.mobile in page and "/resolve" in page

    client.login("staff_a")
    ra = role_of(city.leader_a1, "microgrid_leader")
    assert client.post(f"/users/{city.leader_a1.id}/roles/{ra.id}/revoke").status_code == 303

    issue = fresh(assigned)
    assert issue.assignee_id is None and issue.state == "in_progress"
    entry = db.session.scalars(select(TimelineEntry).where(TimelineEntry.subject_id == assigned)
                               .order_by(TimelineEntry.id.desc()).limit(1)).one()
    assert (entry.action, entry.note, entry.public, entry.actor_id) == (
        "unassigned_role_revoked", city.leader_a1.display_name, False, city.staff_a.id)
    # the people of that level hear it is back in their queue
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.event == "issue.unassigned")))
    assert told == {city.grid_leader_a.id}  # no micro-grid leader left there: the nearest who may act
    # the former leader: no internal notes, no mobile, no resolving (a private category: not even the page)
    page = leader_sees(leader, assigned)
    assert "Upstairs tenant is 301" not in page and city.resident_a.mobile not in page
    assert leader.post(f"/issues/{assigned}/resolve", {"note": "done"}).status_code == 404
    assert leader.post(f"/issues/{assigned}/note", {"note": "still here"}).status_code == 404
    assert fresh(assigned).state == "in_progress"
    # and the staff member's page shows the step on the timeline
    page = client.get(f"/issues/{assigned}").get_data(as_text=True)
    assert "Assignment ended: the role behind it was revoked" in page


def test_policy_requires_the_role_even_if_an_assignment_survived(make_client, city, assigned):
    """Data from before this rule (or any other path) cannot keep the power: the check itself needs the role."""
    leader_role = role_of(city.leader_a1, "microgrid_leader")
    db.session.delete(leader_role)  # the role gone without the event: the assignment is still on the issue
    db.session.commit()
    assert fresh(assigned).assignee_id == city.leader_a1.id
    leader = make_client()
    leader.login("leader_a1")
    assert "Upstairs tenant is 301" not in leader_sees(leader, assigned)
    assert leader.post(f"/issues/{assigned}/resolve", {"note": "done"}).status_code == 404
    assert "Water from upstairs" not in leader.get("/issues/?view=mine").get_data(as_text=True)


def test_another_role_that_still_covers_it_keeps_the_assignment(client, city, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1, "street_light", "Lamp out")
    s.accept(issue, city.staff_a)
    s.assign(issue, city.staff_a, city.grid_leader_a)
    from app.accounts.services import grant_role

    grant_role(city.grid_leader_a, "microgrid_leader", area=city.micro_a1)
    db.session.commit()
    client.login("staff_a")
    ra = role_of(city.grid_leader_a, "microgrid_leader")
    assert client.post(f"/users/{city.grid_leader_a.id}/roles/{ra.id}/revoke").status_code == 303
    assert fresh(issue.id).assignee_id == city.grid_leader_a.id  # still grid leader over that micro-grid


def test_deactivating_the_account_ends_its_assignments(client, city, assigned):
    client.login("staff_a")
    assert client.post(f"/users/{city.leader_a1.id}/deactivate").status_code == 303
    assert fresh(assigned).assignee_id is None
    actions = list(db.session.scalars(select(TimelineEntry.action).where(TimelineEntry.subject_id == assigned)))
    assert actions[-1] == "unassigned_deactivated"
