"""Rating by the reporter, reopen on "unsatisfied", the phone revisit, rating twice / by someone else."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.issues import services as s
from app.issues.models import Issue, IssueRating
from app.timeline.models import TimelineEntry
from tests.issues.conftest import refused


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
    r = refused(client, f"/issues/{resolved.id}/rate", {"value": "unsatisfied", "comment": "Changed my mind"})
    assert r.status_code == 200 and "not waiting for a rating" in r.get_data(as_text=True)
    assert fresh(resolved).state == "closed" and len(db.session.scalars(select(IssueRating)).all()) == 1


def test_unsatisfied_reopens_at_same_level_with_comment(client, city, resolved):
    client.login("resident_a")
    r = refused(client, f"/issues/{resolved.id}/rate", {"value": "unsatisfied", "comment": ""})
    assert r.status_code == 200
    assert "Tell us what is still wrong, so it can be put right." in r.get_data(as_text=True)
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
    r = refused(client, f"/issues/{resolved.id}/rate", {"value": "ecstatic"})
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
    assert client.post(f"/issues/{issue.id}/rate", {"value": "satisfied"}).status_code == 403
    client.logout()
    client.login("resident_a")
    assert client.post(f"/issues/{issue.id}/rate", {"value": "satisfied"}).status_code == 303


@pytest.fixture
def recorded_without_account(city, cats):
    """代录 by leader_a1 for Grandma Liu, who has no account; resolved by the same leader."""
    issue = s.report_issue(reporter=city.leader_a1, category=cats["noise"], description="Dogs at night",
                           area=city.micro_a1, channel="phone", reporter_name="刘奶奶", reporter_phone="0510-1234567")
    s.accept(issue, city.leader_a1)
    s.resolve(issue, city.leader_a1, "Talked to the owner")
    db.session.commit()
    return issue


def test_recorder_cannot_rate_for_a_resident_without_account(client, city, recorded_without_account):
    issue = recorded_without_account
    assert issue.resident_id is None and issue.resident is None
    client.login("leader_a1")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "Was it solved?" not in page and f'action="/issues/{issue.id}/rate"' not in page
    assert client.post(f"/issues/{issue.id}/rate", {"value": "satisfied"}).status_code == 403
    assert fresh(issue).state == "resolved" and db.session.scalar(select(IssueRating.id)) is None
    # not in the recorder's own reports, nor on their "please rate" card
    assert "Dogs at night" not in client.get("/issues/?view=mine").get_data(as_text=True)
    assert "Please rate how your report was solved" not in client.get("/").get_data(as_text=True)


def test_staff_see_the_resident_without_account_and_close_it_by_revisit(client, city, recorded_without_account):
    issue = recorded_without_account
    client.login("staff_a")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    reporter = page.split(">Reporter<", 1)[1].split("</dd>", 1)[0]
    assert "刘奶奶" in reporter and "0510-1234567" in reporter and "recorded by" in reporter
    assert "Record a phone revisit" in page
    assert client.post(f"/issues/{issue.id}/revisit", {"value": "satisfied"}).status_code == 303
    rating = db.session.scalars(select(IssueRating)).one()
    assert (rating.revisit, rating.recorded_by_id, rating.rater_id) == (True, city.staff_a.id, None)
    assert fresh(issue).state == "closed"


def test_public_sees_the_residents_masked_name_not_the_recorder(client, city, recorded_without_account):
    issue = recorded_without_account
    client.login("resident_a2")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    reporter = page.split(">Reporter<", 1)[1].split("</dd>", 1)[0]
    assert "刘*" in reporter
    assert city.leader_a1.masked_name not in reporter and city.leader_a1.display_name not in reporter


def test_microgrid_leader_cannot_close_a_street_level_issue_by_revisit(client, city, cats):
    issue = s.report_issue(reporter=city.resident_a, category=cats["street_light"], description="Lamp out",
                           area=city.micro_a1)
    for reason in ("to grid", "to community", "to street"):
        s.escalate(issue, city.staff_a, reason)
    s.accept(issue, city.street_admin_a)
    s.resolve(issue, city.street_admin_a, "Street budget")
    db.session.commit()
    assert fresh(issue).level == "street"
    client.login("leader_a1")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "Record a phone revisit" not in page
    assert client.post(f"/issues/{issue.id}/revisit", {"value": "satisfied"}).status_code == 403
    client.logout()
    client.login("staff_a")
    assert client.post(f"/issues/{issue.id}/revisit", {"value": "satisfied"}).status_code == 403
    client.logout()
    client.login("street_a")
    assert client.post(f"/issues/{issue.id}/revisit", {"value": "satisfied"}).status_code == 303
    assert fresh(issue).state == "closed"


def test_a_rating_names_who_resolved_what_is_rated(client, city, resolved):
    """Points and the dashboard learn the resolver from the event, not from another domain's records."""
    from app import events

    seen = []

    def capture(event):
        seen.append(event)

    events.signal("issue.rated").connect(capture)
    try:
        client.login("resident_a")
        assert client.post(f"/issues/{resolved.id}/rate", {"value": "satisfied"}).status_code == 303
    finally:
        events.signal("issue.rated").disconnect(capture)
    [event] = seen
    assert event.payload.resolved_by_id == city.leader_a1.id
