"""Notification fixtures: the factory city, issue categories, and helpers to read who was told what."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.issues import services as issues
from app.notifications.models import Notification


@pytest.fixture
def cats(city):
    issues.ensure_default_categories()
    db.session.commit()
    return {c.code: c for c in issues.active_categories()}


@pytest.fixture
def file_issue(cats):
    def make(reporter, area, code="street_light", description="The lamp by gate 3 is broken", **kw):
        issue = issues.report_issue(reporter=reporter, category=cats[code], description=description, area=area,
                                    **kw)
        db.session.commit()
        return issue

    return make


def told(event: str, subject_id: int | None = None) -> set[int]:
    """Ids of the people told of ``event`` (on ``subject_id``)."""
    db.session.expire_all()
    stmt = select(Notification.user_id).where(Notification.event == event)
    if subject_id is not None:
        stmt = stmt.where(Notification.subject_id == subject_id)
    return set(db.session.scalars(stmt))


def notes_of(user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))
