"""A pairing with checklist items stays (the organisations domain asks before removing one)."""
from __future__ import annotations

from sqlalchemy import select

from app.cobuild.models import ChecklistItem
from app.extensions import db
from app.organisations.services import pairing_dependents


@pairing_dependents
def checklist_items(pairing) -> int:
    return 1 if db.session.scalar(select(ChecklistItem.id).where(ChecklistItem.pairing_id == pairing.id)
                                  .limit(1)) is not None else 0
