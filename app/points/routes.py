"""Points pages: my points, the boards, the rules (city admins) and commendations (community and street staff)."""
from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.areas.models import Area
from app.points import bp, queries, services
from app.points.forms import CommendationForm, RuleForm
from app.points.models import Commendation, PointRule
from app.points.policy import (
    can_edit_point_rules,
    can_publish_commendation,
    can_use_points,
    can_view_board,
    can_view_commendation,
)
from app.timeutil import local_today
from app.web.actions import authorise, load, perform, pop_refusal
from app.web.htmx import render_page
from app.web.params import parse_id


@bp.get("/")
@login_required
def index():
    authorise(can_use_points(current_user))
    page = queries.history(current_user, request.args.get("after"))
    more = url_for("points.index", after=page.next_cursor) if page.has_more else None
    return render_page("points/index.html", "points/_history_rows.html" if request.args.get("after") else None,
                       balance=services.balance_of(current_user.id), entries=page.items, more=more,
                       places=queries.streets_and_communities(current_user))


def _period() -> services.Period:
    return services.Period.parse(request.args.get("period")) or services.Period.containing(local_today())


def _board_args():
    scope = request.args.get("scope") or "community"
    if scope not in queries.SCOPES:
        abort(404)
    place_id = parse_id(request.args.get("id"))
    if place_id is None and scope == "community":
        home = queries.default_community(current_user)
        place_id = home.id if home is not None else None
    holders = request.args.get("of") or "members"
    if holders not in queries.HOLDERS or (scope == "branch" and holders != "members"):
        holders = "members"
    return scope, place_id, holders, _period()


def _render_board(scope, place, holders, period, refusal=None, after=None):
    rows, next_rank = queries.board(scope, place.id, holders, period, after=after)
    more = (url_for("points.board", scope=scope, id=place.id, of=holders, period=period.key, after=next_rank)
            if next_rank else None)
    commendation = queries.commendation_for(place.id, period) if scope != "branch" else None
    may_publish = (scope != "branch" and holders == "members" and can_publish_commendation(current_user, place)
                   and (commendation is None or commendation.state == "open") and period.end <= local_today())
    form = CommendationForm(formdata=None)
    return render_page("points/board.html", "points/_board_rows.html" if after else None,
                       scope=scope, place=place, holders=holders, period=period, rows=rows, more=more,
                       commendation=commendation, may_publish=may_publish, form=form, refusal=refusal,
                       previous=period.previous(), following=services.Period(period.kind, period.end),
                       this_month=services.Period.containing(local_today()),
                       this_year=services.Period.containing(local_today(), "year"),
                       places=queries.streets_and_communities(current_user))


@bp.get("/board")
@login_required
def board():
    scope, place_id, holders, period = _board_args()
    place = queries.board_place(scope, place_id)
    if place is None and scope == "community" and request.args.get("id") is None:
        return render_page("points/board.html", scope=scope, place=None, holders=holders, period=period, rows=[],
                           more=None, commendation=None, may_publish=False, form=None, refusal=None,
                           places=queries.streets_and_communities(current_user))
    if place is None or not can_view_board(current_user, scope, place):
        abort(404)
    after = parse_id(request.args.get("after"))
    refusal = pop_refusal(place) if scope != "branch" else None
    return _render_board(scope, place, holders, period, refusal=refusal, after=after)


@bp.post("/board/<int:area_id>/<period_key>/commend")
@login_required
def commend(area_id: int, period_key: str):
    area = load(Area, area_id)
    if area.level not in ("community", "street"):
        abort(404)
    period = services.Period.parse(period_key)
    if period is None:
        abort(404)
    picked = [i for i in (parse_id(v) for v in request.form.getlist("picked")) if i is not None]

    def publish(place, form):
        commendation = services.open_commendation(place, period)
        rows = queries.full_board(place.level, place.id, period, services.TOP_MAX if not picked else 10_000)
        return services.publish_commendation(commendation, current_user, title=form.title.data, top=form.top.data,
                                             picked=picked, board_rows=rows)

    return perform(area, action="commend", allowed=can_publish_commendation, form=CommendationForm(), do=publish,
                   done=_("The commendation list was published."),
                   page=url_for("points.board", scope=area.level, id=area.id, period=period.key),
                   then=None, render=lambda place, refusal=None: _render_board(place.level, place, "members", period,
                                                                               refusal=refusal))


@bp.get("/commendations/<int:commendation_id>")
@login_required
def commendation(commendation_id: int):
    item = load(Commendation, commendation_id, can_view_commendation)
    if item.state != "published":
        abort(404)
    return render_page("points/commendation.html", commendation=item)


def _render_rules(rule=None, refusal=None):
    return render_page("points/rules.html", rules=queries.rules(), refused=rule, refusal=refusal,
                       help=services.RULE_HELP, units=services.UNIT_LABELS)


@bp.get("/rules")
@login_required
def rules():
    authorise(can_edit_point_rules(current_user))
    refused, refusal = None, None
    for rule in queries.rules():
        refusal = pop_refusal(rule)
        if refusal is not None:
            refused = rule
            break
    return _render_rules(refused, refusal)


@bp.post("/rules/<int:rule_id>")
@login_required
def edit_rule(rule_id: int):
    rule = load(PointRule, rule_id)
    return perform(rule, action=f"rule-{rule.id}", allowed=lambda user, _rule: can_edit_point_rules(user),
                   form=RuleForm(),
                   do=lambda r, f: services.update_rule(r, current_user, label=f.label.data, points=f.points.data,
                                                        active=f.active.data),
                   done=_("The rule was saved; it applies from now on."), page=url_for("points.rules"),
                   render=lambda r, refusal=None: _render_rules(r, refusal))
