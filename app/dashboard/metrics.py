"""The registry of what the dashboard counts: one *source* per kind of thing (an issue, a wish, a member's report …).

A source says which things it counts and, for a batch of them, what each adds to the daily roll-up — rows of
``(local day, area id, metric, key, count, total)`` in the finest area the thing belongs to. The same function
serves the event subscribers (one thing changed: take its old rows away, add its new ones) and the rebuild (every
thing, in batches), so an incremental roll-up and a rebuild cannot disagree on what a metric means.

Adding a metric is one registration here (or in the domain that owns the thing) — the stations' requests, below::

    source("station_request", model=ServiceRequest,
           events=("station_request.confirmed",))(_station_requests)  # every event after which its rows may differ

where ``_station_requests(ids)`` reads the requests and returns, for each confirmed one,
``[(local_day(confirmed_at, zone), area_id, "station.delivered", "request", 1, 0), …]``;
and one ``@section`` (app/dashboard/sections.py) that shows it. Nothing else changes: ``dashboard rebuild``, the
subscribers and the incremental-equals-rebuild test pick the source up from this registry.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from app.extensions import db
from app.timeutil import local_zone, to_local

#: (day, area_id, metric, key, count, total)
Row = tuple[date, int, str, str, int, int]


@dataclass(frozen=True)
class Source:
    name: str
    model: type
    events: tuple[str, ...]
    rows: Callable[[list[int]], dict[int, list[Row]]]


_sources: dict[str, Source] = {}


def source(name: str, *, model: type, events: Iterable[str]) -> Callable:
    """Register a source and follow its events at once (whichever domain registers it, in whatever order)."""

    def register(fn: Callable[[list[int]], dict[int, list[Row]]]) -> Callable:
        if name in _sources:
            return fn
        src = Source(name, model, tuple(events), fn)
        _sources[name] = src
        _follow(src)
        return fn

    return register


def _follow(src: Source) -> None:
    from app import events as app_events

    def follow(event) -> None:
        from app.dashboard import rollup

        rollup.follow(src.name, event.subject_id)

    follow.__name__ = f"rollup_{src.name}"
    for event_name in src.events:
        app_events.on(event_name)(follow)


def sources() -> list[Source]:
    return list(_sources.values())


def get(name: str) -> Source | None:
    return _sources.get(name)


def has_metric_prefix(prefix: str) -> bool:
    """Is any source registered whose name starts with ``prefix`` (a capability that exists)?"""
    return any(name.startswith(prefix) for name in _sources)


def local_day(value: datetime | None, zone=None) -> date | None:
    """The local calendar day of a stored (naive UTC) time. ``zone``: the deployment's zone when the caller has it
    at hand (a source converting thousands of times looks it up once)."""
    if value is None:
        return None
    if zone is None:
        local = to_local(value)
        return local.date() if local is not None else None
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(zone).date()


# -- duration histograms (medians cannot be added up; bucket counts can) ------------------------------------------
#: lower bounds of the hour buckets: [0,1) [1,2) [2,4) … [720, ∞)
HOUR_BUCKETS = (0, 1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 336, 720)
#: lower bounds of the day buckets
DAY_BUCKETS = (0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 60, 90)


def bucket(value: float, bounds: tuple[int, ...]) -> str:
    """The lower bound of the bucket ``value`` falls in, as the key of the histogram's row."""
    return _BUCKET_KEYS[bounds][max(0, bisect_right(bounds, value) - 1)]


_BUCKET_KEYS = {bounds: tuple(str(b) for b in bounds) for bounds in (HOUR_BUCKETS, DAY_BUCKETS)}


def hours_between(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 3600)


def histogram_median(counts: dict[str, int], bounds: tuple[int, ...]) -> tuple[float | None, bool]:
    """The median of a bucketed histogram, interpolated linearly inside the bucket that holds the middle value.
    Returns (value, open_ended): open_ended when the middle lies in the last bucket (no upper bound)."""
    n = sum(counts.get(str(b), 0) for b in bounds)
    if n == 0:
        return None, False
    target = n / 2
    seen = 0
    for i, lower in enumerate(bounds):
        c = counts.get(str(lower), 0)
        if c and seen + c >= target:
            if i + 1 == len(bounds):
                return float(lower), True
            upper = bounds[i + 1]
            return lower + (target - seen) / c * (upper - lower), False
        seen += c
    return float(bounds[-1]), True


# -- the sources ---------------------------------------------------------------------------------------------------
def _issue_events() -> tuple[str, ...]:
    return ("issue.reported", "issue.accepted", "issue.started", "issue.rejected", "issue.resolved",
            "issue.duplicate", "issue.rated", "issue.revisit", "issue.reopened", "issue.closed", "issue.escalated")


def _issues(ids: list[int]) -> dict[int, list[Row]]:
    from app.issues.models import Issue, IssueCategory, IssueRating

    zone = local_zone()
    out: dict[int, list[Row]] = defaultdict(list)
    rows = db.session.execute(
        select(Issue.id, Issue.area_id, Issue.created_at, Issue.state, Issue.level, Issue.channel,
               IssueCategory.code, Issue.accepted_at, Issue.accept_due_at, Issue.resolved_at)
        .join(IssueCategory, IssueCategory.id == Issue.category_id).where(Issue.id.in_(ids)))
    for (iid, area, created, state, level, channel, category, accepted_at, accept_due, resolved_at) in rows:
        day = local_day(created, zone)
        r = out[iid]
        r += [(day, area, "issue.received", "", 1, 0), (day, area, "issue.state", state, 1, 0),
              (day, area, "issue.level", level, 1, 0), (day, area, "issue.category", category, 1, 0),
              (day, area, "issue.channel", channel, 1, 0)]
        if accepted_at is not None:
            r.append((day, area, "issue.accepted", "", 1, 0))
            r.append((day, area, "issue.accept_hours", bucket(hours_between(created, accepted_at), HOUR_BUCKETS),
                      1, 0))
            if accept_due is None or accepted_at <= accept_due:
                r.append((day, area, "issue.responded", "", 1, 0))
        if state in ("resolved", "closed") and resolved_at is not None:
            r.append((day, area, "issue.resolved", "", 1, 0))
            r.append((day, area, "issue.resolved_level", level, 1, 0))
            r.append((day, area, "issue.resolve_hours", bucket(hours_between(created, resolved_at), HOUR_BUCKETS),
                      1, 0))
    areas = {iid: rows[0][1] for iid, rows in out.items()}
    ratings = db.session.execute(
        select(IssueRating.issue_id, IssueRating.value, IssueRating.created_at)
        .where(IssueRating.issue_id.in_(list(areas))))
    for iid, value, created in ratings:
        day = local_day(created, zone)
        out[iid].append((day, areas[iid], "issue.rated", "", 1, 0))
        if value in ("satisfied", "basically_satisfied"):
            out[iid].append((day, areas[iid], "issue.satisfied", "", 1, 0))
    return dict(out)


def _wishes(ids: list[int]) -> dict[int, list[Row]]:
    from app.wishes.models import Wish, WishClaim

    zone = local_zone()
    out: dict[int, list[Row]] = {}
    rows = db.session.execute(select(Wish.id, Wish.area_id, Wish.created_at, Wish.state, Wish.published_at,
                                     Wish.completed_at).where(Wish.id.in_(ids)))
    for wid, area, created, state, published_at, completed_at in rows:
        day = local_day(created, zone)
        r = [(day, area, "wish.posted", "", 1, 0), (day, area, "wish.state", state, 1, 0)]
        if state in ("claimed", "fulfilled", "completed"):
            r.append((day, area, "wish.claimed", "", 1, 0))
        if state == "completed" and completed_at is not None:
            r.append((day, area, "wish.completed", "", 1, 0))
            days = hours_between(published_at or created, completed_at) / 24
            r.append((day, area, "wish.complete_days", bucket(days, DAY_BUCKETS), 1, 0))
        out[wid] = r
    # "claimed" also counts a wish whose claim was released back to the wall: it was claimed once
    claimed_once = set(db.session.scalars(select(WishClaim.wish_id).where(WishClaim.wish_id.in_(list(out)))))
    for wid, r in out.items():
        if wid in claimed_once and not any(m == "wish.claimed" for _d, _a, m, *_ in r):
            day, area = r[0][0], r[0][1]
            r.append((day, area, "wish.claimed", "", 1, 0))
    return out


def _member_reports(ids: list[int]) -> dict[int, list[Row]]:
    from app.members.models import MemberReport

    zone = local_zone()
    out: dict[int, list[Row]] = {}
    rows = db.session.execute(select(MemberReport.id, MemberReport.area_id, MemberReport.state,
                                     MemberReport.decided_at).where(MemberReport.id.in_(ids)))
    for rid, area, state, decided_at in rows:
        if state in ("confirmed", "replaced", "ended") and decided_at is not None:
            out[rid] = [(local_day(decided_at, zone), area, "member.reported", "", 1, 0)]
    return out


def _activities(ids: list[int]) -> dict[int, list[Row]]:
    from app.activities.models import Activity

    zone = local_zone()
    out: dict[int, list[Row]] = {}
    for aid, area, starts_at in db.session.execute(
            select(Activity.id, Activity.area_id, Activity.starts_at).where(Activity.id.in_(ids))):
        out[aid] = [(local_day(starts_at, zone), area, "activity.held", "", 1, 0)]
    return out


def _attendance(ids: list[int]) -> dict[int, list[Row]]:
    from app.activities.models import Activity, Attendance

    zone = local_zone()
    out: dict[int, list[Row]] = {}
    rows = db.session.execute(
        select(Attendance.id, Activity.area_id, Attendance.check_in_at, Attendance.minutes, Activity.attested_at)
        .join(Activity, Activity.id == Attendance.activity_id).where(Attendance.id.in_(ids)))
    for aid, area, check_in_at, minutes, attested_at in rows:
        day = local_day(check_in_at, zone)
        r = [(day, area, "attendance.checkin", "", 1, 0)]
        if attested_at is not None and minutes is not None:
            r.append((day, area, "attendance.minutes", "", 1, minutes))
        out[aid] = r
    return out


def _checklist(ids: list[int]) -> dict[int, list[Row]]:
    from app.cobuild.models import ChecklistItem

    zone = local_zone()
    out: dict[int, list[Row]] = {}
    rows = db.session.execute(
        select(ChecklistItem.id, ChecklistItem.community_id, ChecklistItem.state, ChecklistItem.community_agreed_at,
               ChecklistItem.agency_agreed_at, ChecklistItem.done_at, ChecklistItem.rating,
               ChecklistItem.evaluated_at).where(ChecklistItem.id.in_(ids)))
    for iid, area, state, c_agreed, a_agreed, done_at, rating, evaluated_at in rows:
        r: list[Row] = []
        if state in ("agreed", "in_progress", "done", "evaluated") and c_agreed and a_agreed:
            r.append((local_day(max(c_agreed, a_agreed), zone), area, "checklist.agreed", "", 1, 0))
        if state in ("done", "evaluated") and done_at is not None:
            r.append((local_day(done_at, zone), area, "checklist.done", "", 1, 0))
        if state == "evaluated" and rating is not None and evaluated_at is not None:
            r.append((local_day(evaluated_at, zone), area, "checklist.evaluated", "", 1, rating))
        if r:
            out[iid] = r
    return out


def _station_requests(ids: list[int]) -> dict[int, list[Row]]:
    """A help-at-the-door or errand request is one service delivered once the resident confirmed it: on the day of
    the confirmation, in the request's area (the resident's micro-grid, or the community). ``station.in_time``:
    of those, the ones marked done by their (last) deadline."""
    from app.stations.models import ServiceRequest

    zone = local_zone()
    out: dict[int, list[Row]] = {}
    rows = db.session.execute(
        select(ServiceRequest.id, ServiceRequest.area_id, ServiceRequest.state, ServiceRequest.confirmed_at,
               ServiceRequest.done_at, ServiceRequest.due_at).where(ServiceRequest.id.in_(ids)))
    for rid, area, state, confirmed_at, done_at, due_at in rows:
        if state != "confirmed" or confirmed_at is None:
            continue
        day = local_day(confirmed_at, zone)
        r = [(day, area, "station.delivered", "request", 1, 0)]
        if done_at is not None and done_at <= due_at:
            r.append((day, area, "station.in_time", "", 1, 0))
        out[rid] = r
    return out


def _station_bookings(ids: list[int]) -> dict[int, list[Row]]:
    """A booking the station's staff marked attended is one service delivered: on the slot's day, in the station's
    community (a booking names no finer place)."""
    from app.stations.models import Booking, Station

    zone = local_zone()
    out: dict[int, list[Row]] = {}
    rows = db.session.execute(
        select(Booking.id, Station.community_id, Booking.starts_at)
        .join(Station, Station.id == Booking.station_id)
        .where(Booking.id.in_(ids), Booking.status == "attended"))
    for bid, area, starts_at in rows:
        out[bid] = [(local_day(starts_at, zone), area, "station.delivered", "booking", 1, 0)]
    return out


def register_defaults() -> None:
    """The sources of the domains this portal has (called once when the dashboard's subscribers load)."""
    from app.activities.models import Activity, Attendance
    from app.cobuild.models import ChecklistItem
    from app.issues.models import Issue
    from app.members.models import MemberReport
    from app.stations.models import Booking, ServiceRequest
    from app.wishes.models import Wish

    source("issue", model=Issue, events=_issue_events())(_issues)
    source("wish", model=Wish, events=(
        "wish.posted", "wish.published", "wish.withdrawn", "wish.expired", "wish.rejected", "wish.claimed",
        "wish.fulfilled", "wish.completed", "wish.released", "wish.not_received"))(_wishes)
    source("member_report", model=MemberReport, events=(
        "member.reported", "member.confirmed", "member.still_there", "member.refused", "member.home_area_set"))(
        _member_reports)
    source("activity", model=Activity, events=("activity.published",))(_activities)
    source("attendance", model=Attendance, events=(
        "attendance.checked_in", "attendance.checked_out", "attendance.attested", "attendance.corrected"))(
        _attendance)
    source("checklist", model=ChecklistItem, events=(
        "checklist.proposed", "checklist.imported", "checklist.agreed", "checklist.agreement_complete",
        "checklist.matched", "checklist.changed", "checklist.progress", "checklist.done", "checklist.evaluated",
        "checklist.cancelled", "checklist.published", "checklist.claimed"))(_checklist)
    source("station_request", model=ServiceRequest, events=("station_request.confirmed",))(_station_requests)
    # a booking marked attended may be corrected to missed (and back)
    source("station_booking", model=Booking, events=("booking.attended", "booking.missed", "booking.cancelled"))(
        _station_bookings)
