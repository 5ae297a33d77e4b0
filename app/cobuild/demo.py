"""Demo checklists: 市民政局 (agency1) ↔ 梧桐社区 (staff1) with items in all three lists and in every state; an open
need of 杏林社区 (staff2; 市教育局 is an agency of its street through its pairing) and key projects waiting for
市教育局 (agency2) to claim."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.cobuild import services
from app.cobuild.models import ChecklistItem
from app.cobuild.services import ItemInput
from app.demo import DemoCity, demo_seeder
from app.extensions import db
from app.organisations.models import Pairing
from app.timeutil import local_today


def _date(days: int) -> date:
    """A date ``days`` from today, kept inside this year (the pairing's year)."""
    today = local_today()
    target = today + timedelta(days=days)
    if target.year != today.year:
        target = date(today.year, 12, 31) if days >= 0 else date(today.year, 1, 1)
    return target


def _input(title, description, category, *, quantity=None, value=None, side="agency", days=30):
    return ItemInput(title=title, description=description, category=category, quantity=quantity, value=value,
                     community_contact="陈静", agency_contact="赵强", responsible_side=side, target_date=_date(days))


@demo_seeder(order=40)
def seed_cobuild(city: DemoCity) -> str:
    if db.session.scalar(select(ChecklistItem.id).limit(1)) is not None:
        return "already there"
    u, a = city.users, city.areas
    staff1, agency1, street1, admin = u["staff1"], u["agency1"], u["street1"], u["admin"]
    agency1_org = next(org for org in city.orgs.values() if org.name == "市民政局机关党支部")
    pairing = db.session.scalar(select(Pairing).where(Pairing.organisation_id == agency1_org.id,
                                                      Pairing.community_id == a["community1"].id)
                                .order_by(Pairing.year.desc()))
    # needs (the community's)
    need_meals = services.propose(staff1, pairing, "need", _input(
        "独居老人助餐服务", "梧桐社区有独居老人 46 位，希望每周两次送餐上门。", "elderly",
        quantity="46 人", value=12000))
    need_study = services.propose(staff1, pairing, "need", _input(
        "四点半课堂志愿辅导", "放学后无人看护的小学生需要作业辅导。", "children", quantity="每周 3 次", days=60))
    services.propose(staff1, pairing, "need", _input(
        "楼道堆物清理", "老旧小区楼道堆物多，存在消防隐患。", "safety", side="community", days=20))
    # resources (the branch's)
    res_volunteers = services.propose(agency1, pairing, "resource", _input(
        "党员志愿者送餐队", "支部 12 名党员轮流参与送餐。", "elderly", quantity="12 人"))
    res_tutors = services.propose(agency1, pairing, "resource", _input(
        "党员辅导老师", "支部有 5 名党员可每周辅导作业。", "children", quantity="5 人", days=60))
    services.agree(staff1, res_tutors)
    services.agree(agency1, need_study)
    # a project made by matching, agreed by both, in progress
    meals = services.match(staff1, pairing, [need_meals.id, res_volunteers.id], _input(
        "“暖心食堂”助餐项目", "党员志愿者每周二、周五为独居老人送餐。", "elderly",
        quantity="46 人", value=12000, days=90))
    services.agree(agency1, meals)
    services.post_progress(agency1, need_meals, 60, "已为 28 位老人建立送餐档案，每周送餐两次。")
    services.post_progress(agency1, res_volunteers, 80, "12 名党员已排班，10 人完成食品安全培训。")
    # a project done and evaluated
    done = services.propose(agency1, pairing, "project", _input(
        "社区健康义诊", "联系市民政局下属医院，为社区老人义诊一次。", "health", quantity="1 次", value=3000, days=-10))
    services.agree(staff1, done)
    services.post_progress(agency1, done, 100, "义诊当天为 132 位居民测量血压血糖。")
    services.mark_done(agency1, done, "共服务居民 132 人次，发放健康手册 200 份。")
    services.evaluate(staff1, done, 5, "居民反响很好，希望每季度办一次。")
    # one awaiting agency1's agreement (proposed by the community)
    services.propose(staff1, pairing, "project", _input(
        "小区充电桩安装协调", "协调供电部门在小区安装电动自行车充电桩。", "facilities", value=20000, days=120))
    # an open need of 杏林社区 for the agencies of 北湖街道 (市教育局 is paired there), and key projects city-wide,
    # all unclaimed
    handrails = _input("老旧小区加装扶手", "3 栋老楼的楼梯需要加装扶手，方便老人上下楼。", "facilities", value=8000,
                       days=75)
    handrails.community_contact, handrails.agency_contact = "林芳", None
    services.publish_open_need(u["staff2"], a["community2"], handrails)
    services.publish_key_project(street1, a["community1b"], _input(
        "青石社区文化活动室改造", "改造社区闲置用房为居民文化活动室（书记项目）。", "culture", value=50000,
        days=150))
    services.publish_key_project(admin, a["community2"], _input(
        "杏林社区智慧养老服务站", "建设一处智慧养老服务站，提供助餐、助浴、健康监测（重点攻坚项目）。", "elderly",
        value=150000, days=160))
    return "checklists for 市民政局 ↔ 梧桐社区 in every state; an open need and two key projects to claim"
