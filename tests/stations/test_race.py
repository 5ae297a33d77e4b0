"""Races on SQLite and PostgreSQL: 30 people for the last two places of a slot get two bookings; two helpers
taking the same request at once give one taker and one clear answer."""
from __future__ import annotations

from sqlalchemy import update

from app.extensions import db
from app.stations.models import ServiceSlot
from tests.factories import make_user
from tests.stations.helpers import bookings, build_station, request_, send, slot

N = 30


def test_thirty_people_for_the_last_two_places_get_two_bookings(race, make_client, city):
    built = build_station(city, capacity=5)
    db.session.execute(update(ServiceSlot).where(ServiceSlot.id == built.slot).values(booked=3))
    people = [make_user(f"booker{i:02d}", home=city.micro_a1 if i % 2 else city.micro_a2) for i in range(N)]
    db.session.commit()
    clients = []
    for p in people:
        c = make_client()
        c.login(p.username)
        c.token()
        clients.append(c)
    url = f"/stations/slots/{built.slot}/book"
    results = race(N, lambda i: clients[i].htmx_post(url, {"slot": str(built.slot)}))
    statuses = [r.status_code for r in results]
    assert statuses == [200] * N, statuses
    texts = [r.get_data(as_text=True) for r in results]
    assert sum("This time is fully booked." in t for t in texts) == N - 2
    assert slot(built.slot).booked == 5
    live = [b for b in bookings(built.slot) if b.status == "booked"]
    assert len(live) == 2
    assert len({b.person_id for b in live}) == 2


def test_one_person_booking_twice_at_once_gets_one_booking(race, make_client, city):
    built = build_station(city, capacity=5)
    c1, c2 = make_client(), make_client()
    for c in (c1, c2):
        c.login("resident_a")
        c.token()
    url = f"/stations/slots/{built.slot}/book"
    results = race(2, lambda i: (c1, c2)[i].htmx_post(url, {"slot": str(built.slot)}).status_code)
    assert results == [200, 200]
    assert len(bookings(built.slot)) == 1
    assert slot(built.slot).booked == 1


def test_two_helpers_take_the_same_request_one_wins(race, make_client, city):
    built = build_station(city)
    rid = send(city, built)
    staff, leader = make_client(), make_client()
    staff.login("staff_a")
    leader.login("leader_a1")
    for c in (staff, leader):
        c.token()
    results = race(2, lambda i: (staff, leader)[i].htmx_post(f"/stations/requests/{rid}/take"))
    assert [r.status_code for r in results] == [200, 200]
    texts = [r.get_data(as_text=True) for r in results]
    assert sum("Someone else took this request just before you." in t for t in texts) == 1
    req = request_(rid)
    assert req.state == "taken" and req.taker_id in (city.staff_a.id, city.leader_a1.id)
