"""Where a user's roles reach: the one place that answers "on which areas / organisations does this user hold X".

Policies (``can_<verb>``) build on ``holds_area_role`` / ``holds_org_role``; list queries build on
``area_scope`` so that a query only ever returns what the user may see.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask import g, has_request_context
from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import joinedload

from app.accounts.models import RoleAssignment, User
from app.areas.models import Area
from app.extensions import db

STAFF_ROLES = ("street_admin", "community_staff")
LEADER_ROLES = ("grid_leader", "microgrid_leader")


def assignments(user) -> list[RoleAssignment]:
    """The user's role assignments, loaded once per request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cache = g.setdefault("_role_cache", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = list(
            db.session.scalars(
                select(RoleAssignment)
                .where(RoleAssignment.user_id == user.id)
                # the area and organisation of a role are one row each: joined, not a round trip each
                .options(joinedload(RoleAssignment.area), joinedload(RoleAssignment.organisation))
            )
        )
    return cache[user.id]


def scope_key(user) -> tuple:
    """Everything a list's scope clause (``area_scope`` and the like) is built from: the account and each of its
    roles with its place's path and organisation. Two requests with the same key get the same clause, so a list's
    statement built for one may be run for the other (``keyset_page(shape=…)``)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return (None,)
    return (user.id, *roles_key(user))


def roles_key(user) -> tuple:
    """``scope_key`` without the account: for a statement that takes the account's id as a parameter, so that
    everyone with the same roles in the same places (most people: none) shares it."""
    return tuple(sorted((a.role, a.area_id or 0, a.area.path if a.area is not None else "", a.organisation_id or 0)
                        for a in assignments(user)))


def _as_tuple(roles: str | Iterable[str]) -> tuple[str, ...]:
    return (roles,) if isinstance(roles, str) else tuple(roles)


def is_city_admin(user) -> bool:
    return any(a.role == "city_admin" for a in assignments(user))


def has_role(user, roles: str | Iterable[str]) -> bool:
    wanted = _as_tuple(roles)
    return is_city_admin(user) or any(a.role in wanted for a in assignments(user))


def role_areas(user, roles: str | Iterable[str]) -> list[Area]:
    """Areas on which the user holds one of ``roles`` (not including city-admin reach)."""
    wanted = _as_tuple(roles)
    return [a.area for a in assignments(user) if a.role in wanted and a.area is not None]


def holds_area_role(user, roles: str | Iterable[str], area: Area | None) -> bool:
    """True if the user holds one of ``roles`` on ``area`` or an ancestor of it (city admin: everywhere)."""
    if area is None:
        return False
    if is_city_admin(user):
        return True
    return any(area.path.startswith(a.path) for a in role_areas(user, roles))


def holds_org_role(user, roles: str | Iterable[str], organisation_id: int | None) -> bool:
    if organisation_id is None:
        return False
    wanted = _as_tuple(roles)
    return any(a.role in wanted and a.organisation_id == organisation_id for a in assignments(user))


def org_ids(user, roles: str | Iterable[str]) -> list[int]:
    wanted = _as_tuple(roles)
    return [a.organisation_id for a in assignments(user) if a.role in wanted and a.organisation_id]


def area_scope(user, area_id_column, roles: str | Iterable[str]):
    """SQL clause restricting ``area_id_column`` to the subtrees where the user holds ``roles``."""
    if is_city_admin(user):
        return true()
    areas = role_areas(user, roles)
    if not areas:
        return false()
    subtree = select(Area.id).where(or_(*[Area.in_subtree(a.path) for a in areas]))
    return area_id_column.in_(subtree)


def primary_area(user, roles: str | Iterable[str]) -> Area | None:
    areas = role_areas(user, roles)
    return min(areas, key=lambda a: a.depth) if areas else None


def active_holders(role: str, area_id: int | None = None, *, limit: int = 50) -> list[int]:
    """Ids of active accounts holding ``role`` on exactly ``area_id`` (``None``: held on no area, i.e. city admin),
    oldest assignment first — who to tell when something lands on that place."""
    where = RoleAssignment.area_id.is_(None) if area_id is None else RoleAssignment.area_id == area_id
    return list(db.session.scalars(
        select(RoleAssignment.user_id).join(User, User.id == RoleAssignment.user_id)
        .where(where, RoleAssignment.role == role, User.active.is_(True))
        .order_by(RoleAssignment.id).limit(limit)))
