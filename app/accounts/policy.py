"""Pure permission checks for people administration, used by routes and templates alike.

People administration (``/users/``):

* who a person *sees* (``can_view_person``): a city admin everyone; street admins and community staff the people
  whose home micro-grid lies in their area or who hold a role on an area in it; an agency branch admin the people
  who hold a role in their organisation. The list at ``/users/`` is the same rule as SQL (``accounts.queries``).
* who a person *manages* (``can_manage_user``: reset the password, deactivate, grant and revoke): someone they see
  and every one of whose roles they could grant themselves, there. A role is given by a body — a street office
  (street admin, sentinel), a community (grid and micro-grid leaders), a branch (agency admin, party member on an
  organisation) — and a person holding it is managed only by that body or above, never by the staff of the place
  where they happen to live: a password reset hands the new password to the actor, who could then act as the holder
  (claim wishes for a branch, read contacts a leader sees). So community staff manage residents and their own
  leaders; a party member is managed by the branch's admin (and the city admin), a sentinel by the street admin
  (and the city admin). Only a city admin manages a city admin. The same rule shows or hides the buttons on the
  person's page and answers the POSTs (403).
* what a person grants (``can_grant_role``): a city admin anything; a street admin community staff, grid and
  micro-grid leaders and sentinels within their street; community staff grid and micro-grid leaders within their
  community; an agency branch admin party members of their own organisation.
"""
from __future__ import annotations

from app.accounts.models import AREA_ROLES, ORG_ROLES, ROLE_LEVEL, ROLES
from app.accounts.scope import STAFF_ROLES, assignments, holds_area_role, is_city_admin, org_ids

#: what each role may grant, within the area (or organisation) it is held on
GRANTS = {
    "street_admin": ("community_staff", "grid_leader", "microgrid_leader", "sentinel"),
    "community_staff": ("grid_leader", "microgrid_leader"),
    "agency_admin": ("member",),
}
#: roles that manage people: who holds one may open /users/
PEOPLE_ADMIN_ROLES = ("street_admin", "community_staff", "agency_admin")
#: "admin" roles, of which nobody may revoke their own last one (they would lock themselves out)
ADMIN_ROLES = ("city_admin",) + PEOPLE_ADMIN_ROLES


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


# ---------------------------------------------------------------- people administration


def can_manage_people(user) -> bool:
    """May open the people list and create accounts."""
    if not _signed_in(user):
        return False
    return is_city_admin(user) or any(a.role in PEOPLE_ADMIN_ROLES for a in assignments(user))


def grantable_roles(actor) -> list[str]:
    """Roles the actor may grant somewhere (in the order of ``ROLES``)."""
    if not _signed_in(actor):
        return []
    if is_city_admin(actor):
        return list(ROLES)
    held = {a.role for a in assignments(actor)}
    wanted = {role for holder, roles in GRANTS.items() if holder in held for role in roles}
    return [r for r in ROLES if r in wanted]


def can_grant_role(actor, role, area=None, organisation=None) -> bool:
    """May the actor grant ``role`` held on ``area`` (area roles) or ``organisation`` (organisation roles)?

    The scope is required: without it only a city admin may grant (city admin, which is held on no scope — whether an
    area or organisation fits the role is the service's question)."""
    if not _signed_in(actor) or role not in ROLES:
        return False
    if is_city_admin(actor):
        return True
    if role in ORG_ROLES:
        if organisation is None or area is not None:
            return False
        return any(role in GRANTS.get(a.role, ()) and a.organisation_id == organisation.id
                   for a in assignments(actor))
    if role not in AREA_ROLES or area is None or organisation is not None:
        return False
    if area.level not in ROLE_LEVEL.get(role, ()):
        return False
    return any(role in GRANTS.get(a.role, ()) and a.area is not None and area.path.startswith(a.area.path)
               for a in assignments(actor))


def can_view_person(actor, target) -> bool:
    """Is ``target`` among the people the actor looks after (the /users/ list)?"""
    if not _signed_in(actor) or target is None:
        return False
    if is_city_admin(actor):
        return True
    if target.home_area is not None and holds_area_role(actor, STAFF_ROLES, target.home_area):
        return True
    my_orgs = set(org_ids(actor, "agency_admin"))
    for ra in target.roles:
        if ra.area is not None and holds_area_role(actor, STAFF_ROLES, ra.area):
            return True
        if ra.organisation_id is not None and ra.organisation_id in my_orgs:
            return True
    return False


def can_manage_user(actor, target) -> bool:
    """May the actor reset the password of, deactivate, and grant or revoke roles of ``target``?"""
    if not can_view_person(actor, target):
        return False
    if is_city_admin(actor):
        return True
    # every role was given by a body the actor speaks for (or one below it): see the module's docstring
    return all(can_grant_role(actor, ra.role, ra.area, ra.organisation) for ra in target.roles)


def can_see_mobile(actor, target) -> bool:
    """The full mobile number: the person themself and those who manage them; everyone else sees it masked."""
    return _signed_in(actor) and target is not None and (actor.id == target.id or can_manage_user(actor, target))


def can_reset_password(actor, target) -> bool:
    """Not for oneself: one's own password is changed on the "Change password" page."""
    return can_manage_user(actor, target) and actor.id != target.id


def can_deactivate_user(actor, target) -> bool:
    return can_manage_user(actor, target) and actor.id != target.id and target.active


def can_reactivate_user(actor, target) -> bool:
    return can_manage_user(actor, target) and actor.id != target.id and not target.active


def can_revoke_role(actor, assignment) -> bool:
    """Revoke what one could grant, from someone one manages; never one's own last admin role."""
    target = assignment.user
    if not can_manage_user(actor, target):
        return False
    if not can_grant_role(actor, assignment.role, assignment.area, assignment.organisation):
        return False
    if actor.id == target.id and assignment.role in ADMIN_ROLES:
        return any(ra.id != assignment.id and ra.role in ADMIN_ROLES for ra in target.roles)
    return True


def can_give_home(actor, home) -> bool:
    """May the actor create an account living in micro-grid ``home``? Their own area's staff, a city admin, and an
    agency admin (party members of the branch live anywhere)."""
    return _signed_in(actor) and (is_city_admin(actor) or bool(org_ids(actor, "agency_admin"))
                                  or holds_area_role(actor, STAFF_ROLES, home))


def would_look_after(actor, home, role: str | None, area, organisation) -> bool:
    """Will a new account (living in ``home``, given ``role`` on ``area`` / ``organisation``) be among the people the
    actor looks after (``can_view_person``) once created?"""
    if is_city_admin(actor):
        return True
    if home is not None and holds_area_role(actor, STAFF_ROLES, home):
        return True
    if role and area is not None and holds_area_role(actor, STAFF_ROLES, area):
        return True
    return bool(role and organisation is not None and organisation.id in org_ids(actor, "agency_admin"))
