from __future__ import annotations

from datetime import timedelta

from app.activities.models import Activity
from app.extensions import db
from app.timeutil import utcnow


def make_activity(city, *, start_in=timedelta(days=1), hours=2, capacity=5, walk_ins=False, audience="everyone",
                  organiser=None) -> int:
    start = (utcnow() + start_in).replace(microsecond=0)
    activity = Activity(kind="patrol", title="Evening patrol", area_id=city.comm_a.id, community_id=city.comm_a.id,
                        place="Gate 3", starts_at=start, ends_at=start + timedelta(hours=hours), capacity=capacity,
                        audience=audience, walk_ins=walk_ins, organiser_id=(organiser or city.staff_a).id)
    db.session.add(activity)
    db.session.commit()
    return activity.id


def get(activity_id: int) -> Activity:
    db.session.expire_all()
    return db.session.get(Activity, activity_id)
