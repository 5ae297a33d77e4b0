"""Pure permission checks for accounts and areas, used by routes and templates alike."""
from __future__ import annotations

from app.accounts.scope import STAFF_ROLES, has_role, holds_area_role, is_city_admin


def is_staff(user) -> bool:
    """Community staff, street admin or city admin anywhere."""
    return has_role(user, STAFF_ROLES)


def can_manage_area(user, area) -> bool:
    """Staff of the area's community or street, or a city admin."""
    return holds_area_role(user, STAFF_ROLES, area)


def can_view_area(user, area) -> bool:
    """The area overview is for the people who run it: staff, and leaders within their patch."""
    return holds_area_role(user, STAFF_ROLES + ("grid_leader", "microgrid_leader"), area)


def can_create_admin(user) -> bool:
    return is_city_admin(user)
