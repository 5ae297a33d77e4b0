"""Demo reports: member1 reported and confirmed in 梧桐社区 (staff1's community); member2 waiting in their own."""
from __future__ import annotations

from sqlalchemy import select

from app.demo import DemoCity, demo_seeder
from app.extensions import db
from app.members import services
from app.members.models import MemberReport


@demo_seeder(order=40)
def seed_reports(city: DemoCity) -> str:
    if db.session.scalar(select(MemberReport.id).limit(1)) is not None:
        return "already there"
    u, a = city.users, city.areas
    first = services.report(u["member1"], a["community1.g1.m2"], "梧桐苑3幢502室", ["policy", "volunteering"],
                            "工作日晚上，周六上午")
    services.confirm(first, u["staff1"])
    services.report(u["member2"], a["community2.g1.m2"], "银杏里12幢101室", ["pairing"], "周末全天")
    return "2 member reports (one confirmed, one waiting)"
