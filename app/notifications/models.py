"""One row per person told of one event. The text is not stored: a message key (the event name, and a variant in
``params["_v"]``) and a few small params are, so the reader sees it in their own language at display time."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import utcnow


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (
        # the bell: COUNT(*) WHERE user_id = ? AND read_at IS NULL
        Index("ix_notification_user_read", "user_id", "read_at"),
        # the list: WHERE user_id = ? ORDER BY created_at DESC, id DESC (a backward scan of this index)
        Index("ix_notification_user_created", "user_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: the domain event ("wish.claimed"): with params["_v"] the key of the message registered for it
    event: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    #: a few short values for the message (a title, a reason), never more than ``registry.PARAMS_MAX`` each
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.event} → {self.user_id}>"
