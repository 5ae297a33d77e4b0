"""Home-page card for agency branch admins: their organisation(s) and this year's pairings."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.scope import STAFF_ROLES, assignments, has_role
from app.extensions import db
from app.organisations.models import Pairing
from app.organisations.policy import can_manage_organisations
from app.timeutil import local_today
from app.web.home import HomeCard, home_card


@home_card(order=95)
def my_organisations(user) -> HomeCard | None:
    """Agency admins cannot open the area overview, so their way to their organisation's page starts here; those
    who add organisations (city and street admins) find the list here too."""
    if can_manage_organisations(user):
        return HomeCard(title=_("Partner organisations"), url=url_for("organisations.index"),
                        empty_text=_("Agency party branches, enterprises, associations and volunteer teams; pair an "
                                     "agency with a community for the year."),
                        action_label=_("Organisations"))
    if has_role(user, STAFF_ROLES):
        return None  # community staff reach the organisations from the area overview
    orgs = {a.organisation_id: a.organisation for a in assignments(user)
            if a.role == "agency_admin" and a.organisation is not None}
    if not orgs:
        return None
    year = local_today().year
    counts = dict(db.session.execute(
        select(Pairing.organisation_id, func.count()).where(Pairing.organisation_id.in_(list(orgs)),
                                                            Pairing.year == year)
        .group_by(Pairing.organisation_id)).all())
    items = [(org.name, url_for("organisations.show", org_id=oid),
              _("Communities paired in %(year)s: %(n)s", year=year, n=counts.get(oid, 0)))
             for oid, org in sorted(orgs.items(), key=lambda kv: kv[1].name)[:5]]
    return HomeCard(title=_("Your organisation"), url=url_for("organisations.index"), items=items,
                    action_label=_("Organisations"))
