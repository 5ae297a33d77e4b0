"""Who sees which dashboard: the people who run an area see its figures and everything below it — a city admin
the city, a street admin the street, community staff the community, grid and micro-grid leaders their patch.
Residents see their community's figures on the public page (/figures/), which names no one."""
from __future__ import annotations

from app.accounts.scope import LEADER_ROLES, STAFF_ROLES, holds_area_role, is_city_admin, role_areas

DASHBOARD_ROLES = STAFF_ROLES + LEADER_ROLES


def can_view_dashboard(user, area) -> bool:
    return getattr(user, "is_authenticated", False) and holds_area_role(user, DASHBOARD_ROLES, area)


def can_open_dashboard(user) -> bool:
    """Does the user run any area (so the home page links the dashboard)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_city_admin(user) or bool(role_areas(user, DASHBOARD_ROLES))


def can_set_weights(user) -> bool:
    """The evaluation index's weights are the city's: city admins set them."""
    return getattr(user, "is_authenticated", False) and is_city_admin(user)
