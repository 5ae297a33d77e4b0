"""Who must act on a checklist item, and what they are told (the bell).

The other side when its agreement is awaited; the responsible side when a target date is near or has passed; the
community when a done item awaits its evaluation; the community when an agency claimed its open need; the street
office when an open need found no claimant in 14 days.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import RoleAssignment, User
from app.accounts.scope import active_holders
from app.cobuild.models import ChecklistItem
from app.cobuild.policy import can_view_item
from app.extensions import db
from app.notifications.registry import RECIPIENTS_MAX, Notify, notice, state_in, subject_link


def community_ids(item: ChecklistItem) -> list[int]:
    return active_holders("community_staff", item.community_id, limit=RECIPIENTS_MAX)


def agency_ids(item: ChecklistItem) -> list[int]:
    if item.pairing is None:
        return []
    return list(db.session.scalars(
        select(RoleAssignment.user_id).join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.organisation_id == item.pairing.organisation_id, RoleAssignment.role == "agency_admin",
               User.active.is_(True)).order_by(RoleAssignment.id).limit(RECIPIENTS_MAX)))


def side_ids(item: ChecklistItem, side: str) -> list[int]:
    return community_ids(item) if side == "community" else agency_ids(item)


def _params(item: ChecklistItem, **extra) -> dict:
    return {"title": item.title, **extra}


@subject_link("checklist_item")
def item_link(user, item_id: int) -> str | None:
    item = db.session.get(ChecklistItem, item_id)
    if item is None or not can_view_item(user, item):
        return None
    return url_for("cobuild.item", item_id=item.id)


def _awaiting(event) -> Notify:
    item = event.subject
    waiting = [s for s in ("community", "agency") if not item.agreed_by(s)]
    return Notify(to=[uid for s in waiting for uid in side_ids(item, s)], params=_params(item))


@notice("checklist.proposed", _l("“%(title)s” was proposed for your pairing and awaits your side's agreement."),
        current=state_in(ChecklistItem, "proposed"))
def proposed(event) -> Notify:
    return _awaiting(event)


@notice("checklist.matched", _l("A project “%(title)s” was made from your checklists and awaits your agreement."),
        current=state_in(ChecklistItem, "proposed"))
def matched(event) -> Notify:
    return _awaiting(event)


@notice("checklist.changed", _l("“%(title)s” was changed and needs your side's agreement again."),
        current=state_in(ChecklistItem, "proposed"))
def changed(event) -> Notify | None:
    if not event.payload.agreement_reset:
        return None
    return _awaiting(event)


@notice("checklist.imported", _l("“%(title)s” was imported into your checklists and awaits your agreement."),
        current=state_in(ChecklistItem, "proposed"))
def imported(event) -> Notify:
    return _awaiting(event)


@notice("checklist.agreement_complete", _l("Both sides agreed on “%(title)s”: the work can start."))
def agreement_complete(event) -> Notify:
    item = event.subject
    return Notify(to=side_ids(item, item.responsible_side), params=_params(item))


@notice("checklist.done", _l("“%(title)s” is done. Please evaluate it for your community."),
        current=state_in(ChecklistItem, "done"))
def done(event) -> Notify:
    return Notify(to=community_ids(event.subject), params=_params(event.subject))


@notice("checklist.claimed", _l("%(by)s claimed “%(title)s”."))
def claimed(event) -> Notify:
    item = event.subject
    by = item.active_claim.organisation.name if item.active_claim is not None else ""
    return Notify(to=community_ids(item), params=_params(item, by=by))


@notice("checklist.cancelled", _l("“%(title)s” was cancelled: %(reason)s"))
def cancelled(event) -> Notify:
    item = event.subject
    return Notify(to=side_ids(item, "community") + side_ids(item, "agency"),
                  params=_params(item, reason=event.payload.reason))


@notice("checklist.due_soon", _l("“%(title)s” is due on %(day)s."), current=state_in(ChecklistItem, "agreed",
                                                                                     "in_progress", "proposed"))
def due_soon(event) -> Notify:
    item = event.subject
    return Notify(to=side_ids(item, item.responsible_side), params=_params(item, day=event.payload.day))


@notice("checklist.overdue", _l("“%(title)s” has passed its target date %(day)s."),
        current=state_in(ChecklistItem, "agreed", "in_progress", "proposed"))
def overdue(event) -> Notify:
    item = event.subject
    return Notify(to=side_ids(item, item.responsible_side), params=_params(item, day=event.payload.day))


@notice("checklist.unclaimed", _l("No agency has claimed the open need “%(title)s” in %(days)s days."))
def unclaimed(event) -> Notify:
    item = event.subject
    street = item.street_id
    return Notify(to=active_holders("street_admin", street, limit=RECIPIENTS_MAX) if street else [],
                  params=_params(item, days=event.payload.days))
