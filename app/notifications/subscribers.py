"""Every domain event with a registered notice becomes one row per person told, in the same transaction as the
change (no commit here: the request or job commits once, and a rollback takes the notifications with it)."""
from __future__ import annotations

from sqlalchemy import insert

from app import events
from app.extensions import db
from app.notifications import registry
from app.notifications.models import Notification
from app.timeutil import utcnow


@events.on_any
def deliver(event: events.DomainEvent) -> None:
    rows = registry.deliveries(event)
    if not rows:
        return
    now = utcnow()
    db.session.execute(insert(Notification), [
        {"user_id": uid, "event": event.name, "subject_type": event.subject_type, "subject_id": event.subject_id,
         "params": params, "created_at": now}
        for uid, params in rows
    ])
