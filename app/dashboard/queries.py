"""Every read of the dashboard: an area's figures for a period (one grouped query over its own roll-up rows), its
children's, the monthly trend, and the current-state figures (overdue now, "1+1+3" staffing) counted by index.
The number of statements is the same for the city as for a micro-grid.

A period is read as the calendar months it covers whole (``MonthlyFigure``) plus the days of the one or two months
it covers in part (``DailyFigure``), added up by the database in one statement: a year is a dozen monthly rows per
metric and key, not 365 daily ones, and no read grows with the number of issues."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Date, Integer, case, func, literal, select, union_all
from sqlalchemy.orm import aliased

from app.areas.models import Area, StaffingPost
from app.dashboard.metrics import DAY_BUCKETS, HOUR_BUCKETS, histogram_median
from app.dashboard.models import DailyFigure, MonthlyFigure
from app.dashboard.periods import Period
from app.extensions import db
from app.timeutil import utcnow


@dataclass
class Figures:
    """metric → key → [count, total] for one area and period."""

    data: dict = field(default_factory=lambda: defaultdict(dict))

    def n(self, metric: str, key: str = "") -> int:
        return self.data.get(metric, {}).get(key, (0, 0))[0]

    def total(self, metric: str, key: str = "") -> int:
        return self.data.get(metric, {}).get(key, (0, 0))[1]

    def by(self, metric: str) -> dict[str, int]:
        return {k: v[0] for k, v in sorted(self.data.get(metric, {}).items(), key=lambda kv: (-kv[1][0], kv[0]))}

    def add(self, metric: str, key: str, count: int, total: int) -> None:
        self.data[metric][key] = (int(count or 0), int(total or 0))


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Summary:
    """The derived figures: rates with their parts, medians from the histograms."""

    f: Figures
    overdue: int = 0
    overdue_counted_at: datetime | None = None
    microgrids: int = 0
    microgrids_complete: int = 0

    # wishes
    @property
    def wishes_posted(self) -> int:
        return self.f.n("wish.posted")

    @property
    def wishes_claimed(self) -> int:
        return self.f.n("wish.claimed")

    @property
    def wishes_completed(self) -> int:
        return self.f.n("wish.completed")

    @property
    def wish_median_days(self):
        return histogram_median(self.f.by("wish.complete_days"), DAY_BUCKETS)

    # issues
    @property
    def received(self) -> int:
        return self.f.n("issue.received")

    @property
    def accepted(self) -> int:
        return self.f.n("issue.accepted")

    @property
    def responded(self) -> int:
        return self.f.n("issue.responded")

    @property
    def resolved(self) -> int:
        return self.f.n("issue.resolved")

    @property
    def rated(self) -> int:
        return self.f.n("issue.rated")

    @property
    def satisfied(self) -> int:
        return self.f.n("issue.satisfied")

    @property
    def response_rate(self):
        return ratio(self.responded, self.received)

    @property
    def resolution_rate(self):
        return ratio(self.resolved, self.accepted)

    @property
    def satisfaction_rate(self):
        return ratio(self.satisfied, self.rated)

    @property
    def rating_rate(self):
        return ratio(self.rated, self.resolved)

    @property
    def wish_completion_rate(self):
        return ratio(self.wishes_completed, self.wishes_posted)

    @property
    def median_accept_hours(self):
        return histogram_median(self.f.by("issue.accept_hours"), HOUR_BUCKETS)

    @property
    def median_resolve_hours(self):
        return histogram_median(self.f.by("issue.resolve_hours"), HOUR_BUCKETS)

    @property
    def resolved_in_microgrid(self) -> int:
        return self.f.n("issue.resolved_level", "microgrid")

    @property
    def resolved_in_community(self) -> int:
        return sum(self.f.n("issue.resolved_level", lv) for lv in ("microgrid", "grid", "community"))

    @property
    def microgrid_share(self):
        return ratio(self.resolved_in_microgrid, self.resolved)

    @property
    def community_share(self):
        return ratio(self.resolved_in_community, self.resolved)

    # members and activities
    @property
    def members_reported(self) -> int:
        return self.f.n("member.reported")

    @property
    def activities_held(self) -> int:
        return self.f.n("activity.held")

    @property
    def checkins(self) -> int:
        return self.f.n("attendance.checkin")

    @property
    def attested_hours(self) -> float:
        return round(self.f.total("attendance.minutes") / 60, 1)

    # checklists
    @property
    def checklist_agreed(self) -> int:
        return self.f.n("checklist.agreed")

    @property
    def checklist_done(self) -> int:
        return self.f.n("checklist.done")

    @property
    def checklist_evaluated(self) -> int:
        return self.f.n("checklist.evaluated")

    @property
    def checklist_average(self):
        n = self.checklist_evaluated
        return round(self.f.total("checklist.evaluated") / n, 2) if n else None

    # station services
    @property
    def station_requests_delivered(self) -> int:
        return self.f.n("station.delivered", "request")

    @property
    def station_bookings_attended(self) -> int:
        return self.f.n("station.delivered", "booking")

    @property
    def station_delivered(self) -> int:
        return self.station_requests_delivered + self.station_bookings_attended

    @property
    def station_in_time(self) -> int:
        return self.f.n("station.in_time")

    @property
    def station_in_time_rate(self):
        return ratio(self.station_in_time, self.station_requests_delivered)

    @property
    def staffing_rate(self):
        return ratio(self.microgrids_complete, self.microgrids)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def split(start: date, end: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """How to read the days ``start`` … ``end`` (both included): the months read whole, as [first month, month after
    the last) or None, and the days read one by one, as [from, to) ranges each inside one month (at most two: the
    month the period starts in part, the month it ends in part)."""
    after = end + timedelta(days=1)
    first_whole = start if start.day == 1 else _next_month(start)
    after_whole = after.replace(day=1)
    if first_whole < after_whole:
        days = [(lo, hi) for lo, hi in ((start, first_whole), (after_whole, after)) if lo < hi]
        return (first_whole, after_whole), days
    if start.replace(day=1) == end.replace(day=1):
        return None, [(start, after)]
    return None, [(start, _next_month(start)), (_next_month(start), after)]


def _parts(area_ids: list[int], start: date, end: date, columns, metrics=None, key=None) -> list:
    """SELECTs of the roll-up rows of ``area_ids`` from ``start`` to ``end``: the whole months from MonthlyFigure,
    the rest from DailyFigure. ``columns(model, month)`` gives the columns each part selects (``month``: the
    model's month column, or the first day of the month the part's days lie in)."""
    months, days = split(start, end)
    parts = []

    def where(model, column, lo, hi):
        conds = [model.area_id == area_ids[0] if len(area_ids) == 1 else model.area_id.in_(area_ids),
                 column >= lo, column < hi]
        if metrics is not None:
            conds.append(model.metric.in_(metrics))
        if key is not None:
            conds.append(model.key == key)
        return conds

    if months is not None:
        parts.append(select(*columns(MonthlyFigure, MonthlyFigure.month))
                     .where(*where(MonthlyFigure, MonthlyFigure.month, *months)))
    for lo, hi in days:
        parts.append(select(*columns(DailyFigure, literal(lo.replace(day=1), Date)))
                     .where(*where(DailyFigure, DailyFigure.day, lo, hi)))
    return parts


def _union(parts: list):
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()


def period_figures(area_ids: list[int], periods: list[Period], metrics=None) -> list[dict[int, Figures]]:
    """For each period, area id → its figures: every area and period added up by the database in one statement."""
    out: list[dict[int, Figures]] = [{aid: Figures() for aid in area_ids} for _p in periods]
    if not area_ids:
        return out
    parts = []
    for i, period in enumerate(periods):
        parts += _parts(area_ids, period.start, period.end, metrics=metrics,
                        columns=lambda m, _month, i=i: (literal(i, Integer).label("period"), m.area_id, m.metric,
                                                        m.key, m.count, m.total))
    u = _union(parts)
    rows = db.session.execute(
        select(u.c.period, u.c.area_id, u.c.metric, u.c.key, func.sum(u.c.count), func.sum(u.c.total))
        .group_by(u.c.period, u.c.area_id, u.c.metric, u.c.key))
    for i, aid, metric, key, count, total in rows:
        out[i][aid].add(metric, key, count, total)
    return out


def figures(area: Area, period: Period) -> Figures:
    return period_figures([area.id], [period])[0][area.id]


#: what the children table and the evaluation index need of each child area
CHILD_METRICS = ("issue.received", "issue.accepted", "issue.responded", "issue.resolved", "issue.rated",
                 "issue.satisfied", "wish.posted", "wish.completed", "member.reported", "attendance.minutes",
                 "station.delivered")


def children_figures(area_ids: list[int], period: Period, metrics=CHILD_METRICS) -> dict[int, Figures]:
    return period_figures(area_ids, [period], metrics)[0]


def children(area: Area) -> list[Area]:
    return list(db.session.scalars(select(Area).where(Area.parent_id == area.id).order_by(Area.name, Area.id)))


#: a snapshot of "overdue now" older than this is not trusted: the page counts by itself instead
SNAPSHOT_MAX_AGE = timedelta(minutes=15)


def overdue_now(area: Area, now=None) -> tuple[int, datetime | None]:
    """(issues overdue now in the area, when it was counted — None: just now). Read from the job's snapshot
    (one row) when it is fresh, else counted on the spot with the (state, due_at) index."""
    from app.dashboard.models import AreaSnapshot
    from app.issues.models import ACTIVE_STATES, Issue

    now = now or utcnow()
    root_id = area.ancestor_ids[0] if area.ancestor_ids else area.id
    rows = dict((aid, (value, at)) for aid, value, at in db.session.execute(
        select(AreaSnapshot.area_id, AreaSnapshot.value, AreaSnapshot.computed_at)
        .where(AreaSnapshot.metric == "issue.overdue", AreaSnapshot.area_id.in_({area.id, root_id}))))
    root = rows.get(root_id)
    if root is not None and now - root[1] <= SNAPSHOT_MAX_AGE:
        value, _at = rows.get(area.id, (0, root[1]))
        return value, root[1]
    overdue = (Issue.state.in_(ACTIVE_STATES), Issue.due_at < now)
    in_subtree = (select(func.count(Issue.id)).join(Area, Area.id == Issue.area_id)
                  .where(*overdue, Area.in_subtree(area.path)))
    if area.parent_id is None:
        # the city: when it is the only root, every issue is in it — counted from the (state, due_at) index alone,
        # instead of visiting every area and every issue of the city through the join
        other_roots = select(func.count(Area.id)).where(Area.parent_id.is_(None), Area.id != area.id)
        everywhere = select(func.count(Issue.id)).where(*overdue)
        statement = select(case((other_roots.scalar_subquery() == 0, everywhere.scalar_subquery()),
                                else_=in_subtree.scalar_subquery()))
    else:
        statement = in_subtree
    return db.session.scalar(statement) or 0, None


def _complete_microgrids(within: Area | None = None):
    """Micro-grids whose "1+1+3" team is full: one backbone, one liaison, three volunteers — those under ``within``
    only, when it is not a root (a street's or a community's page then groups its own posts, not the whole city's;
    for the city itself the restriction would only add a join)."""
    stmt = select(StaffingPost.area_id)
    if within is not None and within.parent_id is not None:
        under = aliased(Area)  # its own alias: never correlated with an enclosing query's area
        stmt = stmt.where(StaffingPost.area_id.in_(select(under.id).where(Area.in_subtree(within.path, under.path))))
    return (stmt
            .group_by(StaffingPost.area_id)
            .having(func.sum(case((StaffingPost.post == "backbone", 1), else_=0)) >= 1,
                    func.sum(case((StaffingPost.post == "liaison", 1), else_=0)) >= 1,
                    func.sum(case((StaffingPost.post == "volunteer", 1), else_=0)) >= 3))


def staffing(area: Area) -> tuple[int, int]:
    """(micro-grids in the area, of which complete) — one statement."""
    complete = _complete_microgrids(area).subquery()
    row = db.session.execute(
        select(func.count(Area.id), func.count(complete.c.area_id))
        .select_from(Area).outerjoin(complete, complete.c.area_id == Area.id)
        .where(Area.level == "microgrid", Area.in_subtree(area.path))).one()
    return int(row[0] or 0), int(row[1] or 0)


def staffing_by_community(street: Area) -> dict[int, tuple[int, int]]:
    """community id → (micro-grids, complete) for the communities under ``street`` (one statement)."""
    mg, grid = Area, aliased(Area)
    complete = _complete_microgrids(street).subquery()
    rows = db.session.execute(
        select(grid.parent_id, func.count(mg.id), func.count(complete.c.area_id))
        .select_from(mg).join(grid, grid.id == mg.parent_id).outerjoin(complete, complete.c.area_id == mg.id)
        .where(mg.level == "microgrid", Area.in_subtree(street.path, mg.path)).group_by(grid.parent_id))
    return {cid: (int(n or 0), int(c or 0)) for cid, n, c in rows}


def summary(area: Area, period: Period) -> Summary:
    total, complete = staffing(area)
    overdue, counted_at = overdue_now(area)
    return Summary(figures(area, period), overdue=overdue, overdue_counted_at=counted_at, microgrids=total,
                   microgrids_complete=complete)


TREND_METRICS = ("issue.received", "issue.resolved", "wish.posted", "wish.completed")


def months_back(end: date, n: int = 12) -> list[date]:
    months = []
    day = end.replace(day=1)
    for _ in range(n):
        months.append(day)
        day = (day - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def trend(area: Area, end: date, n: int = 12) -> tuple[list[date], dict[str, list[int]]]:
    """Monthly counts of the trend metrics for the ``n`` months up to ``end``'s month (one statement)."""
    months = months_back(end, n)
    u = _union(_parts([area.id], months[0], end, metrics=TREND_METRICS, key="",
                      columns=lambda m, month: (m.metric, month.label("month"), m.count)))
    rows = db.session.execute(select(u.c.metric, u.c.month, func.sum(u.c.count)).group_by(u.c.metric, u.c.month))
    index = {m: i for i, m in enumerate(months)}
    series = {m: [0] * len(months) for m in TREND_METRICS}
    for metric, month, count in rows:
        series[metric][index[month]] += int(count or 0)
    return months, series


def city_root() -> Area | None:
    return db.session.scalar(select(Area).where(Area.level == "city").order_by(Area.id).limit(1))


def streets_and_communities() -> list[Area]:
    """Every street and community, for the public figures (streets first, by name)."""
    return list(db.session.scalars(select(Area).where(Area.level.in_(("street", "community")))
                                   .order_by(Area.path)))
