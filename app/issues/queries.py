"""List queries for /issues/: my reports, my queue, area lists (filters), the public list.

Each list is one keyset-paginated statement with its related rows loaded in a fixed number of extra queries
(``LIST_OPTIONS``), so the number of SQL statements per page does not grow with the page size.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import selectinload

from app.accounts.scope import area_scope, assignments, is_city_admin
from app.areas.models import Area
from app.extensions import db
from app.issues.models import ACTIVE_STATES, CHANNELS, HANDLER_ROLES, LEVELS, OPEN_STATES, STATES, Issue, IssueCategory
from app.timeutil import local_date_to_utc, utcnow
from app.web.pagination import keyset_page

LIST_OPTIONS = (selectinload(Issue.area), selectinload(Issue.reporter), selectinload(Issue.on_behalf_of),
                selectinload(Issue.assignee))
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
    return select(Area.id).where(Area.path.startswith(area.path, autoescape=True))


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
    return and_(Issue.state.in_(ACTIVE_STATES), or_(*parts))


def mine_clause(user):
    """The issues this user is the resident of (``Issue.resident_is``); 代录 shows up in the resident's list."""
    return Issue.resident_is(user.id)


def public_clause():
    public_categories = select(IssueCategory.id).where(IssueCategory.public.is_(True))
    return and_(Issue.state.in_(OPEN_STATES), Issue.category_id.in_(public_categories))


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
    errors: list = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "Filters":
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
        return f

    def clauses(self, now=None) -> list:
        out = []
        if self.state:
            out.append(Issue.state == self.state)
        if self.level:
            out.append(Issue.level == self.level)
        if self.channel:
            out.append(Issue.channel == self.channel)
        if self.category:
            out.append(Issue.category_id.in_(select(IssueCategory.id).where(IssueCategory.code == self.category)))
        if self.overdue:
            out.append(and_(Issue.state.in_(ACTIVE_STATES), Issue.due_at < (now or utcnow())))
        if self.date_from:
            out.append(Issue.created_at >= local_date_to_utc(self.date_from))
        if self.date_to:
            out.append(Issue.created_at <= local_date_to_utc(self.date_to, end_of_day=True))
        return out

    def args(self) -> dict:
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
        return out

    @property
    def active(self) -> bool:
        return bool(self.args())


def list_page(view: str, user, *, cursor: str | None, size: int, filters: Filters | None = None):
    """One page of a list view. ``view`` is mine / queue / area / public (the caller checked it is allowed)."""
    stmt = select(Issue).options(*LIST_OPTIONS)
    keys = NEWEST
    if view == "mine":
        stmt = stmt.where(mine_clause(user))
    elif view == "queue":
        stmt = stmt.where(queue_clause(user))
        keys = DUE_FIRST
    elif view == "area":
        stmt = stmt.where(area_clause(user))
    elif view == "public":
        stmt = stmt.where(public_clause())
    else:
        stmt = stmt.where(false())
    if filters is not None and view in ("area", "queue"):
        stmt = stmt.where(*filters.clauses())
    return keyset_page(db.session, stmt, keys=keys, cursor=cursor, size=size)
