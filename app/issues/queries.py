"""Finding issues and what their pages need: my reports, my queue, area lists (filters), the public list, an
issue's photos and timeline, the places of a quick report, the resident a report is recorded for, the category list.

Each list is one keyset-paginated statement of the columns a row shows, with the names of its place, assignee and
resident joined in (``IssueRow``), so the number of SQL statements per page does not grow with the page size.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, false, or_, select, union
from sqlalchemy.orm import aliased

from app.accounts.models import User, mask_name
from app.accounts.scope import area_scope, assignments, is_city_admin, scope_key
from app.areas.models import Area, level_label
from app.extensions import db
from app.issues import policy as p
from app.issues.models import (
    ACTIVE_STATES,
    CHANNELS,
    HANDLER_ROLES,
    LEVELS,
    OPEN_STATES,
    RECORDED_CHANNELS,
    STATES,
    Issue,
    IssueCategory,
    action_label,
    channel_label,
    shown_text,
    state_label,
)
from app.moderation.models import publicly_listed
from app.timeline.models import TimelineEntry
from app.timeline.services import entries_for
from app.timeutil import local_date_to_utc, utcnow
from app.uploads.models import Upload
from app.web.pagination import keyset_page
from app.web.params import parse_id

NEWEST = [(Issue.created_at, "desc"), (Issue.id, "desc")]
DUE_FIRST = [(Issue.due_at, "asc"), (Issue.id, "asc")]

#: which levels land in whose queue (community staff also take grid work: in most communities the 网格员 is a
#: member of the community staff)
QUEUE_LEVELS = {
    "microgrid_leader": ("microgrid",),
    "grid_leader": ("grid",),
    "community_staff": ("grid", "community"),
    "street_admin": ("street",),
}


def _subtree(area: Area):
    return select(Area.id).where(Area.in_subtree(area.path))


def queue_clause(user):
    """Active issues this user must act on: assigned to them (within the areas where they still hold a handling
    role — an assignment never outlives its role), or at a level they hold in their patch."""
    parts = [and_(Issue.assignee_id == user.id, area_scope(user, Issue.area_id, HANDLER_ROLES))]
    if is_city_admin(user):
        parts.append(Issue.level == "street")
    for a in assignments(user):
        levels = QUEUE_LEVELS.get(a.role)
        if levels and a.area is not None:
            parts.append(and_(Issue.level.in_(levels), Issue.handler_area_id.in_(_subtree(a.area))))
    # each branch is a query of its own, joined by UNION: every branch is then served by its own index (assignee, or
    # handler area + level + state, the patch's areas a range of the path index). As one OR in the outer query,
    # SQLite managed a multi-index OR, but PostgreSQL cannot use "handler area IN (a subquery)" as an index condition
    # inside an OR and walked every active issue of the city (a state filter outside the OR did that on both).
    active = Issue.state.in_(ACTIVE_STATES)
    return Issue.id.in_(union(*(select(Issue.id).where(active, part) for part in parts)))


def mine_clause(user, *also):
    """The issues this user is the resident of (``Issue.resident_is``, with ``also`` in each of its branches);
    代录 shows up in the resident's list."""
    return Issue.resident_is(user.id, *also)


def public_clause():
    public_categories = select(IssueCategory.id).where(IssueCategory.public.is_(True))
    return and_(Issue.state.in_(OPEN_STATES), Issue.category_id.in_(public_categories), publicly_listed(Issue))


def area_clause(user):
    return area_scope(user, Issue.area_id, HANDLER_ROLES)


#: dates in list filters are years 1900–2999 (as the Open311 date parameters); others are ignored with a message
MIN_YEAR, MAX_YEAR = 1900, 2999


@dataclass
class Filters:
    state: str | None = None
    level: str | None = None
    category: str | None = None
    channel: str | None = None
    overdue: bool = False
    date_from: date | None = None
    date_to: date | None = None
    #: narrows the list to this area's subtree (within the viewer's own scope, which the list keeps anyway)
    area: Area | None = None
    #: names of values that could not be used and are ignored: date_from, date_to, area (not a number),
    #: area_reach (no such area where the viewer handles issues)
    errors: list = field(default_factory=list)

    @classmethod
    def from_args(cls, args, user=None) -> "Filters":
        f = cls()
        f.state = args.get("state") if args.get("state") in STATES else None
        f.level = args.get("level") if args.get("level") in LEVELS else None
        f.channel = args.get("channel") if args.get("channel") in CHANNELS else None
        f.category = (args.get("category") or "")[:40] or None
        f.overdue = args.get("overdue") in ("1", "on", "true")
        for name in ("date_from", "date_to"):
            raw = (args.get(name) or "").strip()
            if raw:
                try:
                    day = date.fromisoformat(raw)
                except ValueError:
                    day = None
                # a sane year only: the local day's start in UTC must exist (0001-01-01 in +08:00 does not)
                if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
                    f.errors.append(name)
                else:
                    setattr(f, name, day)
        raw_area = (args.get("area") or "").strip()
        if raw_area:
            area_id = parse_id(raw_area)
            area = db.session.get(Area, area_id) if area_id is not None else None
            if area_id is None:
                f.errors.append("area")
            elif area is None or not p.can_list_issues_in(user, area):
                # an unknown area and one out of reach read alike: the page does not tell which areas exist
                f.errors.append("area_reach")
            else:
                f.area = area
        return f

    def clauses(self, now=None) -> list:
        """The filters as SQL; every value is a named parameter (``params`` gives them, ``shape`` says which are
        used), so a list's statement can be built once per shape and run with new values."""
        v = self.params(now)
        out = []
        for name, column in (("f_state", Issue.state), ("f_level", Issue.level), ("f_channel", Issue.channel)):
            if name in v:
                out.append(column == bindparam(name, v[name]))
        if self.category:
            out.append(Issue.category_id.in_(select(IssueCategory.id)
                                              .where(IssueCategory.code == bindparam("f_category", v["f_category"]))))
        if self.overdue:
            out.append(and_(Issue.state.in_(ACTIVE_STATES), Issue.due_at < bindparam("f_now", v["f_now"])))
        if self.date_from:
            out.append(Issue.created_at >= bindparam("f_from", v["f_from"]))
        if self.date_to:
            out.append(Issue.created_at <= bindparam("f_to", v["f_to"]))
        if self.area is not None:
            out.append(Issue.area_id.in_(select(Area.id).where(
                Area.in_subtree(self.area.path, path_param="f_area_path"))))
        return out

    def params(self, now=None) -> dict:
        """The values of the parameters ``clauses`` uses, by their names in the statement."""
        v: dict = {}
        for name in ("state", "level", "channel", "category"):
            if getattr(self, name):
                v[f"f_{name}"] = getattr(self, name)
        if self.overdue:
            v["f_now"] = now or utcnow()
        if self.date_from:
            v["f_from"] = local_date_to_utc(self.date_from)
        if self.date_to:
            v["f_to"] = local_date_to_utc(self.date_to, end_of_day=True)
        if self.area is not None:
            v.update(Area.subtree_params(self.area.path, "f_area_path"))
        return v

    def shape(self) -> tuple:
        return (self.state is not None, self.level is not None, self.channel is not None, self.category is not None,
                self.overdue, self.date_from is not None, self.date_to is not None, self.area is not None)

    def args(self, without: tuple[str, ...] = ()) -> dict:
        """The filters in use, for the next page's links (``without``: leave these out, e.g. to clear one)."""
        out = {}
        for name in ("state", "level", "category", "channel"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.overdue:
            out["overdue"] = "1"
        if self.date_from:
            out["date_from"] = self.date_from.isoformat()
        if self.date_to:
            out["date_to"] = self.date_to.isoformat()
        if self.area is not None:
            out["area"] = str(self.area.id)
        return {k: v for k, v in out.items() if k not in without}

    @property
    def date_errors(self) -> bool:
        return "date_from" in self.errors or "date_to" in self.errors

    @property
    def active(self) -> bool:
        return bool(self.args())


@dataclass(frozen=True, slots=True)
class RowCategory:
    label: str
    urgent: bool


@dataclass(frozen=True, slots=True)
class IssueRow:
    """An issue as a row of the lists shows it, from one row of plain columns (no ORM object, no eager loads); the
    labels are translated once per page (``_rows``)."""
    id: int
    state: str
    level: str
    created_at: datetime
    due_at: datetime | None
    supporters_count: int
    title: str
    category: RowCategory
    area_name: str
    state_label: str
    level_label: str
    channel_label: str
    assignee_name: str | None
    overdue: bool
    reporter_name: str


@cache
def _row_statement():
    """The columns an issue's row shows, with its place, category, assignee and the accounts that may be its
    resident joined in (each at most one row per issue). Built once: the list's filters are added to it."""
    area, assignee, reporter, on_behalf = aliased(Area), aliased(User), aliased(User), aliased(User)
    return (select(Issue.id, Issue.state, Issue.close_reason, Issue.level, Issue.channel, Issue.created_at,
                   Issue.due_at, Issue.supporters_count, Issue.description, Issue.category_id, Issue.anonymous,
                   Issue.reporter_id, Issue.on_behalf_of_id, Issue.reporter_name,
                   IssueCategory.name.label("category_name"), IssueCategory.urgent.label("category_urgent"),
                   area.name.label("area_name"), assignee.display_name.label("assignee_name"),
                   reporter.display_name.label("reporter_display_name"),
                   on_behalf.display_name.label("on_behalf_display_name"))
            .join(IssueCategory, IssueCategory.id == Issue.category_id)
            .outerjoin(area, area.id == Issue.area_id)
            .outerjoin(assignee, assignee.id == Issue.assignee_id)
            .outerjoin(reporter, reporter.id == Issue.reporter_id)
            .outerjoin(on_behalf, on_behalf.id == Issue.on_behalf_of_id))


def _memo(fn):
    """``fn`` of one argument, computed once per distinct value (a page translates each label once)."""
    seen: dict = {}

    def get(key):
        value = seen.get(key)
        if value is None:
            value = seen[key] = fn(key)
        return value
    return get


def _public_reporter_name(r, anonymous: str) -> str:
    """``Issue.public_reporter_name`` from the row's columns (the resident: ``Issue.resident``)."""
    if r.anonymous:
        return anonymous
    if r.on_behalf_of_id is not None:
        return mask_name(r.on_behalf_display_name)
    without_account = r.channel in RECORDED_CHANNELS or r.reporter_name is not None
    if not without_account and r.reporter_id is not None:
        return mask_name(r.reporter_display_name)
    return mask_name(r.reporter_name) if r.reporter_name else anonymous


def _rows(rows) -> list[IssueRow]:
    now = utcnow()
    states = _memo(lambda key: action_label("auto_closed") if key == ("closed", "no_rating") else state_label(key[0]))
    levels, channels = _memo(level_label), _memo(channel_label)
    categories = _memo(lambda key: RowCategory(shown_text(key[0]), key[1]))
    anonymous = _("Anonymous")
    out = []
    for r in rows:
        text = " ".join((r.description or "").split())
        out.append(IssueRow(
            id=r.id, state=r.state, level=r.level, created_at=r.created_at, due_at=r.due_at,
            supporters_count=r.supporters_count, title=text if len(text) <= 40 else text[:39] + "…",
            category=categories((r.category_name, r.category_urgent)), area_name=r.area_name,
            state_label=states((r.state, r.close_reason)), level_label=levels(r.level),
            channel_label=channels(r.channel), assignee_name=r.assignee_name,
            overdue=r.due_at is not None and r.state in ACTIVE_STATES and r.due_at < now,
            reporter_name=_public_reporter_name(r, anonymous)))
    return out


def list_page(view: str, user, *, cursor: str | None, size: int, filters: Filters | None = None):
    """One page of a list view as ``IssueRow``s. ``view`` is mine / queue / area / public (the caller checked it is
    allowed).

    The statement is built once per process for each shape (``keyset_page(shape=…)``): the view, the filters in use
    (their values are parameters) and, for the views that depend on who asks, the viewer's scope — the account and
    each of its roles with its place's path, so a role gained, lost or moved is a new statement."""
    keys = DUE_FIRST if view == "queue" else NEWEST
    used = filters if filters is not None and view in ("area", "queue") else None
    now = utcnow()

    def build():
        stmt = _row_statement()
        if view == "mine":
            stmt = stmt.where(mine_clause(user))
        elif view == "queue":
            stmt = stmt.where(queue_clause(user))
        elif view == "area":
            stmt = stmt.where(area_clause(user))
        elif view == "public":
            stmt = stmt.where(public_clause())
        else:
            stmt = stmt.where(false())
        if used is not None:
            stmt = stmt.where(*used.clauses(now))
        return stmt

    viewer = None if view == "public" else scope_key(user)
    shape = ("issues.list", view, viewer, used.shape() if used is not None else None)
    page = keyset_page(db.session, build, keys=keys, cursor=cursor, size=size, rows=True,
                       params=used.params(now) if used is not None else None, shape=shape)
    page.items = _rows(page.items)
    return page


# -- one issue ------------------------------------------------------------------------------------------------
def photos_of(issue: Issue) -> list[Upload]:
    return list(db.session.scalars(select(Upload).where(Upload.subject_type == "issue", Upload.subject_id == issue.id)
                                   .order_by(Upload.id)))


#: the fields of a timeline entry shown when its actor is hidden
_ENTRY_FIELDS = ("at", "public", "action", "from_state", "to_state", "from_level", "to_level", "note")


def timeline(issue: Issue, user, *, include_internal: bool) -> list:
    """The issue's timeline as ``user`` may see it: a hidden reporter's own entries name nobody
    (``policy.can_see_reporter``)."""
    entries = entries_for(issue, include_internal=include_internal)
    if p.can_see_reporter(user, issue):
        return entries
    hidden = {issue.reporter_id, issue.on_behalf_of_id} - {None}
    anonymous = SimpleNamespace(masked_name=_("Anonymous"), display_name=_("Anonymous"))
    return [SimpleNamespace(**{k: getattr(e, k) for k in _ENTRY_FIELDS}, actor=anonymous, on_behalf_of=None)
            if e.actor_id in hidden else e for e in entries]


# -- reporting ------------------------------------------------------------------------------------------------
def resident_for_recording(recorder, mobile: str | None) -> User | None:
    """The active account with this mobile number living where ``recorder`` handles issues (代录), or None — for
    anyone unknown or living elsewhere alike, so that a form never tells whether a number has an account."""
    mobile = (mobile or "").strip()
    if not mobile:
        return None
    return db.session.scalar(select(User).where(
        User.mobile == mobile[:11], User.active.is_(True),
        area_scope(recorder, User.home_area_id, HANDLER_ROLES)).limit(1))


#: the quick report lists its micro-grids in one select up to this many; more (a street's) are chosen in the
#: street → community → grid → micro-grid cascade instead, so that no place is ever left out of a list
QUICK_CHOICE_MAX = 300


def quick_places(user, *, limit: int | None = None) -> list[Area]:
    """Micro-grids ``user`` may quick-report in (``policy.quick_report_roots``), grouped by grid in set-up order;
    at most ``limit`` + 1 (the caller tells "more than the list can show" by the extra one)."""
    roots = p.quick_report_roots(user)
    if not roots:
        return []
    stmt = (select(Area).where(Area.level == "microgrid", or_(*[Area.in_subtree(a.path) for a in roots]))
            .order_by(Area.parent_id, Area.id))
    if limit is not None:
        stmt = stmt.limit(limit + 1)
    return list(db.session.scalars(stmt))


def last_quick_place_id(user) -> int | None:
    """Where the sentinel last reported (the quick form starts there)."""
    return db.session.scalar(select(Issue.area_id).where(Issue.reporter_id == user.id, Issue.channel == "sentinel")
                             .order_by(Issue.created_at.desc()).limit(1))


# -- configuration --------------------------------------------------------------------------------------------
def all_categories() -> list[IssueCategory]:
    return list(db.session.scalars(select(IssueCategory).order_by(IssueCategory.sort_order, IssueCategory.id)))


def last_resolver_id(issue_id: int) -> int | None:
    """Who resolved the issue last, from its own timeline."""
    return db.session.scalar(select(TimelineEntry.actor_id).where(
        TimelineEntry.subject_type == Issue.__tablename__, TimelineEntry.subject_id == issue_id,
        TimelineEntry.action == "resolved").order_by(TimelineEntry.at.desc(), TimelineEntry.id.desc()).limit(1))
