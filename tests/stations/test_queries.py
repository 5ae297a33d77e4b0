"""Bounded SQL: the station page and the queue cost the same number of statements for 2 or 20 rows."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.stations import services
from app.stations.models import StationService
from app.timeutil import local_today
from tests.stations.helpers import build_station, send


def _count(client, url, queries) -> int:
    with queries() as statements:
        r = client.get(url)
    assert r.status_code == 200
    return len(statements)


def test_the_station_page_is_bounded(client, city, queries):
    built = build_station(city)
    client.login("staff_a")
    url = f"/stations/{built.station}"
    few = _count(client, url, queries)
    service = db.session.get(StationService, built.appointment)
    for day in range(3, 8):
        services.add_slots(service, city.staff_a, services.SlotInput(
            day=(local_today() + timedelta(days=day)).isoformat(), start="08:00", end="12:00", length="30",
            capacity="2"))
    for kind in ("home_help", "errand", "appointment"):
        services.add_service(service.station, city.staff_a, services.ServiceInput(
            kind=kind, name=f"More {kind}", limit_hours="5"))
    db.session.commit()
    many = _count(client, url, queries)
    assert many == few, (few, many)


def test_the_queue_is_bounded(client, city, queries, monkeypatch, app):
    built = build_station(city)
    monkeypatch.setitem(app.config, "STATION_PAGE_SIZE", 30)
    send(city, built)
    send(city, built, person=city.resident_a2)
    client.login("staff_a")
    url = f"/stations/{built.station}/queue"
    few = _count(client, url, queries)
    for i in range(20):
        send(city, built, note=f"Request {i}", kind="errand" if i % 2 else "home_help")
    many = _count(client, url, queries)
    assert many == few, (few, many)


def test_the_queue_is_paged_and_the_last_request_is_reachable(client, city, monkeypatch, app):
    built = build_station(city)
    monkeypatch.setitem(app.config, "STATION_PAGE_SIZE", 5)
    ids = [send(city, built, note=f"Request number {i}") for i in range(12)]
    client.login("staff_a")
    url = f"/stations/{built.station}/queue"
    seen: list[str] = []
    for _ in range(5):
        text = client.get(url).get_data(as_text=True)
        seen.append(text)
        import re

        match = re.search(r'href="(/stations/\d+/queue\?[^"]*after=[^"]+)"', text)
        if not match:
            break
        url = match.group(1).replace("&amp;", "&")
    assert all(any(f'id="request-{rid}"' in t for t in seen) for rid in ids)


def _walk(client, url, pattern) -> list[str]:
    import re

    pages = []
    for _ in range(20):
        text = client.get(url).get_data(as_text=True)
        pages.append(text)
        match = re.search(pattern, text)
        if not match:
            break
        url = match.group(1).replace("&amp;", "&")
    return pages


def test_every_station_and_every_coming_time_is_reachable(client, city, monkeypatch, app):
    from app.stations.models import Station

    built = build_station(city)
    monkeypatch.setitem(app.config, "STATION_PAGE_SIZE", 3)
    for i in range(7):
        services.create_station(city.staff_a, city.comm_a, services.StationInput(
            name=f"Station {i:02d}", place="Here", opening_hours="Daily"))
    service = db.session.get(StationService, built.appointment)
    made = services.add_slots(service, city.staff_a, services.SlotInput(
        day=(local_today() + timedelta(days=4)).isoformat(), start="08:00", end="12:00", length="30", capacity="1"))
    db.session.commit()
    client.login("resident_a")
    pages = _walk(client, "/stations/", r'href="(/stations/\?after=[^"]+)"')
    for station_id in db.session.scalars(select(Station.id)):
        assert any(f'id="station-{station_id}"' in p for p in pages), station_id
    pages = _walk(client, f"/stations/services/{service.id}", r'href="(/stations/services/\d+\?after=[^"]+)"')
    for slot in made:
        assert any(f'id="slot-{slot.id}"' in p for p in pages), slot.id
