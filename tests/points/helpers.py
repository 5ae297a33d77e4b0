"""Points tests: events emitted the way their domains emit them, with stand-in subjects where only ids matter."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select

from app import events
from app.extensions import db
from app.points import services
from app.points.models import PointEntry


@dataclass
class Subject:
    """Any object with a table name and an id is a subject (an Attendance row, a wish, an issue …); extra
    attributes stand for the subject's own (an issue's channel and reporter)."""

    __tablename__: str
    id: int
    channel: str | None = None
    reporter_id: int | None = None
    responsible_side: str | None = None
    title: str = "A wish"
    category: Any = field(default_factory=lambda: SimpleNamespace(name="Litter"))


def rules():
    found = {r.code: r for r in services.ensure_rules()}
    db.session.commit()
    return found


def attested(actor, user, area, *, attendance_id=1, minutes=120, organisation_id=None):
    return events.emit("attendance.attested", actor=actor, subject=Subject("attendance", attendance_id),
                       area_id=area.id, activity_id=7, user_id=user.id, organisation_id=organisation_id,
                       minutes=minutes)


def corrected(actor, user, area, *, attendance_id=1, minutes, previous, organisation_id=None):
    return events.emit("attendance.corrected", actor=actor, subject=Subject("attendance", attendance_id),
                       area_id=area.id, activity_id=7, user_id=user.id, organisation_id=organisation_id,
                       minutes=minutes, previous_minutes=previous, reason="left early")


def wish_completed(actor, area, *, wish_id=1, claimant=None, organisation_id=None, members=()):
    return events.emit("wish.completed", actor=actor, subject=Subject("wish", wish_id), area_id=area.id,
                       wisher_id=actor.id, from_state="fulfilled", to_state="completed", claim_id=wish_id,
                       claimant_id=claimant.id if claimant else None, organisation_id=organisation_id,
                       member_ids=tuple(m.id for m in members))


def entries(**where) -> list[PointEntry]:
    stmt = select(PointEntry).order_by(PointEntry.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(PointEntry, key) == value)
    return list(db.session.scalars(stmt))


def total(user) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(PointEntry.points), 0))
                                 .where(PointEntry.user_id == user.id)))
