"""Rating by the reporter, reopen on "unsatisfied", the phone revisit, rating twice / by someone else."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.issues import services as s
from app.issues.models import Issue, IssueRating
from app.timeline.models import TimelineEntry


def fresh(issue) -> Issue:
    db.session.expire_all()
    return db.session.get(Issue, issue.id)


@pytest.fixture
def resolved(city, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1, "street_light", "Lamp out")
    s.accept(issue, city.leader_a1)
    s.resolve(issue, city.leader_a1, "New bulb")
    db.session.commit()
    return issue


def test_reporter_rates_satisfied_and_it_closes(client, city, resolved):
    client.login("resident_a")
    page = client.get(f"/issues/{resolved.id}").get_data(as_text=True)
    assert "Was it solved?" in page
    r = client.post(f"/issues/{resolved.id}/rate", {"value": "satisfied", "comment": "Thanks"})
    assert r.status_code == 303
    i = fresh(resolved)
    assert (i.state, i.close_reason) == ("closed", "rated") and i.closed_at is not None
    rating = db.session.scalars(select(IssueRating)).one()
    assert (rating.value, rating.rater_id, rating.revisit, rating.round) == ("satisfied", city.resident_a.id, False, 1)
    # rating twice: a clear message, nothing changed
    r = client.post(f"/issues/{resolved.id}/rate", {"value": "unsatisfied", "comment": "Changed my mind"})
    assert r.status_code == 200 and "not waiting for a rating" in r.get_data(as_text=True)
    assert fresh(resolved).state == "closed" and len(db.session.scalars(select(IssueRating)).all()) == 1


def test_unsatisfied_reopens_at_same_level_with_comment(client, city, resolved):
    client.login("resident_a")
    r = client.post(f"/issues/{resolved.id}/rate", {"value": "unsatisfied", "comment": ""})
    assert r.status_code == 200 and "say what is still wrong" in r.get_data(as_text=True).replace("Tell us w", "w")\
        or "Tell us what is still wrong" in r.get_data(as_text=True)
    assert fresh(resolved).state == "resolved"
    r = client.post(f"/issues/{resolved.id}/rate", {"value": "unsatisfied", "comment": "Still dark at night"})
    assert r.status_code == 303
    i = fresh(resolved)
    assert (i.state, i.level, i.resolved_at) == ("in_progress", "microgrid", None)
    assert i.due_at == i.resolve_due_at and i.due_at > i.created_at
    entry = db.session.scalars(select(TimelineEntry).where(TimelineEntry.action == "reopened")).one()
    assert (entry.from_state, entry.to_state, entry.note, entry.public) == (
        "resolved", "in_progress", "Still dark at night", True)
    client.logout()
    # back in the micro-grid leader's queue; resolved again, then rated again (round 2)
    client.login("leader_a1")
    assert "Lamp out" in client.get("/issues/?view=queue").get_data(as_text=True)
    assert client.post(f"/issues/{resolved.id}/resolve", {"note": "Replaced the cable"}).status_code == 303
    client.logout()
    client.login("resident_a")
    assert client.post(f"/issues/{resolved.id}/rate", {"value": "basically_satisfied"}).status_code == 303
    assert [r.round for r in db.session.scalars(select(IssueRating).order_by(IssueRating.round))] == [1, 2]
    assert fresh(resolved).state == "closed"


@pytest.mark.parametrize("who", ["resident_a2", "leader_a1", "staff_a"])
def test_rating_by_someone_else_is_forbidden(client, city, resolved, who):
    client.login(who)
    page = client.get(f"/issues/{resolved.id}").get_data(as_text=True)
    assert f'action="/issues/{resolved.id}/rate"' not in page
    assert client.post(f"/issues/{resolved.id}/rate", {"value": "satisfied"}).status_code == 403
    assert fresh(resolved).state == "resolved"


def test_bad_rating_value(client, city, resolved):
    client.login("resident_a")
    r = client.post(f"/issues/{resolved.id}/rate", {"value": "ecstatic"})
    assert r.status_code == 200 and "Choose how satisfied you are." in r.get_data(as_text=True)
    assert fresh(resolved).state == "resolved"


def test_staff_records_phone_revisit(client, city, resolved):
    client.login("resident_b")
    assert client.post(f"/issues/{resolved.id}/revisit", {"value": "satisfied"}).status_code == 403
    client.logout()
    client.login("staff_a")
    assert "Record a phone revisit" in client.get(f"/issues/{resolved.id}").get_data(as_text=True)
    assert client.post(f"/issues/{resolved.id}/revisit", {"value": "satisfied", "comment": "Said thanks"}
                       ).status_code == 303
    rating = db.session.scalars(select(IssueRating)).one()
    assert (rating.revisit, rating.recorded_by_id, rating.rater_id) == (True, city.staff_a.id, city.resident_a.id)
    assert fresh(resolved).state == "closed"


def test_recorded_report_is_rated_by_the_resident_not_the_leader(client, city, cats):
    issue = s.report_issue(reporter=city.leader_a1, category=cats["noise"], description="Dogs at night",
                           area=city.micro_a1, channel="visit", on_behalf_of=city.resident_a)
    s.accept(issue, city.leader_a1)
    s.resolve(issue, city.leader_a1, "Talked to the owner")
    db.session.commit()
    client.login("leader_a1")
    r = client.post(f"/issues/{issue.id}/rate", {"value": "satisfied"})
    assert r.status_code == 200 and "Only the resident" in r.get_data(as_text=True)
    client.logout()
    client.login("resident_a")
    assert client.post(f"/issues/{issue.id}/rate", {"value": "satisfied"}).status_code == 303
