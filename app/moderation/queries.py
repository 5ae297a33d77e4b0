"""The review queue and what a moderated thing's page shows of its case."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounts.scope import area_scope, roles_key
from app.extensions import db
from app.moderation.models import Flag, ModerationCase
from app.moderation.policy import REVIEW_ROLES
from app.moderation.subjects import KINDS
from app.web.pagination import Page, keyset_page, shaped

#: oldest hidden first (ix_moderation_case_queue, ix_moderation_case_area_state)
QUEUE_KEYS = [(ModerationCase.hidden_at, "asc"), (ModerationCase.id, "asc")]


def queue_statement(user):
    """Things hidden pending review in the areas where ``user`` is staff (city admins: everywhere)."""
    return select(ModerationCase).where(ModerationCase.state == "hidden",
                                        area_scope(user, ModerationCase.area_id, REVIEW_ROLES))


def queue_count(user) -> int:
    return db.session.scalar(shaped(("moderation.queue_count", roles_key(user)), lambda: queue_statement(user)
                                    .with_only_columns(func.count(ModerationCase.id)).order_by(None)))


def queue_page(user, *, cursor: str | None, size: int) -> Page:
    stmt = queue_statement(user).options(selectinload(ModerationCase.flags))
    page = keyset_page(db.session, stmt, keys=QUEUE_KEYS, cursor=cursor, size=size)
    attach_subjects(page.items)
    return page


def attach_subjects(cases: list[ModerationCase]) -> None:
    """Each case's subject as ``case.subject`` — one query per kind of subject, whatever the number of cases."""
    for kind in KINDS.values():
        ids = [c.subject_id for c in cases if c.subject_type == kind.name]
        rows = {s.id: s for s in db.session.scalars(select(kind.model).where(kind.model.id.in_(ids)))} if ids else {}
        for c in cases:
            if c.subject_type == kind.name:
                c.subject = rows.get(c.subject_id)
                c.kind = kind


def current_case(kind_name: str, subject_id: int) -> ModerationCase | None:
    """The subject's latest case (open, or the last decision), with its flags."""
    return db.session.scalar(select(ModerationCase).where(ModerationCase.subject_type == kind_name,
                                                          ModerationCase.subject_id == subject_id)
                             .order_by(ModerationCase.id.desc()).limit(1)
                             .options(selectinload(ModerationCase.flags).selectinload(Flag.user)))
