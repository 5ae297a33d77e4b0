"""Organisation and pairing pages, and a community's pairings on its area overview (``app.areas.sections``).
Thin: ``load`` (404 unseen) → ``perform`` (403 not allowed, service, commit once, notify, 303; a refused form back
on the organisation's page with its messages, nothing changed)."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from app.accounts.models import mask_mobile
from app.accounts.scope import holds_org_role, is_city_admin, role_areas
from app.areas.models import Area
from app.areas.sections import area_section
from app.extensions import db
from app.organisations import bp, queries, services
from app.organisations.forms import OrganisationForm, PairingForm
from app.organisations.models import ORG_KIND_LABELS, ORG_KINDS, Organisation, Pairing
from app.organisations.policy import (
    can_edit_organisation,
    can_manage_organisations,
    can_pair,
    can_pair_any,
    can_remove_pairing,
    can_view_organisation,
    can_view_organisations,
    can_view_pairings,
)
from app.organisations.services import OrganisationError, OrganisationInput
from app.timeutil import local_today
from app.web.actions import Refusal, authorise, load, perform, pop_refusal
from app.web.forms import refilled, show_errors
from app.web.htmx import notify, render_page, wants_fragment
from app.web.pagination import keyset_page
from app.web.params import parse_id
from app.web.routes import safe_next


def _page_size() -> int:
    return int(current_app.config.get("ORGANISATION_PAGE_SIZE") or current_app.config.get("PAGE_SIZE", 20))


def _load(org_id: int) -> Organisation:
    return load(Organisation, org_id, can_view_organisation, options=queries.ORGANISATION_OPTIONS)


# ---------------------------------------------------------------- list


@bp.get("/")
@login_required
def index():
    if not can_view_organisations(current_user):
        abort(403)
    kind = request.args.get("kind", "")
    if kind not in ORG_KINDS:
        kind = ""
    q = services.clean_text(request.args.get("q"))[:queries.SEARCH_MAX]
    stmt = queries.list_statement(current_user, kind=kind, q=q)
    page = keyset_page(db.session, stmt, keys=queries.LIST_KEYS, cursor=request.args.get("after"),
                       size=_page_size())
    filters = {k: v for k, v in {"kind": kind, "q": q}.items() if v}
    next_url = url_for("organisations.index", **filters, after=page.next_cursor) if page.has_more else None
    ctx = dict(page=page, next_url=next_url, kind=kind, q=q, kinds=ORG_KINDS, kind_labels=ORG_KIND_LABELS,
               filtered=bool(filters))
    if request.args.get("after") and wants_fragment():
        return render_template("organisations/_rows.html", **ctx)
    return render_page("organisations/index.html", "organisations/_list.html", **ctx)


# ---------------------------------------------------------------- create and edit


def _area_choices(form: OrganisationForm) -> list[Area]:
    areas = queries.area_choices(current_user)
    form.area_id.choices = [("", _("— choose —"))] + [(str(a.id), queries.area_label(a)) for a in areas]
    return areas


def _input(form: OrganisationForm, areas: list[Area]) -> OrganisationInput:
    area_id = parse_id(form.area_id.data)
    return OrganisationInput(name=form.name.data, kind=form.kind.data,
                             area=next((a for a in areas if a.id == area_id), None),
                             contact_name=form.contact_name.data, contact_phone=form.contact_phone.data)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not can_manage_organisations(current_user):
        abort(403)
    form = OrganisationForm()
    areas = _area_choices(form)
    if request.method == "GET":
        home = min(role_areas(current_user, "street_admin"), key=lambda a: a.depth, default=None)
        home = home or next((a for a in areas if a.level == "city"), None)
        form.area_id.data = str(home.id) if home else ""
    else:
        try:
            org = services.add_organisation(current_user, _input(form, areas))
        except OrganisationError as e:
            db.session.rollback()
            show_errors(form, e)
        else:
            db.session.commit()
            notify(_("%(name)s was added.", name=org.name))
            return redirect(url_for("organisations.show", org_id=org.id), 303)
    return render_template("organisations/new.html", form=form)


#: the person's account page in the accounts domain (another developer's work), under either name it may have
PERSON_ENDPOINTS = ("accounts.person", "accounts.user_detail")


def _user_url(user_id: int) -> str | None:
    for endpoint in PERSON_ENDPOINTS:
        try:
            return url_for(endpoint, user_id=user_id)
        except BuildError:
            continue
    return None


def _person_links(org: Organisation):
    """Linked for those who see every one of these people on /users/: a city admin, the organisation's own admins."""
    if is_city_admin(current_user) or holds_org_role(current_user, "agency_admin", org.id):
        return _user_url
    return None


def render_show(org: Organisation, refusal: Refusal | None = None, *, pair_form: PairingForm | None = None):
    edit_form = None
    if can_edit_organisation(current_user, org):
        if refusal is not None and refusal.action == "edit":
            edit_form = refilled(OrganisationForm, refusal, prefix="edit")
        else:
            edit_form = OrganisationForm(formdata=None, prefix="edit", obj=org)
            edit_form.area_id.data = str(org.area_id or "")
        _area_choices(edit_form)
    communities = []
    if org.kind == "agency" and can_pair_any(current_user):
        communities = queries.pairable_communities(current_user)
        if pair_form is None:
            pair_form = PairingForm(formdata=None)
            pair_form.year.data = str(local_today().year)
        pair_form.community_id.choices = [("", _("— choose —"))] + [
            (str(c.id), queries.area_label(c)) for c in communities]
    # linked for those who see every one of these people on /users/: a city admin, the organisation's own admins
    link_people = _person_links(org)
    people, pairings = _people_page(org), _pairings_page(org)
    return render_template(
        "organisations/show.html", org=org, people=people, people_next=_next(org, "people_after", people),
        pairings=pairings, pairings_next=_next(org, "pairings_after", pairings), edit_form=edit_form,
        pair_form=pair_form,
        communities=communities, area_label=queries.area_label, user_url=link_people,
        edit_open=edit_form is not None and bool(edit_form.errors), mask_phone=mask_mobile,
    )


def _people_page(org: Organisation):
    return queries.organisation_people(org, cursor=request.args.get("people_after"), size=_list_size())


def _pairings_page(org: Organisation):
    return queries.organisation_pairings(org, cursor=request.args.get("pairings_after"), size=_list_size())


def _list_size() -> int:
    return int(current_app.config.get("ORGANISATION_LIST_SIZE") or 50)


def _next(org: Organisation, param: str, page) -> str | None:
    return url_for("organisations.show", org_id=org.id, **{param: page.next_cursor}) if page.has_more else None


@bp.get("/<int:org_id>")
@login_required
def show(org_id: int):
    """The organisation's page; its people and its pairings are each read a page at a time ("Load more": with htmx
    the next rows alone, without JavaScript the page again from that point)."""
    org = _load(org_id)
    if wants_fragment() and request.args.get("people_after"):
        page = _people_page(org)
        return render_template("organisations/_people_rows.html", org=org, people=page,
                               people_next=_next(org, "people_after", page), user_url=_person_links(org))
    if wants_fragment() and request.args.get("pairings_after"):
        page = _pairings_page(org)
        return render_template("organisations/_pairing_rows.html", org=org, pairings=page,
                               pairings_next=_next(org, "pairings_after", page), area_label=queries.area_label)
    return render_show(org, pop_refusal(org))


@bp.post("/<int:org_id>/edit")
@login_required
def edit(org_id: int):
    org = _load(org_id)
    form = OrganisationForm(prefix="edit")
    return perform(org, action="edit", allowed=can_edit_organisation, form=form,
                   do=lambda o, f: services.update_organisation(current_user, o, _input(f, _area_choices(f))),
                   done=lambda changed: _("The details were saved.") if changed else _("Nothing was changed."),
                   category=lambda changed: "success" if changed else "info",
                   page=url_for("organisations.show", org_id=org.id), anchor="edit", render=render_show)


@area_section(order=20)
def community_pairings(area: Area):
    """A community's pairings on its overview, with the form to pair an agency branch for those who may."""
    if area.level != "community" or not can_view_pairings(current_user, area):
        return None
    pair_form = None
    if can_pair(current_user, area):
        pair_form = PairingForm(formdata=None)
        pair_form.organisation_id.choices = [("", _("— choose —"))] + [
            (str(o.id), o.name) for o in queries.agency_choices()]
        pair_form.year.data = str(local_today().year)
    return render_template("organisations/_area_pairings.html", area=area,
                           pairings=queries.community_pairings(area), pair_form=pair_form)


# ---------------------------------------------------------------- pairings


def _pairing_form_choices(form: PairingForm) -> None:
    agencies = queries.agency_choices()
    communities = queries.pairable_communities(current_user)
    form.organisation_id.choices = [("", _("— choose —"))] + [(str(o.id), o.name) for o in agencies]
    form.community_id.choices = [("", _("— choose —"))] + [(str(c.id), queries.area_label(c)) for c in communities]


def _render_pairing_page(form: PairingForm):
    _pairing_form_choices(form)
    return render_template("organisations/pairing_new.html", form=form, year_range=services.year_range())


@bp.get("/pairings/new")
@login_required
def new_pairing():
    if not can_pair_any(current_user):
        abort(403)
    form = PairingForm(formdata=None)
    form.organisation_id.data = str(parse_id(request.args.get("organisation")) or "")
    form.community_id.data = str(parse_id(request.args.get("community")) or "")
    form.year.data = str(local_today().year)
    form.next.data = safe_next(request.args.get("next"), "")
    return _render_pairing_page(form)


@bp.post("/pairings")
@login_required
def create_pairing():
    """One endpoint for the forms on an agency's page, a community's overview and the pairing page; its fields
    carry no prefix so that each of those forms can post here."""
    if not can_pair_any(current_user):
        abort(403)
    form = PairingForm()
    org = None
    org_id = parse_id(form.organisation_id.data)
    if org_id is not None:
        org = db.session.get(Organisation, org_id)
        if org is not None and not can_view_organisation(current_user, org):
            org = None
    community = None
    community_id = parse_id(form.community_id.data)
    if community_id is not None:
        community = db.session.get(Area, community_id)
        if community is not None and community.level == "community" and not can_pair(current_user, community):
            abort(403)
    try:
        pairing = services.create_pairing(current_user, org, community, form.year.data)
    except OrganisationError as e:
        db.session.rollback()
        show_errors(form, e)
        return _render_pairing_page(form)
    db.session.commit()
    notify(_("%(organisation)s is paired with %(community)s for %(year)s.", organisation=org.name,
             community=community.name, year=pairing.year))
    return redirect(safe_next(form.next.data, url_for("organisations.show", org_id=org.id)), 303)


def _can_view_pairing(user, pairing) -> bool:
    return can_view_organisation(user, pairing.organisation) or can_view_pairings(user, pairing.community)


@bp.post("/pairings/<int:pairing_id>/remove")
@login_required
def remove_pairing(pairing_id: int):
    if queries.pairing(pairing_id) is None and can_pair_any(current_user):  # a double tap: already gone
        notify(_("This pairing was already removed."), "info")
        return redirect(safe_next(request.form.get("next"), url_for("organisations.index")), 303)
    pairing = load(Pairing, pairing_id, _can_view_pairing, options=queries.PAIRING_OPTIONS)
    authorise(can_remove_pairing(current_user, pairing))
    fallback = url_for("organisations.show", org_id=pairing.organisation_id)
    target = safe_next(request.form.get("next"), fallback)
    names = dict(organisation=pairing.organisation.name, community=pairing.community.name, year=pairing.year)
    try:
        services.remove_pairing(current_user, pairing)
    except OrganisationError as e:
        db.session.rollback()
        notify(e.message, "error")
        return redirect(target, 303)
    db.session.commit()
    notify(_("The pairing of %(organisation)s with %(community)s for %(year)s was removed.", **names), "info")
    return redirect(target, 303)
