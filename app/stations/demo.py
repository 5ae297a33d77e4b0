"""The demo station in 梧桐社区 (staff1's community): one service of each kind; free and full appointment times;
a help-at-the-door request waiting, one taken by member1, an errand done and rated by resident1; resident1 has a
booking tomorrow."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.demo import DemoCity, demo_seeder
from app.extensions import db
from app.stations import services
from app.stations.models import Station
from app.timeutil import local_today, utcnow


@demo_seeder(order=50)  # after the members seeder (40): member1's report to 梧桐社区 is confirmed
def seed_stations(city: DemoCity) -> str:
    if db.session.scalar(select(Station.id).limit(1)) is not None:
        return "already there"
    u, a = city.users, city.areas
    staff1, member1, leader1 = u["staff1"], u["member1"], u["leader1"]
    station = services.create_station(staff1, a["community1"], services.StationInput(
        name="梧桐苑党群驿站", place="梧桐苑8幢东侧一楼（原物业用房）", opening_hours="周一至周六 8:30–17:00",
        phone="0510-86001234", microgrid_ids=()))
    check = services.add_service(station, staff1, services.ServiceInput(
        kind="appointment", name="免费测血压", description="社区医生坐诊，测量血压并记录健康档案，可咨询用药。",
        eligibility="本社区居民，60岁以上老人优先", limit_hours="2"))
    shopping = services.add_service(station, staff1, services.ServiceInput(
        kind="home_help", name="帮卧床老人代买菜", description="志愿者按清单代买蔬菜和日用品，送到家门口。",
        eligibility="行动不便的老人、残疾人", limit_hours="24"))
    pension = services.add_service(station, staff1, services.ServiceInput(
        kind="errand", name="养老金资格认证代办", description="工作人员上门拍照认证，代为提交。",
        eligibility="本社区退休人员", documents="身份证原件\n社保卡", limit_hours="72"))

    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    day_after = (local_today() + timedelta(days=2)).isoformat()
    free = services.add_slots(check, staff1, services.SlotInput(day=tomorrow, start="09:00", end="11:00",
                                                                length="30", capacity="3"))
    full = services.add_slots(check, staff1, services.SlotInput(day=day_after, start="14:00", end="14:30",
                                                                capacity="2"))[0]
    services.add_slots(check, staff1, services.SlotInput(day=day_after, start="14:30", end="16:00", length="30",
                                                         capacity="2"))

    def me(person):
        return services.beneficiary(person, station)

    services.book(free[0], u["resident1"], me(u["resident1"]))
    services.book(full, u["resident3"], me(u["resident3"]) if u["resident3"].home_area.is_within(a["community1"])
                  else services.beneficiary(staff1, station, subject_name="刘奶奶", subject_contact="梧桐苑3幢101"))
    services.book(full, staff1, services.beneficiary(staff1, station, subject_name="黄大爷",
                                                     subject_contact="13900000199（儿子）"))

    waiting = services.send_request(shopping, u["resident1"], me(u["resident1"]),
                                    "腿脚不方便，想请人帮忙买两斤青菜、一袋米，送到梧桐苑2幢301。")
    taken = services.send_request(shopping, leader1, services.beneficiary(
        leader1, station, subject_name="梁伯", subject_contact="梧桐苑5幢102，电话找他女儿 13900000188"),
        "梁伯独居卧床，需要每周代买一次菜和常用药。")
    services.take(taken, member1)
    done = services.send_request(pension, u["resident1"], me(u["resident1"]),
                                 "今年的养老金资格认证还没做，我不会用手机认证。")
    services.take(done, staff1)
    services.mark_done(done, staff1, "已上门拍照认证并提交，社保系统显示认证成功。")
    services.confirm(done, u["resident1"], "satisfied", "上门很及时，谢谢！")
    del waiting
    now = utcnow()
    return f"1 station, 3 services, {len(free) + 4} times, 3 requests ({now:%Y-%m-%d})"
