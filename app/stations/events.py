"""The stations domain's events and their payloads (see app/events.py).

The dashboard counts services delivered from them (``booking.attended`` and ``station_request.confirmed`` are one
delivered service each), and the points ledger awards help given on ``station_request.confirmed`` (to the taker).
``area_id`` is always the station's community.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.events import Payload, declare


@dataclass(frozen=True, kw_only=True)
class StationChange(Payload):
    """A station set up or changed, a service added or changed (the subject is the ``Station`` or the
    ``StationService``)."""

    required = Payload.required | {"area_id", "station_id"}

    station_id: int
    service_id: int | None
    kind: str | None


declare("station.created", "station.updated", "station.service_added", "station.service_updated")(StationChange)


@declare("station.slots_added")
@dataclass(frozen=True, kw_only=True)
class SlotsAdded(StationChange):
    """Slots of an appointment service were opened (the subject is the first new ``ServiceSlot``)."""

    slot_ids: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class BookingChange(Payload):
    """A booking made, cancelled, marked attended or missed, or reminded of (the subject is the ``Booking``).
    ``person_id``: the resident (None for one without an account); ``on_behalf``: recorded by staff or a leader."""

    required = Payload.required | {"area_id", "station_id", "service_id", "slot_id", "status"}

    station_id: int
    service_id: int
    slot_id: int
    person_id: int | None
    on_behalf: bool
    status: str


declare("booking.made", "booking.cancelled", "booking.attended", "booking.missed")(BookingChange)
declare("booking.reminder", system=True)(BookingChange)


@dataclass(frozen=True, kw_only=True)
class RequestChange(Payload):
    """A help-at-the-door or errand request moved (the subject is the ``ServiceRequest``). ``kind``: home_help or
    errand; ``taker_id``: who took it (None while it waits); ``rating`` on ``station_request.confirmed``."""

    required = Payload.required | {"area_id", "station_id", "service_id", "kind", "to_state"}

    station_id: int
    service_id: int
    kind: str
    person_id: int | None
    on_behalf: bool
    taker_id: int | None
    from_state: str | None
    to_state: str
    rating: str | None = None


declare("station_request.sent", "station_request.taken", "station_request.done", "station_request.not_done",
        "station_request.confirmed", "station_request.withdrawn")(RequestChange)
declare("station_request.overdue", system=True)(RequestChange)
