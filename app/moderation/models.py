"""Flags on public content and the moderation case of a flagged thing.

A subject (a wish, an issue) carries one column of its own, ``moderation``: None while it is shown as usual,
"hidden" while it waits for review, "removed" once staff removed its text. Public lists keep to
``publicly_listed(Model)`` — a plain condition next to their indexed filter, true for nearly every row.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow

#: a subject's ``moderation`` column: shown as usual (None), hidden pending review, or its text removed
HIDDEN, REMOVED = "hidden", "removed"
#: a case: flags are gathering ("flagged"), the subject is hidden ("hidden"), or staff decided
CASE_STATES = ("flagged", "hidden", "restored", "removed")
OPEN_CASE_STATES = ("flagged", "hidden")


def publicly_listed(model):
    """The condition every public list of ``model`` adds: neither hidden pending review nor removed."""
    return model.moderation.is_(None)


class ModerationCase(db.Model):
    """One round of moderation of one subject: from its first flag to the staff's decision. After a decision a new
    flag (by someone who has not flagged it before) opens a new case."""

    __tablename__ = "moderation_case"
    __table_args__ = (
        CheckConstraint("state IN ('flagged','hidden','restored','removed')", name="state"),
        # at most one open case per subject: two first flags at once cannot open two
        Index("uq_moderation_case_open", "subject_type", "subject_id", unique=True,
              sqlite_where=text("state IN ('flagged','hidden')"),
              postgresql_where=text("state IN ('flagged','hidden')")),
        # the review queue: WHERE state = 'hidden' AND area_id IN (…) ORDER BY hidden_at, id
        Index("ix_moderation_case_queue", "state", "hidden_at", "id"),
        Index("ix_moderation_case_area_state", "area_id", "state", "hidden_at", "id"),
        Index("ix_moderation_case_subject", "subject_type", "subject_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    #: the subject's area (for the staff's scope), copied when the case opens
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"))
    #: who wrote what is flagged (the author is told of the decision)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(10), default="flagged")
    flag_count: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    #: the public text as it was before a removal (field → text); also in the audit entry of the removal
    original: Mapped[dict | None] = mapped_column(JSON)

    decided_by = relationship("User", foreign_keys=[decided_by_id])
    flags: Mapped[list["Flag"]] = relationship(back_populates="case", order_by="Flag.id")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CASE_STATES


class Flag(db.Model):
    """A signed-in person reports a subject, with a reason. Once per person and subject, ever."""

    __tablename__ = "moderation_flag"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "user_id", name="uq_moderation_flag_once"),
        Index("ix_moderation_flag_case", "case_id", "id"),
        Index("ix_moderation_flag_user", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_case.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[ModerationCase] = relationship(back_populates="flags")
    user = relationship("User")
