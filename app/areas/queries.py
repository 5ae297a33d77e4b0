"""The area pages' list and lookup queries."""
from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import RoleAssignment
from app.areas.models import Area
from app.extensions import db


def city_area() -> Area | None:
    """The city, the root of the tree."""
    return db.session.scalar(select(Area).where(Area.level == "city").order_by(Area.id).limit(1))


def children(area: Area) -> list[Area]:
    """The areas directly below ``area``, in the order they were set up (every one: a level has tens, not
    thousands — a community's grids, a grid's micro-grids)."""
    return list(db.session.scalars(select(Area).where(Area.parent_id == area.id).order_by(Area.id)))


def role_counts(area: Area) -> dict[str, int]:
    """role → how many assignments are held on ``area`` or below it."""
    return dict(db.session.execute(
        select(RoleAssignment.role, func.count()).join(Area, RoleAssignment.area_id == Area.id)
        .where(Area.in_subtree(area.path)).group_by(RoleAssignment.role)
    ).all())
