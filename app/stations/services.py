"""Operations of the stations domain. Each validates first, changes, flushes, records the timeline and emits its
events; the route commits once.

Capacity under a race: a booking first takes a place with ``UPDATE service_slot SET booked = booked + 1 WHERE id =
:id AND booked < capacity`` (one row or none — the database decides, on SQLite and PostgreSQL alike), then inserts
the booking, which the partial unique index keeps to one live booking per person and slot. Taking a request is a
compare-and-set on its state: the first taker wins, the others are told who was faster.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app import events
from app.accounts.models import User
from app.accounts.scope import STAFF_ROLES, holds_area_role
from app.areas.models import Area
from app.errors import DomainError
from app.extensions import db
from app.stations import events as station_events  # noqa: F401 — the payloads are declared there
from app.stations import queries
from app.stations.models import KINDS, RATINGS, Booking, ServiceRequest, ServiceSlot, Station, StationService
from app.stations.policy import (
    can_answer_request,
    can_cancel_booking,
    can_mark_booking,
    can_mark_request_done,
    can_use_station,
    can_withdraw_request,
    is_request_helper,
    is_station_recorder,
    is_station_staff,
    lives_at,
)
from app.timeline.services import record
from app.timeutil import local_today, local_zone, to_local, utcnow
from app.uploads.services import UploadError, store_image

NAME_MAX = 60
PLACE_MAX = 120
HOURS_MAX = 120
PHONE_MAX = 20
DESCRIPTION_MAX = 1000
ELIGIBILITY_MAX = 200
DOCUMENTS_MAX = 1000
NOTE_MAX = 500
LIMIT_HOURS_MAX = 24 * 30
CAPACITY_MAX = 200
#: slots are opened at most this far ahead, and at most this many at once
AHEAD_DAYS = 92
SLOTS_AT_ONCE = 48
#: a booking can be marked attended from this long before its start
MARK_EARLY = timedelta(hours=1)


class StationError(DomainError):
    pass


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _text(text: str | None) -> str:
    return (text or "").strip()


# ---------------------------------------------------------------- stations and services


@dataclass
class StationInput:
    name: str = ""
    place: str = ""
    opening_hours: str = ""
    phone: str = ""
    microgrid_ids: tuple[int, ...] = ()


def _check_station(actor: User, community: Area | None, data: StationInput) -> tuple[dict, list[Area]]:
    errors: dict = {}
    if community is None or community.level != "community":
        errors["community_id"] = _l("Please choose the community of the station.")
    elif not holds_area_role(actor, STAFF_ROLES, community):
        errors["community_id"] = _l("You can set up stations only in your own community.")
    name, place, hours, phone = _clean(data.name), _clean(data.place), _clean(data.opening_hours), _clean(data.phone)
    if not name:
        errors["name"] = _l("Please give the station a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("The name may be at most %(max)d characters.", max=NAME_MAX)
    if not place:
        errors["place"] = _l("Please say where the station is.")
    elif len(place) > PLACE_MAX:
        errors["place"] = _l("The place may be at most %(max)d characters.", max=PLACE_MAX)
    if not hours:
        errors["opening_hours"] = _l("Please give the opening hours.")
    elif len(hours) > HOURS_MAX:
        errors["opening_hours"] = _l("The opening hours may be at most %(max)d characters.", max=HOURS_MAX)
    if len(phone) > PHONE_MAX:
        errors["phone"] = _l("The phone number may be at most %(max)d characters.", max=PHONE_MAX)
    served: list[Area] = []
    if community is not None and community.level == "community" and data.microgrid_ids:
        allowed = {a.id: a for a in queries.microgrids_of(community)}
        if any(i not in allowed for i in data.microgrid_ids):
            errors["microgrid_ids"] = _l("Choose micro-grids of the station's own community.")
        served = [allowed[i] for i in data.microgrid_ids if i in allowed]
    return errors, served


def create_station(actor: User, community: Area | None, data: StationInput) -> Station:
    errors, served = _check_station(actor, community, data)
    if errors:
        raise StationError.several(errors)
    now = utcnow()
    station = Station(community_id=community.id, name=_clean(data.name), place=_clean(data.place),
                      opening_hours=_clean(data.opening_hours), phone=_clean(data.phone) or None,
                      created_by_id=actor.id, created_at=now, updated_at=now)
    station.microgrids = served
    db.session.add(station)
    db.session.flush()
    events.emit("station.created", actor=actor, subject=station, area_id=station.community_id, station_id=station.id,
                service_id=None, kind=None)
    return station


def update_station(station: Station, actor: User, data: StationInput) -> Station:
    errors, served = _check_station(actor, station.community, data)
    if errors:
        raise StationError.several(errors)
    station.name, station.place = _clean(data.name), _clean(data.place)
    station.opening_hours, station.phone = _clean(data.opening_hours), _clean(data.phone) or None
    station.microgrids = served
    station.updated_at = utcnow()
    db.session.flush()
    events.emit("station.updated", actor=actor, subject=station, area_id=station.community_id, station_id=station.id,
                service_id=None, kind=None)
    return station


@dataclass
class ServiceInput:
    kind: str = ""
    name: str = ""
    description: str = ""
    eligibility: str = ""
    documents: str = ""
    limit_hours: str = ""


def _check_service(data: ServiceInput) -> tuple[dict, int | None]:
    errors: dict = {}
    if data.kind not in KINDS:
        errors["kind"] = _l("Please choose the kind of service.")
    name = _clean(data.name)
    if not name:
        errors["name"] = _l("Please give the service a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("The name may be at most %(max)d characters.", max=NAME_MAX)
    if len(_text(data.description)) > DESCRIPTION_MAX:
        errors["description"] = _l("The description may be at most %(max)d characters.", max=DESCRIPTION_MAX)
    if len(_clean(data.eligibility)) > ELIGIBILITY_MAX:
        errors["eligibility"] = _l("Who may use it may be at most %(max)d characters.", max=ELIGIBILITY_MAX)
    if len(_text(data.documents)) > DOCUMENTS_MAX:
        errors["documents"] = _l("The documents may be at most %(max)d characters.", max=DOCUMENTS_MAX)
    raw = (data.limit_hours or "").strip()
    hours = int(raw) if raw.isdigit() and len(raw) <= 6 else None
    if hours is None or not 1 <= hours <= LIMIT_HOURS_MAX:
        errors["limit_hours"] = _l("The time limit must be a whole number of hours from 1 to %(max)d.",
                                   max=LIMIT_HOURS_MAX)
    return errors, hours


def add_service(station: Station, actor: User, data: ServiceInput) -> StationService:
    if not is_station_staff(actor, station):
        raise StationError(_l("Only the community's staff can change this station."))
    errors, hours = _check_service(data)
    if errors:
        raise StationError.several(errors)
    service = StationService(station_id=station.id, kind=data.kind, name=_clean(data.name),
                             description=_text(data.description), eligibility=_clean(data.eligibility),
                             documents=_text(data.documents) if data.kind == "errand" else "", limit_hours=hours)
    db.session.add(service)
    db.session.flush()
    events.emit("station.service_added", actor=actor, subject=service, area_id=station.community_id,
                station_id=station.id, service_id=service.id, kind=service.kind)
    return service


def update_service(service: StationService, actor: User, data: ServiceInput, *, active: bool) -> StationService:
    if not is_station_staff(actor, service.station):
        raise StationError(_l("Only the community's staff can change this station."))
    data.kind = service.kind  # the kind is fixed: bookings and requests depend on it
    errors, hours = _check_service(data)
    if errors:
        raise StationError.several(errors)
    service.name, service.description = _clean(data.name), _text(data.description)
    service.eligibility, service.limit_hours, service.active = _clean(data.eligibility), hours, bool(active)
    if service.kind == "errand":
        service.documents = _text(data.documents)
    db.session.flush()
    events.emit("station.service_updated", actor=actor, subject=service, area_id=service.station.community_id,
                station_id=service.station_id, service_id=service.id, kind=service.kind)
    return service


# ---------------------------------------------------------------- slots


def _local_at(day: date, at: time) -> datetime:
    return datetime.combine(day, at).replace(tzinfo=local_zone()).astimezone(UTC).replace(tzinfo=None)


def _parse_day(raw: str | None) -> date | None:
    raw = (raw or "").strip()
    if not raw or len(raw) > 10:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _parse_time(raw: str | None) -> time | None:
    raw = (raw or "").strip()
    if not raw or len(raw) > 8:
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        return None


@dataclass
class SlotInput:
    day: str = ""
    start: str = ""
    end: str = ""
    length: str = ""
    capacity: str = ""


def add_slots(service: StationService, actor: User, data: SlotInput, now: datetime | None = None
              ) -> list[ServiceSlot]:
    """Open the time from ``start`` to ``end`` on ``day`` (local time) as one slot, or as slots of ``length``
    minutes, each with ``capacity`` places."""
    now = now or utcnow()
    if not is_station_staff(actor, service.station):
        raise StationError(_l("Only the community's staff can change this station."))
    if service.kind != "appointment":
        raise StationError(_l("Only appointment services have times to book."))
    errors: dict = {}
    day, start, end = _parse_day(data.day), _parse_time(data.start), _parse_time(data.end)
    if day is None:
        errors["day"] = _l("Please give the day as YYYY-MM-DD.")
    elif day < local_today():
        errors["day"] = _l("This day has passed. Please choose today or a later day.")
    elif day > local_today() + timedelta(days=AHEAD_DAYS):
        errors["day"] = _l("Times can be opened at most %(n)d days ahead.", n=AHEAD_DAYS)
    if start is None:
        errors["start"] = _l("Please give the start time, e.g. 09:00.")
    if end is None:
        errors["end"] = _l("Please give the end time, e.g. 11:00.")
    elif start is not None and end <= start:
        errors["end"] = _l("The end must be after the start.")
    raw_length = (data.length or "").strip()
    length = None
    if raw_length:
        length = int(raw_length) if raw_length.isdigit() and len(raw_length) <= 4 else None
        if length is None or not 5 <= length <= 480:
            errors["length"] = _l("Each slot lasts 5 to 480 minutes, or leave it empty for one slot.")
    raw_capacity = (data.capacity or "").strip()
    capacity = int(raw_capacity) if raw_capacity.isdigit() and len(raw_capacity) <= 6 else None
    if capacity is None or not 1 <= capacity <= CAPACITY_MAX:
        errors["capacity"] = _l("The places must be a whole number from 1 to %(max)d.", max=CAPACITY_MAX)
    windows: list[tuple[datetime, datetime]] = []
    if not errors:
        first, last = _local_at(day, start), _local_at(day, end)
        if first <= now:
            errors["start"] = _l("This time has passed. Please choose a later time.")
        else:
            step = timedelta(minutes=length) if length else last - first
            at = first
            while at + step <= last and len(windows) <= SLOTS_AT_ONCE:
                windows.append((at, at + step))
                at += step
            if not windows:
                errors["length"] = _l("The slot is longer than the time from start to end.")
            elif len(windows) > SLOTS_AT_ONCE:
                errors["length"] = _l("At most %(n)d slots at once. Choose longer slots or a shorter time.",
                                      n=SLOTS_AT_ONCE)
    if errors:
        raise StationError.several(errors)
    slots = [ServiceSlot(service_id=service.id, station_id=service.station_id, starts_at=a, ends_at=b,
                         capacity=capacity, booked=0, created_at=now) for a, b in windows]
    db.session.add_all(slots)
    db.session.flush()
    events.emit("station.slots_added", actor=actor, subject=slots[0], area_id=service.station.community_id,
                station_id=service.station_id, service_id=service.id, kind=service.kind,
                slot_ids=tuple(s.id for s in slots))
    return slots


# ---------------------------------------------------------------- for whom: oneself, or a resident (代录)


@dataclass
class Beneficiary:
    person: User | None
    on_behalf: bool
    subject_name: str | None
    subject_contact: str | None
    area: Area


def beneficiary(actor: User, station: Station, *, resident: str | None = None, subject_name: str | None = None,
                subject_contact: str | None = None) -> Beneficiary:
    """Who a booking or request is for: the actor themself, or — for staff and leaders of the community — a
    resident found by username or mobile, or one without an account (name and how to reach them)."""
    resident, name, contact = _clean(resident), _clean(subject_name), _clean(subject_contact)
    if (resident or name) and is_station_recorder(actor, station):
        if resident:
            person = queries.resident_for(actor, resident) if len(resident) <= 64 else None
            if person is None:
                raise StationError(_l("No resident with this username or mobile number in your area."), "resident")
            if person.id != actor.id:
                if not lives_at(person, station):
                    raise StationError(_l("This resident does not live where this station serves."), "resident")
                return Beneficiary(person, True, None, None, person.home_area)
        else:
            if len(name) > 20:
                raise StationError(_l("The name may be at most %(max)d characters.", max=20), "subject_name")
            if not contact:
                raise StationError(_l("Please say how to reach the resident (a phone number or the address)."),
                                   "subject_contact")
            if len(contact) > 80:
                raise StationError(_l("How to reach them may be at most %(max)d characters.", max=80),
                                   "subject_contact")
            area = station.microgrids[0] if len(station.microgrids) == 1 else station.community
            return Beneficiary(None, True, name, contact, area)
    if not can_use_station(actor, station):
        raise StationError(_l("This station serves the residents of %(place)s. Please use the station of your own "
                              "community.", place=station.community.name))
    return Beneficiary(actor, False, None, None, actor.home_area)


# ---------------------------------------------------------------- bookings


def book(slot: ServiceSlot, actor: User, who: Beneficiary, now: datetime | None = None) -> Booking:
    now = now or utcnow()
    service = slot.service
    if not service.active:
        raise StationError(_l("This service is no longer offered."))
    if slot.starts_at <= now:
        raise StationError(_l("This time has already begun. Please choose a later time."))
    if who.person is not None and queries.live_booking(slot.id, who.person.id) is not None:
        raise StationError(_l("You have already booked this time.") if not who.on_behalf
                           else _l("This resident has already booked this time."))
    taken = db.session.execute(update(ServiceSlot).where(ServiceSlot.id == slot.id,
                                                         ServiceSlot.booked < ServiceSlot.capacity)
                               .values(booked=ServiceSlot.booked + 1).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise StationError(_l("This time is fully booked. Please choose another time."))
    booking = Booking(slot_id=slot.id, service_id=service.id, station_id=slot.station_id, starts_at=slot.starts_at,
                      person_id=who.person.id if who.person else None, author_id=actor.id, on_behalf=who.on_behalf,
                      subject_name=who.subject_name, subject_contact=who.subject_contact, status="booked",
                      created_at=now)
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError:  # the same person twice at once: the route rolls back, the place is given back
        raise StationError(_l("You have already booked this time.")) from None
    db.session.refresh(slot)
    _emit_booking("booking.made", actor, booking, service)
    return booking


def _emit_booking(name: str, actor, booking: Booking, service: StationService) -> None:
    events.emit(name, actor=actor, subject=booking, area_id=service.station.community_id,
                station_id=booking.station_id, service_id=booking.service_id, slot_id=booking.slot_id,
                person_id=booking.person_id, on_behalf=booking.on_behalf, status=booking.status)


def cancel_booking(booking: Booking, actor: User, now: datetime | None = None) -> Booking:
    now = now or utcnow()
    if not can_cancel_booking(actor, booking):
        raise StationError(_l("Only the resident who booked, or the station's staff, can cancel this booking."))
    limit = timedelta(hours=booking.service.limit_hours)
    if booking.starts_at - now < limit and not is_station_staff(actor, booking.station):
        raise StationError(_l("A booking can be cancelled up to %(n)d hours before its time. Please call the "
                              "station instead.", n=booking.service.limit_hours))
    changed = db.session.execute(update(Booking).where(Booking.id == booking.id, Booking.status == "booked")
                                 .values(status="cancelled", cancelled_at=now)
                                 .execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise StationError(_l("This booking was already cancelled or marked."))
    db.session.execute(update(ServiceSlot).where(ServiceSlot.id == booking.slot_id, ServiceSlot.booked > 0)
                       .values(booked=ServiceSlot.booked - 1).execution_options(synchronize_session=False))
    db.session.refresh(booking)
    _emit_booking("booking.cancelled", actor, booking, booking.service)
    return booking


def mark_booking(booking: Booking, actor: User, status: str, now: datetime | None = None) -> Booking:
    """The station's staff mark who came (attended) and who did not (missed), from shortly before the time on."""
    now = now or utcnow()
    if status not in ("attended", "missed"):
        raise StationError(_l("Please choose attended or missed."))
    if booking.status == "cancelled":
        raise StationError(_l("This booking was cancelled."))
    if not can_mark_booking(actor, booking):
        raise StationError(_l("Only the station's staff can mark this booking."))
    if now < booking.starts_at - MARK_EARLY:
        raise StationError(_l("Attendance can be marked from an hour before the booked time."))
    if booking.status == status:
        return booking
    before = booking.status
    changed = db.session.execute(update(Booking).where(Booking.id == booking.id, Booking.status == before)
                                 .values(status=status, marked_at=now, marked_by_id=actor.id)
                                 .execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise StationError(_l("Someone else changed this booking just now. Please look again."))
    db.session.refresh(booking)
    _emit_booking("booking.attended" if status == "attended" else "booking.missed", actor, booking, booking.service)
    return booking


# ---------------------------------------------------------------- requests


def _note(text: str | None, *, field: str = "note", required: bool = True, message=None) -> str | None:
    value = _text(text)
    if not value:
        if required:
            raise StationError(message or _l("Please write a short note."), field)
        return None
    if len(value) > NOTE_MAX:
        raise StationError(_l("Please keep the note to %(max)d characters (it has %(n)d).", max=NOTE_MAX,
                              n=len(value)), field)
    return value


def send_request(service: StationService, actor: User, who: Beneficiary, note: str | None,
                 photo: bytes | None = None, now: datetime | None = None) -> ServiceRequest:
    now = now or utcnow()
    if not service.is_request:
        raise StationError(_l("This service is booked by time, not requested."))
    if not service.active:
        raise StationError(_l("This service is no longer offered."))
    text = _note(note, message=_l("Please say in a sentence what you need."))
    station = service.station
    area = who.area if who.area is not None and who.area.is_within(station.community) else station.community
    req = ServiceRequest(service_id=service.id, station_id=station.id, community_id=station.community_id,
                         area_id=area.id, person_id=who.person.id if who.person else None, author_id=actor.id,
                         on_behalf=who.on_behalf, subject_name=who.subject_name, subject_contact=who.subject_contact,
                         note=text, state="open", created_at=now, updated_at=now,
                         due_at=now + timedelta(hours=service.limit_hours))
    db.session.add(req)
    db.session.flush()
    if photo is not None:
        try:
            req.photo_id = store_image(None, owner=actor, subject=req, data=photo).id
        except UploadError as e:
            raise StationError(e.message, "photo") from None
    record(req, "recorded" if who.on_behalf else "sent", actor=actor, to_state="open", note=None,
           on_behalf_of=who.person if who.on_behalf else None)
    _emit_request("station_request.sent", actor, req, None)
    return req


def _emit_request(name: str, actor, req: ServiceRequest, from_state: str | None) -> None:
    events.emit(name, actor=actor, subject=req, area_id=req.community_id, station_id=req.station_id,
                service_id=req.service_id, kind=req.service.kind, person_id=req.person_id, on_behalf=req.on_behalf,
                taker_id=req.taker_id, from_state=from_state, to_state=req.state, rating=req.rating)


def _move(req: ServiceRequest, from_state: str, to_state: str, **values) -> bool:
    result = db.session.execute(update(ServiceRequest).where(ServiceRequest.id == req.id,
                                                             ServiceRequest.state == from_state)
                                .values(state=to_state, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    db.session.refresh(req)
    return True


def take(req: ServiceRequest, actor: User, now: datetime | None = None) -> ServiceRequest:
    now = now or utcnow()
    if not is_request_helper(actor, req):
        raise StationError(_l("Only the station's staff, the micro-grid's team and party members who reported "
                              "here can take this request."))
    if req.state != "open" or not _move(req, "open", "taken", taker_id=actor.id, taken_at=now, updated_at=now):
        db.session.refresh(req)
        if req.taker_id is not None and req.taker_id != actor.id:
            raise StationError(_l("Someone else took this request just before you."))
        raise StationError(_l("This request is no longer waiting for a helper."))
    record(req, "taken", actor=actor, from_state="open", to_state="taken")
    _emit_request("station_request.taken", actor, req, "open")
    return req


def mark_done(req: ServiceRequest, actor: User, note: str | None, now: datetime | None = None) -> ServiceRequest:
    now = now or utcnow()
    text = _note(note, message=_l("Tell the resident in a sentence what was done."))
    if not can_mark_request_done(actor, req):
        raise StationError(_l("Only the helper who took this request can mark it done."))
    if not _move(req, "taken", "done", done_note=text, done_at=now, updated_at=now):
        raise StationError(_l("This request is not in hand any more."))
    record(req, "done", actor=actor, from_state="taken", to_state="done", note=text)
    _emit_request("station_request.done", actor, req, "taken")
    return req


def confirm(req: ServiceRequest, actor: User, rating: str | None, comment: str | None,
            now: datetime | None = None) -> ServiceRequest:
    now = now or utcnow()
    errors: dict = {}
    if rating not in RATINGS:
        errors["rating"] = _l("Please choose how satisfied you are.")
    try:
        text = _note(comment, field="comment", required=False)
    except StationError as e:
        errors.update(e.errors)
        text = None
    if req.state != "done":
        raise StationError(_l("This request is not waiting for an answer."))
    if errors:
        raise StationError.several(errors)
    if not can_answer_request(actor, req):
        raise StationError(_l("Only the resident can confirm this request."))
    if not _move(req, "done", "confirmed", rating=rating, rating_comment=text, confirmed_at=now, updated_at=now):
        raise StationError(_l("This request was already answered."))
    record(req, "confirmed", actor=actor, from_state="done", to_state="confirmed", note=text,
           on_behalf_of=req.person if req.person_id != actor.id else None)
    _emit_request("station_request.confirmed", actor, req, "done")
    return req


def not_done(req: ServiceRequest, actor: User, note: str | None, now: datetime | None = None) -> ServiceRequest:
    """The resident says it was not done: back to the taker, with the note and a fresh time limit."""
    now = now or utcnow()
    if req.state != "done":
        raise StationError(_l("This request is not waiting for an answer."))
    text = _note(note, message=_l("Please say what is still missing, so the helper can put it right."))
    if not can_answer_request(actor, req):
        raise StationError(_l("Only the resident can answer for this request."))
    if not _move(req, "done", "taken", done_at=None, overdue_at=None, updated_at=now,
                 due_at=now + timedelta(hours=req.service.limit_hours)):
        raise StationError(_l("This request was already answered."))
    record(req, "not_done", actor=actor, from_state="done", to_state="taken", note=text)
    _emit_request("station_request.not_done", actor, req, "done")
    return req


def withdraw(req: ServiceRequest, actor: User, now: datetime | None = None) -> ServiceRequest:
    now = now or utcnow()
    if not can_withdraw_request(actor, req):
        raise StationError(_l("A request can be withdrawn only while it waits for a helper."))
    if not _move(req, "open", "withdrawn", updated_at=now):
        raise StationError(_l("A helper took this request just now; please talk to them instead."))
    record(req, "withdrawn", actor=actor, from_state="open", to_state="withdrawn")
    _emit_request("station_request.withdrawn", actor, req, "open")
    return req


# ---------------------------------------------------------------- jobs


def flag_overdue(req: ServiceRequest, now: datetime) -> bool:
    result = db.session.execute(update(ServiceRequest).where(
        ServiceRequest.id == req.id, ServiceRequest.overdue_at.is_(None), ServiceRequest.due_at < now,
        ServiceRequest.state.in_(("open", "taken"))).values(overdue_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    db.session.refresh(req)
    record(req, "overdue", actor=None, from_state=req.state, to_state=req.state, public=False)
    _emit_request("station_request.overdue", None, req, req.state)
    return True


def remind(booking: Booking, now: datetime) -> bool:
    result = db.session.execute(update(Booking).where(Booking.id == booking.id, Booking.reminded_at.is_(None),
                                                      Booking.status == "booked").values(reminded_at=now)
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    db.session.refresh(booking)
    _emit_booking("booking.reminder", None, booking, booking.service)
    return True


def local_day_range(day: date) -> tuple[datetime, datetime]:
    return _local_at(day, time(0, 0)), _local_at(day + timedelta(days=1), time(0, 0))


def slot_label(slot: ServiceSlot) -> str:
    start, end = to_local(slot.starts_at), to_local(slot.ends_at)
    return f"{start:%m-%d %H:%M}–{end:%H:%M}"
