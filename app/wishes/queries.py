"""Every list and lookup query of the micro-wishes domain: the wall, the review queue, "my wishes" and "my claims",
a wish's claims and team, the branch members a claim may name, and the place a wish is recorded for.

Lists are read a page at a time with ``app.web.pagination.keyset_page`` and the keys below; each order has a
composite index matching its filter (see ``Wish.__table_args__`` / ``WishClaim.__table_args__``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from flask import url_for
from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.accounts.models import RoleAssignment, User, mask_name
from app.accounts.scope import LEADER_ROLES, STAFF_ROLES, area_scope, org_ids
from app.areas.models import Area
from app.areas.services import picker_queries, picker_state
from app.extensions import db
from app.moderation.models import publicly_listed
from app.organisations.models import Organisation
from app.timeutil import local_today
from app.uploads.models import Upload
from app.web.pagination import Page, keyset_page
from app.web.params import parse_id
from app.wishes.models import STATE_BADGES, Wish, WishClaim, WishClaimMember, category_label, state_label
from app.wishes.policy import can_claim_any, can_claim_in_one_step, can_claim_wish, holds_claim

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


@cache
def wish_options():
    """What a wish's card and page show, loaded with the wishes: the places, the wisher, the photo and the active
    or done claim with its claimant and branch are each at most one row per wish, so they come joined in the same
    query (no round trip each). A claim's team, a list that only a branch's claim has, is read when asked for
    (``team_of``, or ``WishClaim.member_ids`` for a member of the claiming branch). Built once (loader options
    are immutable)."""
    return (
        joinedload(Wish.area), joinedload(Wish.community), joinedload(Wish.wisher), joinedload(Wish.photo),
        joinedload(Wish.active_claim).joinedload(WishClaim.claimant),
        joinedload(Wish.active_claim).joinedload(WishClaim.organisation),
        joinedload(Wish.done_claim).joinedload(WishClaim.claimant),
        joinedload(Wish.done_claim).joinedload(WishClaim.organisation),
    )


def wall_statement(states: tuple[str, ...], *, category: str | None = None, community_id: int | None = None,
                   street_id: int | None = None, base=None):
    """The wall's filter (order and page come from keyset_page with WALL_KEYS), on ``base`` (the wishes). Every value
    is a named parameter (``wall_params`` gives them), so one statement per filter shape serves every page."""
    stmt = (select(Wish) if base is None else base).where(publicly_listed(Wish))
    stmt = stmt.where(Wish.state == bindparam("wall_state", states[0])) if len(states) == 1 else \
        stmt.where(Wish.state.in_(bindparam("wall_states", list(states), expanding=True)))
    if community_id:
        stmt = stmt.where(Wish.community_id == bindparam("wall_community", community_id))
    elif street_id:
        stmt = stmt.where(Wish.street_id == bindparam("wall_street", street_id))
    if category:
        stmt = stmt.where(Wish.category == bindparam("wall_category", category))
    return stmt


def wall_params(states: tuple[str, ...], *, category: str | None, community_id: int | None,
                street_id: int | None) -> dict:
    """The values of ``wall_statement``'s parameters."""
    params: dict = {"wall_state": states[0]} if len(states) == 1 else {"wall_states": list(states)}
    if community_id:
        params["wall_community"] = community_id
    elif street_id:
        params["wall_street"] = street_id
    if category:
        params["wall_category"] = category
    return params


def wall_shape(states: tuple[str, ...], *, category: str | None, community_id: int | None,
               street_id: int | None) -> tuple:
    """Which filters the wall's statement has (not their values): ``keyset_page``'s ``shape``."""
    return (len(states) == 1, bool(community_id), bool(street_id) and not community_id, bool(category))


@dataclass(frozen=True, slots=True)
class CardPhoto:
    url: str
    width: int | None
    height: int | None


@dataclass(frozen=True, slots=True)
class ClaimHolder:
    """What ``holds_claim`` reads of a claim: who claimed, for which branch, and whether the viewer is on its team."""
    claimant_id: int | None
    organisation_id: int | None
    member_ids: frozenset


@dataclass(slots=True)
class WishCard:
    """A wish as its card on the wall shows it, from one row of plain columns (no ORM object, no eager loads). The
    card's buttons are decided for the viewer when the card is built (``held``, ``claimable``, ``one_step``)."""
    id: int
    title: str
    state: str
    moderation: str | None
    category: str
    value: int
    description: str
    fulfil_note: str | None
    thanks_note: str | None
    wisher_id: int | None
    author_id: int | None
    on_behalf: bool
    area_id: int
    community_name: str
    masked_wisher: str
    state_label: str
    badge_kind: str
    category_label: str
    days_left: int
    photo: CardPhoto | None
    claimed_by: str | None
    done_by: str | None
    held: bool = False
    claimable: bool = False
    one_step: bool = False

    @property
    def area(self) -> Area | None:
        """The wish's place, read only when a policy needs it (someone who recorded the wish on a resident's behalf
        looks at its card)."""
        return db.session.get(Area, self.area_id)


def _public_name(kind: str | None, org_name: str | None, claimant_name: str | None, claimant_id: int | None) -> str:
    """``WishClaim.public_name`` from the claim's columns."""
    if kind == "branch" and org_name is not None:
        return org_name
    return mask_name(claimant_name) if claimant_id is not None else "*"


@cache
def _card_statement():
    """The columns a card shows, with its places, wisher, photo and active or done claim joined in (each at most
    one row per wish), and whether the viewer (the ``viewer_id`` parameter) is named in the active claim's team.
    Built once: the statement is the same for every page and viewer."""
    community, wisher, photo = aliased(Area), aliased(User), aliased(Upload)
    active, active_user, active_org = aliased(WishClaim), aliased(User), aliased(Organisation)
    done, done_user, done_org = aliased(WishClaim), aliased(User), aliased(Organisation)
    in_team = exists().where(WishClaimMember.claim_id == active.id, WishClaimMember.user_id == bindparam("viewer_id"))
    return (select(Wish.id, Wish.title, Wish.state, Wish.moderation, Wish.category, Wish.value, Wish.description,
                   Wish.fulfil_note, Wish.thanks_note, Wish.wisher_id, Wish.author_id, Wish.on_behalf, Wish.area_id,
                   Wish.subject_name, Wish.wanted_by, Wish.published_at, community.name.label("community_name"),
                   wisher.display_name.label("wisher_name"), photo.token.label("photo_token"),
                   photo.width.label("photo_width"), photo.height.label("photo_height"),
                   active.id.label("active_id"), active.kind.label("active_kind"),
                   active.claimant_id.label("active_claimant_id"), active.organisation_id.label("active_org_id"),
                   active_user.display_name.label("active_user_name"), active_org.name.label("active_org_name"),
                   done.id.label("done_id"), done.kind.label("done_kind"), done.claimant_id.label("done_claimant_id"),
                   done_user.display_name.label("done_user_name"), done_org.name.label("done_org_name"),
                   in_team.label("in_team"))
            .join(community, community.id == Wish.community_id)
            .outerjoin(wisher, wisher.id == Wish.wisher_id)
            .outerjoin(photo, photo.id == Wish.photo_id)
            .outerjoin(active, and_(active.wish_id == Wish.id, active.status == "active"))
            .outerjoin(active_user, active_user.id == active.claimant_id)
            .outerjoin(active_org, active_org.id == active.organisation_id)
            .outerjoin(done, and_(done.wish_id == Wish.id, done.status == "done"))
            .outerjoin(done_user, done_user.id == done.claimant_id)
            .outerjoin(done_org, done_org.id == done.organisation_id))


def _viewer(user) -> dict:
    return {"viewer_id": getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None}


def _cards(rows, user) -> list[WishCard]:
    """Cards from rows of ``_card_statement``: the labels translated once per page, the viewer's claim powers
    looked up once per page."""
    today: date = local_today()
    states: dict[str, str] = {}
    labels: dict[str, str] = {}
    claim_any = can_claim_any(user)
    one_step = claim_any and can_claim_in_one_step(user)
    uid = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    cards = []
    for r in rows:
        label = labels.get(r.category)
        if label is None:
            label = labels[r.category] = category_label(r.category)
        shown_state = states.get(r.state)
        if shown_state is None:
            shown_state = states[r.state] = state_label(r.state)
        wisher = r.wisher_name if r.wisher_id is not None else (r.subject_name or "")
        card = WishCard(
            id=r.id, title=r.title, state=r.state, moderation=r.moderation, category=r.category, value=r.value,
            description=r.description, fulfil_note=r.fulfil_note, thanks_note=r.thanks_note, wisher_id=r.wisher_id,
            author_id=r.author_id, on_behalf=r.on_behalf, area_id=r.area_id, community_name=r.community_name,
            masked_wisher=mask_name(wisher), state_label=shown_state,
            badge_kind=STATE_BADGES.get(r.state, ""), category_label=label, days_left=(r.wanted_by - today).days,
            photo=(CardPhoto(url_for("uploads.serve", token=r.photo_token), r.photo_width, r.photo_height)
                   if r.photo_token is not None else None),
            claimed_by=(_public_name(r.active_kind, r.active_org_name, r.active_user_name, r.active_claimant_id)
                        if r.active_id is not None else None),
            done_by=(_public_name(r.done_kind, r.done_org_name, r.done_user_name, r.done_claimant_id)
                     if r.done_id is not None else None),
            one_step=one_step)
        if uid is not None:
            if r.state == "claimed" and r.active_id is not None:
                card.held = holds_claim(user, ClaimHolder(r.active_claimant_id, r.active_org_id,
                                                          frozenset((uid,)) if r.in_team else frozenset()))
            card.claimable = claim_any and can_claim_wish(user, card, claim_any=True)
        cards.append(card)
    return cards


def wall_page(states: tuple[str, ...], *, category: str | None, community_id: int | None, street_id: int | None,
              cursor: str | None, size: int, user=None) -> Page:
    """A page of the wall as cards (``WishCard``), for ``user``."""
    where = dict(category=category, community_id=community_id, street_id=street_id)
    page = keyset_page(db.session, lambda: wall_statement(states, base=_card_statement(), **where), keys=WALL_KEYS,
                       cursor=cursor, size=size, rows=True, params={**_viewer(user), **wall_params(states, **where)},
                       shape=("wishes.wall", *wall_shape(states, **where)))
    page.items = _cards(page.items, user)
    return page


def card(wish_id: int, user) -> WishCard | None:
    """One wish's card (the answer to a claim on the wall), built as the wall builds it."""
    rows = db.session.execute(_card_statement().where(Wish.id == wish_id), _viewer(user)).all()
    return _cards(rows, user)[0] if rows else None


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
    if claim is None or claim.kind != "branch":  # only a branch names a team
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
