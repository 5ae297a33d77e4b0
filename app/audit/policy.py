"""Who reads the audit log, and how far: city admins everything, a street office its street's areas."""
from __future__ import annotations

from app.accounts.scope import assignments, holds_area_role, is_city_admin

READER_ROLES = ("street_admin",)


def _authed(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_read_audit(user) -> bool:
    return _authed(user) and any(a.role in READER_ROLES + ("city_admin",) for a in assignments(user))


def can_read_audit_of_area(user, area) -> bool:
    """An area filter within the reader's reach (its street or a place below it; everything for a city admin)."""
    return _authed(user) and holds_area_role(user, READER_ROLES, area)


def sees_personal_data(user) -> bool:
    """Phone numbers, e-mail addresses and IP addresses in the log: the city admin, who answers an inquiry. A street
    office reads who did what without them."""
    return is_city_admin(user)
