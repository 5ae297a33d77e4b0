"""Every list and lookup query of the micro-wishes domain: the wall, the review queue, "my wishes" and "my claims",
a wish's claims and team, the branch members a claim may name, and the place a wish is recorded for.

Lists are read a page at a time with ``app.web.pagination.keyset_page`` and the keys below; each order has a
composite index matching its filter (see ``Wish.__table_args__`` / ``WishClaim.__table_args__``).
"""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import RoleAssignment, User
from app.accounts.scope import LEADER_ROLES, STAFF_ROLES, area_scope, org_ids
from app.areas.models import Area
from app.areas.services import picker_queries, picker_state
from app.extensions import db
from app.moderation.models import publicly_listed
from app.web.pagination import Page, keyset_page
from app.web.params import parse_id
from app.wishes.models import Wish, WishClaim, WishClaimMember

#: the wall's order; the indexes ix_wish_wall / ix_wish_community_wall / ix_wish_street_wall match it
WALL_KEYS = [(Wish.published_at, "desc"), (Wish.id, "desc")]
#: the review queue, oldest first (ix_wish_review)
REVIEW_KEYS = [(Wish.created_at, "asc"), (Wish.id, "asc")]
#: "my wishes", newest first (ix_wish_wisher_created, ix_wish_author_created)
MINE_KEYS = [(Wish.created_at, "desc"), (Wish.id, "desc")]
#: "my claims", newest first (ix_wish_claim_claimant_claimed, ix_wish_claim_org_claimed)
CLAIM_KEYS = [(WishClaim.claimed_at, "desc"), (WishClaim.id, "desc")]
#: the roles with which a wish is recorded on a resident's behalf (代录), and the ones that review wishes
ON_BEHALF_ROLES = STAFF_ROLES + LEADER_ROLES
REVIEW_ROLES = STAFF_ROLES


def wish_options():
    """What a wish's card and page show, loaded with the wishes: the places, the wisher, the photo and the active
    or done claim with its claimant and branch are each at most one row per wish, so they come joined in the same
    query (no round trip each); only a claim's team, a list, is loaded with one more."""
    return (
        joinedload(Wish.area), joinedload(Wish.community), joinedload(Wish.wisher), joinedload(Wish.photo),
        joinedload(Wish.active_claim).joinedload(WishClaim.claimant),
        joinedload(Wish.active_claim).joinedload(WishClaim.organisation),
        joinedload(Wish.active_claim).selectinload(WishClaim.members),
        joinedload(Wish.done_claim).joinedload(WishClaim.claimant),
        joinedload(Wish.done_claim).joinedload(WishClaim.organisation),
    )


def wall_statement(states: tuple[str, ...], *, category: str | None = None, community_id: int | None = None,
                   street_id: int | None = None):
    """The wall's filter (order and page come from keyset_page with WALL_KEYS)."""
    stmt = select(Wish).where(publicly_listed(Wish))
    stmt = stmt.where(Wish.state == states[0]) if len(states) == 1 else stmt.where(Wish.state.in_(states))
    if community_id:
        stmt = stmt.where(Wish.community_id == community_id)
    elif street_id:
        stmt = stmt.where(Wish.street_id == street_id)
    if category:
        stmt = stmt.where(Wish.category == category)
    return stmt


def wall_page(states: tuple[str, ...], *, category: str | None, community_id: int | None, street_id: int | None,
              cursor: str | None, size: int) -> Page:
    stmt = wall_statement(states, category=category, community_id=community_id, street_id=street_id)
    return keyset_page(db.session, stmt.options(*wish_options()), keys=WALL_KEYS, cursor=cursor, size=size)


#: the wall filters by place in two lists: a street, then one of its communities (each list as long as it needs)
WALL_PLACE_LEVELS = ("street", "community")


def wall_places(values) -> list[dict]:
    """The wall's place filter: the street and community lists (``street`` and ``community`` in the address, as the
    wall's links have always carried). A community given without its street — an older link — opens at its street;
    a community outside the chosen street is dropped (the street then filters)."""
    street_id, community_id = parse_id(values.get("street")), parse_id(values.get("community"))
    if community_id is not None and street_id is None:
        community = db.session.get(Area, community_id)
        if community is not None and community.level == "community":
            street_id = community.parent_id
    return picker_state({"street": street_id, "community": community_id}, picker_queries(values), WALL_PLACE_LEVELS)


def find_by_post_key(key: str | None) -> Wish | None:
    if not key:
        return None
    return db.session.scalar(select(Wish).where(Wish.post_key == key))


def review_statement(user):
    """Wishes waiting for review where ``user`` is staff (oldest first with REVIEW_KEYS)."""
    return select(Wish).where(Wish.state == "pending", area_scope(user, Wish.area_id, REVIEW_ROLES))


def review_count(user) -> int:
    return db.session.scalar(review_statement(user).with_only_columns(func.count(Wish.id)).order_by(None))


def review_page(user, *, cursor: str | None, size: int) -> Page:
    stmt = review_statement(user).options(*wish_options(), selectinload(Wish.author))
    return keyset_page(db.session, stmt, keys=REVIEW_KEYS, cursor=cursor, size=size)


def mine_statement(user):
    """Wishes ``user`` made or recorded for a resident."""
    return select(Wish).where(or_(Wish.wisher_id == user.id, Wish.author_id == user.id))


def mine_page(user, *, cursor: str | None, size: int) -> Page:
    return keyset_page(db.session, mine_statement(user).options(*wish_options()), keys=MINE_KEYS, cursor=cursor,
                       size=size)


def claims_statement(user):
    """Claims ``user`` made, was named in, or made by a branch they administer."""
    member_claims = select(WishClaimMember.claim_id).where(WishClaimMember.user_id == user.id)
    orgs = org_ids(user, "agency_admin")
    return select(WishClaim).where(or_(WishClaim.claimant_id == user.id, WishClaim.id.in_(member_claims),
                                       *([WishClaim.organisation_id.in_(orgs)] if orgs else [])))


def claims_page(user, *, cursor: str | None, size: int) -> Page:
    stmt = claims_statement(user).options(selectinload(WishClaim.wish).selectinload(Wish.community),
                                          selectinload(WishClaim.organisation))
    return keyset_page(db.session, stmt, keys=CLAIM_KEYS, cursor=cursor, size=size)


def claims_of(wish: Wish, *, cursor: str | None = None, size: int = 20) -> Page:
    """A page of a wish's claims, newest first (each claim is a claim and a release: a wish has a handful, but the
    list never stops without a "Load more")."""
    stmt = (select(WishClaim).where(WishClaim.wish_id == wish.id)
            .options(selectinload(WishClaim.claimant), selectinload(WishClaim.organisation),
                     selectinload(WishClaim.members).selectinload(WishClaimMember.user)))
    return keyset_page(db.session, stmt, keys=CLAIM_KEYS, cursor=cursor, size=size)


def team_of(claim: WishClaim | None) -> list[WishClaimMember]:
    if claim is None or not claim.members:
        return []
    return list(db.session.scalars(select(WishClaimMember).where(WishClaimMember.claim_id == claim.id)
                                   .options(selectinload(WishClaimMember.user))))


def branch_members(organisation_id: int) -> list[User]:
    """Party members of a branch, who can be named as its team (帮帮团)."""
    return list(db.session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.organisation_id == organisation_id, RoleAssignment.role == "member",
               User.active.is_(True))
        .order_by(User.display_name, User.id)
    ))


def branch_member_ids(organisation_id: int, user_ids) -> set[int]:
    """Which of ``user_ids`` are active party members of the branch."""
    if not user_ids:
        return set()
    return set(db.session.scalars(
        select(User.id).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.organisation_id == organisation_id, RoleAssignment.role == "member",
               User.active.is_(True), User.id.in_(list(user_ids)))))


def resident_for(author, query: str) -> User | None:
    """An active account by username or mobile whose home lies where ``author`` records wishes on behalf."""
    return db.session.scalar(
        select(User).where((User.username == query) | (User.mobile == query), User.active.is_(True),
                           area_scope(author, User.home_area_id, ON_BEHALF_ROLES)).limit(1))


def on_behalf_microgrid(author, area_id: int | None) -> Area | None:
    """The micro-grid ``area_id`` if ``author`` may record a wish for a resident living there, else None."""
    if area_id is None:
        return None
    return db.session.scalar(select(Area).where(Area.id == area_id, Area.level == "microgrid",
                                                area_scope(author, Area.id, ON_BEHALF_ROLES)))
