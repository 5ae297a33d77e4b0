"""Scheduled: release claims past their deadline, expire wishes past their wanted-by date.

Both pick candidates with a plain query and then move each wish with a compare-and-set update, so a second run
(or a second host running at the same moment) finds nothing left to change.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.jobs import job
from app.timeutil import to_local
from app.wishes import services
from app.wishes.models import Wish, WishClaim

BATCH = 500


@job("wishes.release_overdue_claims", order=10)
def release_overdue_claims(now: datetime) -> list[str]:
    rows = list(db.session.execute(
        select(WishClaim.id, WishClaim.wish_id).join(Wish, Wish.id == WishClaim.wish_id)
        .where(WishClaim.status == "active", WishClaim.deadline_at < now, Wish.state == "claimed")
        .order_by(WishClaim.deadline_at, WishClaim.id).limit(BATCH)
    ).all())
    changes = []
    for _claim_id, wish_id in rows:
        wish = db.session.get(Wish, wish_id)
        if wish is None or wish.state != "claimed":
            continue
        try:
            released = services.release(wish, None, None, automatic=True, now=now)
        except services.WishError:
            continue  # another host moved it meanwhile
        changes.append(f"wish {wish.id}: claim {released.id if released else '?'} released "
                       f"(deadline {to_local(released.deadline_at):%Y-%m-%d %H:%M} passed)" if released
                       else f"wish {wish.id}: released")
    return changes


@job("wishes.expire_past_wanted_by", order=20)
def expire_past_wanted_by(now: datetime) -> list[str]:
    today = to_local(now).date()
    rows = list(db.session.scalars(
        select(Wish).where(Wish.state.in_(("pending", "published")), Wish.wanted_by < today)
        .order_by(Wish.wanted_by, Wish.id).limit(BATCH)
    ))
    changes = []
    for wish in rows:
        before = wish.state
        if services.expire(wish, now=now):
            changes.append(f"wish {wish.id}: {before} → expired (wanted by {wish.wanted_by.isoformat()})")
    return changes
