"""Scheduled: flag overdue items, remind the responsible side a few days ahead, and tell the street office of an
open need nobody claimed in 14 days. Each sets its own timestamp with a compare-and-set update, so a second run (or
a second host) changes nothing.

Settings: COBUILD_DUE_SOON_DAYS [7], COBUILD_UNCLAIMED_DAYS [14].
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from app.cobuild.models import OPEN_STATES, ChecklistItem
from app.cobuild.services import emit_item
from app.extensions import db
from app.jobs import job
from app.timeline.services import record
from app.timeutil import to_local

BATCH = 500


def _stamp(item_id: int, column, now: datetime) -> bool:
    result = db.session.execute(
        update(ChecklistItem).where(ChecklistItem.id == item_id, column.is_(None)).values({column.key: now})
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


@job("cobuild.flag_overdue", order=60)
def flag_overdue(now: datetime) -> list[str]:
    today = to_local(now).date()
    rows = list(db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.state.in_(OPEN_STATES), ChecklistItem.target_date < today,
                                    ChecklistItem.overdue_at.is_(None))
        .order_by(ChecklistItem.target_date, ChecklistItem.id).limit(BATCH)))
    changes = []
    for item in rows:
        if not _stamp(item.id, ChecklistItem.overdue_at, now):
            continue
        record(item, "overdue", actor=None, note=item.target_date.isoformat())
        emit_item("checklist.overdue", None, item, day=item.target_date.isoformat(), title=item.title)
        changes.append(f"checklist item {item.id}: overdue (target {item.target_date.isoformat()})")
    return changes


@job("cobuild.remind_due_soon", order=61)
def remind_due_soon(now: datetime) -> list[str]:
    today = to_local(now).date()
    horizon = today + timedelta(days=int(current_app.config.get("COBUILD_DUE_SOON_DAYS", 7)))
    rows = list(db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.state.in_(("agreed", "in_progress")),
                                    ChecklistItem.target_date >= today, ChecklistItem.target_date <= horizon,
                                    ChecklistItem.due_soon_notified_at.is_(None))
        .order_by(ChecklistItem.target_date, ChecklistItem.id).limit(BATCH)))
    changes = []
    for item in rows:
        if not _stamp(item.id, ChecklistItem.due_soon_notified_at, now):
            continue
        emit_item("checklist.due_soon", None, item, day=item.target_date.isoformat(), title=item.title)
        changes.append(f"checklist item {item.id}: due on {item.target_date.isoformat()}")
    return changes


@job("cobuild.unclaimed_open_needs", order=62)
def unclaimed_open_needs(now: datetime) -> list[str]:
    days = int(current_app.config.get("COBUILD_UNCLAIMED_DAYS", 14))
    rows = list(db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.publication == "street", ChecklistItem.pairing_id.is_(None),
                                    ChecklistItem.state.in_(OPEN_STATES),
                                    ChecklistItem.published_at <= now - timedelta(days=days),
                                    ChecklistItem.unclaimed_notified_at.is_(None))
        .order_by(ChecklistItem.published_at, ChecklistItem.id).limit(BATCH)))
    changes = []
    for item in rows:
        if not _stamp(item.id, ChecklistItem.unclaimed_notified_at, now):
            continue
        emit_item("checklist.unclaimed", None, item, days=days, street_id=item.street_id, title=item.title)
        changes.append(f"checklist item {item.id}: open need unclaimed for {days} days")
    return changes
