"""Demo moderation in 杏林社区 (staff2's community): neighbours report a published wish until it is hidden pending
review — the one item of the staff's review queue — and an open issue gets reports below the threshold. Everything
goes through the service, so the audit log and the author's notice have it too."""
from __future__ import annotations

from sqlalchemy import select

from app.areas.models import Area
from app.demo import DemoCity, demo_seeder
from app.extensions import db
from app.issues.models import OPEN_STATES, Issue
from app.moderation import services
from app.moderation.models import Flag
from app.moderation.subjects import is_author, kind_for
from app.wishes.models import Wish

#: who reports, in this order (the author of a thing is skipped)
FLAGGERS = ("member2", "resident10", "resident2", "resident9", "resident4", "resident6", "resident8", "resident1",
            "member1", "resident3", "resident5", "resident7")
WISH_REASONS = ("和上个月发布的心愿重复了。", "心愿里写的情况和实际不符。", "疑似替别人重复登记。",
                "内容与社区公示的不一致。")
ISSUE_REASONS = ("照片和描述说的不是同一个地方。", "这件事已经处理过了，重复反映。")


def _flaggers(city: DemoCity, subject, n: int) -> list:
    people = [city.users[name] for name in FLAGGERS if name in city.users]
    return [u for u in people if not is_author(u, subject)][:n]


@demo_seeder(order=93)  # after the wishes (30) and issues (40); before the notices are filed away (95)
def seed_moderation(city: DemoCity) -> str | None:
    if db.session.scalar(select(Flag.id).limit(1)) is not None:
        return "already there"
    community = city.areas.get("community2")
    if community is None:
        return "no community to moderate in"
    limit = services.threshold()
    done = []
    wish = next((w for w in db.session.scalars(
        select(Wish).where(Wish.community_id == community.id, Wish.state == "published", Wish.moderation.is_(None))
        .order_by(Wish.id)) if kind_for(w).is_public(w)), None)
    if wish is not None:
        flaggers = _flaggers(city, wish, limit)
        for i, user in enumerate(flaggers):
            services.flag(wish, user, WISH_REASONS[i % len(WISH_REASONS)])
        done.append(f"wish {wish.id}: {len(flaggers)} reports ({wish.moderation or 'shown'})")
    issue = next((i for i in db.session.scalars(
        select(Issue).join(Area, Area.id == Issue.area_id)
        .where(Area.in_subtree(community.path), Issue.state.in_(OPEN_STATES), Issue.moderation.is_(None))
        .order_by(Issue.id)) if kind_for(i).is_public(i)), None)
    if issue is not None:
        # below the threshold: the case gathers reports, the issue stays shown
        flaggers = _flaggers(city, issue, min(len(ISSUE_REASONS), limit - 1))
        for i, user in enumerate(flaggers):
            services.flag(issue, user, ISSUE_REASONS[i])
        done.append(f"issue {issue.id}: {len(flaggers)} reports")
    return "; ".join(done) or "nothing to report"
