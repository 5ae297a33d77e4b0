"""Two people act on one issue at the same instant: one wins, the other is told that someone else changed the issue
meanwhile — never a 500, and nothing of the loser's is kept. Real threads, on SQLite and PostgreSQL.

Both requests are held right after they loaded the issue until the other one has loaded it too, so both start from
the same version and the database decides who wins (the compare-and-set on ``Issue.version``)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.issues import routes
from app.issues import services as s
from app.issues.models import Issue, IssueRating
from app.timeline.models import TimelineEntry

STALE = "Someone else changed this issue a moment ago"


def fresh(issue_id) -> Issue:
    db.session.expire_all()
    return db.session.get(Issue, issue_id)


def timeline(issue_id) -> list[str]:
    return list(db.session.scalars(select(TimelineEntry.action).where(
        TimelineEntry.subject_type == "issue", TimelineEntry.subject_id == issue_id).order_by(TimelineEntry.id)))


def act_at_once(race, monkeypatch, make_client, attempts, *, htmx=True):
    """Run ``attempts`` — (username, url, form data) — at once; returns [(status, body + toast, location)]."""
    clients = []
    for username, _url, _data in attempts:
        c = make_client()
        c.login(username)
        c.token()
        clients.append(c)

    held = threading.local()
    original = routes._load

    def load_then_wait(issue_id):
        issue = original(issue_id)
        if not getattr(held, "done", False):  # only the first load of each request waits
            held.done = True
            race.wait()
        return issue

    monkeypatch.setattr(routes, "_load", load_then_wait)

    def act(i: int):
        _username, url, data = attempts[i]
        r = clients[i].htmx_post(url, data) if htmx else clients[i].post(url, data)
        return r.status_code, r.get_data(as_text=True) + r.headers.get("HX-Trigger", ""), r.headers.get("Location")

    results = race(len(attempts), act, start=False)
    monkeypatch.setattr(routes, "_load", original)
    assert all(isinstance(r, tuple) for r in results), results
    return results, clients


def one_winner(results, won: str) -> tuple[int, int]:
    """(index of the winner, index of the loser) of two htmx results."""
    assert [r[0] for r in results] == [200, 200], results
    winners = [i for i, r in enumerate(results) if won in r[1] and STALE not in r[1]]
    losers = [i for i, r in enumerate(results) if STALE in r[1]]
    assert len(winners) == 1 and len(losers) == 1, [r[1][-400:] for r in results]
    loser_body = results[losers[0]][1]
    assert 'role="alert"' in loser_body and "data-focus-error" in loser_body
    return winners[0], losers[0]


@pytest.fixture
def reported(city, file_issue):
    return file_issue(city.resident_a, city.micro_a1, "street_light", "Lamp out").id


@pytest.fixture
def in_progress(city, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1, "street_light", "Lamp out")
    s.accept(issue, city.leader_a1)
    s.start(issue, city.leader_a1)
    db.session.commit()
    return issue.id


@pytest.fixture
def resolved(city, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1, "street_light", "Lamp out")
    s.accept(issue, city.leader_a1)
    s.resolve(issue, city.leader_a1, "New bulb")
    db.session.commit()
    return issue.id


def test_accept_against_reject(race, monkeypatch, make_client, city, reported):
    results, _ = act_at_once(race, monkeypatch, make_client, [
        ("leader_a1", f"/issues/{reported}/accept", {}),
        ("staff_a", f"/issues/{reported}/reject", {"reason": "Not ours"})])
    assert [r[0] for r in results] == [200, 200], results
    accepted, rejected = "Accepted." in results[0][1], "was not accepted" in results[1][1]
    assert accepted != rejected, [r[1][-400:] for r in results]
    assert STALE in results[1 if accepted else 0][1]
    issue = fresh(reported)
    assert issue.state == ("accepted" if accepted else "rejected")
    assert timeline(reported) == ["reported", "accepted" if accepted else "rejected"]
    assert issue.reject_reason == (None if accepted else "Not ours")


def test_double_accept(race, monkeypatch, make_client, city, reported):
    results, _ = act_at_once(race, monkeypatch, make_client, [
        ("leader_a1", f"/issues/{reported}/accept", {"note": "first"}),
        ("leader_a1", f"/issues/{reported}/accept", {"note": "second"})])
    one_winner(results, "Accepted.")
    assert fresh(reported).state == "accepted" and timeline(reported) == ["reported", "accepted"]


def test_resolve_against_escalate(race, monkeypatch, make_client, city, in_progress):
    results, _ = act_at_once(race, monkeypatch, make_client, [
        ("leader_a1", f"/issues/{in_progress}/resolve", {"note": "Fixed"}),
        ("staff_a", f"/issues/{in_progress}/escalate", {"reason": "Needs the grid"})])
    assert [r[0] for r in results] == [200, 200], results
    resolved = "Resolved." in results[0][1]
    escalated = "Escalated." in results[1][1]
    assert resolved != escalated, [r[1][-400:] for r in results]
    assert STALE in results[1 if resolved else 0][1]
    issue = fresh(in_progress)
    if resolved:
        assert (issue.state, issue.level, issue.resolution_note) == ("resolved", "microgrid", "Fixed")
        assert timeline(in_progress)[-1] == "resolved" and "escalated" not in timeline(in_progress)
    else:
        assert (issue.state, issue.level, issue.resolution_note) == ("in_progress", "grid", None)
        assert timeline(in_progress)[-1] == "escalated" and "resolved" not in timeline(in_progress)


def test_two_notes_at_once(race, monkeypatch, make_client, city, in_progress):
    results, _ = act_at_once(race, monkeypatch, make_client, [
        ("leader_a1", f"/issues/{in_progress}/note", {"note": "from the leader"}),
        ("staff_a", f"/issues/{in_progress}/note", {"note": "from the staff"})])
    one_winner(results, "Note added.")
    notes = list(db.session.scalars(select(TimelineEntry.note).where(TimelineEntry.action == "note")))
    assert len(notes) == 1


def test_rating_while_a_note_is_added(race, monkeypatch, make_client, city, resolved):
    """The reported case: the resident rates while staff add a note — the loser's work is not kept (the rating
    must not be saved by a request that answered with an error)."""
    results, _ = act_at_once(race, monkeypatch, make_client, [
        ("resident_a", f"/issues/{resolved}/rate", {"value": "unsatisfied", "comment": "Still dark"}),
        ("staff_a", f"/issues/{resolved}/note", {"note": "Checked the lamp"})])
    assert [r[0] for r in results] == [200, 200], results
    rated = STALE not in results[0][1]
    noted = STALE not in results[1][1]
    assert rated != noted, [r[1][-400:] for r in results]
    ratings = db.session.scalar(select(func.count()).select_from(IssueRating))
    notes = db.session.scalar(select(func.count()).select_from(TimelineEntry).where(TimelineEntry.action == "note"))
    issue = fresh(resolved)
    if rated:
        assert (ratings, notes, issue.state) == (1, 0, "in_progress")
    else:
        assert (ratings, notes, issue.state) == (0, 1, "resolved")
        # and the resident can still rate: an "unsatisfied" rating reopens the issue
        c = make_client()
        c.login("resident_a")
        assert c.post(f"/issues/{resolved}/rate", {"value": "unsatisfied", "comment": "Still dark"}).status_code \
            == 303
        assert fresh(resolved).state == "in_progress"


def test_double_rating(race, monkeypatch, make_client, city, resolved):
    results, _ = act_at_once(race, monkeypatch, make_client, [
        ("resident_a", f"/issues/{resolved}/rate", {"value": "satisfied"}),
        ("resident_a", f"/issues/{resolved}/rate", {"value": "satisfied"})])
    one_winner(results, "Thank you for your rating.")
    assert db.session.scalar(select(func.count()).select_from(IssueRating)) == 1
    assert fresh(resolved).state == "closed"


def test_plain_form_loser_is_sent_back_to_the_issue_with_the_message(race, monkeypatch, make_client, city,
                                                                      in_progress):
    results, clients = act_at_once(race, monkeypatch, make_client, [
        ("leader_a1", f"/issues/{in_progress}/note", {"note": "from the leader"}),
        ("staff_a", f"/issues/{in_progress}/note", {"note": "from the staff"})], htmx=False)
    assert [r[0] for r in results] == [303, 303], results
    # both go back to the issue's own URL; the loser's to its note form (a refresh sends nothing again)
    assert sorted(r[2] for r in results) == [f"/issues/{in_progress}", f"/issues/{in_progress}#act-note"], results
    pages = [c.get(f"/issues/{in_progress}").get_data(as_text=True) for c in clients]
    losers = [i for i, page in enumerate(pages) if STALE in page]
    assert len(losers) == 1
    # what the loser wrote is still in the form, to send again
    assert ("from the leader", "from the staff")[losers[0]] in pages[losers[0]]
    assert db.session.scalar(select(func.count()).select_from(TimelineEntry)
                             .where(TimelineEntry.action == "note")) == 1
