"""Every change of a checklist item emits an event naming the item, its pairing, the actor, the community and the
agency branch; the people who must act are told (the other side, the responsible side, the community, the street
office) and nobody else."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import events
from app.cli import load_domain_modules
from app.cobuild import services
from app.cobuild.models import ChecklistItem
from app.extensions import db
from app.jobs import run_all
from app.notifications.models import Notification
from app.timeutil import local_today, utcnow
from tests.cobuild.helpers import form, item_input

JOBS = ("cobuild.flag_overdue", "cobuild.remind_due_soon", "cobuild.unclaimed_open_needs")


@pytest.fixture
def captured():
    seen: list = []

    def listen(event):
        if event.name.startswith("checklist."):
            # the actor as it was when the event was emitted (a request's current user is gone afterwards)
            seen.append((event, getattr(event.actor, "id", None), event.subject_id))

    events.any_event.connect(listen, weak=False)
    yield seen
    events.any_event.disconnect(listen)


def told(event: str, subject_id: int) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(Notification.user_id).where(Notification.event == event,
                                                                      Notification.subject_id == subject_id)))


def _check(captured_event, actor, city, organisation_id):
    event, actor_id, item_id = captured_event
    item = db.session.get(ChecklistItem, item_id)
    assert event.payload.subject_id == item.id and event.payload.pairing_id == item.pairing_id, event.name
    assert event.payload.area_id == item.community_id, event.name
    assert event.payload.organisation_id == organisation_id, event.name
    assert actor_id == getattr(actor, "id", None), event.name


def test_every_change_through_the_pages_emits_a_complete_event(make_client, city, captured):
    staff, agency = make_client(), make_client()
    staff.login("staff_a")
    agency.login("agency_a")
    pid, org = city.pairing_a.id, city.agency_a.id
    assert staff.post(f"/cobuild/pairings/{pid}/new?kind=need", form("Meals")).status_code == 303
    iid = db.session.scalar(select(ChecklistItem.id).where(ChecklistItem.title == "Meals"))
    assert agency.post(f"/cobuild/items/{iid}/agree").status_code == 303
    assert agency.post(f"/cobuild/items/{iid}/progress", {"progress-percent": "50", "progress-note": "half"}) \
        .status_code == 303
    assert agency.post(f"/cobuild/items/{iid}/done", {"done-note": "all delivered"}).status_code == 303
    assert staff.post(f"/cobuild/items/{iid}/evaluate", {"evaluate-rating": "4", "evaluate-comment": "good"}) \
        .status_code == 303
    names = [e.name for e, *_ in captured]
    assert names == ["checklist.proposed", "checklist.agreed", "checklist.agreement_complete", "checklist.progress",
                     "checklist.done", "checklist.evaluated"]
    actors = [city.staff_a, city.agency_admin_a, city.agency_admin_a, city.agency_admin_a, city.agency_admin_a,
              city.staff_a]
    for event, actor in zip(captured, actors, strict=True):
        _check(event, actor, city, org)
    captured.clear()
    assert staff.post(f"/cobuild/pairings/{pid}/new?kind=resource", form("Tutors")).status_code == 303
    tid = db.session.scalar(select(ChecklistItem.id).where(ChecklistItem.title == "Tutors"))
    assert agency.post(f"/cobuild/items/{tid}/edit", form("Tutors", quantity="30")).status_code == 303
    assert staff.post(f"/cobuild/items/{tid}/cancel", {"cancel-reason": "not needed"}).status_code == 303
    assert [e.name for e, *_ in captured] == ["checklist.proposed", "checklist.changed", "checklist.cancelled"]
    for event, actor in zip(captured, [city.staff_a, city.agency_admin_a, city.staff_a], strict=True):
        _check(event, actor, city, org)


def test_publish_and_claim_events_name_the_branch_once_claimed(make_client, city, captured):
    need = services.publish_open_need(city.staff_a, city.comm_a, item_input("Handrails"))
    db.session.commit()
    _check(captured[0], city.staff_a, city, None)  # nobody's yet
    captured.clear()
    agency = make_client()
    agency.login("agency_a")
    assert agency.post(f"/cobuild/items/{need.id}/claim").status_code == 303
    assert [e.name for e, *_ in captured] == ["checklist.claimed", "checklist.agreement_complete"]
    for event in captured:
        _check(event, city.agency_admin_a, city, city.agency_a.id)


def test_the_people_who_must_act_are_told(make_client, city):
    staff, agency = make_client(), make_client()
    staff.login("staff_a")
    agency.login("agency_a")
    pid = city.pairing_a.id
    # the other side when its agreement is awaited (not the branch's members, not the other pairing)
    assert staff.post(f"/cobuild/pairings/{pid}/new?kind=need", form("Meals")).status_code == 303
    iid = db.session.scalar(select(ChecklistItem.id).where(ChecklistItem.title == "Meals"))
    assert told("checklist.proposed", iid) == {city.agency_admin_a.id}
    # both agreed: the responsible side (the agency) — its actor is not told of its own act
    assert agency.post(f"/cobuild/items/{iid}/agree").status_code == 303
    assert told("checklist.agreement_complete", iid) == set()
    # done: the community is asked to evaluate
    assert agency.post(f"/cobuild/items/{iid}/done", {"done-note": "delivered"}).status_code == 303
    assert told("checklist.done", iid) == {city.staff_a.id}


def test_jobs_tell_the_responsible_side_and_the_street_office(city):
    year = local_today().year
    soon = local_today() + timedelta(days=3)
    due = services.propose(city.agency_admin_a, city.pairing_a, "resource",
                           item_input("Due soon", side="community", target_date=soon if soon.year == year
                                      else date(year, 12, 31)))
    services.agree(city.staff_a, due)
    late = services.propose(city.staff_a, city.pairing_a, "need", item_input("Late"))
    services.agree(city.agency_admin_a, late)
    late.target_date = local_today() - timedelta(days=1)
    need = services.publish_open_need(city.staff_a, city.comm_a, item_input("Nobody came"))
    need.published_at = utcnow() - timedelta(days=15)
    db.session.commit()
    load_domain_modules("jobs")
    results = [r for name in JOBS for r in run_all(only=name)]
    assert [r.name for r in results] == list(JOBS) and all(r.error is None and r.changes for r in results), results
    assert told("checklist.due_soon", due.id) == {city.staff_a.id}
    assert told("checklist.overdue", late.id) == {city.agency_admin_a.id}
    assert told("checklist.unclaimed", need.id) == {city.street_admin_a.id}
    # a second run changes nothing and tells nobody again
    before = db.session.scalar(select(func.count()).select_from(Notification))
    assert all(not r.changes for name in JOBS for r in run_all(only=name))
    assert db.session.scalar(select(func.count()).select_from(Notification)) == before
