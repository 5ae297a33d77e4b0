"""Pure permission checks for accounts and areas, used by routes and templates alike."""
from __future__ import annotations

from app.accounts.scope import STAFF_ROLES, holds_area_role


def can_manage_area(user, area) -> bool:
    """Staff of the area's community or street, or a city admin."""
    return holds_area_role(user, STAFF_ROLES, area)


def can_view_area(user, area) -> bool:
    """The area overview is for the people who run it: staff, and leaders within their patch."""
    return holds_area_role(user, STAFF_ROLES + ("grid_leader", "microgrid_leader"), area)
