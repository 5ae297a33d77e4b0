"""Who may do what with points (pure functions; exposed to templates)."""
from __future__ import annotations

from app.accounts.scope import holds_area_role, holds_org_role, is_city_admin


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_use_points(user) -> bool:
    return _signed_in(user)


def can_edit_point_rules(user) -> bool:
    """Only city admins set what earns points."""
    return _signed_in(user) and is_city_admin(user)


def can_view_board(user, scope: str, place) -> bool:
    """A community's or street's board is open to everyone signed in (it is what commendations are made from); a
    branch's to its members and admin (and city admins)."""
    if not _signed_in(user) or place is None:
        return False
    if scope == "branch":
        return is_city_admin(user) or holds_org_role(user, ("member", "agency_admin"), place.id)
    return True


def can_publish_commendation(user, area) -> bool:
    """A community's staff (or its street's admin) for a community; the street's admin for a street."""
    if not _signed_in(user) or area is None:
        return False
    if area.level == "community":
        return holds_area_role(user, ("community_staff", "street_admin"), area)
    if area.level == "street":
        return holds_area_role(user, "street_admin", area)
    return False


def can_view_commendation(user, commendation) -> bool:
    """Published lists are for everyone signed in; a draft only for who may publish it."""
    if not _signed_in(user):
        return False
    return commendation.state == "published" or can_publish_commendation(user, commendation.area)
