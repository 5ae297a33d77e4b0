"""Finding things in the points domain: my history, the boards, the rules, commendations."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import func, or_, select

from app.accounts.models import User
from app.accounts.scope import role_areas, roles_key
from app.areas.models import Area
from app.extensions import db
from app.organisations.models import Organisation
from app.points.models import Commendation, PointEntry, PointRule
from app.points.services import Period
from app.web.pagination import Page, count_and_first, keyset_page

HISTORY_PAGE = 20
BOARD_PAGE = 50

#: the places a board is for, and the column of the ledger that holds each
SCOPES = ("community", "street", "branch")
HOLDERS = ("members", "branches")


def history(user, cursor: str | None, size: int = HISTORY_PAGE) -> Page:
    """My entries, newest first (served by ``ix_point_entry_user_occurred``)."""
    stmt = select(PointEntry).where(PointEntry.user_id == user.id)
    return keyset_page(db.session, stmt, keys=[(PointEntry.occurred_at, "desc"), (PointEntry.id, "desc")],
                       cursor=cursor, size=size)


def rules() -> list[PointRule]:
    return list(db.session.scalars(select(PointRule).order_by(PointRule.id)))


@dataclass(frozen=True)
class BoardRow:
    rank: int
    holder_id: int
    name: str
    points: int
    reached_at: datetime


def _scope_column(scope: str):
    return {"community": PointEntry.community_id, "street": PointEntry.street_id,
            "branch": PointEntry.organisation_id}[scope]


def board_statement(scope: str, place_id: int, holders: str, period: Period):
    """The board of one place and period as one statement: each holder's total, the moment they first reached it
    (their running sum, in the order of the ledger, equals the total), and their rank — points desc, then who
    reached the total first, then the smaller id. The range is one index range (``ix_point_entry_<scope>_board``).
    """
    start, end = period.utc_range()
    holder = PointEntry.user_id if holders == "members" else PointEntry.organisation_id
    base = (select(holder.label("holder_id"), PointEntry.occurred_at.label("occurred_at"),
                   func.sum(PointEntry.points).over(partition_by=holder,
                                                    order_by=(PointEntry.occurred_at, PointEntry.id)).label("run"),
                   func.sum(PointEntry.points).over(partition_by=holder).label("total"))
            .where(_scope_column(scope) == place_id, PointEntry.occurred_at >= start, PointEntry.occurred_at < end,
                   holder.is_not(None))
            .subquery("entries"))
    totals = (select(base.c.holder_id, base.c.total.label("points"),
                     func.min(base.c.occurred_at).label("reached_at"))
              .where(base.c.run == base.c.total).group_by(base.c.holder_id, base.c.total).subquery("totals"))
    ranked = select(totals.c.holder_id, totals.c.points, totals.c.reached_at,
                    func.row_number().over(order_by=(totals.c.points.desc(), totals.c.reached_at,
                                                     totals.c.holder_id)).label("rank")).subquery("ranked")
    named = User.display_name if holders == "members" else Organisation.name
    target = User if holders == "members" else Organisation
    return (select(ranked.c.rank, ranked.c.holder_id, named.label("name"), ranked.c.points, ranked.c.reached_at)
            .join(target, target.id == ranked.c.holder_id))


def board(scope: str, place_id: int, holders: str, period: Period, *, after: int | None = None,
          size: int = BOARD_PAGE) -> tuple[list[BoardRow], int | None]:
    """One page of the board (rows after rank ``after``) and the rank to continue after, or None at the end."""
    stmt = board_statement(scope, place_id, holders, period).subquery("board")
    query = select(stmt).order_by(stmt.c.rank).limit(size + 1)
    if after:
        query = query.where(stmt.c.rank > after)
    rows = [BoardRow(rank=int(r.rank), holder_id=r.holder_id, name=r.name, points=int(r.points),
                     reached_at=r.reached_at) for r in db.session.execute(query)]
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].rank if more and rows else None)


def full_board(scope: str, place_id: int, period: Period, limit: int) -> list[BoardRow]:
    """The first ``limit`` members of a board (to publish a commendation from)."""
    rows, _next = board(scope, place_id, "members", period, size=limit)
    return rows


def board_place(scope: str, place_id: int | None):
    """The community / street (an ``Area`` of that level) or the branch (an ``Organisation``), or None."""
    if place_id is None:
        return None
    if scope == "branch":
        return db.session.get(Organisation, place_id)
    area = db.session.get(Area, place_id)
    return area if area is not None and area.level == scope else None


def default_community(user) -> Area | None:
    """The community a person's board opens on: their home's, else the first they work in — found once per request
    (the board and its links to places both ask; the session holds loaded areas only while someone refers to them)."""
    cache = g.setdefault("_points_default_community", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = _default_community(user)
    return cache[user.id]


def _default_community(user) -> Area | None:
    home = db.session.get(Area, user.home_area_id) if getattr(user, "home_area_id", None) else None
    for area in [home, *role_areas(user, ("community_staff", "grid_leader", "microgrid_leader", "street_admin"))]:
        if area is None:
            continue
        found = area.ancestor_at("community") if area.level != "street" else None
        if found is not None:
            return found
    return None


def streets_and_communities(user) -> list[Area]:
    """The places a person's board links to: their community and its street, and the places they work in."""
    out: list[Area] = []
    community = default_community(user)
    areas = [community, *role_areas(user, ("community_staff", "street_admin"))]
    for area in areas:
        if area is None:
            continue
        for level in ("street", "community"):
            found = area.ancestor_at(level)
            if found is not None and found not in out:
                out.append(found)
    return out[:20]


def commendation_for(area_id: int, period: Period) -> Commendation | None:
    return db.session.scalar(select(Commendation).where(
        Commendation.area_id == area_id, Commendation.period == period.kind,
        Commendation.period_start == period.start))


OPEN_SHOWN = 5


def open_commendations(user, limit: int = OPEN_SHOWN) -> tuple[int, list]:
    """Drafts of closed periods in the places where the person publishes commendations (staff's card): how many,
    and the newest as rows of (Commendation, area_name, area_level) — one statement."""
    areas = role_areas(user, ("community_staff", "street_admin"))
    if not areas:
        return 0, []
    def build():
        community_ids = select(Area.id).where(or_(*[Area.in_subtree(a.path) for a in areas]),
                                              Area.level.in_(("community", "street")))
        return (select(Commendation, Area.name.label("area_name"), Area.level.label("area_level"))
                .join(Area, Area.id == Commendation.area_id)
                .where(Commendation.state == "open", Commendation.area_id.in_(community_ids)))

    return count_and_first(db.session, build, order_by=(Commendation.created_at.desc(), Commendation.id.desc()),
                           limit=limit, shape=("points.open_commendations", roles_key(user)))


def closing_areas(limit: int = 5000) -> list[Area]:
    """Every community and street (the job closes their periods)."""
    return list(db.session.scalars(select(Area).where(Area.level.in_(("community", "street")))
                                   .order_by(Area.id).limit(limit)))
