"""Who may see and change organisations and pairings (结对). Pure functions of the user's roles and the object.

* Organisations list and pages: city admin, street admins and community staff see every organisation (a street pairs
  its communities with city-level agencies); an agency admin sees their own organisation(s) only.
* Create: city admin and street admins. Edit: city admin anything; a street admin the organisations that sit in
  their street. The contact phone is shown in full to those who may edit and to the organisation's own admins.
* Pair an agency with a community, and remove a pairing: city admin; a street admin for the communities of their
  street. Community staff see their community's pairings; an agency admin sees their organisation's.
"""
from __future__ import annotations

from app.accounts.scope import STAFF_ROLES, has_role, holds_area_role, holds_org_role, is_city_admin, org_ids


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_view_organisations(user) -> bool:
    """The organisations list (staff see all; an agency admin sees their own)."""
    return _signed_in(user) and (has_role(user, STAFF_ROLES) or bool(org_ids(user, "agency_admin")))


def is_organisations_staff(user) -> bool:
    """Sees every organisation (city admin, street admin, community staff)."""
    return _signed_in(user) and has_role(user, STAFF_ROLES)


def can_view_organisation(user, organisation) -> bool:
    if organisation is None or not _signed_in(user):
        return False
    return is_organisations_staff(user) or holds_org_role(user, "agency_admin", organisation.id)


def can_manage_organisations(user) -> bool:
    """May add organisations (city admin, street admins)."""
    return _signed_in(user) and has_role(user, "street_admin")


def can_edit_organisation(user, organisation) -> bool:
    if organisation is None or not _signed_in(user):
        return False
    if is_city_admin(user):
        return True
    return organisation.area is not None and holds_area_role(user, "street_admin", organisation.area)


def can_see_organisation_contact(user, organisation) -> bool:
    """The contact phone unmasked: those who may edit it, and the organisation's own admins."""
    return can_edit_organisation(user, organisation) or (
        organisation is not None and holds_org_role(user, "agency_admin", organisation.id))


def can_pair(user, community) -> bool:
    """May pair an agency with ``community`` (and remove such a pairing)?"""
    if community is None or community.level != "community" or not _signed_in(user):
        return False
    return holds_area_role(user, "street_admin", community)


def can_pair_any(user) -> bool:
    """May pair at all (shows the pairing form on an agency's page)."""
    return _signed_in(user) and has_role(user, "street_admin")


def can_view_pairings(user, community) -> bool:
    """The pairings of a community: those who may pair it, and its own staff."""
    if community is None or community.level != "community" or not _signed_in(user):
        return False
    return holds_area_role(user, STAFF_ROLES, community)


def can_remove_pairing(user, pairing) -> bool:
    return pairing is not None and can_pair(user, pairing.community)
