"""Every domain event becomes an audit entry in the same transaction as the change it records."""
from __future__ import annotations

from datetime import date, datetime

from flask import has_request_context, request

from app import events
from app.audit.models import AuditEntry
from app.extensions import db


def _jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return getattr(value, "id", str(value))


@events.on_any
def record(event: events.DomainEvent) -> None:
    data = {k: _jsonable(v) for k, v in event.data.items() if k != "area_id"}
    area_id = event.data.get("area_id")
    db.session.add(
        AuditEntry(
            actor_id=getattr(event.actor, "id", None),
            action=event.name,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            area_id=area_id if isinstance(area_id, int) else None,
            ip=(request.remote_addr if has_request_context() else None),
            details=data,
        )
    )
