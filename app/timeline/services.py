from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.timeline.models import TimelineEntry


def record(subject, action: str, *, actor=None, from_state: str | None = None, to_state: str | None = None,
           from_level: str | None = None, to_level: str | None = None, note: str | None = None,
           public: bool = True, on_behalf_of=None) -> TimelineEntry:
    entry = TimelineEntry(
        subject_type=subject.__tablename__, subject_id=subject.id, action=action,
        actor_id=getattr(actor, "id", None), on_behalf_of_id=getattr(on_behalf_of, "id", None),
        from_state=from_state, to_state=to_state, from_level=from_level, to_level=to_level,
        note=note, public=public,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def entries_for(subject, *, include_internal: bool, limit: int = 200) -> list[TimelineEntry]:
    stmt = (
        select(TimelineEntry)
        .where(TimelineEntry.subject_type == subject.__tablename__, TimelineEntry.subject_id == subject.id)
        .options(selectinload(TimelineEntry.actor), selectinload(TimelineEntry.on_behalf_of))
        .order_by(TimelineEntry.at, TimelineEntry.id)
        .limit(limit)
    )
    if not include_internal:
        stmt = stmt.where(TimelineEntry.public.is_(True))
    return list(db.session.scalars(stmt))
