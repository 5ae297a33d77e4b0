"""Demo activities in 梧桐社区: upcoming ones member1 can sign up for (one full with a waiting list), and a past
patrol whose list staff1 attested — the attested hours are what points are awarded on."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.activities import services
from app.activities.models import Activity
from app.activities.services import ActivityInput
from app.demo import DemoCity, demo_seeder
from app.extensions import db
from app.timeutil import to_local, utcnow


def _local(at) -> str:
    return to_local(at).strftime("%Y-%m-%dT%H:%M")


def _at(day: int, hour: int):
    """``day`` days from today at ``hour`` o'clock local time, as naive UTC."""
    local_now = to_local(utcnow())
    local = local_now.replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=day)
    return services.parse_local(local.strftime("%Y-%m-%dT%H:%M"))


@demo_seeder(order=45)
def seed_activities(city: DemoCity) -> str:
    if db.session.scalar(select(Activity.id).limit(1)) is not None:
        return "already there"
    u, a = city.users, city.areas
    staff1, leader1, member1 = u["staff1"], u["leader1"], u["member1"]
    now = utcnow()

    def publish(actor, area, kind, title, place, day, hour, hours, capacity, audience="everyone", walk_ins=False,
                at=None):
        data = ActivityInput(kind=kind, title=title, place=place, starts_at=_local(_at(day, hour)),
                             ends_at=_local(_at(day, hour) + timedelta(hours=hours)), capacity=str(capacity),
                             audience=audience, walk_ins=walk_ins,
                             description="请提前十分钟到集合点，现场扫码签到。")
        return services.publish(actor, area, data, now=at or now)

    made = [
        publish(staff1, a["community1"], "patrol", "梧桐苑夜间平安巡逻", "梧桐苑东门岗亭", 2, 19, 2, 6, walk_ins=True),
        publish(staff1, a["community1"], "evening_surgery", "民生七点办：物业费与停车", "社区党群服务中心一楼",
                3, 19, 2, 20),
        publish(staff1, a["community1"], "council", "党群议事会：加装电梯协调", "社区会议室", 5, 14, 2, 12,
                audience="members"),
        publish(leader1, a["community1.g1.m1"], "volunteering", "一组楼道清理志愿服务", "一组3号楼楼下", 4, 9, 3, 8),
    ]
    full = publish(staff1, a["community1"], "volunteering", "敬老院陪伴志愿服务", "澄川敬老院", 6, 9, 3, 2)
    for name in ("resident1", "resident2", "resident3", "resident4"):
        services.sign_up(full, u[name])  # two places, two on the waiting list
    # a patrol three days ago: signed up, checked in and out, attested by staff1
    past_start = _at(-3, 19)
    past = publish(staff1, a["community1"], "patrol", "梧桐苑夜间平安巡逻（上周）", "梧桐苑东门岗亭", -3, 19, 2, 6,
                   at=past_start - timedelta(days=2))
    for name, late in (("member1", 0), ("leader1", 20), ("resident1", 0)):
        services.sign_up(past, u[name], now=past_start - timedelta(days=1))
        services.check(past, u[name], "in", now=past_start + timedelta(minutes=late))
        services.check(past, u[name], "out", now=past_start + timedelta(hours=2, minutes=5))
    services.attest(past, staff1)
    services.sign_up(made[0], member1)
    return f"{len(made) + 2} activities (one full with a waiting list, one attested)"
