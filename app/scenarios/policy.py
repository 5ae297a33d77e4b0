"""The scenario library: city admins keep the catalogue; community staff say which scenarios their community runs;
street admins and city admins see adoption across their reach."""
from __future__ import annotations

from app.accounts.scope import STAFF_ROLES, has_role, holds_area_role, is_city_admin


def can_manage_scenarios(user) -> bool:
    return getattr(user, "is_authenticated", False) and is_city_admin(user)


def can_view_scenarios(user) -> bool:
    return getattr(user, "is_authenticated", False) and has_role(user, STAFF_ROLES)


def can_mark_adoption(user, community) -> bool:
    """Community staff of that community (or a street or city admin above it) record what it runs."""
    return (getattr(user, "is_authenticated", False) and community is not None and community.level == "community"
            and holds_area_role(user, STAFF_ROLES, community))
