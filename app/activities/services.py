"""Operations on activities: publish, sign up (capacity, waiting list), cancel (promotes the next in line),
check in/out with the rotating code, mark by hand, correct minutes, attest the list. Each validates first,
changes, flushes and emits its events; the route commits once. Sign-up and cancellation lock the activity's row
(PostgreSQL: SELECT … FOR UPDATE; SQLite: the write lock BEGIN IMMEDIATE takes), so capacity holds under a race."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app import events
from app.accounts.models import User
from app.activities import events as activity_events  # noqa: F401 — the payloads are declared there
from app.activities import queries, tokens
from app.activities.models import AUDIENCES, KINDS, Activity, Attendance, Signup
from app.activities.policy import can_publish_at, is_organiser, may_join
from app.areas.models import Area
from app.errors import DomainError
from app.extensions import db
from app.organisations.models import Organisation
from app.timeutil import local_zone, utcnow

TITLE_MAX = 60
PLACE_MAX = 120
DESCRIPTION_MAX = 1000
REASON_MAX = 300
CAPACITY_MAX = 500
#: the longest an activity may run, and how far ahead it may be published
LONGEST = timedelta(hours=24)
AHEAD = timedelta(days=366)
#: check-in opens this long before the start; check-out stays open this long after the end
EARLY = timedelta(minutes=30)
LATE_OUT = timedelta(hours=1)


class ActivityError(DomainError):
    pass


@dataclass
class ActivityInput:
    kind: str = ""
    title: str = ""
    description: str = ""
    place: str = ""
    starts_at: str = ""
    ends_at: str = ""
    capacity: str = ""
    audience: str = "everyone"
    audience_organisation_id: int | None = None
    walk_ins: bool = False


def _clean(text: str | None) -> str:
    return " ".join((text or "").split()) if text is not None else ""


def parse_local(raw: str | None) -> datetime | None:
    """A ``datetime-local`` value (Asia/Shanghai) as naive UTC, or None."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 20:
        return None
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if local.tzinfo is not None or not (2000 <= local.year <= 2100):
        return None

    return local.replace(tzinfo=local_zone()).astimezone(UTC).replace(tzinfo=None)


def _lock(activity: Activity) -> Activity:
    """Take the activity's row lock before reading its counts: a write that changes nothing (SQLite then begins
    the transaction IMMEDIATE, PostgreSQL locks the row), then the row as it is now."""
    db.session.execute(update(Activity).where(Activity.id == activity.id).values(taken=Activity.taken)
                       .execution_options(synchronize_session=False))
    locked = db.session.scalar(select(Activity).where(Activity.id == activity.id).with_for_update()
                               .execution_options(populate_existing=True))
    if locked is None:
        raise ActivityError(_l("This activity no longer exists."))
    return locked


# ---------------------------------------------------------------- publish


def publish(actor: User, area: Area | None, data: ActivityInput, now: datetime | None = None) -> Activity:
    now = now or utcnow()
    errors: dict = {}
    kind = data.kind if data.kind in KINDS else None
    if kind is None:
        errors["kind"] = _l("Please choose the kind of activity.")
    title = _clean(data.title)
    if not title:
        errors["title"] = _l("Please give the activity a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _l("The title may be at most %(max)d characters.", max=TITLE_MAX)
    place = _clean(data.place)
    if not place:
        errors["place"] = _l("Please say where to meet.")
    elif len(place) > PLACE_MAX:
        errors["place"] = _l("The place may be at most %(max)d characters.", max=PLACE_MAX)
    description = (data.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _l("The description may be at most %(max)d characters.", max=DESCRIPTION_MAX)
    starts, ends = parse_local(data.starts_at), parse_local(data.ends_at)
    if starts is None:
        errors["starts_at"] = _l("Please give the start as a date and time.")
    elif starts < now:
        errors["starts_at"] = _l("The start has already passed.")
    elif starts > now + AHEAD:
        errors["starts_at"] = _l("An activity may be published at most a year ahead.")
    if ends is None:
        errors["ends_at"] = _l("Please give the end as a date and time.")
    elif starts is not None and ends <= starts:
        errors["ends_at"] = _l("The end must be after the start.")
    elif starts is not None and ends - starts > LONGEST:
        errors["ends_at"] = _l("An activity may last at most 24 hours.")
    raw_capacity = (data.capacity or "").strip()
    capacity = int(raw_capacity) if raw_capacity.isdigit() and len(raw_capacity) <= 6 else None
    if capacity is None or not 1 <= capacity <= CAPACITY_MAX:
        errors["capacity"] = _l("The capacity must be a whole number from 1 to %(max)d.", max=CAPACITY_MAX)
    audience = data.audience if data.audience in AUDIENCES else None
    if audience is None:
        errors["audience"] = _l("Please choose who may join.")
    org_id = None
    if audience == "organisation":
        org = db.session.get(Organisation, data.audience_organisation_id) if data.audience_organisation_id else None
        if org is None:
            errors["audience_organisation_id"] = _l("Please choose the organisation that may join.")
        else:
            org_id = org.id
    community = area.ancestor_at("community") if area is not None and area.level in ("community", "grid",
                                                                                     "microgrid") else None
    paired: list[int] = []
    if community is None:
        errors["area_id"] = _l("Please choose the community or micro-grid where it takes place.")
    else:
        paired = queries.paired_branches(actor, community.id) if area.level == "community" else []
        if not can_publish_at(actor, area, paired):
            errors["area_id"] = _l("You cannot publish activities for this place.")
    if errors:
        raise ActivityError.several(errors)
    from app.accounts.scope import STAFF_ROLES, holds_area_role

    organising_branch = None
    if paired and not holds_area_role(actor, STAFF_ROLES, area):
        organising_branch = paired[0]
    activity = Activity(kind=kind, title=title, description=description, area_id=area.id,
                        community_id=community.id, place=place, starts_at=starts, ends_at=ends, capacity=capacity,
                        audience=audience, audience_organisation_id=org_id, walk_ins=bool(data.walk_ins),
                        organiser_id=actor.id, organisation_id=organising_branch, created_at=now)
    db.session.add(activity)
    db.session.flush()
    events.emit("activity.published", actor=actor, subject=activity, area_id=activity.community_id,
                kind=activity.kind, organisation_id=activity.organisation_id)
    return activity


# ---------------------------------------------------------------- sign-up and waiting list


def sign_up(activity: Activity, user: User, now: datetime | None = None) -> Signup:
    """A place if one is left, else the waiting list. Signing up twice finds the first sign-up."""
    now = now or utcnow()
    if not may_join(user, activity):
        raise ActivityError(_l("This activity is open to %(who)s only.", who=activity.audience_label))
    activity = _lock(activity)
    if activity.ends_at <= now:
        raise ActivityError(_l("This activity is over."))
    existing = queries.my_signup(activity.id, user.id)
    if existing is not None:
        return existing
    status = "confirmed" if activity.taken < activity.capacity else "waiting"
    signup = Signup(activity_id=activity.id, user_id=user.id, status=status, created_at=now)
    db.session.add(signup)
    if status == "confirmed":
        activity.taken += 1
    try:
        db.session.flush()
    except IntegrityError:  # the same person twice at once: the route rolls back and shows the first
        raise ActivityError(_l("You have already signed up.")) from None
    events.emit("activity.signed_up", actor=user, subject=signup, area_id=activity.community_id,
                activity_id=activity.id, user_id=user.id, status=status)
    return signup


def cancel(activity: Activity, user: User, now: datetime | None = None) -> Signup | None:
    """Give up one's place (or leave the waiting list) before the start; the first in line takes the place.
    Returns the promoted sign-up, if any."""
    now = now or utcnow()
    activity = _lock(activity)
    if activity.starts_at <= now:
        raise ActivityError(_l("The activity has already started; a sign-up can no longer be cancelled."))
    signup = queries.my_signup(activity.id, user.id)
    if signup is None:
        raise ActivityError(_l("You are not signed up for this activity."))
    was = signup.status
    signup.status, signup.cancelled_at = "cancelled", now
    db.session.flush()
    events.emit("activity.cancelled", actor=user, subject=signup, area_id=activity.community_id,
                activity_id=activity.id, user_id=user.id, status="cancelled")
    if was != "confirmed":
        return None
    activity.taken -= 1
    return _promote(activity, user, now)


def _promote(activity: Activity, actor: User, now: datetime) -> Signup | None:
    nxt = queries.first_waiting(activity.id)
    if nxt is None or activity.taken >= activity.capacity:
        db.session.flush()
        return None
    nxt.status, nxt.promoted_at = "confirmed", now
    activity.taken += 1
    db.session.flush()
    events.emit("activity.promoted", actor=actor, subject=nxt, area_id=activity.community_id,
                activity_id=activity.id, user_id=nxt.user_id, status="confirmed")
    return nxt


# ---------------------------------------------------------------- check-in and check-out


def check_token(activity: Activity, raw: str | None, now: datetime | None = None) -> tokens.Token:
    """The scanned code, if it is this activity's and fresh; else a clear refusal."""
    token = tokens.read(raw)
    if token is None:
        raise ActivityError(_l("This check-in code is not valid. Please scan the code at the venue again."))
    if token.activity_id != activity.id:
        raise ActivityError(_l("This code belongs to another activity."))
    if not tokens.is_fresh(token, now):
        raise ActivityError(_l("This code has expired (it changes every 30 seconds). Please scan it again."))
    return token


def _window_minutes(activity: Activity, check_in: datetime, check_out: datetime) -> int:
    start, end = max(check_in, activity.starts_at), min(check_out, activity.ends_at)
    return max(int((end - start).total_seconds() // 60), 0)


def check(activity: Activity, user: User, mode: str, now: datetime | None = None) -> tuple[Attendance, bool]:
    """Record a scanned check-in or check-out. Returns (attendance, changed); a second scan changes nothing."""
    now = now or utcnow()
    if activity.attested_at is not None:
        raise ActivityError(_l("The organiser has already attested the list of this activity."))
    attendance = queries.attendance_of(activity.id, user.id)
    if mode == "in":
        if attendance is not None:
            return attendance, False
        if not (activity.starts_at - EARLY <= now <= activity.ends_at):
            raise ActivityError(_l("Check-in is open from 30 minutes before the start until the end."))
        signup = queries.my_signup(activity.id, user.id)
        walk_in = signup is None or signup.status != "confirmed"
        if walk_in and not (activity.walk_ins and may_join(user, activity)):
            raise ActivityError(_l("You are not signed up for this activity, and it takes no walk-ins."))
        attendance = Attendance(activity_id=activity.id, user_id=user.id, walk_in=walk_in, check_in_at=now)
        db.session.add(attendance)
        try:
            db.session.flush()
        except IntegrityError:
            raise ActivityError(_l("You have already checked in.")) from None
        events.emit("attendance.checked_in", actor=user, subject=attendance, area_id=activity.community_id,
                    activity_id=activity.id, user_id=user.id, by_hand=False)
        return attendance, True
    if attendance is None:
        raise ActivityError(_l("Please check in first."))
    if attendance.check_out_at is not None:
        return attendance, False
    if now > activity.ends_at + LATE_OUT:
        raise ActivityError(_l("Check-out closed an hour after the end; the organiser can record your time."))
    attendance.check_out_at = now
    if attendance.corrected_at is None:
        attendance.minutes = _window_minutes(activity, attendance.check_in_at, now)
    db.session.flush()
    events.emit("attendance.checked_out", actor=user, subject=attendance, area_id=activity.community_id,
                activity_id=activity.id, user_id=user.id, by_hand=False)
    return attendance, True


def mark_present(activity: Activity, actor: User, person: User | None, now: datetime | None = None) -> Attendance:
    """The organiser records someone without a phone as present for the whole activity."""
    now = now or utcnow()
    if person is None:
        raise ActivityError(_l("No account was found with that username or mobile number."), "person")
    if activity.attested_at is not None:
        raise ActivityError(_l("The list is already attested; correct the hours instead."), "person")
    if now < activity.starts_at - EARLY:
        raise ActivityError(_l("Attendance can be marked once the activity begins."), "person")
    attendance = queries.attendance_of(activity.id, person.id)
    if attendance is None:
        signup = queries.my_signup(activity.id, person.id)
        attendance = Attendance(activity_id=activity.id, user_id=person.id,
                                walk_in=signup is None or signup.status != "confirmed",
                                check_in_at=activity.starts_at)
        db.session.add(attendance)
    if attendance.check_out_at is None:
        attendance.check_out_at = activity.ends_at
    attendance.marked_by_id = actor.id
    if attendance.corrected_at is None:
        attendance.minutes = _window_minutes(activity, attendance.check_in_at, attendance.check_out_at)
    db.session.flush()
    events.emit("attendance.checked_in", actor=actor, subject=attendance, area_id=activity.community_id,
                activity_id=activity.id, user_id=person.id, by_hand=True)
    return attendance


def correct(activity: Activity, attendance: Attendance, actor: User, raw_minutes: str | None,
            reason: str | None, now: datetime | None = None) -> Attendance:
    """The organiser sets the minutes that count, with a reason (who and why are kept). After attestation the
    change is emitted as ``attendance.corrected`` so points follow."""
    now = now or utcnow()
    errors: dict = {}
    raw = (raw_minutes or "").strip()
    minutes = int(raw) if raw.isdigit() and len(raw) <= 6 else None
    if minutes is None:
        errors["minutes"] = _l("Please give the time in whole minutes.")
    elif minutes > activity.window_minutes:
        errors["minutes"] = _l("At most %(n)d minutes: the activity lasts no longer.", n=activity.window_minutes)
    note = _clean(reason)
    if not note:
        errors["reason"] = _l("Please give the reason for the correction.")
    elif len(note) > REASON_MAX:
        errors["reason"] = _l("Please keep the reason to %(n)d characters.", n=REASON_MAX)
    if errors:
        raise ActivityError.several(errors)
    previous = attendance.minutes or 0
    attendance.minutes = minutes
    attendance.corrected_by_id, attendance.corrected_at, attendance.correction_reason = actor.id, now, note
    db.session.flush()
    if activity.attested_at is not None and minutes != previous:
        events.emit("attendance.corrected", actor=actor, subject=attendance, area_id=activity.community_id,
                    activity_id=activity.id, user_id=attendance.user_id, organisation_id=activity.organisation_id,
                    minutes=minutes, previous_minutes=previous, reason=note)
    return attendance


def attest(activity: Activity, actor: User, now: datetime | None = None) -> int:
    """谁组织谁记录: the organiser vouches for the list once the activity is over; each present person's time now
    counts (``attendance.attested`` once per person — the compare-and-set makes a second attestation impossible).
    Returns how many people were attested."""
    now = now or utcnow()
    if not is_organiser(actor, activity):
        raise ActivityError(_l("Only the organiser can attest the list."))
    if activity.ends_at > now:
        raise ActivityError(_l("The list can be attested once the activity is over."))
    result = db.session.execute(update(Activity).where(Activity.id == activity.id, Activity.attested_at.is_(None))
                                .values(attested_at=now, attested_by_id=actor.id)
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ActivityError(_l("The list has already been attested."))
    db.session.refresh(activity)
    rows = queries.attendances(activity)
    for attendance in rows:
        if attendance.minutes is None:  # checked in, never out: no time counts unless the organiser corrects it
            attendance.minutes = 0
    db.session.flush()
    events.emit("activity.list_attested", actor=actor, subject=activity, area_id=activity.community_id,
                kind=activity.kind, organisation_id=activity.organisation_id)
    for attendance in rows:
        events.emit("attendance.attested", actor=actor, subject=attendance, area_id=activity.community_id,
                    activity_id=activity.id, user_id=attendance.user_id, organisation_id=activity.organisation_id,
                    minutes=attendance.minutes)
    return len(rows)
