"""The dashboard's scheduled job: the current-state figures that time alone changes (an issue becomes overdue
without any event) are counted once per run for every area, so a page reads one row."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import delete, func, select, update

from app.areas.models import Area
from app.dashboard.models import AreaSnapshot
from app.extensions import db
from app.jobs import job

OVERDUE = "issue.overdue"


def count_overdue(now: datetime) -> dict[int, int]:
    """area id → issues overdue now in its subtree (every area above an overdue issue; the cities always)."""
    from app.issues.models import ACTIVE_STATES, Issue

    per_area = db.session.execute(
        select(Issue.area_id, func.count(Issue.id))
        .where(Issue.state.in_(ACTIVE_STATES), Issue.due_at < now).group_by(Issue.area_id)).all()
    paths = dict(db.session.execute(select(Area.id, Area.path).where(Area.id.in_([a for a, _n in per_area]))).all())
    out: Counter = Counter({root: 0 for root in db.session.scalars(select(Area.id).where(Area.parent_id.is_(None)))})
    for area_id, n in per_area:
        for anc in [int(p) for p in paths.get(area_id, "").strip("/").split("/") if p] or [area_id]:
            out[anc] += n
    return dict(out)


@job("dashboard.snapshot", order=90)
def snapshot(now: datetime) -> list[str]:
    """Count again; the rows are rewritten (their ``computed_at`` tells the pages the count is fresh), and a change
    is reported only when a number moved."""
    counts = count_overdue(now)
    before = dict(db.session.execute(select(AreaSnapshot.area_id, AreaSnapshot.value)
                                     .where(AreaSnapshot.metric == OVERDUE)).all())
    if before == counts:
        db.session.execute(update(AreaSnapshot).where(AreaSnapshot.metric == OVERDUE).values(computed_at=now))
        return []
    db.session.execute(delete(AreaSnapshot).where(AreaSnapshot.metric == OVERDUE))
    if counts:
        db.session.execute(AreaSnapshot.__table__.insert(), [
            {"area_id": a, "metric": OVERDUE, "value": n, "computed_at": now} for a, n in counts.items()])
    roots = set(db.session.scalars(select(Area.id).where(Area.parent_id.is_(None))))
    total = sum(n for a, n in counts.items() if a in roots)
    return [f"{total} issue(s) overdue now, counted for {len(counts)} area(s)"]
