from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class AuditEntry(db.Model):
    """Append-only. Written by the subscriber to every domain event."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_subject", "subject_type", "subject_id", "at"),
        Index("ix_audit_entry_actor_at", "actor_id", "at"),
        Index("ix_audit_entry_area_at", "area_id", "at"),
        # the audit log page (app/audit/queries.py), newest first, paged by (at, id): everything (a city admin),
        # one action's prefix, or a street's areas
        Index("ix_audit_entry_at_id", "at", "id"),
        Index("ix_audit_entry_action_at_id", "action", "at", "id"),
        Index("ix_audit_entry_area_at_id", "area_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"))
    ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("User")
    area = relationship("Area")
