"""The dashboard's sections: each a list of figures with its exact definition and the list behind it. The page and
the spreadsheet show the same lines. A section is registered, so a capability that arrives later adds one
``@section`` (as the stations' services delivered did, below) — and a capability that does not exist has no section
at all: a section returns None while its source is not registered.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.areas.models import Area
from app.dashboard import metrics
from app.dashboard.periods import Period
from app.dashboard.queries import Summary


@dataclass
class Line:
    label: str
    value: object  # int, float, None (no data)
    kind: str = "count"  # count, rate, hours, days, number
    definition: str = ""
    link: str | None = None
    part: int | None = None
    whole: int | None = None
    open_ended: bool = False

    @property
    def shown(self) -> str:
        if self.value is None:
            return "—"
        if self.kind == "rate":
            return f"{self.value * 100:.1f}%"
        if self.kind in ("hours", "days"):
            unit = _("h") if self.kind == "hours" else _("days")
            prefix = "≥ " if self.open_ended else ""
            return f"{prefix}{self.value:.1f} {unit}"
        if isinstance(self.value, float):
            return f"{self.value:g}"
        return str(self.value)


@dataclass
class Section:
    key: str
    title: str
    lines: list[Line]
    tables: list[tuple[str, list[tuple[str, int, str | None]]]] = field(default_factory=list)


@dataclass
class Context:
    area: Area
    period: Period
    s: Summary
    links: dict  # which lists the viewer may open: {"issues": bool, "members": bool, …}


_sections: list[tuple[int, str, Callable[[Context], Section | None]]] = []


def section(key: str, order: int = 50) -> Callable:
    def register(fn):
        if all(k != key for _o, k, _f in _sections):
            _sections.append((order, key, fn))
            _sections.sort(key=lambda item: item[0])
        return fn

    return register


def build(ctx: Context) -> list[Section]:
    out = []
    for _order, _key, fn in _sections:
        sec = fn(ctx)
        if sec is not None:
            out.append(sec)
    return out


def _wish_args(area: Area) -> dict:
    if area.level == "street":
        return {"street": area.id}
    if area.level in ("community", "grid", "microgrid"):
        ids = area.ancestor_ids
        return {"street": ids[1], "community": ids[2]} if len(ids) > 2 else {}
    return {}


def _issue_link(ctx: Context, **filters) -> str | None:
    if not ctx.links.get("issues"):
        return None
    # narrowed to the dashboard's area (the list keeps to the viewer's own scope as well)
    args = {"view": "area", "area": ctx.area.id, "date_from": ctx.period.start.isoformat(),
            "date_to": ctx.period.end.isoformat()}
    args.update(filters)
    return url_for("issues.index", **args)


@section("wishes", order=10)
def wishes(ctx: Context) -> Section | None:
    if not metrics.get("wish"):
        return None
    s = ctx.s
    median, open_ended = s.wish_median_days
    wa = _wish_args(ctx.area)
    return Section("wishes", _("Micro-wishes"), [
        Line(_("Wishes posted"), s.wishes_posted, definition=_("Wishes posted in the period, in any state."),
             link=url_for("wishes.wall", status="published", **wa)),
        Line(_("Wishes claimed"), s.wishes_claimed,
             definition=_("Of those, wishes a party member or a branch claimed at least once."),
             link=url_for("wishes.wall", status="claimed", **wa)),
        Line(_("Wishes completed"), s.wishes_completed,
             definition=_("Of those, wishes the resident confirmed as come true."),
             link=url_for("wishes.wall", status="completed", **wa)),
        Line(_("Median days to completion"), median, kind="days", open_ended=open_ended,
             definition=_("From publication to the resident's confirmation, for the completed wishes above; the "
                          "median read from a day histogram (see the method below).")),
    ])


@section("issues", order=20)
def issues(ctx: Context) -> Section | None:
    if not metrics.get("issue"):
        return None
    from app.areas.models import level_label
    from app.issues.models import LEVELS as ISSUE_LEVELS
    from app.issues.models import channel_label, state_label

    s = ctx.s
    acc, acc_open = s.median_accept_hours
    res, res_open = s.median_resolve_hours
    lines = [
        Line(_("Issues received"), s.received, definition=_("Issues reported in the period, through any channel."),
             link=_issue_link(ctx)),
        Line(_("Response rate"), s.response_rate, kind="rate", part=s.responded, whole=s.received,
             definition=_("Issues accepted within their category's acceptance limit ÷ issues received.")),
        Line(_("Resolution rate"), s.resolution_rate, kind="rate", part=s.resolved, whole=s.accepted,
             definition=_("Issues resolved (resolved or closed after rating) ÷ issues accepted."),
             link=_issue_link(ctx, state="resolved")),
        Line(_("Satisfaction rate"), s.satisfaction_rate, kind="rate", part=s.satisfied, whole=s.rated,
             definition=_("Ratings “satisfied” or “basically satisfied” ÷ all ratings given in the period "
                          "(an unsatisfied rating reopens the issue).")),
        Line(_("Median time to accept"), acc, kind="hours", open_ended=acc_open,
             definition=_("From the report to its acceptance, for the accepted issues above.")),
        Line(_("Median time to resolve"), res, kind="hours", open_ended=res_open,
             definition=_("From the report to its (latest) resolution, for the resolved issues above.")),
        Line(_("Closed within the micro-grid"), s.microgrid_share, kind="rate",
             part=s.resolved_in_microgrid, whole=s.resolved,
             definition=_("Resolved issues handled at micro-grid level ÷ resolved issues."),
             link=_issue_link(ctx, state="resolved", level="microgrid")),
        Line(_("Closed within the community"), s.community_share, kind="rate",
             part=s.resolved_in_community, whole=s.resolved,
             definition=_("Resolved issues handled at micro-grid, grid or community level ÷ resolved issues.")),
        Line(_("Overdue now"), s.overdue,
             definition=_("Issues still waiting to be accepted or resolved whose time limit has passed, as of now "
                          "(not limited to the period).") + (
                 " " + _("Counted at %(time)s by the scheduled job.", time=format_datetime(s.overdue_counted_at,
                                                                                             "HH:mm"))
                 if s.overdue_counted_at is not None else ""),
             link=(url_for("issues.index", view="area", area=ctx.area.id, overdue="1") if ctx.links.get("issues")
                   else None)),
    ]
    f = s.f
    labels = _category_labels() if f.by("issue.category") else {}
    tables = [
        (_("Issues by state"),
         [(state_label(k), v, _issue_link(ctx, state=k)) for k, v in f.by("issue.state").items()]),
        (_("Issues by handling level"),
         [(level_label(k), f.n("issue.level", k), _issue_link(ctx, level=k)) for k in ISSUE_LEVELS
          if f.n("issue.level", k)]),
        (_("Issues by category"), [(labels.get(k, k), v, _issue_link(ctx, category=k))
                                   for k, v in f.by("issue.category").items()]),
        (_("Issues by channel"), [(channel_label(k), v, _issue_link(ctx, channel=k))
                                  for k, v in f.by("issue.channel").items()]),
    ]
    return Section("issues", _("Issues"), lines, tables)


def _category_labels() -> dict[str, str]:
    """code → label of every issue category (one statement)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.issues.models import IssueCategory

    return {c.code: c.label for c in db.session.scalars(select(IssueCategory))}


# The members' reports, activities, co-building and stations lists have no area filter: their figures link to the
# list as it is (within what the viewer may see), not narrowed to the dashboard's area.
@section("members", order=30)
def members(ctx: Context) -> Section | None:
    if not (metrics.get("member_report") and metrics.get("attendance")):
        return None
    s = ctx.s
    links = ctx.links
    return Section("members", _("Party members and activities"), [
        Line(_("Members reported"), s.members_reported,
             definition=_("Party members' reports to a community confirmed by its staff in the period."),
             link=url_for("members.reports", state="confirmed") if links.get("members") else None),
        Line(_("Activities held"), s.activities_held, definition=_("Activities starting in the period."),
             link=url_for("activities.index")),
        Line(_("Check-ins"), s.checkins, definition=_("People checked in at an activity in the period.")),
        Line(_("Attested hours"), s.attested_hours, kind="number",
             definition=_("Service time of those check-ins whose list the organiser attested, in hours.")),
    ])


@section("checklists", order=40)
def checklists(ctx: Context) -> Section | None:
    if not metrics.get("checklist"):
        return None
    s = ctx.s
    link = url_for("cobuild.index") if ctx.links.get("cobuild") else None
    return Section("checklists", _("Co-building checklists"), [
        Line(_("Items agreed"), s.checklist_agreed,
             definition=_("Checklist items both sides agreed to in the period."), link=link),
        Line(_("Items done"), s.checklist_done, definition=_("Checklist items marked done in the period."),
             link=link),
        Line(_("Average evaluation"), s.checklist_average, kind="number",
             definition=_("Mean of the community's stars (1–5) for items evaluated in the period.")),
    ])


@section("stations", order=45)
def stations(ctx: Context) -> Section | None:
    if not (metrics.get("station_request") and metrics.get("station_booking")):
        return None
    s = ctx.s
    # every signed-in person may open the list of stations (and from there a station's services and queue)
    link = url_for("stations.index") if ctx.links.get("stations") else None
    return Section("stations", _("Station services"), [
        Line(_("Station services delivered"), s.station_delivered,
             definition=_("Help-at-the-door and errand requests the resident confirmed as done + appointments the "
                          "station marked attended, in the period."), link=link),
        Line(_("Requests confirmed by the resident"), s.station_requests_delivered,
             definition=_("Help-at-the-door and errand requests confirmed by the resident, counted on the day of "
                          "the confirmation, in the area where the resident lives."), link=link),
        Line(_("Appointments attended"), s.station_bookings_attended,
             definition=_("Bookings the station's staff marked attended, counted on the day of the booked time, "
                          "in the station's community."), link=link),
        Line(_("Requests done within the time limit"), s.station_in_time_rate, kind="rate",
             part=s.station_in_time, whole=s.station_requests_delivered,
             definition=_("Of the confirmed requests above, those marked done before their time limit ran out "
                          "(the limit starts again when the resident says it was not done) ÷ confirmed requests.")),
    ])


@section("staffing", order=50)
def staffing(ctx: Context) -> Section | None:
    s = ctx.s
    if not s.microgrids:
        return None
    return Section("staffing", _("“1+1+3” staffing"), [
        Line(_("Micro-grids with a complete team"), s.staffing_rate, kind="rate", part=s.microgrids_complete,
             whole=s.microgrids,
             definition=_("Micro-grids with one party backbone, one liaison and three volunteers ÷ micro-grids, "
                          "as of now."),
             link=url_for("areas.show", area_id=ctx.area.id) if ctx.links.get("area") else None),
    ])


MEDIAN_METHOD = _l("Medians are read from histograms kept in the daily roll-up: each accepted or resolved issue adds "
                   "one to an hour bucket (0–1, 1–2, 2–4, 4–8, 8–12, 12–24, 24–48, 48–72, 72–120, 120–168, 168–336, "
                   "336–720, 720 h or more), each completed wish to a day bucket (0, 1, 2, 3, 5, 7, 10, 14, 21, 30, "
                   "60, 90 days or more). The median lies in the bucket where half of the count is reached and is "
                   "interpolated linearly inside it; in the last, open bucket it is shown as “≥”.")
COHORT_NOTE = _l("Wishes and issues are counted by the day they were posted or reported, with what has become of "
                 "them since; ratings, check-ins, reports, checklist steps and station services by the day they "
                 "happened. Days are Beijing time.")
