"""Home-page cards: what waits for this person on the co-building checklists, and what an agency may claim."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, or_, select

from app.accounts.scope import org_ids, role_areas, roles_key
from app.areas.models import Area
from app.cobuild.models import OPEN_STATES, ChecklistItem
from app.cobuild.policy import can_use_cobuild, claim_condition, is_agency_admin
from app.extensions import db
from app.organisations.models import Pairing
from app.timeutil import local_today
from app.web.home import HomeCard, home_card
from app.web.pagination import count_and_first

SHOWN = 5


def _to_act_condition(user):
    """Items where the user's side must act: agree, report (overdue), or evaluate."""
    conds = []
    orgs = org_ids(user, "agency_admin")
    today = bindparam("today")  # the card's statement is built once per set of roles and run with the day
    if orgs:
        mine = ChecklistItem.pairing_id.in_(select(Pairing.id).where(Pairing.organisation_id.in_(orgs)))
        conds.append(and_(mine, ChecklistItem.state == "proposed", ChecklistItem.agency_agreed_at.is_(None)))
        conds.append(and_(mine, ChecklistItem.state.in_(("agreed", "in_progress")),
                          ChecklistItem.responsible_side == "agency", ChecklistItem.target_date < today))
    areas = [a for a in role_areas(user, "community_staff")]
    if areas:
        subtree = select(Area.id).where(or_(*[Area.in_subtree(a.path) for a in areas]))
        ours = and_(ChecklistItem.pairing_id.is_not(None), ChecklistItem.community_id.in_(subtree))
        conds.append(and_(ours, ChecklistItem.state == "proposed", ChecklistItem.community_agreed_at.is_(None)))
        conds.append(and_(ours, ChecklistItem.state == "done"))
        conds.append(and_(ours, ChecklistItem.state.in_(("agreed", "in_progress")),
                          ChecklistItem.responsible_side == "community", ChecklistItem.target_date < today))
    return or_(*conds) if conds else None


@home_card(order=40)
def checklists_to_act(user) -> HomeCard | None:
    if not can_use_cobuild(user):
        return None
    cond = _to_act_condition(user)
    count, rows = 0, []
    if cond is not None:
        count, rows = count_and_first(
            db.session, lambda: select(ChecklistItem.id, ChecklistItem.title, ChecklistItem.state).where(cond),
            order_by=(ChecklistItem.updated_at.desc(), ChecklistItem.id.desc()), limit=SHOWN,
            shape=("cobuild.to_act", roles_key(user)), params={"today": local_today()})

    def why(item) -> str:
        if item.state == "proposed":
            return _("awaits your agreement")
        if item.state == "done":
            return _("please evaluate")
        return _("overdue")

    return HomeCard(
        title=_("Co-building checklists"), url=url_for("cobuild.index"), count=count,
        items=[(i.title, url_for("cobuild.item", item_id=i.id), why(i)) for i in rows],
        empty_text=_("Nothing on the checklists waits for you."), action_label=_("Open the checklists"),
        urgent=bool(count))


@home_card(order=41)
def to_claim(user) -> HomeCard | None:
    """Agency admins: open needs and key projects still waiting for a claim."""
    if not is_agency_admin(user):
        return None
    # only what one of the user's branches may claim: key projects, and open needs of the branch's streets
    count, rows = count_and_first(
        db.session, select(ChecklistItem.id, ChecklistItem.title, ChecklistItem.publication)
        .where(ChecklistItem.pairing_id.is_(None), ChecklistItem.publication.is_not(None),
               ChecklistItem.state.in_(OPEN_STATES), claim_condition(user)),
        order_by=(ChecklistItem.id.desc(),), limit=SHOWN)
    if not count:
        return None
    return HomeCard(
        title=_("Open needs and key projects to claim"), url=url_for("cobuild.open_items"), count=count,
        items=[(i.title, url_for("cobuild.item", item_id=i.id),
                _("Key project") if i.publication == "city" else _("Open need")) for i in rows],
        action_label=_("See what waits for a claim"))
