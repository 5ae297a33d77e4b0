"""Finding what the key administration shows: the keys (newest first, paged) and the organisations to choose from."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.open311.models import ApiKey
from app.organisations.models import Organisation
from app.web.pagination import keyset_page

KEYS_NEWEST = [(ApiKey.created_at, "desc"), (ApiKey.id, "desc")]

#: organisations are one select up to this many; with more, the organisation is named in a text field instead,
#: so that none is ever left out of a list
ORG_CHOICE_MAX = 300


def keys_page(cursor: str | None, size: int):
    stmt = select(ApiKey).options(selectinload(ApiKey.default_area), selectinload(ApiKey.organisation),
                                  selectinload(ApiKey.created_by))
    return keyset_page(db.session, stmt, keys=KEYS_NEWEST, cursor=cursor, size=size)


def organisation_choices(limit: int = ORG_CHOICE_MAX) -> list[tuple[int, str]]:
    """(id, name) in name order, at most ``limit`` + 1 (the extra one tells the caller the list is too long)."""
    rows = db.session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name)
                              .limit(limit + 1))
    return [(oid, name) for oid, name in rows]


def organisation_named(name: str | None) -> Organisation | None:
    name = " ".join((name or "").split())
    if not name:
        return None
    return db.session.scalar(select(Organisation).where(Organisation.name == name))
