"""Home-page cards: what waits for review (staff), my wishes (residents), my claims (members, agency admins)."""
from __future__ import annotations

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import bindparam, or_, select

from app.accounts.scope import STAFF_ROLES, area_scope, assignments, org_ids, roles_key
from app.extensions import db
from app.web.home import HomeCard, home_card
from app.web.pagination import count_and_first
from app.wishes.models import Wish, WishClaim, WishClaimMember, state_label
from app.wishes.policy import can_claim_any, can_post_wish, can_review_wishes

SHOWN = 5


@home_card(order=20)
def wishes_to_review(user) -> HomeCard | None:
    if not can_review_wishes(user):
        return None
    count, oldest = count_and_first(
        db.session, lambda: select(Wish.id, Wish.title, Wish.created_at)
        .where(Wish.state == "pending", area_scope(user, Wish.area_id, STAFF_ROLES)),
        order_by=(Wish.created_at, Wish.id), limit=SHOWN, shape=("wishes.to_review", roles_key(user)))
    return HomeCard(
        title=_("Micro-wishes to review"), url=url_for("wishes.review"), count=count,
        items=[(w.title, url_for("wishes.show", wish_id=w.id), format_date(w.created_at)) for w in oldest],
        empty_text=_("No wish is waiting for your review."), action_label=_("Open the review queue"),
        urgent=bool(count),
    )


@home_card(order=30)
def my_wishes(user) -> HomeCard | None:
    """A resident's own wishes that are still open; a fulfilled one needs their confirmation."""
    if not getattr(user, "is_authenticated", False):
        return None
    count, rows = count_and_first(
        db.session, lambda: select(Wish.id, Wish.title, Wish.state)
        .where(or_(Wish.wisher_id == bindparam("me"), Wish.author_id == bindparam("me")), Wish.is_open),
        order_by=((Wish.state == "fulfilled").desc(), Wish.updated_at.desc(), Wish.id.desc()), limit=SHOWN,
        shape=("wishes.mine",), params={"me": user.id})
    if not count and (any(True for _ in assignments(user)) or not can_post_wish(user)):
        return None  # people with a role, or who cannot post, see this card only when they have wishes of their own
    return HomeCard(
        title=_("My micro-wishes"), url=url_for("wishes.mine"), count=count,
        items=[(w.title, url_for("wishes.show", wish_id=w.id),
                _("Please confirm") if w.state == "fulfilled" else state_label(w.state)) for w in rows],
        empty_text=_("You have no open wish. Is there something small a neighbour could help with?"),
        action_label=_("All my wishes") if count else _("Post a wish"),
        urgent=any(w.state == "fulfilled" for w in rows),
    )


@home_card(order=35)
def my_claims(user) -> HomeCard | None:
    """Claims a member or a branch holds: fulfil them before the deadline."""
    if not can_claim_any(user):
        return None
    orgs = org_ids(user, "agency_admin")

    def build():
        cond = or_(WishClaim.claimant_id == bindparam("me"),
                   WishClaim.id.in_(select(WishClaimMember.claim_id).where(WishClaimMember.user_id == bindparam("me"))),
                   *([WishClaim.organisation_id.in_(bindparam("orgs", expanding=True))] if orgs else []))
        return (select(WishClaim.deadline_at, Wish.id, Wish.title, Wish.state)
                .join(Wish, Wish.id == WishClaim.wish_id).where(cond, WishClaim.status == "active"))

    count, rows = count_and_first(
        db.session, build, order_by=(WishClaim.deadline_at, WishClaim.id), limit=SHOWN,
        shape=("wishes.claims", bool(orgs)), params={"me": user.id, **({"orgs": orgs} if orgs else {})})
    return HomeCard(
        title=_("My claimed wishes"), url=url_for("wishes.mine"), count=count,
        items=[(title, url_for("wishes.show", wish_id=wid),
                state_label(state) if state != "claimed" else _("fulfil by %(day)s", day=format_date(deadline)))
               for deadline, wid, title, state, _n in rows],
        empty_text=_("You hold no claim. Neighbours' wishes are waiting on the wall."),
        action_label=_("All my claims") if count else _("Go to the wish wall"),
    )
