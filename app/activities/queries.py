"""Every list and lookup query of the activities domain: the phone list of the coming weeks, a person's sign-up
and attendance, the roster, the waiting list, the places and branches a person may publish for."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.accounts.scope import STAFF_ROLES, area_scope, org_ids, role_areas
from app.activities.models import Activity, Attendance, Signup
from app.areas.models import Area
from app.extensions import db
from app.organisations.models import Organisation, Pairing
from app.timeutil import local_today
from app.web.pagination import Page, count_and_first, keyset_page, shaped

#: the list's order (ix_activity_list / ix_activity_community_list / ix_activity_kind_list)
LIST_KEYS = [(Activity.starts_at, "asc"), (Activity.id, "asc")]
#: how far ahead the phone list looks
WEEKS_AHEAD = 8


def activity_options():
    return (selectinload(Activity.community), selectinload(Activity.area), selectinload(Activity.organiser))


def list_options():
    """What a card of the activities list shows besides the activity: its community's name."""
    return (selectinload(Activity.community),)


def upcoming_page(now: datetime, *, community_id: int | None, kind: str | None, cursor: str | None,
                  size: int) -> Page:
    """Activities not yet over and starting in the coming weeks, soonest first."""
    stmt = select(Activity).where(Activity.ends_at >= now, Activity.starts_at < now + timedelta(weeks=WEEKS_AHEAD))
    if community_id:
        stmt = stmt.where(Activity.community_id == community_id)
    if kind:
        stmt = stmt.where(Activity.kind == kind)
    return keyset_page(db.session, stmt.options(*list_options()), keys=LIST_KEYS, cursor=cursor, size=size)


def home_community_id(user) -> int | None:
    area = getattr(user, "home_area", None)
    if area is None:
        return None
    community = area.ancestor_at("community")
    return community.id if community is not None else None


def my_signup(activity_id: int, user_id: int) -> Signup | None:
    return db.session.scalar(select(Signup).where(Signup.activity_id == activity_id, Signup.user_id == user_id,
                                                  Signup.status != "cancelled"))


def my_signups(activity_ids: list[int], user_id: int) -> dict[int, Signup]:
    if not activity_ids:
        return {}
    rows = db.session.scalars(select(Signup).where(Signup.activity_id.in_(activity_ids), Signup.user_id == user_id,
                                                   Signup.status != "cancelled"))
    return {s.activity_id: s for s in rows}


def attendance_of(activity_id: int, user_id: int) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(Attendance.activity_id == activity_id,
                                                      Attendance.user_id == user_id))


def roster(activity: Activity) -> list[Signup]:
    """Confirmed sign-ups, then the waiting list, each in order (bounded by capacity and the list's use)."""
    return list(db.session.scalars(
        select(Signup).where(Signup.activity_id == activity.id, Signup.status.in_(("confirmed", "waiting")))
        .order_by(Signup.status, Signup.created_at, Signup.id).limit(activity.capacity + 200)
        .options(selectinload(Signup.user))))


def attendances(activity: Activity) -> list[Attendance]:
    return list(db.session.scalars(
        select(Attendance).where(Attendance.activity_id == activity.id).order_by(Attendance.check_in_at,
                                                                                 Attendance.id)
        .limit(activity.capacity + 500).options(selectinload(Attendance.user), selectinload(Attendance.corrected_by))))


def waiting_count(activity_id: int) -> int:
    return db.session.scalar(select(func.count(Signup.id)).where(Signup.activity_id == activity_id,
                                                                 Signup.status == "waiting")) or 0


def first_waiting(activity_id: int) -> Signup | None:
    return db.session.scalar(select(Signup).where(Signup.activity_id == activity_id, Signup.status == "waiting")
                             .order_by(Signup.created_at, Signup.id).limit(1))


def confirmed_count(activity_id: int) -> int:
    return db.session.scalar(select(func.count(Signup.id)).where(Signup.activity_id == activity_id,
                                                                 Signup.status == "confirmed")) or 0


def paired_branches(user, community_id: int) -> list[int]:
    """The user's agency branches paired with ``community_id`` this year."""
    mine = org_ids(user, "agency_admin")
    if not mine:
        return []
    return list(db.session.scalars(select(Pairing.organisation_id).where(
        Pairing.organisation_id.in_(mine), Pairing.community_id == community_id,
        Pairing.year == local_today().year)))


def publish_places(user) -> list[Area]:
    """The communities and micro-grids offered when publishing: where the person is staff (the communities of
    their area), the micro-grids they lead, the communities their branches are paired with."""
    places: dict[int, Area] = {}
    for area in role_areas(user, STAFF_ROLES + ("city_admin",)):
        if area.level == "community":
            places[area.id] = area
    staff_scope = area_scope(user, Area.id, STAFF_ROLES)
    for area in db.session.scalars(select(Area).where(Area.level == "community", staff_scope)
                                   .order_by(Area.name, Area.id).limit(200)):
        places[area.id] = area
    for area in role_areas(user, "microgrid_leader"):
        places[area.id] = area
    mine = org_ids(user, "agency_admin")
    if mine:
        for area in db.session.scalars(select(Area).join(Pairing, Pairing.community_id == Area.id).where(
                Pairing.organisation_id.in_(mine), Pairing.year == local_today().year).order_by(Area.name)):
            places[area.id] = area
    return list(places.values())


def organisation_choices(limit: int = 300) -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name, Organisation.id).limit(limit)))


def to_attest(user, now: datetime, limit: int = 5) -> tuple[int, list]:
    """Ended, unattested activities this user organised (the list waits for them): how many, and the first rows
    (id, title, ends_at) — one statement."""
    return count_and_first(db.session, lambda: select(Activity.id, Activity.title, Activity.ends_at).where(
        Activity.organiser_id == bindparam("me"), Activity.attested_at.is_(None), Activity.ends_at < bindparam("now")),
        order_by=(Activity.ends_at, Activity.id), limit=limit, shape=("activities.to_attest",),
        params={"me": user.id, "now": now})


def upcoming_for(user_id: int, now: datetime, limit: int = 5) -> list:
    """The user's coming activities they signed up for: rows of (id, title, starts_at, status)."""
    return list(db.session.execute(shaped(("activities.upcoming", limit), lambda: (
        select(Activity.id, Activity.title, Activity.starts_at, Signup.status)
        .join(Signup, Signup.activity_id == Activity.id)
        .where(Signup.user_id == bindparam("me"), Signup.status.in_(("confirmed", "waiting")),
               Activity.ends_at >= bindparam("now"))
        .order_by(Activity.starts_at, Activity.id).limit(limit))), {"me": user_id, "now": now}))


def user_by_login(login: str | None) -> User | None:
    login = (login or "").strip()
    if not login or len(login) > 64:
        return None
    return db.session.scalar(select(User).where((User.username == login) | (User.mobile == login)))
