"""Who may see and do what on the co-building checklists — pure functions of the user's roles and the object.

Two sides act on a pairing's items: the community side (community staff of the pairing's community) and the agency
side (admins of the paired agency branch). Party members of the branch read the checklist but do not agree.
Street admins (within their street) and city admins oversee: they read everything in reach and publish key
projects, but never confirm for either side.
"""
from __future__ import annotations

from app.accounts.scope import has_role, holds_area_role, holds_org_role, org_ids, role_areas
from app.cobuild.models import EDITABLE_STATES, OPEN_STATES


def _authed(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def is_community_staff_of(user, community) -> bool:
    """Community staff of ``community`` itself (a city admin holds no side, so the plain role is checked)."""
    return _authed(user) and community is not None and any(
        community.path.startswith(a.path) for a in role_areas(user, "community_staff"))


def is_cobuild_overseer(user, community) -> bool:
    """The street office of the community, or a city admin."""
    return _authed(user) and holds_area_role(user, "street_admin", community)


def sides_of(user, pairing) -> tuple[str, ...]:
    """The sides ``user`` acts for on ``pairing``: ("community",), ("agency",), both, or ()."""
    if pairing is None or not _authed(user):
        return ()
    sides = []
    if is_community_staff_of(user, pairing.community):
        sides.append("community")
    if holds_org_role(user, "agency_admin", pairing.organisation_id):
        sides.append("agency")
    return tuple(sides)


def item_sides(user, item) -> tuple[str, ...]:
    if item.pairing is not None:
        return sides_of(user, item.pairing)
    # unpaired (published, nobody claimed yet): the community side alone
    return ("community",) if is_community_staff_of(user, item.community) else ()


def can_view_pairing(user, pairing) -> bool:
    if pairing is None or not _authed(user):
        return False
    return bool(sides_of(user, pairing)) or holds_org_role(user, "member", pairing.organisation_id) \
        or is_cobuild_overseer(user, pairing.community)


def is_pairing_side(user, pairing) -> bool:
    return bool(sides_of(user, pairing))


def agency_reaches_street(organisation, street) -> bool:
    """An agency of the street: one sitting in the city (no area, or the city), the street or below it."""
    if organisation is None or organisation.kind != "agency":
        return False
    area = organisation.area
    if area is None or street is None:
        return True
    return street.path.startswith(area.path) or area.path.startswith(street.path)


def claimable_org_ids(user, item) -> list[int]:
    """Agency branches the user administers that may claim ``item`` (an unclaimed open need or key project)."""
    if not _authed(user) or item.pairing_id is not None or item.publication is None or item.state not in OPEN_STATES:
        return []
    orgs = [a.organisation for a in _agency_assignments(user)]
    if item.publication == "city":
        return [o.id for o in orgs if o.kind == "agency"]
    street = item.community.parent if item.community is not None else None
    return [o.id for o in orgs if agency_reaches_street(o, street)]


def _agency_assignments(user):
    from app.accounts.scope import assignments

    return [a for a in assignments(user) if a.role == "agency_admin" and a.organisation is not None]


def can_claim_item(user, item) -> bool:
    return bool(claimable_org_ids(user, item))


def is_agency_admin(user) -> bool:
    return bool(_authed(user) and org_ids(user, "agency_admin"))


def can_view_item(user, item) -> bool:
    if item is None or not _authed(user):
        return False
    if item.pairing is not None:
        return can_view_pairing(user, item.pairing)
    if is_community_staff_of(user, item.community) or is_cobuild_overseer(user, item.community):
        return True
    return item.state in OPEN_STATES and can_claim_item(user, item)


def can_use_cobuild(user) -> bool:
    """Has a reason to open /cobuild/ (a side, a branch member, an overseer)."""
    return _authed(user) and (has_role(user, ("street_admin", "community_staff"))
                              or bool(org_ids(user, ("agency_admin", "member"))))


def can_propose_on(user, pairing) -> bool:
    return is_pairing_side(user, pairing)


def can_agree_item(user, item) -> bool:
    if item.state != "proposed" or item.pairing is None:
        return False
    return any(not item.agreed_by(side) for side in item_sides(user, item))


def can_edit_item(user, item) -> bool:
    return item.state in EDITABLE_STATES and bool(item_sides(user, item))


def can_post_progress(user, item) -> bool:
    return item.state in ("agreed", "in_progress") and item.responsible_side in item_sides(user, item)


def can_mark_done(user, item) -> bool:
    return can_post_progress(user, item)


def can_evaluate_item(user, item) -> bool:
    return item.state == "done" and "community" in item_sides(user, item)


def can_cancel_item(user, item) -> bool:
    if item.state not in OPEN_STATES:
        return False
    if item.pairing is None and item.publication == "city":
        return is_cobuild_overseer(user, item.community)
    return bool(item_sides(user, item))


def can_publish_open_need(user) -> bool:
    return _authed(user) and bool(role_areas(user, "community_staff"))


def can_publish_key_project(user) -> bool:
    return _authed(user) and has_role(user, "street_admin")


def can_export_area(user, area) -> bool:
    return _authed(user) and area is not None and area.level in ("city", "street") \
        and holds_area_role(user, "street_admin", area)


def can_import_into(user, pairing) -> bool:
    return is_pairing_side(user, pairing) or (pairing is not None and is_cobuild_overseer(user, pairing.community))
