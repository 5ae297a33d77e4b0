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


#: the payload fields with a column of their own
_COLUMNS = frozenset({"subject_id", "actor_id", "area_id", "at"})


@events.on_any
def record(event: events.DomainEvent) -> None:
    payload = event.payload
    details = {k: _jsonable(v) for k, v in payload.as_dict().items() if k not in _COLUMNS}
    db.session.add(
        AuditEntry(
            at=payload.at,
            actor_id=payload.actor_id,
            action=event.name,
            subject_type=event.subject_type,
            subject_id=payload.subject_id,
            area_id=payload.area_id,
            ip=(request.remote_addr if has_request_context() else None),
            details=details,
        )
    )
