"""Staff set up a station, its services and its times; bad input is refused field by field."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.stations.models import ServiceSlot, Station, StationService
from app.timeutil import local_today
from tests.stations.helpers import build_station


def test_staff_set_up_a_station_with_services_and_times(client, city):
    client.login("staff_a")
    r = client.post("/stations/new", {"community_id": str(city.comm_a.id), "name": "Gate station",
                                      "place": "Gate 3", "opening_hours": "Daily 9–17"})
    assert r.status_code == 303
    station = db.session.scalar(select(Station).where(Station.name == "Gate station"))
    assert station.community_id == city.comm_a.id
    r = client.post(f"/stations/{station.id}/edit", {"name": "Gate station", "place": "Gate 3",
                                                    "opening_hours": "Daily 9–17",
                                                    "microgrid_ids": [str(city.micro_a1.id)]})
    assert r.status_code == 303
    db.session.expire_all()
    assert [m.id for m in db.session.get(Station, station.id).microgrids] == [city.micro_a1.id]
    r = client.post(f"/stations/{station.id}/services/new", {"kind": "appointment", "name": "ID photo",
                                                            "limit_hours": "4"})
    assert r.status_code == 303
    service = db.session.scalar(select(StationService).where(StationService.name == "ID photo"))
    day = (local_today() + timedelta(days=3)).isoformat()
    r = client.post(f"/stations/services/{service.id}/slots", {"slot-day": day, "slot-start": "09:00",
                                                              "slot-end": "11:00", "slot-length": "30",
                                                              "slot-capacity": "2"})
    assert r.status_code == 303
    assert db.session.scalar(select(func.count(ServiceSlot.id)).where(ServiceSlot.service_id == service.id)) == 4


def test_slots_in_the_past_or_with_no_places_are_refused(client, city):
    built = build_station(city)
    client.login("staff_a")
    before = db.session.scalar(select(func.count(ServiceSlot.id)))
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    r = client.htmx_post(f"/stations/services/{built.appointment}/slots", {
        "slot-day": yesterday, "slot-start": "09:00", "slot-end": "10:00", "slot-capacity": "0"})
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "This day has passed." in text
    assert "The places must be a whole number from 1 to 200." in text
    assert db.session.scalar(select(func.count(ServiceSlot.id))) == before


def test_a_service_without_a_name_or_time_limit_is_refused(client, city):
    built = build_station(city)
    client.login("staff_a")
    r = client.post(f"/stations/{built.station}/services/new", {"kind": "errand", "name": "", "limit_hours": "0"})
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "Please give the service a name." in text and "The time limit must be a whole number" in text


def test_staff_of_another_community_cannot_change_the_station(client, city):
    built = build_station(city)
    client.login("staff_b")
    assert client.get(f"/stations/{built.station}").status_code == 200
    page = client.get(f"/stations/{built.station}").get_data(as_text=True)
    assert "Add a service" not in page and "Request queue" not in page
    assert client.get(f"/stations/{built.station}/edit").status_code == 403
    assert client.get(f"/stations/{built.station}/services/new").status_code == 403
    assert client.post(f"/stations/services/{built.appointment}/slots", {
        "slot-day": local_today().isoformat(), "slot-start": "09:00", "slot-end": "10:00",
        "slot-capacity": "1"}).status_code == 403
    r = client.post("/stations/new", {"community_id": str(city.comm_a.id), "name": "Not mine",
                                      "place": "x", "opening_hours": "y"})
    assert r.status_code == 200
    assert db.session.scalar(select(Station.id).where(Station.name == "Not mine")) is None


def test_a_resident_cannot_set_up_stations(client, city):
    client.login("resident_a")
    assert client.get("/stations/new").status_code == 403
    assert "Set up a station" not in client.get("/stations/").get_data(as_text=True)
