"""Home-page cards for the people who run an area."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.scope import LEADER_ROLES, STAFF_ROLES, area_scope, is_city_admin, primary_area
from app.areas.models import Area
from app.areas.services import full_names, staffing_status
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
    micro_ids = list(db.session.scalars(
        select(Area.id).where(Area.level == "microgrid", area_scope(user, Area.id, STAFF_ROLES + LEADER_ROLES))
        .order_by(Area.parent_id, Area.id).limit(2000)
    ))
    status = staffing_status(micro_ids)
    gaps = [aid for aid in micro_ids if not status[aid]["complete"]]
    shown = list(db.session.scalars(select(Area).where(Area.id.in_(gaps[:5])))) if gaps else []
    names = full_names(shown, "community" if top.level in ("city", "street") else "grid")
    return HomeCard(
        title=_('"1+1+3" teams incomplete'),
        url=url_for("areas.show", area_id=top.id),
        count=len(gaps),
        # from a street's height two "二组" need their community and grid to be told apart
        items=[(names[aid], url_for("areas.show", area_id=aid), None) for aid in gaps[:5] if aid in names],
        empty_text=_("Every micro-grid in your area has its party backbone, liaison and three volunteers."),
        action_label=_("Area overview"),
    )
