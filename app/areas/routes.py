"""Area pages: the cascading picker, and the overview where the people who run an area set up the territory below
it (new areas, names, "1+1+3" teams) and, for a community, see and make its pairings. Thin: load → authorise
(404 unseen, 403 not allowed) → service → commit once → notify → 303; a refused form is shown again (200)."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.accounts.models import RoleAssignment
from app.areas import bp
from app.areas.forms import AreaForm, StaffingForm
from app.areas.models import LEVELS, Area, StaffingPost
from app.areas.policy import can_add_child_area, can_edit_area, can_manage_staffing, can_view_area, next_level
from app.areas.services import (
    AreaError,
    add_child_area,
    add_staffing_post,
    picker_from_values,
    remove_staffing_post,
    rename_area,
    staffing_posts,
    staffing_status,
)
from app.extensions import db
from app.organisations import queries as org_queries
from app.organisations.forms import PairingForm
from app.organisations.policy import can_pair, can_view_pairings
from app.timeutil import local_today
from app.web.forms import show_errors
from app.web.htmx import notify, render_page


@bp.get("/picker")
def picker():
    """The cascading picker as a fragment (htmx); loaded directly it still renders a usable page."""
    return render_page("areas/picker_page.html", "areas/_picker_rows.html", picker=picker_from_values(request.args))


def _load(area_id: int) -> Area:
    area = db.session.get(Area, area_id)
    if area is None or not can_view_area(current_user, area):
        abort(404)
    return area


def render_show(area: Area, *, child_form: AreaForm | None = None, rename_form: AreaForm | None = None,
                staffing_form: StaffingForm | None = None):
    children = list(db.session.scalars(select(Area).where(Area.parent_id == area.id).order_by(Area.id).limit(300)))
    staffing = staffing_status([a.id for a in children if a.level == "microgrid"] +
                               ([area.id] if area.level == "microgrid" else []))
    role_counts = dict(db.session.execute(
        select(RoleAssignment.role, func.count()).join(Area, RoleAssignment.area_id == Area.id)
        .where(Area.in_subtree(area.path)).group_by(RoleAssignment.role)
    ).all())
    if child_form is None and can_add_child_area(current_user, area):
        child_form = AreaForm(formdata=None, prefix="child")
    if rename_form is None and can_edit_area(current_user, area):
        rename_form = AreaForm(formdata=None, prefix="rename", obj=area)
    team = []
    if area.level == "microgrid":
        team = staffing_posts(area)
        if staffing_form is None and can_manage_staffing(current_user, area):
            staffing_form = StaffingForm(formdata=None, prefix="staff")
            missing = staffing[area.id]["missing"]
            staffing_form.post.data = next((p for p in ("backbone", "liaison", "volunteer") if p in missing),
                                           "volunteer")
    pairings, pair_form = [], None
    if area.level == "community" and can_view_pairings(current_user, area):
        pairings = org_queries.community_pairings(area)
        if can_pair(current_user, area):
            pair_form = PairingForm(formdata=None)
            pair_form.organisation_id.choices = [("", _("— choose —"))] + [
                (str(o.id), o.name) for o in org_queries.agency_choices()]
            pair_form.year.data = str(local_today().year)
    return render_template(
        "areas/show.html", area=area, lineage=area.lineage(), children=children, staffing=staffing,
        role_counts=role_counts, levels=LEVELS, child_level=next_level(area), child_form=child_form,
        rename_form=rename_form, staffing_form=staffing_form, team=team, pairings=pairings, pair_form=pair_form,
    )


@bp.get("/<int:area_id>")
@login_required
def show(area_id: int):
    return render_show(_load(area_id))


@bp.post("/<int:area_id>/children")
@login_required
def add_child(area_id: int):
    parent = _load(area_id)
    if not can_add_child_area(current_user, parent):
        abort(403)
    form = AreaForm(prefix="child")
    try:
        child = add_child_area(current_user, parent, form.name.data, form.code.data)
    except AreaError as e:
        db.session.rollback()
        show_errors(form, e)
        return render_show(_load(area_id), child_form=form)
    db.session.commit()
    notify(_("%(name)s was added.", name=child.name))
    return redirect(url_for("areas.show", area_id=parent.id), 303)


@bp.post("/<int:area_id>/rename")
@login_required
def rename(area_id: int):
    area = _load(area_id)
    if not can_edit_area(current_user, area):
        abort(403)
    form = AreaForm(prefix="rename")
    try:
        changed = rename_area(current_user, area, form.name.data, form.code.data)
    except AreaError as e:
        db.session.rollback()
        show_errors(form, e)
        return render_show(_load(area_id), rename_form=form)
    db.session.commit()
    notify(_("The name was saved.") if changed else _("Nothing was changed."), "success" if changed else "info")
    return redirect(url_for("areas.show", area_id=area.id), 303)


@bp.post("/<int:area_id>/staffing")
@login_required
def add_staffing(area_id: int):
    area = _load(area_id)
    if not can_manage_staffing(current_user, area):
        abort(403)
    form = StaffingForm(prefix="staff")
    try:
        row = add_staffing_post(current_user, area, form.post.data, form.name.data, form.account.data)
    except AreaError as e:
        db.session.rollback()
        show_errors(form, e)
        return render_show(_load(area_id), staffing_form=form)
    db.session.commit()
    notify(_("%(name)s was added as %(post)s.", name=row.name, post=row.post_label))
    return redirect(url_for("areas.show", area_id=area.id), 303)


@bp.post("/<int:area_id>/staffing/<int:post_id>/remove")
@login_required
def remove_staffing(area_id: int, post_id: int):
    area = _load(area_id)
    if not can_manage_staffing(current_user, area):
        abort(403)
    row = db.session.get(StaffingPost, post_id)
    if row is None:  # a double tap: the first one removed them
        notify(_("This person was already removed from the team."), "info")
        return redirect(url_for("areas.show", area_id=area.id), 303)
    if row.area_id != area.id:
        abort(404)
    name, label = row.name, row.post_label
    remove_staffing_post(current_user, area, row)
    db.session.commit()
    notify(_("%(name)s is no longer %(post)s here.", name=name, post=label), "info")
    return redirect(url_for("areas.show", area_id=area.id), 303)
