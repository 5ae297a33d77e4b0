"""Demo issues: every state and level, some overdue, from resident1, rider1 (sentinel) and leader1 (代录)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.demo import DemoCity, demo_seeder
from app.extensions import db
from app.issues import services as s
from app.issues.models import Issue


@demo_seeder(order=40)
def seed_issues(city: DemoCity) -> str | None:
    s.ensure_default_categories()
    if db.session.scalar(select(Issue.id).limit(1)) is not None:
        return "issues: already there"
    u, a, now = city.users, city.areas, city.now
    cat = {c.code: c for c in s.active_categories()}

    def ago(**kw):
        return now - timedelta(**kw)

    def report(who, code, text, area, when, **kw):
        return s.report_issue(reporter=u[who] if who else None, category=cat[code], description=text,
                              area=a[area], now=when, **kw)

    made = []
    # 1 reported, micro-grid, fresh — leader1's queue
    i1 = report("resident1", "street_light", "3号楼东门的路灯坏了一个星期，晚上很黑。", "community1.g1.m1",
                ago(hours=2), address="梧桐苑3号楼东门")
    made.append(i1)
    # 2 neighbours say "me too"
    for who in ("resident3", "member1"):
        if who in u:
            s.support(i1, u[who])
    # 3 sentinel: safety hazard at micro-grid level, reported 3 hours ago — accept limit (1 h) passed: overdue
    i3 = report("rider1", "safety_hazard", "人行道上的窨井盖松动，电动车经过时会翘起。", "community1.g1.m2",
                ago(hours=3), channel="sentinel", address="梧桐路与青石街路口", lat=31.9121, lon=120.2853)
    made.append(i3)
    # 4 accepted by leader1
    i4 = report("resident1", "sanitation", "垃圾分类亭旁边堆了很多装修垃圾。", "community1.g1.m1", ago(days=1))
    s.accept(i4, u["leader1"], "明天上午联系物业清运。", now=ago(hours=20))
    made.append(i4)
    # 5 recorded by leader1 for an elderly resident on a home visit; in progress at micro-grid level
    resident = u.get("resident3")
    i5 = report("leader1", "other", "楼道扶手松了，老人上下楼不安全。", "community1.g1.m1", ago(days=2),
                channel="visit", on_behalf_of=resident, reporter_name=None if resident else "刘奶奶")
    s.accept(i5, u["leader1"], now=ago(days=2) + timedelta(hours=1))
    s.start(i5, u["leader1"], "已联系维修师傅。", now=ago(days=1))
    made.append(i5)
    # 6 resolved, waiting for resident1's rating
    i6 = report("resident1", "noise", "楼下小吃店每天凌晨两点还在搬货，很吵。", "community1.g1.m1", ago(days=4))
    s.accept(i6, u["leader1"], now=ago(days=4) + timedelta(hours=2))
    s.resolve(i6, u["leader1"], "已与店主沟通，凌晨不再装卸货，并签了承诺书。", now=ago(days=1))
    made.append(i6)
    # 7 closed with a rating
    i7 = report("resident1", "street_light", "小区北门路灯不亮。", "community1.g1.m1", ago(days=12))
    s.accept(i7, u["leader1"], now=ago(days=12) + timedelta(hours=3))
    s.resolve(i7, u["leader1"], "已更换灯泡。", now=ago(days=10))
    s.rate(i7, u["resident1"], "satisfied", "修得很快，谢谢！", now=ago(days=9))
    made.append(i7)
    # 8 not accepted, with the reason
    i8 = report("resident1", "other", "希望小区里多开一家奶茶店。", "community1.g1.m1", ago(days=3))
    s.reject(i8, u["leader1"], "属于商业经营事项，不在诉求受理范围，已转告社区商业服务中心。",
             now=ago(days=3) + timedelta(hours=1))
    made.append(i8)
    # 9 a duplicate of issue 1
    if "resident4" in u:
        i9 = report("resident4", "street_light", "3号楼那边路灯不亮。", "community1.g1.m1", ago(hours=1))
        s.mark_duplicate(i9, u["leader1"], i1, "同一盏路灯。")
        made.append(i9)
    # 10 escalated to the community, in progress, resolve limit passed: overdue at community level
    i10 = report("resident1", "facilities", "小区健身器材断裂，有孩子差点受伤。", "community1.g1.m1", ago(days=20))
    s.accept(i10, u["staff1"], now=ago(days=20) + timedelta(hours=2))
    s.start(i10, u["staff1"], now=ago(days=19))
    s.escalate(i10, u["staff1"], "更换器材需要社区申请资金统一采购。", now=ago(days=17))
    made.append(i10)
    # 11 neighbour dispute, resolved with a mediation record and closed
    if "resident6" in u:
        i11 = report("resident6", "neighbour_dispute", "楼上空调外机滴水到我家阳台，沟通多次未果。", "community1.g2.m1",
                     ago(days=8))
        s.accept(i11, u["staff1"], now=ago(days=8) + timedelta(hours=4))
        s.resolve(i11, u["staff1"], "组织双方在议事会调解，楼上加装排水管。", now=ago(days=6), mediation={
            "parties": "2单元401 与 2单元301", "mediator": "陈静（社区调解员）", "agreement_reached": True,
            "agreement_text": "401住户一周内加装冷凝水排水管，费用自理；301住户不再追究阳台清洁费用。"})
        s.rate(i11, u["resident6"], "basically_satisfied", now=ago(days=5))
        made.append(i11)
    # 12 street level, in progress, resolve limit (72 h) passed: stays overdue (no level left to escalate to)
    i12 = report("rider1", "safety_hazard", "青石社区路口的交通信号灯倒向一边。", "community1b.g1.m1", ago(hours=100),
                 channel="sentinel")
    s.escalate(i12, u["street1"], "路口设施不属于单个微网格。", now=ago(hours=99))
    s.escalate(i12, u["street1"], "路口设施不属于单个网格。", now=ago(hours=99))
    s.escalate(i12, u["street1"], "涉及交通设施，由街道协调交警部门。", now=ago(hours=99))
    s.accept(i12, u["street1"], now=ago(hours=98))
    s.start(i12, u["street1"], now=ago(hours=97))
    made.append(i12)
    # 13 community 2: resident2's sanitation issue at grid level, reported long ago — overdue for staff2
    i13 = report("resident2", "sanitation", "小区河道边有死鱼，气味很大。", "community2.g1.m1", ago(days=2))
    s.escalate(i13, u["staff2"], "需要网格统一协调保洁公司。", now=ago(days=2) + timedelta(hours=1))
    made.append(i13)
    # 14 resolved long ago, nobody rated: closed without rating
    i14 = report("resident2", "noise", "晚上广场舞音响太大。", "community2.g1.m1", ago(days=30))
    s.accept(i14, u["staff2"], now=ago(days=30) + timedelta(hours=5))
    s.resolve(i14, u["staff2"], "与广场舞队协商，晚上八点半后降低音量。", now=ago(days=25))
    s.auto_close(now)
    made.append(i14)
    # 15 an unsatisfied rating reopened this one
    i15 = report("resident1", "sanitation", "楼道里的小广告又贴满了。", "community1.g1.m1", ago(days=6))
    s.accept(i15, u["leader1"], now=ago(days=6) + timedelta(hours=1))
    s.resolve(i15, u["leader1"], "已清理。", now=ago(days=4))
    s.rate(i15, u["resident1"], "unsatisfied", "只清理了一楼，二到六楼还有。", now=ago(days=3))
    made.append(i15)
    return f"{len(made)} issues"
