"""Who must hear of a wish's events, and what they are told (the bell; see app/notifications/registry.py).

The resident hears of every step of their own wish; staff of the wish's community hear of a new one to review;
the claimant (and the named team) hear when the resident answers or the claim ends.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.accounts.scope import active_holders
from app.extensions import db
from app.notifications.registry import RECIPIENTS_MAX, Notify, notice, state_in, subject_link
from app.wishes.events import ClaimChange, ClaimNotReceived, ClaimReleased
from app.wishes.models import Wish, WishClaim
from app.wishes.policy import can_view_wish, is_wish_owner


def _wish(event) -> Wish:
    return event.subject


def _residents(wish: Wish) -> list[int | None]:
    """The resident; for a resident without an account, whoever recorded the wish for them (they answer for them)
    while they still hold the role they recorded it by — else the community's staff, who answer for them now."""
    if wish.wisher_id is not None:
        return [wish.wisher_id]
    if not wish.on_behalf:
        return []
    if wish.author is not None and wish.author.active and is_wish_owner(wish.author, wish):
        return [wish.author_id]
    return community_staff_ids(wish.community_id)


def _params(wish: Wish, **extra) -> dict:
    return {"title": wish.title, **extra}


def _claim(event) -> WishClaim | None:
    claim_id = event.payload.claim_id
    return db.session.get(WishClaim, claim_id) if claim_id else None


def community_staff_ids(community_id: int) -> list[int]:
    return active_holders("community_staff", community_id, limit=RECIPIENTS_MAX)


def reviewer_ids(wish: Wish) -> list[int]:
    """Who reviews a new wish: its community's staff; a community without (active) staff leaves it to the street
    office, which may review it too."""
    return community_staff_ids(wish.community_id) or (
        active_holders("street_admin", wish.street_id, limit=RECIPIENTS_MAX) if wish.street_id else [])


@subject_link("wish")
def wish_link(user, wish_id: int) -> str | None:
    wish = db.session.get(Wish, wish_id)
    if wish is None or not can_view_wish(user, wish):
        return None
    return url_for("wishes.show", wish_id=wish.id)


@notice("wish.posted", _l("New micro-wish to review: “%(title)s”."), current=state_in(Wish, "pending"))
def posted(event) -> Notify:
    wish = _wish(event)
    return Notify(to=reviewer_ids(wish), params=_params(wish))


@notice("wish.published", _l("Your wish “%(title)s” is approved and on the wish wall."))
def published(event) -> Notify:
    wish = _wish(event)
    return Notify(to=_residents(wish), params=_params(wish))


@notice("wish.rejected", _l("Your wish “%(title)s” was not approved: %(reason)s"))
def rejected(event) -> Notify:
    wish = _wish(event)
    return Notify(to=_residents(wish), params=_params(wish, reason=event.payload.reason))


@notice("wish.expired", _l("Your wish “%(title)s” has expired: its wanted-by date passed without a claim."))
def expired(event) -> Notify:
    wish = _wish(event)
    return Notify(to=_residents(wish), params=_params(wish))


@notice("wish.claimed", _l("Your wish “%(title)s” was claimed by %(by)s."), current=state_in(Wish, "claimed"),
        team=_l("You are named in the team that claimed “%(title)s”. Please help make it come true."))
def claimed(event) -> list[Notify]:
    """The resident; and the members an agency admin named for the claim (帮帮团), who now hold it too."""
    wish = _wish(event)
    claim = _claim(event)
    return [Notify(to=_residents(wish), params=_params(wish, by=claim.public_name if claim else "*")),
            Notify(to=event.payload.member_ids, params=_params(wish), variant="team")]


@notice("wish.fulfilled", _l("“%(title)s” is marked as fulfilled. Please confirm that you received it."),
        current=state_in(Wish, "fulfilled"))
def fulfilled(event) -> Notify:
    wish = _wish(event)
    return Notify(to=_residents(wish), params=_params(wish))


@notice("wish.not_received", _l("The resident says “%(title)s” has not arrived: %(note)s"))
def not_received(event) -> Notify:
    wish = _wish(event)
    payload: ClaimNotReceived = event.payload
    return Notify(to=[payload.claimant_id, *payload.member_ids], params=_params(wish, note=payload.note))


@notice("wish.released", _l("Your claim on “%(title)s” was released: %(reason)s"),
        auto=_l("Your claim on “%(title)s” was released automatically: the claim deadline passed."),
        role_ended=_l("Your claim on “%(title)s” was released: you no longer hold the party-member role it was "
                      "made with. The wish is back on the wall."))
def released(event) -> Notify:
    """The claimant and the named team hear when someone else (staff) released it, or the job did; releasing it
    oneself needs no message (the actor is never told)."""
    wish = _wish(event)
    payload: ClaimReleased = event.payload
    return Notify(to=[payload.claimant_id, *payload.member_ids], params=_params(wish, reason=payload.reason or ""),
                  variant=payload.variant)


@notice("wish.completed", _l("“%(title)s” came true: the resident confirmed it. Thank you!"))
def completed(event) -> Notify:
    wish = _wish(event)
    payload: ClaimChange = event.payload
    return Notify(to=[payload.claimant_id, *payload.member_ids], params=_params(wish))
