"""Home-page cards for the people who run an area."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.scope import LEADER_ROLES, STAFF_ROLES, area_scope, is_city_admin, primary_area
from app.areas.models import Area
from app.areas.services import full_names_by_path, incomplete_teams
from app.extensions import db
from app.web.home import HomeCard, home_card


@home_card(order=90)
def staffing_gaps(user) -> HomeCard | None:
    """Micro-grids in the user's patch whose "1+1+3" team is incomplete — and the way to the area tree: for a city
    admin (who holds their role on no area) the city's own overview, where streets and communities are added."""
    top = primary_area(user, STAFF_ROLES + LEADER_ROLES)
    if top is None and is_city_admin(user):
        top = db.session.scalar(select(Area).where(Area.level == "city").order_by(Area.id).limit(1))
    if top is None:
        return None
    gaps = incomplete_teams(area_scope(user, Area.id, STAFF_ROLES + LEADER_ROLES))
    # from a street's height two "二组" need their community and grid to be told apart
    names = full_names_by_path(dict(gaps[:5]), "community" if top.level in ("city", "street") else "grid")
    return HomeCard(
        title=_('"1+1+3" teams incomplete'),
        url=url_for("areas.show", area_id=top.id),
        count=len(gaps),
        items=[(names[aid], url_for("areas.show", area_id=aid), None) for aid, _path in gaps[:5] if aid in names],
        empty_text=_("Every micro-grid in your area has its party backbone, liaison and three volunteers."),
        action_label=_("Area overview"),
    )
