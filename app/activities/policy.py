"""Who may publish, join, organise and attest activities — pure functions for routes and templates."""
from __future__ import annotations

from app.accounts.scope import STAFF_ROLES, assignments, holds_area_role, holds_org_role, is_city_admin


def _authed(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_party_member(user) -> bool:
    return _authed(user) and any(a.role == "member" for a in assignments(user))


def can_publish_activities(user) -> bool:
    """Community staff, an agency admin (for its pairings' communities) or a micro-grid leader."""
    return _authed(user) and (is_city_admin(user) or any(
        a.role in (*STAFF_ROLES, "microgrid_leader", "agency_admin") for a in assignments(user)))


def can_publish_at(user, area, paired_org_ids: list[int] | tuple[int, ...] = ()) -> bool:
    """May publish an activity at ``area`` (a community or below): staff over it, the leader of its micro-grid,
    or — for the community — the admin of a branch paired with it (``paired_org_ids``: the user's branches paired
    with that community, from queries.paired_branches)."""
    if not _authed(user) or area is None:
        return False
    if holds_area_role(user, STAFF_ROLES, area):
        return True
    if area.level == "microgrid" and holds_area_role(user, "microgrid_leader", area):
        return True
    return bool(paired_org_ids)


def can_view_activity(user, activity) -> bool:
    return _authed(user)


def is_organiser(user, activity) -> bool:
    """Who records and vouches for the activity (谁组织谁记录): the person who published it — while they still
    hold the role over its place (staff, the micro-grid's leader, or an admin of the organising branch) — and the
    community's staff."""
    if not _authed(user):
        return False
    if holds_area_role(user, STAFF_ROLES, activity.community):
        return True
    if activity.organiser_id != user.id:
        return False
    if activity.organisation_id is not None:
        return holds_org_role(user, "agency_admin", activity.organisation_id)
    return holds_area_role(user, "microgrid_leader", activity.area)


def may_join(user, activity) -> bool:
    """The audience: everyone, party members, or the members and admins of one organisation."""
    if not _authed(user):
        return False
    if activity.audience == "members":
        return is_party_member(user)
    if activity.audience == "organisation":
        return holds_org_role(user, ("member", "agency_admin"), activity.audience_organisation_id)
    return True


def can_sign_up(user, activity) -> bool:
    return may_join(user, activity)


def can_attest(user, activity) -> bool:
    return activity.attested_at is None and is_organiser(user, activity)
