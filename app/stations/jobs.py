"""Scheduled: remind residents the day before their booking; flag requests past their time limit (the taker, or
the queue while nobody took it, is told). Each marks its row with a compare-and-set first, so a second run (or
host) sends nothing twice."""
from __future__ import annotations

from datetime import datetime

from app.jobs import job
from app.stations import queries, services

BATCH = 500


@job("stations.remind_bookings", order=72)
def remind_bookings(now: datetime) -> list[str]:
    changes = []
    for booking in queries.bookings_to_remind(now, BATCH):
        if services.remind(booking, now):
            changes.append(f"booking {booking.id}: reminder sent")
    return changes


@job("stations.flag_overdue_requests", order=73)
def flag_overdue_requests(now: datetime) -> list[str]:
    changes = []
    for req in queries.overdue_requests(now, BATCH):
        if services.flag_overdue(req, now):
            changes.append(f"station request {req.id}: overdue")
    return changes
