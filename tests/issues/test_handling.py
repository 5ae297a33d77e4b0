"""Handling through HTTP, per role: who sees which buttons, who may act (403), who may not even see (404)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.issues.models import Issue, Mediation
from app.timeline.models import TimelineEntry
from tests.issues.conftest import refused


def fresh(issue) -> Issue:
    db.session.expire_all()
    return db.session.get(Issue, issue.id)


def actions(issue_id, *names):
    return [f"/issues/{issue_id}/{n}" for n in names]


@pytest.fixture
def issue(city, file_issue):
    return file_issue(city.resident_a, city.micro_a1, "street_light", "Lamp out")


def test_microgrid_leader_accepts_starts_resolves(client, city, issue):
    client.login("leader_a1")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert f'action="/issues/{issue.id}/accept"' in page and f'action="/issues/{issue.id}/reject"' in page
    assert client.post(f"/issues/{issue.id}/accept", {"note": "Will look tonight"}).status_code == 303
    assert fresh(issue).state == "accepted" and fresh(issue).due_at == fresh(issue).resolve_due_at
    assert client.post(f"/issues/{issue.id}/start").status_code == 303
    assert fresh(issue).state == "in_progress"
    r = refused(client, f"/issues/{issue.id}/resolve", {"note": ""})
    assert r.status_code == 200 and "Write what was done" in r.get_data(as_text=True)
    assert fresh(issue).state == "in_progress"
    assert client.post(f"/issues/{issue.id}/resolve", {"note": "New bulb fitted"}).status_code == 303
    i = fresh(issue)
    assert (i.state, i.resolution_note, i.due_at, i.resolve_count) == ("resolved", "New bulb fitted", None, 1)
    steps = [(e.action, e.from_state, e.to_state) for e in db.session.scalars(
        select(TimelineEntry).where(TimelineEntry.subject_id == issue.id).order_by(TimelineEntry.id))]
    assert steps == [("reported", None, "reported"), ("accepted", "reported", "accepted"),
                     ("started", "accepted", "in_progress"), ("resolved", "in_progress", "resolved")]


def test_htmx_action_returns_the_updated_fragment(client, city, issue):
    client.login("leader_a1")
    r = client.htmx_post(f"/issues/{issue.id}/accept")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="issue-detail">'), body[:200]
    assert "<html" not in body and "toast" in r.headers.get("HX-Trigger", "")
    assert fresh(issue).state == "accepted"


@pytest.mark.parametrize("who", ["leader_a2", "staff_b", "resident_a", "resident_b", "rider", "member_a"])
def test_others_see_public_issue_but_may_not_act(client, city, issue, who):
    client.login(who)
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "Lamp out" in page
    assert "/accept" not in page and "/escalate" not in page and "/resolve" not in page and 'id="handling"' not in page
    for url in actions(issue.id, "accept", "reject", "assign", "escalate", "duplicate", "note"):
        assert client.post(url, {"reason": "x", "note": "x"}).status_code == 403, url
    assert fresh(issue).state == "reported" and fresh(issue).level == "microgrid"


def test_anonymous_sees_public_issue_and_is_sent_to_login_to_act(client, city, issue):
    r = client.get(f"/issues/{issue.id}")
    assert r.status_code == 200 and 'id="handling"' not in r.get_data(as_text=True)
    r = client.post(f"/issues/{issue.id}/accept")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    assert fresh(issue).state == "reported"


def test_private_category_is_404_for_outsiders(client, city, file_issue):
    dispute = file_issue(city.resident_a, city.micro_a1, "neighbour_dispute", "Water dripping from upstairs")
    assert client.get(f"/issues/{dispute.id}").status_code == 404
    for who, code in (("leader_a2", 404), ("staff_b", 404), ("resident_b", 404), ("resident_a", 200),
                      ("leader_a1", 200), ("staff_a", 200), ("street_a", 200)):
        client.login(who)
        assert client.get(f"/issues/{dispute.id}").status_code == code, who
        if code == 404:
            assert client.post(f"/issues/{dispute.id}/accept").status_code == 404
        client.logout()
    assert client.get("/issues/999999").status_code == 404


def test_rejected_reports_are_not_public(client, city, issue):
    client.login("leader_a1")
    r = refused(client, f"/issues/{issue.id}/reject", {"reason": ""})
    assert r.status_code == 200 and "Give the reason" in r.get_data(as_text=True)
    assert fresh(issue).state == "reported"
    assert client.post(f"/issues/{issue.id}/reject", {"reason": "Not our lamp: city roads dept."}).status_code == 303
    assert fresh(issue).state == "rejected" and fresh(issue).reject_reason.startswith("Not our lamp")
    client.logout()
    assert client.get(f"/issues/{issue.id}").status_code == 404
    client.login("resident_a")
    assert "Not our lamp" in client.get(f"/issues/{issue.id}").get_data(as_text=True)


def test_reporter_sees_no_handling_buttons(client, city, issue):
    client.login("resident_a")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert 'id="handling"' not in page and "/accept" not in page
    assert client.post(f"/issues/{issue.id}/accept").status_code == 403


def test_escalation_moves_level_and_retargets(client, city, issue):
    client.login("leader_a1")
    r = refused(client, f"/issues/{issue.id}/escalate", {"reason": ""})
    assert r.status_code == 200 and "Give the reason for escalating." in r.get_data(as_text=True)
    assert fresh(issue).level == "microgrid"
    assert client.post(f"/issues/{issue.id}/escalate", {"reason": "Needs an electrician"}).status_code == 303
    i = fresh(issue)
    assert (i.level, i.handler_area_id, i.escalation_count) == ("grid", city.grid_a.id, 1)
    # the micro-grid leader is no longer the one to act; the page shows no buttons to them any more
    assert "/escalate" not in client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert client.post(f"/issues/{issue.id}/accept").status_code == 403
    client.logout()
    # the grid leader has it in their queue and escalates on to the community
    client.login("gridlead_a")
    assert "Lamp out" in client.get("/issues/?view=queue").get_data(as_text=True)
    assert client.post(f"/issues/{issue.id}/escalate", {"reason": "Budget"}).status_code == 303
    assert fresh(issue).level == "community"
    client.logout()
    client.login("staff_a")
    assert "Lamp out" in client.get("/issues/?view=queue").get_data(as_text=True)
    assert client.post(f"/issues/{issue.id}/escalate", {"reason": "Road works"}).status_code == 303
    assert (fresh(issue).level, fresh(issue).handler_area_id) == ("street", city.street_a.id)
    # staff of the community may no longer act at street level
    assert client.post(f"/issues/{issue.id}/accept").status_code == 403
    client.logout()
    client.login("street_a")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "/accept" in page and f"/issues/{issue.id}/escalate" not in page
    # past the top level: a clear message, nothing changed
    r = refused(client, f"/issues/{issue.id}/escalate", {"reason": "Higher!"})
    assert r.status_code == 200 and "already at street level" in r.get_data(as_text=True)
    assert fresh(issue).level == "street" and fresh(issue).escalation_count == 3
    levels = [(e.from_level, e.to_level) for e in db.session.scalars(
        select(TimelineEntry).where(TimelineEntry.action == "escalated").order_by(TimelineEntry.id))]
    assert levels == [("microgrid", "grid"), ("grid", "community"), ("community", "street")]


def test_staff_can_act_below_their_level(client, city, issue):
    client.login("staff_a")
    assert client.post(f"/issues/{issue.id}/accept").status_code == 303
    assert client.post(f"/issues/{issue.id}/resolve", {"note": "Done by the community"}).status_code == 303
    assert fresh(issue).state == "resolved"


def test_assign_keeps_the_level(client, city, issue):
    """Assigning never lowers the level (only escalation changes it, upwards, with a reason)."""
    client.login("staff_a")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "leader_a1" in page and "leader_a2" not in page
    r = refused(client, f"/issues/{issue.id}/assign", {"assignee_id": city.leader_a2.id})
    assert r.status_code == 200 and "does not handle issues in this area" in r.get_data(as_text=True)
    assert client.post(f"/issues/{issue.id}/assign", {"assignee_id": city.leader_a1.id}).status_code == 303
    i = fresh(issue)
    assert (i.assignee_id, i.level, i.handler_area_id) == (city.leader_a1.id, "microgrid", city.micro_a1.id)
    entry = db.session.scalars(select(TimelineEntry).where(TimelineEntry.action == "assigned")).one()
    assert entry.public is False
    client.logout()
    client.login("leader_a1")
    assert "Lamp out" in client.get("/issues/?view=queue").get_data(as_text=True)
    assert client.post(f"/issues/{issue.id}/accept").status_code == 303


def test_assign_cannot_lower_an_escalated_issue(client, city, issue):
    client.login("staff_a")
    client.post(f"/issues/{issue.id}/escalate", {"reason": "Look at it myself"})
    client.post(f"/issues/{issue.id}/escalate", {"reason": "Community budget"})
    assert fresh(issue).level == "community"
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "leader_a1" not in page and "gridlead_a" not in page
    for person in (city.leader_a1, city.grid_leader_a, city.street_admin_a):  # below the level; above staff_a
        r = refused(client, f"/issues/{issue.id}/assign", {"assignee_id": person.id})
        assert r.status_code == 200 and "does not handle issues in this area" in r.get_data(as_text=True)
    i = fresh(issue)
    assert (i.assignee_id, i.level, i.handler_area_id) == (None, "community", city.comm_a.id)
    assert client.post(f"/issues/{issue.id}/assign", {"assignee_id": city.staff_a.id}).status_code == 303
    i = fresh(issue)
    assert (i.assignee_id, i.level, i.handler_area_id) == (city.staff_a.id, "community", city.comm_a.id)


def test_mediation_required_for_neighbour_dispute(client, city, file_issue):
    dispute = file_issue(city.resident_a, city.micro_a1, "neighbour_dispute", "AC dripping")
    client.login("leader_a1")
    client.post(f"/issues/{dispute.id}/accept")
    page = client.get(f"/issues/{dispute.id}").get_data(as_text=True)
    assert "Mediation record" in page
    r = refused(client, f"/issues/{dispute.id}/resolve", {"note": "Talked to them"})
    assert r.status_code == 200 and "name the parties" in r.get_data(as_text=True)
    r = refused(client, f"/issues/{dispute.id}/resolve", {"note": "Talked", "parties": "301 and 401",
                                                       "mediator": "Chen", "agreement_reached": "y"})
    assert r.status_code == 200 and "Write down what the parties agreed." in r.get_data(as_text=True)
    assert fresh(dispute).state == "accepted" and db.session.scalar(select(Mediation.id)) is None
    r = client.post(f"/issues/{dispute.id}/resolve", {"note": "Talked", "parties": "301 and 401",
                                                       "mediator": "Chen", "agreement_reached": "y",
                                                       "agreement_text": "401 fits a drain pipe"})
    assert r.status_code == 303
    m = db.session.scalars(select(Mediation)).one()
    assert (m.parties, m.mediator, m.agreement_reached, m.agreement_text) == (
        "301 and 401", "Chen", True, "401 fits a drain pipe")
    assert "401 fits a drain pipe" in client.get(f"/issues/{dispute.id}").get_data(as_text=True)


def test_resolution_photo(client, city, issue, jpeg):
    client.login("leader_a1")
    client.post(f"/issues/{issue.id}/accept")
    r = client.post(f"/issues/{issue.id}/resolve", {"note": "Fixed", "photo": jpeg()},
                    content_type="multipart/form-data")
    assert r.status_code == 303
    assert fresh(issue).resolution_photo_id is not None
    assert "Photo of the result" in client.get(f"/issues/{issue.id}").get_data(as_text=True)


def test_mark_duplicate_links_and_notifies_both(client, city, file_issue):
    from app.audit.models import AuditEntry

    first = file_issue(city.resident_a, city.micro_a1, "street_light", "Lamp out")
    second = file_issue(city.resident_a2, city.micro_a1, "street_light", "Dark at gate 3")
    client.login("leader_a1")
    r = refused(client, f"/issues/{second.id}/duplicate", {"original_id": str(second.id)})
    assert r.status_code == 200 and "Enter the number of the original issue." in r.get_data(as_text=True)
    assert client.post(f"/issues/{second.id}/duplicate", {"original_id": f"#{first.id}"}).status_code == 303
    s2 = fresh(second)
    assert (s2.state, s2.duplicate_of_id) == ("duplicate", first.id)
    events = {a.action: a for a in db.session.scalars(select(AuditEntry))}
    assert set(events["issue.duplicate_linked"].details["notify"]) == {city.resident_a.id, city.resident_a2.id}
    assert f"/issues/{first.id}" in client.get(f"/issues/{second.id}").get_data(as_text=True)


def test_internal_notes_never_reach_reporter_or_public(client, city, issue):
    client.login("leader_a1")
    assert client.post(f"/issues/{issue.id}/note", {"note": "Secret: the caretaker is unreliable"}).status_code == 303
    assert client.post(f"/issues/{issue.id}/note", {"note": "Parts ordered", "public": "y"}).status_code == 303
    assert "Secret: the caretaker" in client.get(f"/issues/{issue.id}").get_data(as_text=True)
    client.logout()
    for who in (None, "resident_a", "leader_a2"):
        if who:
            client.login(who)
        page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
        assert "Secret: the caretaker" not in page and "Parts ordered" in page, who
        if who:
            client.logout()


def test_concurrent_change_gives_one_winner(app, city, issue):
    """Two handlers accept at the same instant: the compare-and-set lets one through."""
    from app.issues import services as s

    a = db.session.get(Issue, issue.id)
    s.accept(a, city.leader_a1)
    db.session.commit()
    stale = db.session.get(Issue, issue.id)
    db.session.expunge(stale)
    from sqlalchemy import update

    db.session.execute(update(Issue).where(Issue.id == issue.id).values(version=Issue.version + 1))
    db.session.commit()
    stale = db.session.merge(stale, load=False)
    with pytest.raises(s.IssueError):
        s.start(stale, city.staff_a)


def test_garbage_input_never_500(client, city, issue):
    client.login("staff_a")
    cases = [
        ("assign", {"assignee_id": "abc"}, "Choose the person who should act."),
        ("assign", {"assignee_id": ""}, "Choose the person who should act."),
        ("duplicate", {"original_id": "99999999999999999999"}, "Enter the number of the original issue."),
        ("duplicate", {"original_id": "abc"}, "Enter the number of the original issue."),
        ("note", {"note": ""}, "Write the note."),
        ("note", {"note": "x" * 10_000}, "Please keep it to 2000 characters."),
        ("escalate", {"reason": "x" * 10_000}, "Please keep it to 2000 characters."),
        ("reject", {"reason": "   "}, "Give the reason the report is not accepted."),
    ]
    for action, data, message in cases:
        r = refused(client, f"/issues/{issue.id}/{action}", data,
                    carried=sum(len(v) for v in data.values()) <= 600)  # a long text is shown again in place
        assert message in r.get_data(as_text=True), (action, data)
    i = fresh(issue)
    assert (i.state, i.level, i.assignee_id, i.version) == ("reported", "microgrid", None, 1)
    # a step that no longer fits the state: a clear message
    client.post(f"/issues/{issue.id}/accept")
    r = client.post(f"/issues/{issue.id}/start")
    assert r.status_code == 303
    r = client.post(f"/issues/{issue.id}/reject", {"reason": "late"})
    assert r.status_code == 403  # the button is gone once accepted
    from app.issues import services as s

    with pytest.raises(s.IssueError):  # the service refuses too (message in the default locale here)
        s.accept(fresh(issue), city.staff_a)
    db.session.rollback()


def test_csrf_is_required(client, city, issue):
    client.login("leader_a1")
    r = client.post(f"/issues/{issue.id}/accept", {}, csrf=False)
    assert r.status_code == 400 and fresh(issue).state == "reported"


def test_out_of_range_ids_are_404_or_messages(client, city, issue):
    huge = "9" * 20
    assert client.get(f"/issues/{huge}").status_code == 404
    client.login("staff_a")
    assert client.post(f"/issues/{huge}/accept").status_code == 404
    r = refused(client, f"/issues/{issue.id}/assign", {"assignee_id": huge})
    assert r.status_code == 200 and "Choose the person who should act." in r.get_data(as_text=True)
    r = client.post("/issues/new", {"category": "noise", "description": "d", "place": "pick", "area_id": huge})
    assert r.status_code == 200 and "Choose where the problem is." in r.get_data(as_text=True)
    client.logout()
    client.login("admin")
    assert client.post(f"/issues/categories/{huge}", {}).status_code == 404
