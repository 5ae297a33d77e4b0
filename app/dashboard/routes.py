"""Dashboard pages (/dashboard/…, for the people who run an area) and the public figures (/figures/, for everyone)."""
from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.scope import is_city_admin, primary_area
from app.areas.models import Area
from app.dashboard import bp, charts, evaluation, public, queries, sections, services, spreadsheets
from app.dashboard.forms import WeightsForm
from app.dashboard.models import DIMENSIONS
from app.dashboard.periods import KIND_LABELS, KINDS, Period, PeriodError
from app.dashboard.policy import DASHBOARD_ROLES, can_set_weights, can_view_dashboard
from app.extensions import reads_replica
from app.web.actions import authorise, load, perform, pop_refusal
from app.web.forms import refilled
from app.web.htmx import render_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


bp.app_template_global("dashboard_trend_chart")(charts.trend)
bp.app_template_global("dashboard_bar_chart")(charts.bars)


def _period() -> tuple[Period, PeriodError | None]:
    try:
        return Period.parse(request.args), None
    except PeriodError as e:
        return Period.of("this_month"), e


def _period_args() -> dict:
    """The period part of the query (what a redirect carries on), nothing else."""
    return {k: v for k, v in request.args.items() if k in ("period", "start", "end")}


def _home_area(user) -> Area | None:
    if is_city_admin(user):
        return queries.city_root()
    return primary_area(user, DASHBOARD_ROLES)


def _out_of_reach(area: Area):
    home = _home_area(current_user)
    return render_template("dashboard/out_of_reach.html", area=area, home=home)


def _area(area_id: int) -> Area:
    area = load(Area, area_id)
    authorise(can_view_dashboard(current_user, area), explain=lambda: _out_of_reach(area))
    return area


def _links(area: Area) -> dict:
    from app.areas.policy import can_view_area
    from app.cobuild.policy import can_use_cobuild
    from app.issues.policy import is_issue_handler
    from app.members.policy import can_review_reports

    return {"issues": is_issue_handler(current_user), "members": can_review_reports(current_user),
            "cobuild": can_use_cobuild(current_user), "area": can_view_area(current_user, area),
            "stations": current_user.is_authenticated}


def _breadcrumb(area: Area) -> list[Area]:
    return [a for a in area.lineage() if can_view_dashboard(current_user, a)]


def _period_ctx(period: Period, error: PeriodError | None) -> dict:
    return {"period": period, "period_error": error, "period_kinds": [(k, KIND_LABELS[k]) for k in KINDS],
            "raw_start": request.args.get("start", period.start.isoformat() if period.kind == "custom" else ""),
            "raw_end": request.args.get("end", period.end.isoformat() if period.kind == "custom" else "")}


@bp.get("/dashboard/")
@login_required
def index():
    home = _home_area(current_user)
    if home is None:
        abort(403)
    return redirect(url_for("dashboard.show", area_id=home.id, **_period_args()))


@bp.get("/dashboard/<int:area_id>")
@login_required
@reads_replica
def show(area_id):
    area = _area(area_id)
    period, error = _period()
    s = queries.summary(area, period)
    ctx = sections.Context(area, period, s, _links(area))
    kids = queries.children(area)
    kid_figs = queries.children_figures([k.id for k in kids], period)
    months, series = queries.trend(area, period.end)
    # the weights are shown only with a community's own index (with its street's ranking, which needs them too)
    w: dict[str, int] = {}
    score = None
    if area.level == "community" and area.parent is not None:
        w = evaluation.weights()
        score = next((r for r in evaluation.ranking(area.parent, period, w) if r.area.id == area.id), None)
    return render_page("dashboard/show.html", area=area, s=s, sections=sections.build(ctx),
                       children=[(k, queries.Summary(kid_figs[k.id])) for k in kids],
                       breadcrumb=_breadcrumb(area), months=months, series=series, score=score,
                       street_ranking=area.level == "street", weights=w,
                       formulas=evaluation.FORMULAS, dimension_labels=evaluation.DIMENSION_LABELS,
                       dimensions=DIMENSIONS, median_method=sections.MEDIAN_METHOD,
                       cohort_note=sections.COHORT_NOTE, **_period_ctx(period, error))


@bp.get("/dashboard/<int:area_id>/ranking")
@login_required
@reads_replica
def ranking(area_id):
    area = _area(area_id)
    if area.level != "street":
        abort(404)
    period, error = _period()
    w = evaluation.weights()
    return render_page("dashboard/ranking.html", area=area, rows=evaluation.ranking(area, period, w),
                       breadcrumb=_breadcrumb(area), weights=w, formulas=evaluation.FORMULAS,
                       dimension_labels=evaluation.DIMENSION_LABELS, dimensions=DIMENSIONS,
                       previous=period.previous(), **_period_ctx(period, error))


def _xlsx(data: bytes, name: str) -> Response:
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/dashboard/<int:area_id>/export.xlsx")
@login_required
@reads_replica
def export(area_id):
    area = _area(area_id)
    period, error = _period()
    if error is not None:
        return redirect(url_for("dashboard.show", area_id=area.id, **_period_args()))
    s = queries.summary(area, period)
    ctx = sections.Context(area, period, s, {})
    kids = queries.children(area)
    kid_figs = queries.children_figures([k.id for k in kids], period)
    w = evaluation.weights()
    rows = evaluation.ranking(area, period, w) if area.level == "street" else []
    data = spreadsheets.dashboard(area, period, sections.build(ctx),
                                  [(k, queries.Summary(kid_figs[k.id])) for k in kids], rows, w)
    return _xlsx(data, f"dashboard-{area.id}-{period.start.isoformat()}-{period.end.isoformat()}.xlsx")


@bp.get("/dashboard/<int:area_id>/ranking.xlsx")
@login_required
@reads_replica
def ranking_export(area_id):
    area = _area(area_id)
    if area.level != "street":
        abort(404)
    period, error = _period()
    if error is not None:
        return redirect(url_for("dashboard.ranking", area_id=area.id, **_period_args()))
    w = evaluation.weights()
    data = spreadsheets.ranking(area, period, evaluation.ranking(area, period, w), w)
    return _xlsx(data, f"ranking-{area.id}-{period.start.isoformat()}-{period.end.isoformat()}.xlsx")


def _render_weights(_subject=None, refusal=None):
    form = (refilled(WeightsForm, refusal) if refusal is not None
            else WeightsForm(formdata=None, data=evaluation.weights()))
    return render_page("dashboard/weights.html", form=form, refusal=refusal, formulas=evaluation.FORMULAS,
                       dimension_labels=evaluation.DIMENSION_LABELS, dimensions=DIMENSIONS)


@bp.get("/dashboard/weights")
@login_required
def weights():
    authorise(can_set_weights(current_user))
    root = queries.city_root()
    return _render_weights(refusal=pop_refusal(root) if root is not None else None)


@bp.post("/dashboard/weights")
@login_required
def save_weights():
    root = queries.city_root()
    if root is None:
        abort(404)
    return perform(root, action="weights", allowed=lambda u, _a: can_set_weights(u), form=WeightsForm(),
                   do=lambda _a, f: services.set_weights(current_user, {d: f[d].data for d in DIMENSIONS}),
                   done=lambda changed: _("The weights were saved.") if changed else _("Nothing was changed."),
                   category=lambda changed: "success" if changed else "info",
                   page=url_for("dashboard.weights"), render=_render_weights, anchor="weights")


# -- public figures --------------------------------------------------------------------------------------------
def _public(area, data: dict, period: Period, error):
    response = Response(render_template("dashboard/figures.html", area=area, data=data, lineage=data["lineage"],
                                        **_period_ctx(period, error)))
    # aggregate numbers only; the page (with its header) is the same for every anonymous visitor
    response.headers["Cache-Control"] = ("private, max-age=0" if current_user.is_authenticated
                                         else "public, max-age=300")
    response.vary.add("Cookie")
    return response


@bp.get("/figures/")
@reads_replica
def figures():
    period, error = _period()
    found = public.city_figures(period)
    if found is None:
        abort(404)
    city, data = found
    return _public(city, data, period, error)


@bp.get("/figures/<int:area_id>")
@reads_replica
def figures_of(area_id):
    area = load(Area, area_id)
    if area.level not in ("city", "street", "community"):
        abort(404)
    period, error = _period()
    return _public(area, public.figures_for(area, period), period, error)
