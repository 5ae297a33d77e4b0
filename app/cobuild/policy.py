"""Who may see and do what on the co-building checklists — pure functions of the user's roles and the object.

Two sides act on a pairing's items: the community side (community staff of the pairing's community) and the agency
side (admins of the paired agency branch). Party members of the branch read the checklist but do not agree.
Street admins (within their street) and city admins oversee: they read everything in reach and publish key
projects, but never confirm for either side.

Who may claim what (open needs and key projects):
- a key project (重点攻坚项目, ``publication == "city"``) is city-wide: every agency branch (``kind == "agency"``)
  may see and claim it through an admin of the branch;
- an open need (``publication == "street"``) goes "to every agency of its street". An agency branch belongs to a
  street when it sits there (``Organisation.area`` is the street or an area below it) or when it is paired, in any
  year, with a community of that street. A branch sitting in the city (the city's own agencies, ``area`` = the city
  or none) is an agency of exactly the streets where it has a pairing; one with neither area nor pairing in a street
  never sees that street's open needs. ``agency_street_ids`` computes this once per request and ``open_condition``
  states the same rule in SQL for the lists and the home card.
"""
from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import and_, false, or_, select, true

from app.accounts.scope import has_role, holds_area_role, holds_org_role, is_city_admin, org_ids, role_areas
from app.areas.models import LEVEL_DEPTH, Area
from app.cobuild.models import EDITABLE_STATES, OPEN_STATES, ChecklistItem
from app.extensions import db
from app.organisations.models import Pairing


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


def _street_of(area: Area | None) -> int | None:
    """The id of the street ``area`` lies in (the street itself or an area below it); None for the city."""
    if area is None or LEVEL_DEPTH.get(area.level, 0) < LEVEL_DEPTH["street"]:
        return None
    ids = area.ancestor_ids
    depth = LEVEL_DEPTH["street"]
    return ids[depth] if len(ids) > depth else None


def agency_street_ids(user) -> dict[int, set[int]]:
    """For each agency branch the user administers: the streets it is an agency of (see the module's rule)."""
    if not _authed(user):
        return {}
    cache = g.setdefault("_cobuild_streets", {}) if has_request_context() else {}
    if user.id in cache:
        return cache[user.id]
    orgs = {a.organisation_id: a.organisation for a in _agency_assignments(user) if a.organisation.kind == "agency"}
    out: dict[int, set[int]] = {oid: set() for oid in orgs}
    for oid, org in orgs.items():
        street = _street_of(org.area)
        if street is not None:
            out[oid].add(street)
    if orgs:
        rows = db.session.execute(
            select(Pairing.organisation_id, Area.parent_id).join(Area, Area.id == Pairing.community_id)
            .where(Pairing.organisation_id.in_(list(orgs)), Area.parent_id.is_not(None)).distinct())
        for oid, street_id in rows:
            out[oid].add(street_id)
    cache[user.id] = out
    return out


def claim_condition(user):
    """SQL: the published items (claimed or not) an agency admin's branches may claim — the same rule as
    ``could_claim``."""
    streets = agency_street_ids(user)
    if not streets:
        return false()
    every = set().union(*streets.values())
    conds = [ChecklistItem.publication == "city"]
    if every:
        conds.append(and_(ChecklistItem.publication == "street", ChecklistItem.street_id.in_(sorted(every))))
    return or_(*conds)


def open_condition(user):
    """SQL: the published items the user may see in the lists of items waiting for a claim — what the user's branches
    may claim, and what was published in the communities the user works for or oversees."""
    if not _authed(user):
        return false()
    if is_city_admin(user):
        return true()
    conds = [claim_condition(user)]
    areas = role_areas(user, ("community_staff", "street_admin"))
    if areas:
        conds.append(ChecklistItem.community_id.in_(
            select(Area.id).where(or_(*[Area.in_subtree(a.path) for a in areas]))))
    return or_(*conds)


def _org_may_claim(streets: set[int], item) -> bool:
    if item.publication == "city":
        return True
    return item.publication == "street" and item.street_id is not None and item.street_id in streets


def could_claim(user, item) -> bool:
    """One of the user's branches may claim ``item`` by the rule, whether or not someone claimed it already."""
    return item is not None and any(_org_may_claim(streets, item) for streets in agency_street_ids(user).values())


def claimable_org_ids(user, item) -> list[int]:
    """Agency branches the user administers that may claim ``item`` (an unclaimed open need or key project)."""
    if not _authed(user) or item.pairing_id is not None or item.publication is None or item.state not in OPEN_STATES:
        return []
    return [oid for oid, streets in agency_street_ids(user).items() if _org_may_claim(streets, item)]


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


def is_agreeing_side(user, item) -> bool:
    """A side of the item's pairing (whatever the item's state: a late or second click is answered, not refused)."""
    return item.pairing is not None and bool(item_sides(user, item))


def is_responsible_side(user, item) -> bool:
    return item.responsible_side in item_sides(user, item)


def is_evaluating_side(user, item) -> bool:
    return "community" in item_sides(user, item)


def is_cancelling_side(user, item) -> bool:
    if item.pairing is None and item.publication == "city":
        return is_cobuild_overseer(user, item.community)
    return bool(item_sides(user, item))


def can_agree_item(user, item) -> bool:
    if item.state != "proposed" or item.pairing is None:
        return False
    return any(not item.agreed_by(side) for side in item_sides(user, item))


def can_edit_item(user, item) -> bool:
    return item.state in EDITABLE_STATES and bool(item_sides(user, item))


def can_post_progress(user, item) -> bool:
    return item.state in ("agreed", "in_progress") and is_responsible_side(user, item)


def can_mark_done(user, item) -> bool:
    return can_post_progress(user, item)


def can_evaluate_item(user, item) -> bool:
    return item.state == "done" and is_evaluating_side(user, item)


def can_cancel_item(user, item) -> bool:
    return item.state in OPEN_STATES and is_cancelling_side(user, item)


def can_publish_open_need(user) -> bool:
    return _authed(user) and bool(role_areas(user, "community_staff"))


def can_publish_key_project(user) -> bool:
    return _authed(user) and has_role(user, "street_admin")


def can_export_area(user, area) -> bool:
    return _authed(user) and area is not None and area.level in ("city", "street") \
        and holds_area_role(user, "street_admin", area)


def can_import_into(user, pairing) -> bool:
    return is_pairing_side(user, pairing) or (pairing is not None and is_cobuild_overseer(user, pairing.community))


def can_reach_claim(user, item) -> bool:
    """May send a claim on ``item``: sees it, or one of the user's branches may claim it by the rule — a claimed item
    is no longer shown to the other agencies, yet a late claimant must hear that it was claimed."""
    return can_view_item(user, item) or could_claim(user, item)


def can_send_claim(user, item) -> bool:
    """Acts for an agency branch (which branch may claim the item is the service's to answer)."""
    return is_agency_admin(user)


def shown_actions(user, item, has_links: bool = False) -> dict[str, bool]:
    """The actions whose form the item's page shows ``user`` now (a refusal of one not shown goes to the top)."""
    return {"agree": item.pairing is not None, "progress": can_post_progress(user, item) and not has_links,
            "done": can_mark_done(user, item), "evaluate": can_evaluate_item(user, item),
            "cancel": can_cancel_item(user, item), "claim": can_claim_item(user, item)}


def can_see_open_items(user) -> bool:
    """The list of open needs and key projects: for those who claim (agency admins) and those who publish."""
    return is_agency_admin(user) or can_publish_open_need(user) or can_publish_key_project(user)
