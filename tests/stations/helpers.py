"""A station in Community A with one service of each kind and a coming slot, built through the services."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.extensions import db
from app.members.models import MemberReport
from app.stations import services
from app.stations.models import Booking, ServiceRequest, ServiceSlot
from app.timeutil import local_today, utcnow


@dataclass
class Built:
    station: int
    appointment: int
    home_help: int
    errand: int
    slot: int


def build_station(city, *, capacity: int = 3, days_ahead: int = 2) -> Built:
    station = services.create_station(city.staff_a, city.comm_a, services.StationInput(
        name="Station A", place="Building 8", opening_hours="Mon–Sat 8:30–17:00"))
    check = services.add_service(station, city.staff_a, services.ServiceInput(
        kind="appointment", name="Blood pressure", description="A doctor checks it.", limit_hours="2"))
    helpit = services.add_service(station, city.staff_a, services.ServiceInput(
        kind="home_help", name="Shopping", description="We shop for you.", limit_hours="24"))
    errand = services.add_service(station, city.staff_a, services.ServiceInput(
        kind="errand", name="Pension check", documents="ID card", limit_hours="72"))
    slot = services.add_slots(check, city.staff_a, services.SlotInput(
        day=(local_today() + timedelta(days=days_ahead)).isoformat(), start="09:00", end="09:30",
        capacity=str(capacity)))[0]
    db.session.commit()
    return Built(station.id, check.id, helpit.id, errand.id, slot.id)


def send(city, built: Built, person=None, note="Two bags of rice, please.", kind="home_help") -> int:
    from app.stations.models import StationService

    person = person or city.resident_a
    service = db.session.get(StationService, built.home_help if kind == "home_help" else built.errand)
    req = services.send_request(service, person, services.beneficiary(person, service.station), note)
    db.session.commit()
    return req.id


def report_member(city, user, community) -> None:
    """A confirmed report (报到) of ``user`` to ``community``."""
    db.session.add(MemberReport(user_id=user.id, area_id=user.home_area_id, community_id=community.id,
                                address="Room 1", state="confirmed", decided_at=utcnow()))
    db.session.commit()


def slot(slot_id: int) -> ServiceSlot:
    db.session.expire_all()
    return db.session.get(ServiceSlot, slot_id)


def request_(request_id: int) -> ServiceRequest:
    db.session.expire_all()
    return db.session.get(ServiceRequest, request_id)


def bookings(slot_id: int) -> list[Booking]:
    from sqlalchemy import select

    db.session.expire_all()
    return list(db.session.scalars(select(Booking).where(Booking.slot_id == slot_id).order_by(Booking.id)))
