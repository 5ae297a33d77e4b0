from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.accounts.models import RoleAssignment
from app.areas import bp
from app.areas.models import LEVELS, Area
from app.areas.policy import can_view_area
from app.areas.services import picker_from_values, staffing_status
from app.extensions import db
from app.web.htmx import render_page


@bp.get("/picker")
def picker():
    """The cascading picker as a fragment (htmx); loaded directly it still renders a usable page."""
    return render_page("areas/picker_page.html", "areas/_picker_rows.html", picker=picker_from_values(request.args))


@bp.get("/<int:area_id>")
@login_required
def show(area_id: int):
    area = db.session.get(Area, area_id)
    if area is None or not can_view_area(current_user, area):
        abort(404)
    children = list(db.session.scalars(select(Area).where(Area.parent_id == area.id).order_by(Area.id).limit(300)))
    staffing = staffing_status([a.id for a in children if a.level == "microgrid"] +
                               ([area.id] if area.level == "microgrid" else []))
    role_counts = dict(db.session.execute(
        select(RoleAssignment.role, func.count()).join(Area, RoleAssignment.area_id == Area.id)
        .where(Area.in_subtree(area.path)).group_by(RoleAssignment.role)
    ).all())
    return render_template("areas/show.html", area=area, lineage=area.lineage(), children=children,
                           staffing=staffing, role_counts=role_counts, levels=LEVELS)
