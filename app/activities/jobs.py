"""Scheduled: remind the people signed up the day before; ask the organiser to attest a list once it is over.
Each marks its row with a compare-and-set update first, so a second run (or host) sends nothing twice."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from app import events
from app.activities import events as activity_events  # noqa: F401 — the payloads are declared there
from app.activities.models import Activity
from app.extensions import db
from app.jobs import job

BATCH = 500


def _mark(activity: Activity, column, now: datetime) -> bool:
    result = db.session.execute(update(Activity).where(Activity.id == activity.id, column.is_(None))
                                .values({column.key: now}).execution_options(synchronize_session=False))
    return result.rowcount == 1


@job("activities.remind_day_before", order=70)
def remind_day_before(now: datetime) -> list[str]:
    rows = list(db.session.scalars(select(Activity).where(
        Activity.reminded_at.is_(None), Activity.starts_at > now, Activity.starts_at <= now + timedelta(days=1))
        .order_by(Activity.starts_at, Activity.id).limit(BATCH)))
    changes = []
    for activity in rows:
        if _mark(activity, Activity.reminded_at, now):
            events.emit("activity.reminder", actor=None, subject=activity, area_id=activity.community_id,
                        kind=activity.kind, organisation_id=activity.organisation_id)
            changes.append(f"activity {activity.id}: reminder sent")
    return changes


@job("activities.ask_attestation", order=71)
def ask_attestation(now: datetime) -> list[str]:
    rows = list(db.session.scalars(select(Activity).where(
        Activity.attest_asked_at.is_(None), Activity.attested_at.is_(None), Activity.ends_at < now)
        .order_by(Activity.ends_at, Activity.id).limit(BATCH)))
    changes = []
    for activity in rows:
        if _mark(activity, Activity.attest_asked_at, now):
            events.emit("activity.attest_due", actor=None, subject=activity, area_id=activity.community_id,
                        kind=activity.kind, organisation_id=activity.organisation_id)
            changes.append(f"activity {activity.id}: the organiser is asked to attest the list")
    return changes
