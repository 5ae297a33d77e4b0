"""Read-only queries for organisation and pairing pages (the area overview shows a community's pairings too)."""
from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.accounts.models import ORG_ROLES, RoleAssignment, User
from app.accounts.scope import area_scope, org_ids
from app.areas.models import Area
from app.extensions import db
from app.organisations.models import ORG_KINDS, Organisation, Pairing
from app.organisations.policy import is_organisations_staff
from app.organisations.services import ORG_AREA_LEVELS
from app.web.pagination import Page, keyset_page

#: the list's order (the unique name decides; the id keeps the cursor total should names ever tie)
LIST_KEYS = [(Organisation.name, "asc"), (Organisation.id, "asc")]
SEARCH_MAX = 60
CHOICES_MAX = 500
#: what an organisation's page and a pairing's removal show, loaded with the row
ORGANISATION_OPTIONS = [selectinload(Organisation.area)]
PAIRING_OPTIONS = [selectinload(Pairing.organisation), selectinload(Pairing.community)]


def pairing(pairing_id: int) -> Pairing | None:
    return db.session.get(Pairing, pairing_id)


def list_statement(user, *, kind: str = "", q: str = "") -> Select:
    """Organisations this user may see, filtered by kind and a part of the name."""
    stmt = select(Organisation).options(selectinload(Organisation.area))
    if not is_organisations_staff(user):
        stmt = stmt.where(Organisation.id.in_(org_ids(user, "agency_admin") or [0]))
    if kind in ORG_KINDS:
        stmt = stmt.where(Organisation.kind == kind)
    if q:
        stmt = stmt.where(func.lower(Organisation.name).contains(q.lower()[:SEARCH_MAX], autoescape=True))
    return stmt


#: the people of an organisation, admins first, by name (the user id keeps the cursor total)
PEOPLE_KEYS = [(RoleAssignment.role, "asc"), (User.display_name, "asc"), (User.id, "asc")]
#: its pairings, newest year first
PAIRING_KEYS = [(Pairing.year, "desc"), (Pairing.id, "asc")]


def organisation_people(org: Organisation, *, cursor: str | None = None, size: int = 50) -> Page:
    """Who holds a role on the organisation (admins first), with their accounts — a page at a time, two queries."""
    stmt = (select(RoleAssignment).join(User, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.organisation_id == org.id, RoleAssignment.role.in_(ORG_ROLES))
            .options(selectinload(RoleAssignment.user)))
    return keyset_page(db.session, stmt, keys=PEOPLE_KEYS, cursor=cursor, size=size,
                       key_of=lambda r: (r.role, r.user.display_name, r.user_id))


def organisation_pairings(org: Organisation, *, cursor: str | None = None, size: int = 50) -> Page:
    stmt = (select(Pairing).where(Pairing.organisation_id == org.id)
            .options(selectinload(Pairing.community).selectinload(Area.parent)))
    return keyset_page(db.session, stmt, keys=PAIRING_KEYS, cursor=cursor, size=size)


def community_pairings(community: Area) -> list[Pairing]:
    return list(db.session.scalars(
        select(Pairing).where(Pairing.community_id == community.id)
        .options(selectinload(Pairing.organisation))
        .order_by(Pairing.year.desc(), Pairing.id).limit(300)))


def agency_choices() -> list[Organisation]:
    """Agency branches, by name, for a pairing form."""
    return list(db.session.scalars(select(Organisation).where(Organisation.kind == "agency")
                                   .order_by(Organisation.name).limit(CHOICES_MAX)))


def pairable_communities(user) -> list[Area]:
    """Communities the user may pair (city admin: all; a street admin: their street's), with their streets."""
    return list(db.session.scalars(
        select(Area).where(Area.level == "community", area_scope(user, Area.id, "street_admin"))
        .options(selectinload(Area.parent)).order_by(Area.parent_id, Area.id).limit(CHOICES_MAX)))


def area_choices(user) -> list[Area]:
    """Where the user may place an organisation: the city, streets and communities within their reach."""
    rows = db.session.scalars(
        select(Area).where(Area.level.in_(ORG_AREA_LEVELS), area_scope(user, Area.id, "street_admin"))
        .options(selectinload(Area.parent)).order_by(Area.level, Area.id).limit(CHOICES_MAX))
    # the tree's order: each street followed by its communities, siblings in set-up order
    return sorted(rows, key=lambda a: a.ancestor_ids)


def area_label(area: Area) -> str:
    """"Street A · Community A" (a community's street is loaded with it)."""
    if area.level == "community" and area.parent is not None:
        return f"{area.parent.name} · {area.name}"
    return area.name
