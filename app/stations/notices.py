"""Who must act on station events: the queue holders when a request arrives; the taker when it becomes overdue
(the queue, while nobody took it); the resident when it is done (confirm and rate), when it is taken, and the day
before a booking; the taker when the resident says it was not done."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.notifications.registry import RECIPIENTS_MAX, Notify, notice, state_in, subject_link
from app.stations import queries
from app.stations.models import Booking, ServiceRequest
from app.stations.policy import can_view_booking, can_view_request
from app.stations.services import slot_label


@subject_link("station_request")
def request_link(user, request_id: int) -> str | None:
    req = db.session.get(ServiceRequest, request_id)
    if req is None or not can_view_request(user, req):
        return None
    return url_for("stations.request_show", request_id=req.id)


@subject_link("station_booking")
def booking_link(user, booking_id: int) -> str | None:
    booking = db.session.get(Booking, booking_id)
    if booking is None or not can_view_booking(user, booking):
        return None
    return url_for("stations.mine") + f"#booking-{booking.id}"


def _params(req: ServiceRequest) -> dict:
    return {"service": req.service.name, "station": req.station.name}


@notice("station_request.sent", _l("New request at %(station)s: %(service)s. Can you take it?"),
        current=state_in(ServiceRequest, "open"))
def sent(event) -> Notify:
    req: ServiceRequest = event.subject
    return Notify(to=queries.queue_holders(req, RECIPIENTS_MAX), params=_params(req))


@notice("station_request.taken", _l("Your request “%(service)s” was taken by %(by)s."),
        current=state_in(ServiceRequest, "taken"))
def taken(event) -> Notify:
    req: ServiceRequest = event.subject
    return Notify(to=[req.person_id], params={**_params(req), "by": req.taker.display_name if req.taker else ""})


@notice("station_request.done", _l("“%(service)s” is marked as done. Please confirm and rate it."),
        current=state_in(ServiceRequest, "done"))
def done(event) -> Notify:
    req: ServiceRequest = event.subject
    return Notify(to=[req.person_id if req.person_id else req.author_id], params=_params(req))


@notice("station_request.not_done", _l("The resident says “%(service)s” is not done yet. Please look again."),
        current=state_in(ServiceRequest, "taken"))
def not_done(event) -> Notify:
    req: ServiceRequest = event.subject
    return Notify(to=[req.taker_id], params=_params(req))


@notice("station_request.overdue", _l("Overdue: “%(service)s” at %(station)s is past its time limit."),
        current=state_in(ServiceRequest, "open", "taken"))
def overdue(event) -> Notify:
    req: ServiceRequest = event.subject
    to = [req.taker_id] if req.taker_id else queries.queue_holders(req, RECIPIENTS_MAX)
    return Notify(to=to, params=_params(req))


@notice("booking.reminder", _l("Tomorrow: %(service)s at %(station)s, %(time)s."),
        current=lambda booking_id: bool(db.session.get(Booking, booking_id)
                                        and db.session.get(Booking, booking_id).status == "booked"))
def reminder(event) -> Notify:
    booking: Booking = event.subject
    return Notify(to=[booking.person_id], params={"service": booking.service.name, "station": booking.station.name,
                                                  "time": slot_label(booking.slot)})
