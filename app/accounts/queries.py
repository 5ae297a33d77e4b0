"""The people pages' queries. The list at /users/ is the SQL twin of ``policy.can_view_person``, keyset-paginated,
bounded.

One statement per page for the people, plus a fixed number for what each row shows (roles with their area or
organisation, and the names of the home micro-grids' lineage), whatever the page size.

Indexes used: ``ix_user_home_area_id`` (home in a subtree), ``ix_role_assignment_area_role`` /
``ix_role_assignment_org_role`` (a role in the actor's areas or organisations), ``ix_role_assignment_user_role``
(the role filter, as EXISTS per person) and the primary key for the order (newest account first).
"""
from __future__ import annotations

import re

from sqlalchemy import exists, false, or_, select, true
from sqlalchemy.orm import selectinload

from app.accounts.models import ORG_ROLES, ROLES, RoleAssignment, User
from app.accounts.policy import can_see_mobile, grantable_roles
from app.accounts.scope import STAFF_ROLES, is_city_admin, org_ids, role_areas
from app.areas.models import Area
from app.areas.services import full_names
from app.extensions import db
from app.organisations.models import Organisation
from app.web.pagination import Page, keyset_page

#: newest accounts first (the one just created is on top); the primary key is the index
PEOPLE_KEYS = [(User.id, "desc")]
LIST_OPTIONS = (
    selectinload(User.home_area),
    selectinload(User.roles).selectinload(RoleAssignment.area),
    selectinload(User.roles).selectinload(RoleAssignment.organisation),
)
MOBILE_SEARCH = re.compile(r"^\d{11}$")
MAX_QUERY = 40
#: the organisations one may grant a role in, as a choice (a city has far fewer agency branches and teams)
ORGANISATION_CHOICES_MAX = 500


def people_scope(actor):
    """SQL clause on ``User``: the people ``actor`` looks after (see ``policy.can_view_person``)."""
    if is_city_admin(actor):
        return true()
    parts = []
    areas = role_areas(actor, STAFF_ROLES)
    if areas:
        subtree = select(Area.id).where(or_(*[Area.in_subtree(a.path) for a in areas]))
        parts.append(User.home_area_id.in_(subtree))
        parts.append(User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.area_id.in_(subtree))))
    orgs = org_ids(actor, "agency_admin")
    if orgs:
        parts.append(User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.organisation_id.in_(orgs))))
    return or_(*parts) if parts else false()


def clean_query(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY]


def people_statement(actor, *, q: str = "", role: str | None = None):
    stmt = select(User).where(people_scope(actor))
    if q:
        if MOBILE_SEARCH.match(q):
            stmt = stmt.where(User.mobile == q)  # exact: a number is never searched by its parts
        else:
            stmt = stmt.where(or_(User.username == q.lower(), User.display_name.contains(q, autoescape=True)))
    if role in ROLES:
        stmt = stmt.where(exists().where(RoleAssignment.user_id == User.id, RoleAssignment.role == role))
    return stmt


def people_page(actor, *, q: str = "", role: str | None = None, cursor: str | None = None, size: int = 20) -> Page:
    stmt = people_statement(actor, q=q, role=role).options(*LIST_OPTIONS)
    page = keyset_page(db.session, stmt, keys=PEOPLE_KEYS, cursor=cursor, size=size)
    if q and MOBILE_SEARCH.match(q):
        # a whole number finds only people whose number one may see: otherwise guessing the four masked digits
        # (at most one row: numbers are unique) would reveal it
        page = Page(items=[u for u in page.items if can_see_mobile(actor, u)], next_cursor=None)
    return page


def home_names(users) -> dict[int, str]:
    """user id → "Community · Grid · Micro-grid" for the page's people, in one query for all their lineages."""
    homes = {u.id: u.home_area for u in users if u.home_area is not None}
    names = full_names(homes.values(), "community")
    return {user_id: names[area.id] for user_id, area in homes.items()}


def grantable_organisations(actor) -> list[Organisation]:
    """The organisations in which ``actor`` may grant an organisation role (a choice on the people pages): every one
    for a city admin, their own branches for an agency admin, none for whoever grants no organisation role."""
    if not any(r in ORG_ROLES for r in grantable_roles(actor)):
        return []
    stmt = select(Organisation).order_by(Organisation.name).limit(ORGANISATION_CHOICES_MAX)
    if not is_city_admin(actor):
        stmt = stmt.where(Organisation.id.in_(org_ids(actor, "agency_admin") or [0]))
    return list(db.session.scalars(stmt))
