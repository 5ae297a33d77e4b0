"""The reminder and overdue jobs tell the right people once: a second run changes nothing."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.jobs import run_all
from app.notifications.models import Notification
from app.stations.models import ServiceRequest
from app.timeutil import utcnow
from tests.stations.helpers import bookings, build_station, request_, send


def _notices(user_id: int) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == user_id)) or 0


def test_the_day_before_reminder_goes_out_once(client, city):
    built = build_station(city, days_ahead=1)
    client.login("resident_a")
    client.post(f"/stations/slots/{built.slot}/book", {"slot": str(built.slot)})
    [booking] = bookings(built.slot)
    now = booking.starts_at - timedelta(hours=20)
    before = _notices(city.resident_a.id)
    first = run_all(now, only="stations.remind_bookings")
    assert first[0].error is None and first[0].changes == [f"booking {booking.id}: reminder sent"]
    assert _notices(city.resident_a.id) == before + 1
    second = run_all(now + timedelta(minutes=5), only="stations.remind_bookings")
    assert second[0].changes == []
    assert _notices(city.resident_a.id) == before + 1


def test_a_request_past_its_limit_is_flagged_once_to_the_taker(client, make_client, city):
    built = build_station(city)
    rid = send(city, built)
    leader = make_client()
    leader.login("leader_a1")
    leader.post(f"/stations/requests/{rid}/take")
    later = utcnow() + timedelta(hours=25)
    before = _notices(city.leader_a1.id)
    first = run_all(later, only="stations.flag_overdue_requests")
    assert first[0].error is None and first[0].changes == [f"station request {rid}: overdue"]
    assert request_(rid).overdue_at is not None
    assert _notices(city.leader_a1.id) == before + 1
    assert run_all(later + timedelta(hours=1), only="stations.flag_overdue_requests")[0].changes == []
    assert _notices(city.leader_a1.id) == before + 1
    page = leader.get("/").get_data(as_text=True)
    assert "Station requests you took" in page


def test_an_untaken_overdue_request_tells_the_queue(city):
    built = build_station(city)
    rid = send(city, built)
    before = _notices(city.staff_a.id)
    run_all(utcnow() + timedelta(hours=25), only="stations.flag_overdue_requests")
    assert _notices(city.staff_a.id) == before + 1
    assert db.session.get(ServiceRequest, rid).overdue_at is not None
