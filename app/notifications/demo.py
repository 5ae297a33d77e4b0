"""The demo city's history is made in one go, so every notice of it would arrive at once, unread, "just now".

After the other seeders, each person's notices are filed as read, except the newest one about each thing that
still waits for them (a wish still to review, a result still to rate …), as the bell of a portal in use would show.
"""
from __future__ import annotations

from sqlalchemy import select, update

from app.demo import DemoCity, demo_seeder
from app.extensions import db
from app.notifications import registry
from app.notifications.models import Notification


@demo_seeder(order=95)
def file_away_the_history(city: DemoCity) -> str:
    rows = db.session.execute(
        select(Notification.id, Notification.user_id, Notification.event, Notification.subject_type,
               Notification.subject_id)
        .where(Notification.read_at.is_(None)).order_by(Notification.id.desc())
    ).all()
    keep: list[int] = []
    seen: set[tuple] = set()
    still: dict[tuple, bool] = {}
    for row in rows:
        key = (row.user_id, row.subject_type, row.subject_id)
        if key in seen:
            continue  # an older notice about the same thing
        seen.add(key)
        spec = registry.notice_for(row.event)
        if spec is None or spec.current is None or row.subject_id is None:
            continue
        check = (row.event, row.subject_id)
        if check not in still:
            still[check] = bool(spec.current(row.subject_id))
        if still[check]:
            keep.append(row.id)
    filed = db.session.execute(
        update(Notification).where(Notification.read_at.is_(None), Notification.id.not_in(keep or [0]))
        .values(read_at=city.now)
    ).rowcount
    return f"{filed} notices of the seeded history filed as read, {len(keep)} left unread"
