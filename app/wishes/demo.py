"""Demo wishes in every state; several published and unclaimed in 梧桐社区 (staff1's community)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.demo import DemoCity, demo_seeder
from app.extensions import db
from app.timeutil import local_today
from app.wishes import services
from app.wishes.models import Wish, WishClaim
from app.wishes.services import WishInput

# key, wisher (username or None for 代录), category, title, description, value, days ahead
WISHES = [
    ("pub1", "resident1", "study", "给孙子买一套初中数学辅导书", "孙子上初二，数学跟不上，想要配套的辅导书。", 120, 30),
    ("pub2", "resident3", "care", "想请人帮忙换一下卫生间的灯泡", "卫生间灯泡坏了，我腿脚不便，爬不上去。", 30, 10),
    ("pub3", "resident5", "companionship", "周末有人陪我去公园走走", "一个人在家，想周末有人陪着去公园散步。", 0, 45),
    ("pub4", "resident7", "daily", "一台二手电饭煲", "家里的电饭煲坏了，想要一台能用的电饭煲。", 150, 20),
    ("pub5", "resident9", "health", "帮忙预约一次上门体检", "年纪大了行动不便，希望社区医生能上门做一次体检。", 0, 25),
    ("pub_b", "resident2", "study", "女儿想要一个新书包", "女儿的书包用了四年已经破了。", 100, 30),
    ("pending1", "resident1", "daily", "冬天的加厚棉被", "家里被子太薄，冬天想要一床厚棉被。", 200, 40),
    ("pending2", "resident4", "employment", "想学做简历找工作", "刚失业，想请人教我写简历、在网上投简历。", 0, 30),
    ("claimed_m", "resident3", "care", "帮忙修一下漏水的水龙头", "厨房水龙头一直滴水，想请人帮忙修一下。", 50, 20),
    ("claimed_a", "resident5", "daily", "给独居老人送一台电暖器", "屋里冬天很冷，想要一台小电暖器。", 260, 25),
    ("fulfilled", "resident1", "study", "一盏护眼台灯", "孩子晚上写作业，家里的灯太暗了。", 90, 15),
    ("completed1", "resident7", "companionship", "教我用智能手机视频通话", "想和外地的女儿视频，但不会用手机。", 0, 20),
    ("completed2", "resident9", "daily", "一副老花镜", "原来的老花镜摔坏了。", 60, 20),
    ("rejected", "resident4", "other", "想要一部新款手机", "想换一部最新款的手机。", 480, 30),
    ("withdrawn", "resident3", "daily", "一把雨伞", "想要一把大一点的雨伞。", 30, 20),
    ("expired", "resident5", "study", "借几本小说看看", "喜欢看书，想借几本小说。", 0, 10),
    ("behalf", None, "care", "帮忙买药送上门", "老人腿脚不便，每月需要有人帮忙到药店买降压药送上门。", 80, 20),
]


@demo_seeder(order=30)
def seed_wishes(city: DemoCity) -> str:
    if db.session.scalar(select(Wish.id).limit(1)) is not None:
        return "already there"
    u, a = city.users, city.areas
    staff1, staff2, member1, agency1, leader1 = (u["staff1"], u["staff2"], u["member1"], u["agency1"],
                                                 u["leader1"])
    agency1_org = next(org for org in city.orgs.values() if org.name == "市民政局机关党支部")
    today = local_today()
    made: dict[str, Wish] = {}
    for key, who, category, title, description, value, days in WISHES:
        data = WishInput(category=category, title=title, description=description, value=value,
                         wanted_by=today + timedelta(days=days))
        if who is None:
            wish = services.post_wish(leader1, data, subject_name="黄奶奶", area=a["community1.g1.m1"],
                                      subject_contact="儿子 13900000099，一组3号楼")
        else:
            wish = services.post_wish(u[who], data)
        made[key] = wish

    def staff_for(wish):
        return staff2 if wish.community_id == a["community2"].id else staff1

    for key, wish in made.items():
        if key.startswith(("pending",)):
            continue
        if key == "rejected":
            services.reject(wish, staff_for(wish), "微心愿以基本生活和学习需要为主，新款手机不在范围内，欢迎重新提交。")
            continue
        services.approve(wish, staff_for(wish))
    services.withdraw(made["withdrawn"], u["resident3"])
    services.claim(made["claimed_m"], member1)
    services.claim(made["claimed_a"], agency1, organisation_id=agency1_org.id, member_ids=[member1.id])
    for key, claimer in (("fulfilled", member1), ("completed1", member1), ("completed2", agency1)):
        org_id = agency1_org.id if claimer is agency1 else None
        services.claim(made[key], claimer, organisation_id=org_id)
        services.fulfil(made[key], claimer, {"fulfilled": "台灯已经送到家里并装好了。",
                                             "completed1": "上门教了两次，现在阿姨已经能和女儿视频了。",
                                             "completed2": "陪大爷去眼镜店验光配了一副新眼镜。"}[key])
    services.confirm(made["completed1"], u["resident7"], "太感谢了，昨天第一次和女儿视频，高兴得睡不着！")
    services.confirm(made["completed2"], u["resident9"], "新眼镜很合适，看报纸清楚多了，谢谢党员同志。")
    # one claim close to its deadline, and one wish past its date for the expiry job to show
    soon = db.session.scalar(select(WishClaim).where(WishClaim.wish_id == made["claimed_m"].id))
    soon.deadline_at = soon.claimed_at + timedelta(days=2)
    services.expire(made["expired"])
    db.session.execute(update(Wish).where(Wish.id == made["expired"].id).values(wanted_by=today - timedelta(days=2)))
    return f"{len(made)} wishes in every state"
