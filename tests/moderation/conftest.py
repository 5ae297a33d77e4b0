"""Moderation fixtures: a published wish and a public issue of community A, and flags made through the service."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.issues import services as issue_services
from app.moderation import services
from app.moderation.models import Flag, ModerationCase
from tests.wishes.helpers import get_wish, make_wish


@pytest.fixture
def wish_id(city):
    return make_wish(city, "published", title="A reading lamp", description="For my grandson's homework")


@pytest.fixture
def issue_id(city):
    issue_services.ensure_default_categories()
    cats = {c.code: c for c in issue_services.active_categories()}
    issue = issue_services.report_issue(reporter=city.resident_a, category=cats["street_light"],
                                        description="The lamp by gate 3 is broken", area=city.micro_a1)
    db.session.commit()
    assert issue.category.public
    return issue.id


def flag_with(users, subject, reason="Rude words"):
    """Factory flags: each of ``users`` reports ``subject`` through the service (committed)."""
    for user in users:
        services.flag(subject, user, reason)
    db.session.commit()


def wish(wid):
    return get_wish(wid)


def flags_of(subject_type, subject_id) -> int:
    from sqlalchemy import func, select
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Flag).where(
        Flag.subject_type == subject_type, Flag.subject_id == subject_id))


def case_of(subject_type, subject_id) -> ModerationCase | None:
    from sqlalchemy import select
    db.session.expire_all()
    return db.session.scalar(select(ModerationCase).where(ModerationCase.subject_type == subject_type,
                                                          ModerationCase.subject_id == subject_id)
                             .order_by(ModerationCase.id.desc()).limit(1))


def as_user(make_client, username):
    c = make_client()
    if username:
        c.login(username)
    return c


def body(r) -> str:
    return r.get_data(as_text=True)
