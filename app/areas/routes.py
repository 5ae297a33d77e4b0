from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.accounts.models import RoleAssignment
from app.areas import bp
from app.areas.models import LEVELS, Area
from app.areas.policy import can_view_area
from app.areas.services import children_of, staffing_status
from app.extensions import db
from app.web.htmx import render_page

PICKER_LEVELS = ("street", "community", "grid", "microgrid")


def picker_state(selected: dict[str, int | None]) -> list[dict]:
    """Select boxes for the cascading area picker: each level lists the children of the level above.

    ``selected`` maps level → chosen id (the micro-grid is the form's ``area_id``). A choice that is not a child
    of the level above is dropped, so a forged id cannot slip through.
    """
    rows = []
    parent_id = None
    parent_ok = True
    for level in PICKER_LEVELS:
        options = children_of(parent_id, level) if parent_ok else []
        chosen = selected.get(level)
        if chosen not in {a.id for a in options}:
            chosen = None
        rows.append({"level": level, "name": "area_id" if level == "microgrid" else level,
                     "options": options, "chosen": chosen})
        parent_id = chosen
        parent_ok = chosen is not None
    return rows


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def picker_from_values(values, area: Area | None = None) -> list[dict]:
    """Build the picker from submitted values, or from an existing micro-grid (its ancestors pre-selected)."""
    if area is not None and area.level == "microgrid":
        selected = {a.level: a.id for a in area.lineage()}
        selected["microgrid"] = area.id
    else:
        selected = {level: _int(values.get("area_id" if level == "microgrid" else level)) for level in PICKER_LEVELS}
    return picker_state(selected)


@bp.get("/picker")
def picker():
    """The cascading picker as a fragment (htmx); loaded directly it still renders a usable page."""
    return render_page("areas/picker_page.html", "areas/_picker.html", picker=picker_from_values(request.args))


@bp.get("/<int:area_id>")
@login_required
def show(area_id: int):
    area = db.session.get(Area, area_id)
    if area is None or not can_view_area(current_user, area):
        abort(404)
    children = list(db.session.scalars(select(Area).where(Area.parent_id == area.id).order_by(Area.name).limit(300)))
    staffing = staffing_status([a.id for a in children if a.level == "microgrid"] +
                               ([area.id] if area.level == "microgrid" else []))
    role_counts = dict(db.session.execute(
        select(RoleAssignment.role, func.count()).join(Area, RoleAssignment.area_id == Area.id)
        .where(Area.in_subtree(area.path)).group_by(RoleAssignment.role)
    ).all())
    return render_template("areas/show.html", area=area, lineage=area.lineage(), children=children,
                           staffing=staffing, role_counts=role_counts, levels=LEVELS)
