"""The scheduled jobs: escalation once per breach (and the right new handler), auto-close without rating."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.issues import services as s
from app.issues.models import Issue
from app.jobs import run_all
from app.timeline.models import TimelineEntry
from app.timeutil import utcnow


def fresh(issue) -> Issue:
    db.session.expire_all()
    return db.session.get(Issue, issue.id)


def run(now, only):
    import app.issues.jobs  # noqa: F401 — registers the jobs

    [result] = run_all(now=now, only=only)
    assert result.error is None, result.error
    return result.changes


def test_accept_limit_escalates_once_per_breach(client, city, cats):
    t0 = utcnow() - timedelta(hours=3)
    hazard = s.report_issue(reporter=city.resident_a, category=cats["safety_hazard"], description="Loose cover",
                            area=city.micro_a1, now=t0)  # micro-grid level, accept within 1 hour
    calm = s.report_issue(reporter=city.resident_a, category=cats["noise"], description="Loud", area=city.micro_a1,
                          now=t0)  # 24 hours: not overdue
    db.session.commit()
    assert fresh(hazard).overdue and not fresh(calm).overdue
    now = utcnow()
    changes = run(now, "issues.escalate_overdue")
    assert len(changes) == 1 and f"issue {hazard.id}" in changes[0]
    h = fresh(hazard)
    assert (h.level, h.handler_area_id, h.state, h.escalation_count) == ("grid", city.grid_a.id, "reported", 1)
    assert h.due_at == h.accept_due_at and h.due_at > now and not h.overdue
    # second run (or a second host): nothing
    assert run(now, "issues.escalate_overdue") == []
    assert run(now + timedelta(minutes=30), "issues.escalate_overdue") == []
    assert fresh(hazard).escalation_count == 1
    # the new handler: the grid leader has it in their queue; the micro-grid leader no longer does
    client.login("gridlead_a")
    assert "Loose cover" in client.get("/issues/?view=queue").get_data(as_text=True)
    client.logout()
    client.login("leader_a1")
    assert "Loose cover" not in client.get("/issues/?view=queue").get_data(as_text=True)
    assert client.post(f"/issues/{hazard.id}/accept").status_code == 403
    client.logout()
    # each new breach at the new level escalates again, once: grid → community → street
    t = now
    for level, area in (("community", city.comm_a), ("street", city.street_a)):
        t = t + timedelta(hours=2)
        assert len(run(t, "issues.escalate_overdue")) == 1
        assert (fresh(hazard).level, fresh(hazard).handler_area_id) == (level, area.id)
        assert run(t, "issues.escalate_overdue") == []
    # at street level a further breach is flagged once, never escalated
    latest = t + timedelta(hours=2)
    changes = run(latest, "issues.escalate_overdue")
    assert len(changes) == 1 and "street level" in changes[0]
    assert run(latest, "issues.escalate_overdue") == []
    h = fresh(hazard)
    assert h.level == "street" and h.escalation_count == 3 and h.is_overdue(latest)
    actions = [e.action for e in db.session.scalars(
        select(TimelineEntry).where(TimelineEntry.subject_id == hazard.id).order_by(TimelineEntry.id))]
    assert actions == ["reported", "auto_escalated", "auto_escalated", "auto_escalated", "overdue"]


def test_resolve_limit_escalates_accepted_issue(city, cats):
    t0 = utcnow() - timedelta(days=8)
    issue = s.report_issue(reporter=city.resident_a, category=cats["street_light"], description="Dark",
                           area=city.micro_a1, now=t0)
    s.accept(issue, city.leader_a1, now=t0 + timedelta(hours=1))
    issue.assignee_id = city.leader_a1.id
    db.session.commit()
    assert fresh(issue).overdue
    changes = run(utcnow(), "issues.escalate_overdue")
    assert len(changes) == 1 and "resolve limit" in changes[0]
    i = fresh(issue)
    assert (i.level, i.handler_area_id, i.assignee_id, i.state) == ("grid", city.grid_a.id, None, "accepted")
    assert i.resolve_due_at > utcnow()


@pytest.mark.commits  # the other host commits on its own connection
def test_escalation_is_compare_and_set(city, cats, monkeypatch):
    """Another host escalates the row between this job's read and its write: this job changes nothing."""
    from sqlalchemy import update

    t0 = utcnow() - timedelta(hours=3)
    hazard = s.report_issue(reporter=city.resident_a, category=cats["safety_hazard"], description="Loose cover",
                            area=city.micro_a1, now=t0)
    db.session.commit()
    real = s.handler_area_for

    def other_host_wins(area, level):
        # the other host's committed escalation, on its own connection
        with db.engine.begin() as conn:
            conn.execute(update(Issue).where(Issue.id == hazard.id).values(
                version=Issue.version + 1, level="community", due_at=utcnow() + timedelta(hours=1)))
        return real(area, level)

    monkeypatch.setattr(s, "handler_area_for", other_host_wins)
    assert s.escalate_overdue(utcnow()) == []
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(TimelineEntry).where(
        TimelineEntry.action == "auto_escalated")) == 0
    assert fresh(hazard).escalation_count == 0


def test_auto_close_unrated_after_configured_days(app, city, cats, monkeypatch):
    t0 = utcnow() - timedelta(days=10)
    old = s.report_issue(reporter=city.resident_a, category=cats["noise"], description="Loud", area=city.micro_a1,
                         now=t0)
    s.accept(old, city.leader_a1, now=t0)
    s.resolve(old, city.leader_a1, "Talked to them", now=t0 + timedelta(days=1))
    recent = s.report_issue(reporter=city.resident_a, category=cats["noise"], description="Loud again",
                            area=city.micro_a1)
    s.accept(recent, city.leader_a1)
    s.resolve(recent, city.leader_a1, "Talked again")
    db.session.commit()
    changes = run(utcnow(), "issues.auto_close_unrated")
    assert changes == [f"issue {old.id}: closed without rating"]
    o = fresh(old)
    assert (o.state, o.close_reason) == ("closed", "no_rating")
    assert fresh(recent).state == "resolved"
    assert run(utcnow(), "issues.auto_close_unrated") == []
    entry = db.session.scalars(select(TimelineEntry).where(TimelineEntry.action == "auto_closed")).one()
    assert entry.subject_id == old.id and entry.public
    # a shorter period is configurable
    monkeypatch.setitem(app.config, "ISSUES_AUTO_CLOSE_DAYS", 0)
    assert run(utcnow() + timedelta(seconds=1), "issues.auto_close_unrated") == [
        f"issue {recent.id}: closed without rating"]
    assert db.session.scalar(select(func.count()).select_from(Issue).where(Issue.state == "closed")) == 2


def test_jobs_command_runs(app, city, cats):
    from app.cli import jobs_run

    runner = app.test_cli_runner()
    result = runner.invoke(jobs_run, [])
    assert result.exit_code == 0, result.output
    assert "issues.escalate_overdue" in result.output and "issues.auto_close_unrated" in result.output
