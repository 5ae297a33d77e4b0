"""场景清单库 pages: the catalogue with adoption per scenario; a community's staff mark what it runs."""
from __future__ import annotations

from flask import abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.areas.models import Area
from app.extensions import db
from app.scenarios import bp, queries, services
from app.scenarios.forms import AdoptionForm, ScenarioForm
from app.scenarios.models import Scenario
from app.scenarios.policy import can_manage_scenarios, can_mark_adoption, can_view_scenarios
from app.web.actions import authorise, load, perform, pop_refusal
from app.web.forms import EmptyForm, refilled
from app.web.htmx import render_page
from app.web.params import parse_id


def _size() -> int:
    return int(current_app.config.get("PAGE_SIZE", 20))


def _community() -> Area | None:
    """The community whose adoption is shown: ?community=, else the user's own (a community's staff). With the
    picker's ?street= of another street (the street was changed, the community list still held the old choice)
    none: the page offers that street's communities."""
    cid = parse_id(request.args.get("community"))
    if cid is not None:
        area = db.session.get(Area, cid)
        if area is None or not can_mark_adoption(current_user, area):
            abort(404)
        street_id = parse_id(request.args.get("street"))
        if street_id is not None and area.parent_id != street_id:
            return None
        return area
    mine = queries.my_communities(current_user)
    return mine[0] if mine else None


def _render_index(_subject=None, refusal=None, community=None):
    authorise(can_view_scenarios(current_user))
    community = community if community is not None else _community()
    page = queries.catalogue_page(request.args.get("after"), _size(),
                                  active_only=not can_manage_scenarios(current_user))
    ids = [s.id for s in page.items]
    counts = queries.adoption_counts(ids)
    mine = queries.adoptions_of(community, ids) if community is not None else {}
    more = (url_for("scenarios.index", after=page.next_cursor, **({"community": community.id} if community else {}))
            if page.has_more else None)
    new_form = None
    if can_manage_scenarios(current_user):
        new_form = (refilled(ScenarioForm, refusal, prefix="new") if refusal is not None and refusal.action == "new"
                    else ScenarioForm(prefix="new", formdata=None))
    return render_page("scenarios/index.html", "scenarios/_items.html" if request.args.get("after") else None,
                       page=page, counts=counts, mine=mine, community=community,
                       communities=queries.my_communities(current_user), total=queries.community_count(),
                       picker=queries.community_picker(current_user, community, request.args),
                       more=more, new_form=new_form, refusal=refusal, adoption_form=AdoptionForm(formdata=None),
                       first_page=not request.args.get("after"))


@bp.get("/")
@login_required
def index():
    authorise(can_view_scenarios(current_user))
    community = _community()
    refusal = pop_refusal(community) if community is not None else None
    if refusal is None and can_manage_scenarios(current_user):
        refusal = pop_refusal(_root())  # the new-scenario form's refusal is kept on the city
    return _render_index(refusal=refusal, community=community)


def _root() -> Area:
    from sqlalchemy import select

    root = db.session.scalar(select(Area).where(Area.level == "city").order_by(Area.id).limit(1))
    if root is None:
        abort(404)
    return root


@bp.post("/new")
@login_required
def create():
    root = _root()
    return perform(root, action="new", allowed=lambda u, _r: can_manage_scenarios(u), form=ScenarioForm(prefix="new"),
                   do=lambda _r, f: services.create_scenario(current_user, name=f.name.data,
                                                             dimension=f.dimension.data, kind=f.kind.data,
                                                             description=f.description.data),
                   done=_("The scenario was added to the catalogue."), page=url_for("scenarios.index"),
                   render=_render_index, anchor="act-new")


def _render_edit(scenario, refusal=None):
    form = (refilled(ScenarioForm, refusal) if refusal is not None
            else ScenarioForm(formdata=None, obj=scenario))
    return render_page("scenarios/edit.html", scenario=scenario, form=form, refusal=refusal)


@bp.get("/<int:scenario_id>")
@login_required
def edit(scenario_id):
    scenario = load(Scenario, scenario_id, lambda u, _s: can_view_scenarios(u))
    authorise(can_manage_scenarios(current_user))
    return _render_edit(scenario, pop_refusal(scenario))


@bp.post("/<int:scenario_id>/edit")
@login_required
def update(scenario_id):
    scenario = load(Scenario, scenario_id, lambda u, _s: can_view_scenarios(u))
    return perform(scenario, action="edit", allowed=lambda u, _s: can_manage_scenarios(u), form=ScenarioForm(),
                   do=lambda s, f: services.update_scenario(s, current_user, name=f.name.data,
                                                            dimension=f.dimension.data, kind=f.kind.data,
                                                            description=f.description.data, active=f.active.data),
                   done=lambda changed: _("The scenario was saved.") if changed else _("Nothing was changed."),
                   category=lambda changed: "success" if changed else "info",
                   page=url_for("scenarios.edit", scenario_id=scenario_id), render=_render_edit)


def _adoption_target(scenario_id: int, community_id: int) -> tuple[Scenario, Area]:
    scenario = load(Scenario, scenario_id, lambda u, _s: can_view_scenarios(u))
    community = load(Area, community_id)
    if community.level != "community":
        abort(404)
    return scenario, community


@bp.post("/<int:scenario_id>/adopt/<int:community_id>")
@login_required
def adopt(scenario_id, community_id):
    scenario, community = _adoption_target(scenario_id, community_id)
    page = url_for("scenarios.index", community=community.id)
    return perform(community, action=f"s{scenario.id}", allowed=lambda u, c: can_mark_adoption(u, c),
                   form=AdoptionForm(),
                   do=lambda c, f: services.adopt(scenario, c, current_user, since=f.since.data, note=f.note.data),
                   done=_("Saved: %(community)s runs “%(name)s”.", community=community.name, name=scenario.name),
                   page=page, render=lambda c, refusal=None: _render_index(refusal=refusal, community=c),
                   anchor=f"s-{scenario.id}")


@bp.post("/<int:scenario_id>/drop/<int:community_id>")
@login_required
def drop(scenario_id, community_id):
    scenario, community = _adoption_target(scenario_id, community_id)
    page = url_for("scenarios.index", community=community.id)
    return perform(community, action=f"d{scenario.id}", allowed=lambda u, c: can_mark_adoption(u, c),
                   form=EmptyForm(), do=lambda c, _f: services.drop(scenario, c, current_user),
                   done=lambda dropped: (_("Saved: %(community)s no longer runs “%(name)s”.",
                                           community=community.name, name=scenario.name) if dropped
                                         else _("Nothing was changed.")),
                   category=lambda dropped: "success" if dropped else "info",
                   page=page, render=lambda c, refusal=None: _render_index(refusal=refusal, community=c),
                   anchor=f"s-{scenario.id}")
