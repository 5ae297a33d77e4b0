"""The scheduled jobs: release only claims past their deadline, expire only wishes past their date; idempotent."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.jobs import run_all
from app.timeline.models import TimelineEntry
from app.timeutil import local_today, utcnow
from app.wishes import jobs as _jobs  # noqa: F401 — registers the jobs
from app.wishes.models import Wish, WishClaim
from tests.wishes.helpers import active_claims, get_wish, make_wish


def _claim_of(wid):
    db.session.expire_all()
    return db.session.scalar(select(WishClaim).where(WishClaim.wish_id == wid))


def test_release_only_claims_past_their_deadline_and_twice_changes_nothing(app, city):
    overdue = make_wish(city, "claimed")
    fresh = make_wish(city, "claimed")
    fulfilled = make_wish(city, "fulfilled")  # waiting for the resident: not the claimant's delay
    _claim_of(overdue).deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    _claim_of(fulfilled).deadline_at = utcnow() - timedelta(days=1)
    db.session.commit()

    first = {r.name: r for r in run_all(only="wishes.release_overdue_claims")}["wishes.release_overdue_claims"]
    assert first.error is None and len(first.changes) == 1 and f"wish {overdue}:" in first.changes[0]
    assert get_wish(overdue).state == "published" and active_claims(overdue) == 0
    released = _claim_of(overdue)
    assert released.status == "released" and released.released_by_id is None
    assert get_wish(fresh).state == "claimed" and active_claims(fresh) == 1
    assert get_wish(fulfilled).state == "fulfilled"
    entry = db.session.scalars(select(TimelineEntry).where(TimelineEntry.subject_id == overdue,
                                                           TimelineEntry.subject_type == "wish")
                               .order_by(TimelineEntry.id.desc())).first()
    assert entry.action == "auto_released" and entry.actor_id is None
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "wish.released",
                                                         AuditEntry.subject_id == overdue)) is not None

    second = {r.name: r for r in run_all(only="wishes.release_overdue_claims")}["wishes.release_overdue_claims"]
    assert second.error is None and second.changes == []
    assert active_claims(overdue) == 0 and get_wish(overdue).state == "published"


def test_expire_only_wishes_past_their_date(app, city):
    old = make_wish(city, "published")
    pending_old = make_wish(city, "pending")
    today_ = make_wish(city, "published")
    claimed_old = make_wish(city, "claimed")
    for wid, delta in ((old, -1), (pending_old, -3), (today_, 0), (claimed_old, -5)):
        db.session.get(Wish, wid).wanted_by = local_today() + timedelta(days=delta)
    db.session.commit()

    first = [r for r in run_all(only="wishes.expire_past_wanted_by")][0]
    assert first.error is None and len(first.changes) == 2
    assert get_wish(old).state == "expired" and get_wish(pending_old).state == "expired"
    assert get_wish(today_).state == "published" and get_wish(claimed_old).state == "claimed"
    second = [r for r in run_all(only="wishes.expire_past_wanted_by")][0]
    assert second.changes == []


def test_jobs_command_prints_what_changed(app, city):
    wid = make_wish(city, "claimed")
    _claim_of(wid).deadline_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "wishes.release_overdue_claims: 1 change(s)" in result.output
    assert f"wish {wid}:" in result.output
    again = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert "wishes.release_overdue_claims: nothing to do" in again.output
    assert "wishes.expire_past_wanted_by: nothing to do" in again.output


def test_claim_deadline_is_configurable(app, make_client, city, monkeypatch):
    monkeypatch.setitem(app.config, "WISH_CLAIM_DAYS", 3)
    wid = make_wish(city, "claimed")
    claim = _claim_of(wid)
    assert timedelta(days=2, hours=23) < claim.deadline_at - claim.claimed_at <= timedelta(days=3)


def test_two_hosts_running_the_job_at_once_release_each_claim_once(race, city):
    ids = [make_wish(city, "claimed") for _ in range(4)]
    for wid in ids:
        _claim_of(wid).deadline_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    runs = race(2, lambda _i: run_all(only="wishes.release_overdue_claims"))
    assert all(isinstance(r, list) for r in runs), runs
    results = [result for run in runs for result in run]
    assert all(r.error is None for r in results), results
    assert sum(len(r.changes) for r in results) == 4
    assert all(get_wish(wid).state == "published" for wid in ids)
    released = db.session.scalars(select(TimelineEntry).where(TimelineEntry.action == "auto_released")).all()
    assert len(released) == 4
