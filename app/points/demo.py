"""The demo city's points: the rules, then every completed wish and attested (or corrected) attendance the earlier
seeders made, replayed through the same subscribers that award them live — from the audit log, which keeps each
event's payload — and two more completed wishes in 杏林社区 so that its board shows a tie (equal points, ordered
by who reached them first). Works whether or not the activities seeder ran before."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app import events
from app.accounts.models import User
from app.audit.models import AuditEntry
from app.demo import DemoCity, demo_seeder
from app.extensions import db
from app.points import services, subscribers
from app.points.models import PointEntry
from app.timeutil import local_today

#: the events the demo replays, and the subscriber that applies each
REPLAYED = {
    "wish.completed": subscribers.wish_completed,
    "attendance.attested": subscribers.attendance_attested,
    "attendance.corrected": subscribers.attendance_corrected,
}


@dataclass(frozen=True)
class _Source:
    """The subject of a replayed event: a subscriber only needs its table and id."""

    __tablename__: str
    id: int


def replay(names=tuple(REPLAYED)) -> int:
    """Apply the rules to the events the audit log holds (an award already there is skipped by its unique key)."""
    count = 0
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(names)).order_by(AuditEntry.id))
    for row in list(rows):
        declared = events.declaration(row.action)
        if declared is None or row.subject_id is None:
            continue
        fields = {k: tuple(v) if isinstance(v, list) else v for k, v in (row.details or {}).items()}
        payload = declared.payload(subject_id=row.subject_id, actor_id=row.actor_id, area_id=row.area_id,
                                   at=row.at, **fields)
        actor = db.session.get(User, row.actor_id) if row.actor_id else None
        subject = _Source(row.subject_type or "", row.subject_id)
        event = events.DomainEvent(name=row.action, actor=actor, subject=subject, payload=payload)
        REPLAYED[row.action](event)
        count += 1
    return count


def _tie(city: DemoCity) -> str:
    """Two wishes in 杏林社区 completed the same way: one by 李海燕 for herself, one by 钱伟 for the 市教育局 branch —
    20 points each on the community's board, level with 赵强's for a wish he completed there."""
    from app.wishes import services as wishes
    from app.wishes.services import WishInput

    u = city.users
    staff2, member2, agency2 = u.get("staff2"), u.get("member2"), u.get("agency2")
    residents = city.residents_of("community2") if "community2" in city.areas else []
    if not (staff2 and member2 and agency2 and residents):
        return "no tie (the demo city lacks 杏林社区's people)"
    org = next((o for o in city.orgs.values() if o.name == "市教育局机关党支部"), None)
    today = local_today()
    for who, org_id, title, note in (
            (member2, None, "帮忙把旧衣物送到捐赠点", "两大袋旧衣物已经送到社区捐赠点。"),
            (agency2, org.id if org else None, "给楼道装一盏感应灯", "支部党员买了感应灯并装好了。")):
        wisher = residents[0]
        wish = wishes.post_wish(wisher, WishInput(category="daily", title=title, description=title + "。",
                                                  value=30, wanted_by=today + timedelta(days=20)))
        wishes.approve(wish, staff2)
        wishes.claim(wish, who, organisation_id=org_id)
        wishes.fulfil(wish, who, note)
        wishes.confirm(wish, wisher, "谢谢！")
    return "a tie on 杏林社区's board"


@demo_seeder(order=90)  # after the wishes (30) and activities seeders
def seed_points(city: DemoCity) -> str:
    """Idempotent: the replay adds only what is missing (the unique keys), the tie's wishes are made once."""
    rules = services.ensure_rules()
    replayed = replay()
    member2 = city.users.get("member2")
    done = member2 is not None and db.session.scalar(
        select(PointEntry.id).where(PointEntry.user_id == member2.id).limit(1)) is not None
    tie = "the tie was there" if done else _tie(city)
    return f"{len(rules)} rules, {replayed} events replayed, {tie}"
