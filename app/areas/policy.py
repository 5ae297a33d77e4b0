"""Who may see an area's overview, and who may set up the territory below it.

Setting up is for the people who run a patch, each within their own reach:

* a city admin: anything (the city itself included);
* a street admin: within their street — add communities, rename communities, grids and micro-grids, keep the
  "1+1+3" teams — but not rename the street itself (only someone above it may);
* community staff: within their community, for grids and micro-grids only (add grids and micro-grids, rename them,
  keep the teams) — not the community itself.

Leaders see the overview of their patch but change nothing here. Areas are never deleted.
"""
from __future__ import annotations

from app.accounts.scope import STAFF_ROLES, holds_area_role, is_city_admin, role_areas
from app.areas.models import LEVEL_DEPTH, LEVELS

#: the lowest level each role may create or rename (community staff: grids and micro-grids)
_EDITABLE_LEVELS = {
    "street_admin": ("community", "grid", "microgrid"),
    "community_staff": ("grid", "microgrid"),
}


def can_view_area(user, area) -> bool:
    """The area overview is for the people who run it: staff, and leaders within their patch."""
    return holds_area_role(user, STAFF_ROLES + ("grid_leader", "microgrid_leader"), area)


def can_manage_area(user, area) -> bool:
    """Staff of the area's community or street, or a city admin."""
    return holds_area_role(user, STAFF_ROLES, area)


def next_level(area) -> str | None:
    """The level of ``area``'s children (None for a micro-grid, which has none)."""
    depth = LEVEL_DEPTH[area.level] + 1
    return LEVELS[depth] if depth < len(LEVELS) else None


def _reaches(user, area, level: str) -> bool:
    """True if the user may create or rename an area at ``level`` that lies at or below ``area``'s position."""
    if area is None or not getattr(user, "is_authenticated", False):
        return False
    if is_city_admin(user):
        return True
    for role, levels in _EDITABLE_LEVELS.items():
        if level not in levels:
            continue
        # the role's own area is not editable by it: a path strictly inside it, or the area itself as a parent
        if any(area.path.startswith(top.path) for top in role_areas(user, role)):
            return True
    return False


def can_add_child_area(user, parent) -> bool:
    """May the user add an area of the next level under ``parent``?"""
    level = next_level(parent) if parent is not None else None
    return level is not None and _reaches(user, parent, level)


def can_edit_area(user, area) -> bool:
    """May the user rename ``area`` (name and code)? Nobody renames their own top area; someone above it may."""
    if area is None or not getattr(user, "is_authenticated", False):
        return False
    if is_city_admin(user):
        return True
    for role, levels in _EDITABLE_LEVELS.items():
        if area.level not in levels:
            continue
        if any(area.path.startswith(top.path) and area.path != top.path for top in role_areas(user, role)):
            return True
    return False


def can_manage_staffing(user, area) -> bool:
    """May the user add people to, and remove them from, a micro-grid's "1+1+3" posts?"""
    return area is not None and area.level == "microgrid" and _reaches(user, area, "microgrid")


def can_set_up_area(user, area) -> bool:
    """Any of the set-up actions on this area's overview (used to show the forms at all)."""
    return can_edit_area(user, area) or can_add_child_area(user, area) or can_manage_staffing(user, area)
