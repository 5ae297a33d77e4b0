"""Who may do what with a wish — pure functions used by routes (403/404) and templates (absent buttons)."""
from __future__ import annotations

from app.accounts.scope import (
    LEADER_ROLES,
    STAFF_ROLES,
    assignments,
    holds_area_role,
    holds_org_role,
    org_ids,
    role_areas,
)

CLAIM_ROLES = ("member", "agency_admin")


def _authed(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _uid(user):
    return getattr(user, "id", None) if _authed(user) else None


def is_wish_staff(user, wish) -> bool:
    """Staff of the wish's community (or its street, or a city admin)."""
    return _authed(user) and holds_area_role(user, STAFF_ROLES, wish.area)


def is_wish_owner(user, wish) -> bool:
    """The wisher, or whoever recorded the wish on their behalf — while they still hold the staff or leader role
    over the resident's home that let them record it (代录 rests on that role, not on having typed it in)."""
    uid = _uid(user)
    if uid is None:
        return False
    if uid == wish.wisher_id:
        return True
    if uid != wish.author_id:
        return False
    return not wish.on_behalf or holds_area_role(user, STAFF_ROLES + LEADER_ROLES, wish.area)


def is_party_member(user) -> bool:
    return _authed(user) and any(a.role == "member" for a in assignments(user))


def holds_claim(user, claim) -> bool:
    """``user`` holds ``claim`` through a role they hold *now*: a personal claim while the claimant is still a party
    member; a branch's claim as an admin of that branch, or as a named team member still a member of that branch.
    A revoked role takes the power with it, whatever the claim's rows still say."""
    uid = _uid(user)
    if claim is None or uid is None:
        return False
    if claim.organisation_id is None:
        return claim.claimant_id == uid and is_party_member(user)
    if holds_org_role(user, "agency_admin", claim.organisation_id):
        return True
    # the role first: only a member of the branch has the team read
    return holds_org_role(user, "member", claim.organisation_id) and uid in claim.member_ids


def is_wish_claimant(user, wish) -> bool:
    """Holds the active claim: the member who claimed, an admin of the claiming branch, or a named team member —
    each only while holding the role the claim rests on (``holds_claim``)."""
    return holds_claim(user, wish.active_claim)


def can_view_wish(user, wish) -> bool:
    """Anyone sees a wish on the wall; the resident and staff also see it before and after."""
    return wish.is_public or is_wish_owner(user, wish) or is_wish_staff(user, wish)


def can_post_on_behalf(user) -> bool:
    """Staff and area leaders record wishes of residents without a phone (代录)."""
    return _authed(user) and any(a.role in STAFF_ROLES + LEADER_ROLES + ("city_admin",) for a in assignments(user))


def can_review_wish(user, wish) -> bool:
    return wish.state == "pending" and is_wish_staff(user, wish)


def can_review_wishes(user) -> bool:
    return _authed(user) and any(a.role in STAFF_ROLES + ("city_admin",) for a in assignments(user))


def can_withdraw_wish(user, wish) -> bool:
    return wish.state in ("pending", "published") and is_wish_owner(user, wish)


def claim_org_ids(user) -> list[int]:
    """Branches this user may claim for (agency admin)."""
    return org_ids(user, "agency_admin") if _authed(user) else []


def can_claim_any(user) -> bool:
    """Party members and agency admins claim wishes (a city admin does not, by role alone)."""
    return _authed(user) and any(a.role in CLAIM_ROLES for a in assignments(user))


def claim_targets(user) -> list[int | None]:
    """For whom ``user`` may claim a wish: themself (None) as a party member, then each branch they administer."""
    if not _authed(user):
        return []
    return ([None] if is_party_member(user) else []) + claim_org_ids(user)


def can_claim_for(user, organisation_id: int | None) -> bool:
    """A branch's wish claims are made by its agency admins; a party member claims for themself (None)."""
    return organisation_id in claim_targets(user)


def can_claim_in_one_step(user) -> bool:
    """One button on the wall: a party member claims for themself, an admin of one branch for that branch. An admin
    of several branches chooses the branch (and its team) on the wish's page."""
    targets = claim_targets(user)
    return bool(targets) and (targets[0] is None or len(targets) == 1)


def can_post_wish(user) -> bool:
    """Who may open the wish form: a resident with a home community on record (the wish is placed there), or staff
    and area leaders recording a wish on a resident's behalf. Cards and links to /wishes/new follow this."""
    return _authed(user) and (getattr(user, "home_area_id", None) is not None or can_post_on_behalf(user))


def can_claim_wish(user, wish, *, claim_any: bool | None = None) -> bool:
    """``claim_any``: ``can_claim_any(user)`` when the caller already knows it (a page of cards asks once)."""
    # a wish hidden pending review (or removed) by moderators is not offered to claimants
    return (wish.state == "published" and wish.moderation is None
            and (can_claim_any(user) if claim_any is None else claim_any) and not is_wish_owner(user, wish))


def can_release_wish(user, wish) -> bool:
    return wish.state == "claimed" and (is_wish_claimant(user, wish) or is_wish_staff(user, wish))


def can_fulfil_wish(user, wish) -> bool:
    return wish.state == "claimed" and is_wish_claimant(user, wish)


def can_confirm_wish(user, wish) -> bool:
    """The wisher confirms; staff (or whoever recorded it on the resident's behalf) may do it for them."""
    if wish.state != "fulfilled":
        return False
    return is_wish_owner(user, wish) or is_wish_staff(user, wish)


def is_wish_community_staff(user, wish) -> bool:
    """Staff of the wish's own community — not the street office or the city admin, who oversee without contacts."""
    return _authed(user) and wish.area is not None and any(
        wish.area.path.startswith(a.path) for a in role_areas(user, "community_staff"))


def can_see_wish_contact(user, wish) -> bool:
    """Contact details: the claimant after claiming, staff of the wish's community, and the wisher themself."""
    return is_wish_owner(user, wish) or is_wish_community_staff(user, wish) or (
        wish.state in ("claimed", "fulfilled") and is_wish_claimant(user, wish))


#: notes that make up the public story of a wish (圆梦故事); any other note — reasons for rejection or release,
#: "not received" — is read only by the people involved
STORY_NOTE_ACTIONS = frozenset({"fulfilled", "confirmed"})


def can_read_wish_note(user, wish, entry) -> bool:
    if entry.action in STORY_NOTE_ACTIONS:
        return True
    return is_wish_owner(user, wish) or is_wish_claimant(user, wish) or is_wish_staff(user, wish)
