"""Every list and lookup of the stations domain: the stations near home, a station's services and coming slots,
the queue, the day sheet, a person's bookings and requests, who belongs to a micro-grid's team, the home cards."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import g, has_request_context
from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.accounts.scope import LEADER_ROLES, STAFF_ROLES, area_scope, role_areas, roles_key
from app.areas.models import Area, StaffingPost
from app.extensions import db
from app.members.models import MemberReport
from app.stations.models import KINDS, Booking, ServiceRequest, ServiceSlot, Station, StationService
from app.web.pagination import Page, keyset_page, shaped

STATION_KEYS = [(Station.name, "asc"), (Station.id, "asc")]
SLOT_KEYS = [(ServiceSlot.starts_at, "asc"), (ServiceSlot.id, "asc")]
QUEUE_KEYS = [(ServiceRequest.due_at, "asc"), (ServiceRequest.id, "asc")]
MINE_KEYS = [(ServiceRequest.created_at, "desc"), (ServiceRequest.id, "desc")]
BOOKING_KEYS = [(Booking.created_at, "desc"), (Booking.id, "desc")]
#: coming slots shown per service on the station page (the service's page lists them all)
SLOTS_SHOWN = 8


def _cache() -> dict:
    return g.setdefault("_stations_cache", {}) if has_request_context() else {}


def station_options():
    return (selectinload(Station.community), selectinload(Station.microgrids), selectinload(Station.services))


def home_community(user) -> Area | None:
    home = getattr(user, "home_area", None)
    return home.ancestor_at("community") if home is not None else None


def stations_page(*, community_id: int | None, other_than: int | None, cursor: str | None, size: int) -> Page:
    """Stations of one community, or of every community but one (``other_than``), by name."""
    stmt = select(Station)
    if community_id is not None:
        stmt = stmt.where(Station.community_id == community_id)
    elif other_than is not None:
        stmt = stmt.where(Station.community_id != other_than)
    return keyset_page(db.session, stmt.options(*station_options()), keys=STATION_KEYS, cursor=cursor, size=size)


def services_of(station: Station) -> list[StationService]:
    """The station's services on offer: appointments first, then help at the door, then errands."""
    rows = db.session.scalars(select(StationService).where(StationService.station_id == station.id,
                                                           StationService.active.is_(True))
                              .order_by(StationService.id))
    return sorted(rows, key=lambda s: KINDS.index(s.kind))


def coming_slots(service_ids: list[int], now: datetime) -> dict[int, tuple[list[ServiceSlot], int]]:
    """Per appointment service: its first coming slots and how many coming slots it has in all (one query: the
    count is a window over each service's coming slots)."""
    if not service_ids:
        return {}
    ranked = (select(ServiceSlot.id, func.row_number().over(partition_by=ServiceSlot.service_id,
                                                            order_by=(ServiceSlot.starts_at, ServiceSlot.id))
                     .label("n"), func.count().over(partition_by=ServiceSlot.service_id).label("total"))
              .where(ServiceSlot.service_id.in_(service_ids), ServiceSlot.starts_at > now).subquery())
    rows = db.session.execute(select(ServiceSlot, ranked.c.total).join(ranked, ranked.c.id == ServiceSlot.id)
                              .where(ranked.c.n <= SLOTS_SHOWN).order_by(ServiceSlot.starts_at, ServiceSlot.id))
    counts: dict[int, int] = {}
    firsts: dict[int, list[ServiceSlot]] = {sid: [] for sid in service_ids}
    for slot, total in rows:
        firsts[slot.service_id].append(slot)
        counts[slot.service_id] = total
    return {sid: (firsts[sid], counts.get(sid, 0)) for sid in service_ids}


def slots_page(service_id: int, now: datetime, *, cursor: str | None, size: int) -> Page:
    stmt = select(ServiceSlot).where(ServiceSlot.service_id == service_id, ServiceSlot.starts_at > now)
    return keyset_page(db.session, stmt, keys=SLOT_KEYS, cursor=cursor, size=size)


def my_bookings_in(slot_ids: list[int], user_id: int) -> dict[int, Booking]:
    if not slot_ids:
        return {}
    rows = db.session.scalars(select(Booking).where(Booking.slot_id.in_(slot_ids), Booking.person_id == user_id,
                                                    Booking.status != "cancelled"))
    return {b.slot_id: b for b in rows}


def live_booking(slot_id: int, person_id: int) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.slot_id == slot_id, Booking.person_id == person_id,
                                                   Booking.status != "cancelled"))


def request_options():
    return (selectinload(ServiceRequest.service), selectinload(ServiceRequest.station).selectinload(Station.community),
            selectinload(ServiceRequest.person), selectinload(ServiceRequest.taker),
            selectinload(ServiceRequest.author), selectinload(ServiceRequest.area))


def queue_options():
    """What a row of a station's queue shows: the service, the resident, the helper, the micro-grid (the station is
    the page's own; who recorded the request is not shown there)."""
    return (selectinload(ServiceRequest.service), selectinload(ServiceRequest.person),
            selectinload(ServiceRequest.taker), selectinload(ServiceRequest.area))


def booking_options():
    return (selectinload(Booking.slot), selectinload(Booking.service), selectinload(Booking.person),
            selectinload(Booking.author), selectinload(Booking.station).selectinload(Station.community))


def queue_page(station: Station, state: str, user, *, everything: bool, cursor: str | None, size: int) -> Page:
    """The station's requests in ``state``: all of them for its staff (``everything``), for anyone else only those
    they may take — a micro-grid's leader or team sees the requests of their micro-grid, never a neighbour's."""
    stmt = select(ServiceRequest).where(ServiceRequest.station_id == station.id, ServiceRequest.state == state)
    if not everything:
        stmt = stmt.where(helper_clause(user))
    return keyset_page(db.session, stmt.options(*queue_options()), keys=QUEUE_KEYS, cursor=cursor, size=size)


def queue_counts(station_id: int, user=None) -> dict[str, int]:
    """Requests of the station still in hand, per state (only those ``user`` may take, when given)."""
    stmt = (select(ServiceRequest.state, func.count(ServiceRequest.id))
            .where(ServiceRequest.station_id == station_id, ServiceRequest.state.in_(("open", "taken", "done"))))
    if user is not None:
        stmt = stmt.where(helper_clause(user))
    return dict(db.session.execute(stmt.group_by(ServiceRequest.state)).tuples().all())


def my_requests_page(user_id: int, *, cursor: str | None, size: int) -> Page:
    stmt = select(ServiceRequest).where(or_(ServiceRequest.person_id == user_id,
                                            and_(ServiceRequest.author_id == user_id,
                                                 ServiceRequest.on_behalf.is_(True))))
    return keyset_page(db.session, stmt.options(*request_options()), keys=MINE_KEYS, cursor=cursor, size=size)


def my_bookings_page(user_id: int, *, cursor: str | None, size: int) -> Page:
    stmt = select(Booking).where(or_(Booking.person_id == user_id,
                                     and_(Booking.author_id == user_id, Booking.on_behalf.is_(True))))
    return keyset_page(db.session, stmt.options(*booking_options()), keys=BOOKING_KEYS, cursor=cursor, size=size)


def day_sheet(station: Station, start: datetime, end: datetime) -> list[Booking]:
    """Every booking of the station starting in [start, end) that is not cancelled: who comes when."""
    return list(db.session.scalars(
        select(Booking).where(Booking.station_id == station.id, Booking.starts_at >= start, Booking.starts_at < end,
                              Booking.status != "cancelled")
        .order_by(Booking.starts_at, Booking.id).options(*booking_options())))


def timeline(request: ServiceRequest, *, internal: bool):
    from app.timeline.services import entries_for

    return entries_for(request, include_internal=internal)


# ---------------------------------------------------------------- who belongs to a team


def is_team_member(user_id: int, area_id: int) -> bool:
    """Holds a "1+1+3" post of the micro-grid ``area_id``."""
    key = ("team", user_id, area_id)
    cache = _cache()
    if key not in cache:
        cache[key] = db.session.scalar(select(StaffingPost.id).where(
            StaffingPost.user_id == user_id, StaffingPost.area_id == area_id).limit(1)) is not None
    return cache[key]


def is_team_member_in(user_id: int, community: Area) -> bool:
    key = ("team_in", user_id, community.id)
    cache = _cache()
    if key not in cache:
        cache[key] = db.session.scalar(
            select(StaffingPost.id).join(Area, Area.id == StaffingPost.area_id)
            .where(StaffingPost.user_id == user_id, Area.in_subtree(community.path)).limit(1)) is not None
    return cache[key]


def is_reported_member(user_id: int, community_id: int) -> bool:
    """A party member whose report (报到) to the community is confirmed."""
    key = ("reported", user_id, community_id)
    cache = _cache()
    if key not in cache:
        cache[key] = db.session.scalar(
            select(MemberReport.id).where(MemberReport.user_id == user_id, MemberReport.community_id == community_id,
                                          MemberReport.state == "confirmed").limit(1)) is not None
    return cache[key]


def helper_clause(user):
    """SQL: requests ``user`` may take (the same rule as ``policy.is_request_helper``)."""
    parts = [area_scope(user, ServiceRequest.community_id, STAFF_ROLES)]
    leader_areas = role_areas(user, LEADER_ROLES)
    for area in leader_areas:
        parts.append(ServiceRequest.area_id.in_(select(Area.id).where(Area.in_subtree(area.path))))
    # the account as the parameter "me" (its value written in: a statement built once per shape passes its own)
    me = bindparam("me", user.id)
    parts.append(ServiceRequest.area_id.in_(select(StaffingPost.area_id).where(StaffingPost.user_id == me)))
    parts.append(ServiceRequest.community_id.in_(select(MemberReport.community_id).where(
        MemberReport.user_id == me, MemberReport.state == "confirmed")))
    return or_(*parts)


def resident_for(author, query: str) -> User | None:
    """An active account by username or mobile whose home lies where ``author`` is staff or a leader."""
    return db.session.scalar(
        select(User).where((User.username == query) | (User.mobile == query), User.active.is_(True),
                           area_scope(author, User.home_area_id, STAFF_ROLES + LEADER_ROLES)).limit(1))


def staff_communities(user) -> list[Area]:
    """The communities where ``user`` may set up stations (as staff of them or above)."""
    return list(db.session.scalars(select(Area).where(Area.level == "community",
                                                      area_scope(user, Area.id, STAFF_ROLES))
                                   .order_by(Area.name, Area.id)))


def microgrids_of(community: Area) -> list[Area]:
    return list(db.session.scalars(select(Area).where(Area.level == "microgrid", Area.in_subtree(community.path))
                                   .order_by(Area.path)))


# ---------------------------------------------------------------- home cards


def home_counts(user, now: datetime) -> dict[str, int]:
    """How many requests and bookings each station card of the home page finds, for all four cards in ONE statement
    (most people have none of them: a card with nothing to show then costs no query of its own); once per request.
    """
    key = ("home_counts", user.id)
    cache = _cache()
    if key not in cache:
        def build():
            def count(stmt):
                return stmt.scalar_subquery()

            me = bindparam("me")
            return select(
                count(select(func.count(ServiceRequest.id)).where(ServiceRequest.state == "open",
                                                                  helper_clause(user))).label("takeable"),
                count(select(func.count(ServiceRequest.id)).where(ServiceRequest.taker_id == me,
                                                                  ServiceRequest.state == "taken")).label("taken"),
                count(select(func.count(ServiceRequest.id)).where(ServiceRequest.person_id == me,
                                                                  ServiceRequest.state == "done")).label("to_confirm"),
                count(select(func.count(Booking.id)).where(Booking.person_id == me, Booking.status == "booked",
                                                           Booking.starts_at > bindparam("now"))).label("bookings"))

        # the helper's reach is the viewer's roles: one statement per set of roles, run with the account and the time
        cache[key] = db.session.execute(shaped(("stations.home_counts", roles_key(user)), build),
                                        {"me": user.id, "now": now}).one()._asdict()
    return cache[key]


def _first_requests(count: int, cond, order, limit: int) -> tuple[int, list[tuple[ServiceRequest, str]]]:
    """The first ``limit`` requests in ``order`` with their service's name (for a home card; none when ``count`` is
    0, without a query)."""
    if not count:
        return 0, []
    rows = db.session.execute(select(ServiceRequest, StationService.name)
                              .join(StationService, StationService.id == ServiceRequest.service_id)
                              .where(*cond).order_by(order, ServiceRequest.id).limit(limit)).tuples().all()
    return count, rows


def takeable(user, now: datetime, limit: int = 5) -> tuple[int, list[tuple[ServiceRequest, str]]]:
    return _first_requests(home_counts(user, now)["takeable"],
                           (ServiceRequest.state == "open", helper_clause(user)), ServiceRequest.due_at, limit)


def taken_by(user, now: datetime, limit: int = 5) -> tuple[int, list[tuple[ServiceRequest, str]]]:
    return _first_requests(home_counts(user, now)["taken"],
                           (ServiceRequest.taker_id == user.id, ServiceRequest.state == "taken"),
                           ServiceRequest.due_at, limit)


def to_confirm(user, now: datetime, limit: int = 5) -> tuple[int, list[tuple[ServiceRequest, str]]]:
    return _first_requests(home_counts(user, now)["to_confirm"],
                           (ServiceRequest.person_id == user.id, ServiceRequest.state == "done"),
                           ServiceRequest.done_at, limit)


def coming_bookings(user, now: datetime, limit: int = 5) -> tuple[int, list]:
    """(count, rows of booking id, start, service name, station name) of the user's coming bookings."""
    count = home_counts(user, now)["bookings"]
    if not count:
        return 0, []
    rows = db.session.execute(
        select(Booking.id, Booking.starts_at, StationService.name.label("service_name"),
               Station.name.label("station_name"))
        .join(StationService, StationService.id == Booking.service_id).join(Station, Station.id == Booking.station_id)
        .where(Booking.person_id == user.id, Booking.status == "booked", Booking.starts_at > now)
        .order_by(Booking.starts_at, Booking.id).limit(limit)).all()
    return count, rows


def queue_holders(request: ServiceRequest, limit: int) -> list[int]:
    """Who hears of a new request: the community's staff, the micro-grid's leaders and team, reported members."""
    from app.accounts.models import RoleAssignment

    area = db.session.get(Area, request.area_id)
    community = db.session.get(Area, request.community_id)
    lineage = [a.id for a in area.lineage()] if area is not None else []
    staff = select(RoleAssignment.user_id).where(
        or_(and_(RoleAssignment.role.in_(STAFF_ROLES), RoleAssignment.area_id.in_(
            [a.id for a in community.lineage()] if community is not None else [])),
            and_(RoleAssignment.role.in_(LEADER_ROLES), RoleAssignment.area_id.in_(lineage))))
    team = select(StaffingPost.user_id).where(StaffingPost.area_id == request.area_id,
                                              StaffingPost.user_id.is_not(None))
    members = select(MemberReport.user_id).where(MemberReport.community_id == request.community_id,
                                                 MemberReport.state == "confirmed")
    ids = db.session.scalars(select(User.id).where(User.active.is_(True), or_(
        User.id.in_(staff), User.id.in_(team), User.id.in_(members))).order_by(User.id).limit(limit))
    return list(ids)


def bookings_to_remind(now: datetime, limit: int) -> list[Booking]:
    return list(db.session.scalars(select(Booking).where(
        Booking.status == "booked", Booking.reminded_at.is_(None), Booking.starts_at > now,
        Booking.starts_at <= now + timedelta(days=1)).order_by(Booking.starts_at, Booking.id).limit(limit)))


def overdue_requests(now: datetime, limit: int) -> list[ServiceRequest]:
    return list(db.session.scalars(select(ServiceRequest).where(
        ServiceRequest.state.in_(("open", "taken")), ServiceRequest.overdue_at.is_(None),
        ServiceRequest.due_at < now).order_by(ServiceRequest.due_at, ServiceRequest.id).limit(limit)))


def has_station(community_id: int) -> bool:
    return db.session.scalar(select(exists().where(Station.community_id == community_id)))
