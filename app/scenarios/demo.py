"""A realistic catalogue of Jiangyin's application scenarios, and which demo communities run which."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.demo import DemoCity, demo_seeder
from app.extensions import db
from app.scenarios import services
from app.scenarios.models import Scenario
from app.timeutil import local_today

# name, dimension, kind, description
CATALOGUE = [
    ("治安防控", "facilities", "common", "视频监控、门禁与网格巡逻联动，发现即处置。"),
    ("智慧安防小区", "facilities", "common", "人脸门禁、车辆识别、高空抛物监测。"),
    ("线上问诊", "data_sharing", "common", "社区卫生服务站医生在线问诊、慢病随访。"),
    ("一网通办", "data_sharing", "common", "社区代办事项网上受理，数据共享少跑腿。"),
    ("智慧养老", "scenarios", "common", "独居老人智能手环、助餐点、紧急呼叫。"),
    ("网格员移动巡查", "data_sharing", "common", "网格员手机上报、事件流转、限时办结。"),
    ("乡村治理积分制", "co_governance", "specific", "村民参与公益、环境整治计积分，积分兑换。"),
    ("居民议事厅", "co_governance", "common", "民生七点办、议事会线上预约与公示。"),
    ("邻里互助", "co_governance", "common", "微心愿、志愿服务时长与邻里帮扶。"),
    ("垃圾分类督导", "scenarios", "specific", "智能回收箱与督导员积分。"),
    ("电动车充电安全", "facilities", "specific", "集中充电棚、楼道飞线监测。"),
    ("青少年托管", "scenarios", "specific", "暑期托管、四点半课堂报名。"),
]
# community key → scenario names it runs, and how many days ago it started
ADOPTIONS = {
    "community1": [("治安防控", 400), ("线上问诊", 200), ("智慧养老", 120), ("居民议事厅", 90), ("邻里互助", 60),
                   ("垃圾分类督导", 30)],
    "community1b": [("治安防控", 300), ("网格员移动巡查", 150), ("邻里互助", 20)],
    "community2": [("治安防控", 500), ("一网通办", 250), ("智慧养老", 100), ("乡村治理积分制", 45)],
}


@demo_seeder(order=92)
def seed_scenarios(city: DemoCity) -> str | None:
    if db.session.scalar(select(Scenario.id).limit(1)) is not None:
        return "already there"
    admin = city.users["admin"]
    by_name = {}
    for name, dimension, kind, description in CATALOGUE:
        by_name[name] = services.create_scenario(admin, name=name, dimension=dimension, kind=kind,
                                                 description=description)
    today = local_today()
    staff = {"community1": city.users["staff1"], "community1b": city.users["street1"],
             "community2": city.users["staff2"]}
    n = 0
    for key, runs in ADOPTIONS.items():
        for name, days in runs:
            services.adopt(by_name[name], city.areas[key], staff[key],
                           since=(today - timedelta(days=days)).isoformat(), note="")
            n += 1
    return f"{len(CATALOGUE)} scenarios, {n} adoptions"
