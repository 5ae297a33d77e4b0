"""Area pages: the cascading picker, and the overview where the people who run an area set up the territory below
it (new areas, names, "1+1+3" teams); other domains add their parts of the overview (``app.areas.sections``).
Thin: ``load`` (404 unseen) → ``perform`` (403 not allowed, service, commit once, notify, 303; a refused form back
on the overview with its messages)."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.areas import bp, queries
from app.areas.forms import AreaForm, StaffingForm
from app.areas.models import LEVELS, Area, StaffingPost
from app.areas.policy import can_add_child_area, can_edit_area, can_manage_staffing, can_view_area, next_level
from app.areas.sections import sections_for
from app.areas.services import (
    add_child_area,
    add_staffing_post,
    picker_from_values,
    remove_staffing_post,
    rename_area,
    staffing_posts,
    staffing_status,
)
from app.extensions import db
from app.web.actions import Refusal, authorise, load, perform, pop_refusal
from app.web.forms import refilled
from app.web.htmx import notify, render_page

#: each form of the overview: the action ``perform`` names it by, its prefix, and where the page opens on a refusal
FORMS = {"child": ("child", "add-child"), "rename": ("rename", "rename"), "staffing": ("staff", "staffing-form")}


@bp.get("/picker")
def picker():
    """The cascading picker as a fragment (htmx); loaded directly it still renders a usable page."""
    return render_page("areas/picker_page.html", "areas/_picker_rows.html", picker=picker_from_values(request.args))


def _form(action: str, form_class, refusal: Refusal | None, **kwargs):
    prefix = FORMS[action][0]
    if refusal is not None and refusal.action == action:
        return refilled(form_class, refusal, prefix=prefix)
    return form_class(formdata=None, prefix=prefix, **kwargs)


def render_show(area: Area, refusal: Refusal | None = None):
    children = queries.children(area)
    staffing = staffing_status([a.id for a in children if a.level == "microgrid"] +
                               ([area.id] if area.level == "microgrid" else []))
    child_form = _form("child", AreaForm, refusal) if can_add_child_area(current_user, area) else None
    rename_form = _form("rename", AreaForm, refusal, obj=area) if can_edit_area(current_user, area) else None
    team, staffing_form = [], None
    if area.level == "microgrid":
        team = staffing_posts(area)
        if can_manage_staffing(current_user, area):
            staffing_form = _form("staffing", StaffingForm, refusal)
            if not staffing_form.post.data:
                missing = staffing[area.id]["missing"]
                staffing_form.post.data = next((p for p in ("backbone", "liaison", "volunteer") if p in missing),
                                               "volunteer")
    return render_template(
        "areas/show.html", area=area, lineage=area.lineage(), children=children, staffing=staffing,
        role_counts=queries.role_counts(area), levels=LEVELS, child_level=next_level(area), child_form=child_form,
        rename_form=rename_form, staffing_form=staffing_form, team=team, sections=sections_for(area),
    )


def _act(area_id: int, action: str, allowed, form_class, do, done, category="success"):
    """One set-up action on an area's overview: ``load`` → ``perform``, the form named by ``FORMS``."""
    area = load(Area, area_id, can_view_area)
    prefix, anchor = FORMS[action]
    return perform(area, action=action, allowed=allowed, form=form_class(prefix=prefix), do=do, done=done,
                   category=category, page=url_for("areas.show", area_id=area.id), anchor=anchor, render=render_show)


@bp.get("/<int:area_id>")
@login_required
def show(area_id: int):
    area = load(Area, area_id, can_view_area)
    return render_show(area, pop_refusal(area))


@bp.post("/<int:area_id>/children")
@login_required
def add_child(area_id: int):
    return _act(area_id, "child", can_add_child_area, AreaForm,
                lambda parent, f: add_child_area(current_user, parent, f.name.data, f.code.data),
                lambda child: _("%(name)s was added.", name=child.name))


@bp.post("/<int:area_id>/rename")
@login_required
def rename(area_id: int):
    return _act(area_id, "rename", can_edit_area, AreaForm,
                lambda area, f: rename_area(current_user, area, f.name.data, f.code.data),
                lambda changed: _("The name was saved.") if changed else _("Nothing was changed."),
                category=lambda changed: "success" if changed else "info")


@bp.post("/<int:area_id>/staffing")
@login_required
def add_staffing(area_id: int):
    return _act(area_id, "staffing", can_manage_staffing, StaffingForm,
                lambda area, f: add_staffing_post(current_user, area, f.post.data, f.name.data, f.account.data),
                lambda row: _("%(name)s was added as %(post)s.", name=row.name, post=row.post_label))


@bp.post("/<int:area_id>/staffing/<int:post_id>/remove")
@login_required
def remove_staffing(area_id: int, post_id: int):
    area = load(Area, area_id, can_view_area)
    authorise(can_manage_staffing(current_user, area))
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
