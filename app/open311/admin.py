"""API-key administration for city admins: list, issue (the key is shown once), revoke."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.areas.models import Area
from app.areas.services import picker_from_values
from app.extensions import db
from app.open311 import admin_bp
from app.open311 import queries as q
from app.open311.forms import ApiKeyForm
from app.open311.models import ApiKey
from app.open311.policy import can_manage_api_keys
from app.open311.services import ApiKeyError, issue_key, named_organisation, revoke_key
from app.organisations.models import Organisation
from app.web.actions import authorise, load
from app.web.forms import EmptyForm
from app.web.htmx import notify, render_page
from app.web.params import parse_id

PAGE_SIZE = 50
PICKED_LEVELS = ("area_id", "grid", "community", "street")


def _authorise() -> None:
    authorise(can_manage_api_keys(current_user))


def _organisations(form: ApiKeyForm) -> bool:
    """Fill the organisation choice; True when there are too many for one list and the name is typed instead."""
    rows = q.organisation_choices()
    typed = len(rows) > q.ORG_CHOICE_MAX
    form.organisation_id.choices = [(0, _("— none —"))] + ([] if typed else rows)
    return typed


def _organisation(form: ApiKeyForm, typed: bool) -> Organisation | None:
    if not typed:
        return db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
    return named_organisation(form.organisation_name.data)


def _picked_area(values) -> Area | None:
    """The deepest level chosen in the area picker (micro-grid, else grid, community, street)."""
    for name in PICKED_LEVELS:
        area_id = parse_id(values.get(name))
        if area_id is not None:
            return db.session.get(Area, area_id)
    return None


def _render_index(form, picker, area_error=None, *, typed_organisation=False):
    """The keys page; a refused new key shows the form again where it was sent (200), the messages by their
    fields and what was typed kept."""
    page = q.keys_page(request.args.get("after"), PAGE_SIZE)
    return render_page("open311/keys.html", "open311/_key_rows.html" if request.args.get("after") else None,
                       form=form, picker=picker, area_error=area_error, page=page, revoke_form=EmptyForm(),
                       typed_organisation=typed_organisation)


@admin_bp.route("/keys", methods=["GET", "POST"])
@login_required
def keys():
    _authorise()
    form = ApiKeyForm()
    typed = _organisations(form)
    values = request.form if request.method == "POST" else request.args
    picker = picker_from_values(values)
    if request.method == "GET" or request.form.get("action") == "pick":
        return _render_index(form, picker, typed_organisation=typed)
    area = _picked_area(request.form)
    area_error = None
    if form.validate_on_submit():
        try:
            key, plaintext = issue_key(current_user, name=form.name.data, owner=form.owner.data,
                                       organisation=_organisation(form, typed), default_area=area)
        except ApiKeyError as e:
            db.session.rollback()
            if e.field in ("name", "owner", "organisation_name"):
                getattr(form, e.field).errors.append(str(e.message))
            else:
                area_error = str(e.message)
        else:
            db.session.commit()
            # shown once, never stored in plaintext: rendered here rather than carried through a redirect
            response = render_page("open311/created.html", key=key, plaintext=plaintext)
            return response, 200, {"Cache-Control": "no-store"}
    elif area is None or area.level == "city":
        area_error = _("Choose the area where requests without an address_id are filed.")
    return _render_index(form, picker, area_error, typed_organisation=typed)


@admin_bp.post("/keys/<int:key_id>/revoke")
@login_required
def revoke(key_id: int):
    _authorise()
    key = load(ApiKey, key_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            revoke_key(current_user, key)
        except ApiKeyError as e:
            db.session.rollback()
            notify(str(e.message), "error")
        else:
            db.session.commit()
            notify(_("The key %(prefix)s… was revoked. Requests with it are refused from now on.",
                     prefix=key.key_prefix))
    return redirect(url_for("open311_admin.keys"), 303)
