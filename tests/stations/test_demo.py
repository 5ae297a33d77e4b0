"""The demo station: one service of each kind, free and full times, a request waiting, one taken by member1, one
done and rated; and the people who must act are told."""
from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from app.notifications.models import Notification
from app.stations.models import ServiceRequest, ServiceSlot, Station, StationService
from tests.stations.helpers import build_station, send


def test_the_demo_station_has_everything_a_newcomer_should_see(client, demo_city):
    station = db.session.scalar(select(Station))
    staff1 = db.session.scalar(select(User).where(User.username == "staff1"))
    member1 = db.session.scalar(select(User).where(User.username == "member1"))
    assert station is not None and station.community_id == staff1.roles[0].area_id
    kinds = sorted(db.session.scalars(select(StationService.kind).where(StationService.station_id == station.id)))
    assert kinds == ["appointment", "errand", "home_help"]
    slots = list(db.session.scalars(select(ServiceSlot).where(ServiceSlot.station_id == station.id)))
    assert any(s.is_full for s in slots) and any(not s.is_full for s in slots)
    states = {(r.state, r.taker_id, r.rating) for r in db.session.scalars(select(ServiceRequest))}
    assert ("open", None, None) in states
    assert ("taken", member1.id, None) in states
    assert any(state == "confirmed" and rating for state, _t, rating in states)
    client.login("member1")
    assert "Station requests" in client.get("/").get_data(as_text=True)
    assert client.get(f"/stations/{station.id}/queue").status_code == 200


def test_the_queue_holders_hear_of_a_new_request(city):
    built = build_station(city)

    def count(user):
        return db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == user.id))

    before = {u.username: count(u) for u in (city.staff_a, city.leader_a1, city.leader_a2, city.staff_b)}
    send(city, built)
    assert count(city.staff_a) == before["staff_a"] + 1
    assert count(city.leader_a1) == before["leader_a1"] + 1
    assert count(city.leader_a2) == before["leader_a2"]
    assert count(city.staff_b) == before["staff_b"]
