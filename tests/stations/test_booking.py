"""Booking through HTTP: a place is taken and given back; every bad input is refused where the person acted,
nothing changes, never a 500."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.extensions import db
from app.stations.models import Booking, ServiceSlot
from app.timeutil import utcnow
from tests.stations.helpers import bookings, build_station, slot


def test_a_resident_books_a_place_and_sees_it(client, city):
    built = build_station(city)
    client.login("resident_a")
    page = client.get(f"/stations/{built.station}").get_data(as_text=True)
    assert f'action="/stations/slots/{built.slot}/book"' in page
    r = client.post(f"/stations/slots/{built.slot}/book", {"slot": str(built.slot)})
    assert r.status_code == 303
    assert slot(built.slot).booked == 1
    [booking] = bookings(built.slot)
    assert booking.person_id == city.resident_a.id and booking.status == "booked" and not booking.on_behalf
    page = client.get(f"/stations/{built.station}").get_data(as_text=True)
    assert "You booked this time" in page
    mine = client.get("/stations/mine").get_data(as_text=True)
    assert "Blood pressure" in mine and "Cancel this booking" in mine


def test_booking_twice_is_refused_and_changes_nothing(client, city):
    built = build_station(city)
    client.login("resident_a")
    assert client.post(f"/stations/slots/{built.slot}/book", {"slot": str(built.slot)}).status_code == 303
    r = client.htmx_post(f"/stations/slots/{built.slot}/book", {"slot": str(built.slot)})
    assert r.status_code == 200
    assert "You have already booked this time." in r.get_data(as_text=True)
    assert slot(built.slot).booked == 1
    assert len(bookings(built.slot)) == 1


def test_a_plain_refused_booking_comes_back_to_the_slot(client, city):
    built = build_station(city, capacity=1)
    db.session.execute(update(ServiceSlot).where(ServiceSlot.id == built.slot).values(booked=1))
    db.session.commit()
    client.login("resident_a")
    r = client.post(f"/stations/slots/{built.slot}/book", {"slot": str(built.slot)})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/stations/{built.station}#slot-{built.slot}")
    page = client.get(f"/stations/{built.station}").get_data(as_text=True)
    assert page.count("This time is fully booked. Please choose another time.") == 1
    assert bookings(built.slot) == []


def test_a_slot_that_has_begun_cannot_be_booked(client, city):
    built = build_station(city)
    past = utcnow() - timedelta(minutes=5)
    db.session.execute(update(ServiceSlot).where(ServiceSlot.id == built.slot).values(
        starts_at=past, ends_at=past + timedelta(minutes=30)))
    db.session.commit()
    client.login("resident_a")
    r = client.htmx_post(f"/stations/slots/{built.slot}/book", {"slot": str(built.slot)})
    assert r.status_code == 200
    assert "This time has already begun." in r.get_data(as_text=True)
    assert bookings(built.slot) == []


def test_a_resident_of_another_community_sees_the_station_but_cannot_book(client, city):
    built = build_station(city)
    client.login("resident_b")
    page = client.get(f"/stations/{built.station}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "This station serves the residents of Community A" in text
    assert f'action="/stations/slots/{built.slot}/book"' not in text
    r = client.htmx_post(f"/stations/slots/{built.slot}/book", {"slot": str(built.slot)})
    assert r.status_code == 200
    assert "Please use the station of your own community." in r.get_data(as_text=True)
    assert slot(built.slot).booked == 0


def test_cancelling_gives_the_place_back_and_someone_elses_booking_is_not_ours(client, make_client, city):
    built = build_station(city)
    client.login("resident_a")
    client.post(f"/stations/slots/{built.slot}/book", {"slot": str(built.slot)})
    [booking] = bookings(built.slot)
    other = make_client()
    other.login("resident_a2")
    assert other.post(f"/stations/bookings/{booking.id}/cancel").status_code == 404
    assert slot(built.slot).booked == 1
    r = client.post(f"/stations/bookings/{booking.id}/cancel")
    assert r.status_code == 303
    assert slot(built.slot).booked == 0
    assert bookings(built.slot)[0].status == "cancelled"
    # and a new booking may follow the cancelled one
    assert client.post(f"/stations/slots/{built.slot}/book", {"slot": str(built.slot)}).status_code == 303
    assert slot(built.slot).booked == 1


def test_cancelling_too_late_is_refused_but_staff_may(client, make_client, city):
    built = build_station(city)
    client.login("resident_a")
    client.post(f"/stations/slots/{built.slot}/book", {"slot": str(built.slot)})
    [booking] = bookings(built.slot)
    soon = utcnow() + timedelta(minutes=30)  # the service allows cancelling up to 2 hours before
    db.session.execute(update(Booking).where(Booking.id == booking.id).values(starts_at=soon))
    db.session.commit()
    r = client.htmx_post(f"/stations/bookings/{booking.id}/cancel")
    assert r.status_code == 200
    assert "can be cancelled up to 2 hours before its time" in r.get_data(as_text=True)
    assert bookings(built.slot)[0].status == "booked"
    staff = make_client()
    staff.login("staff_a")
    assert staff.post(f"/stations/bookings/{booking.id}/cancel", {"back": "day"}).status_code == 303
    assert bookings(built.slot)[0].status == "cancelled"


def test_staff_book_for_a_resident_without_a_phone_recorded_as_such(client, city):
    built = build_station(city)
    client.login("staff_a")
    page = client.get(f"/stations/slots/{built.slot}")
    assert page.status_code == 200
    r = client.post(f"/stations/slots/{built.slot}/book", {"back": "slot", "subject_name": "Granny Liu",
                                                          "subject_contact": "Room 101, daughter 13900000000"})
    assert r.status_code == 303
    [booking] = bookings(built.slot)
    assert booking.on_behalf and booking.person_id is None and booking.subject_name == "Granny Liu"
    assert booking.author_id == city.staff_a.id
    r = client.post(f"/stations/slots/{built.slot}/book", {"back": "slot", "resident": "resident_a"})
    assert r.status_code == 303
    booking = bookings(built.slot)[1]
    assert booking.on_behalf and booking.person_id == city.resident_a.id
    day = client.get(f"/stations/{built.station}/day?date={_local_day(booking)}").get_data(as_text=True)
    assert "Granny Liu" in day and "booked by staff_a" in day


def _local_day(booking) -> str:
    from app.timeutil import to_local

    return to_local(booking.starts_at).date().isoformat()


def test_a_resident_cannot_open_the_book_for_a_resident_page(client, city):
    built = build_station(city)
    client.login("resident_a")
    assert client.get(f"/stations/slots/{built.slot}").status_code == 403
    page = client.get(f"/stations/{built.station}").get_data(as_text=True)
    assert "Book for a resident" not in page


def test_staff_mark_attended_and_missed_on_the_day_sheet(client, make_client, city):
    built = build_station(city)
    resident = make_client()
    resident.login("resident_a")
    resident.post(f"/stations/slots/{built.slot}/book", {"slot": str(built.slot)})
    [booking] = bookings(built.slot)
    client.login("staff_a")
    r = client.htmx_post(f"/stations/bookings/{booking.id}/mark", {"status": "attended"})
    assert r.status_code == 200
    assert "Attendance can be marked from an hour before the booked time." in r.get_data(as_text=True)
    assert bookings(built.slot)[0].status == "booked"
    db.session.execute(update(Booking).where(Booking.id == booking.id).values(starts_at=utcnow()))
    db.session.commit()
    assert client.post(f"/stations/bookings/{booking.id}/mark", {"status": "attended"}).status_code == 303
    assert bookings(built.slot)[0].status == "attended"
    assert client.post(f"/stations/bookings/{booking.id}/mark", {"status": "missed"}).status_code == 303
    assert bookings(built.slot)[0].status == "missed"
    other = make_client()
    other.login("staff_b")
    assert other.post(f"/stations/bookings/{booking.id}/mark", {"status": "attended"}).status_code == 404
    assert other.get(f"/stations/{built.station}/day").status_code == 403
    assert resident.post(f"/stations/bookings/{booking.id}/mark", {"status": "attended"}).status_code == 403


def test_the_print_view_lists_who_comes_when(client, make_client, city):
    built = build_station(city)
    resident = make_client()
    resident.login("resident_a")
    resident.post(f"/stations/slots/{built.slot}/book", {"slot": str(built.slot)})
    [booking] = bookings(built.slot)
    client.login("staff_a")
    page = client.get(f"/stations/{built.station}/day?date={_local_day(booking)}&print=1").get_data(as_text=True)
    assert "王小明" in page and "Signature" in page and "Blood pressure" in page
    assert 'class="bottomnav"' not in page
