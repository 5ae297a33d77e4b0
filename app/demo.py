"""The demo city: a small fictional city with every role, so a newcomer sees every page filled.

``flask --app wsgi demo seed`` runs the base seeder (areas, organisations, accounts) and then every domain's
seeder in order. Each seeder is idempotent: it returns at once when its part already exists.

    @demo_seeder(order=30)
    def seed_wishes(city: DemoCity) -> None: ...
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.accounts.models import User
from app.areas.models import Area, StaffingPost
from app.extensions import db
from app.organisations.models import Organisation
from app.timeutil import local_today, utcnow

DEMO_PASSWORD = "demo12345"
_seeders: list[tuple[int, str, Callable]] = []


def demo_seeder(order: int = 50) -> Callable:
    def register(fn: Callable) -> Callable:
        if all(name != fn.__module__ + "." + fn.__name__ for _, name, _ in _seeders):
            _seeders.append((order, fn.__module__ + "." + fn.__name__, fn))
            _seeders.sort(key=lambda item: item[0])
        return fn

    return register


@dataclass
class DemoCity:
    users: dict[str, User] = field(default_factory=dict)
    areas: dict[str, Area] = field(default_factory=dict)
    orgs: dict[str, Organisation] = field(default_factory=dict)
    now: datetime = field(default_factory=utcnow)
    rng: random.Random = field(default_factory=lambda: random.Random(20261126))

    def residents_of(self, community_key: str) -> list[User]:
        community = self.areas[community_key]
        return list(db.session.scalars(
            select(User).join(Area, User.home_area_id == Area.id)
            .where(Area.in_subtree(community.path), User.is_demo.is_(True)).order_by(User.id)
        ))


class DemoRefused(RuntimeError):
    pass


# key, parent key, level, name, code
AREAS = [
    ("city", None, "city", "澄川市", "C"),
    ("street1", "city", "street", "南门街道", "C-S1"),
    ("street2", "city", "street", "北湖街道", "C-S2"),
    ("community1", "street1", "community", "梧桐社区", "C-S1-C1"),
    ("community1b", "street1", "community", "青石社区", "C-S1-C2"),
    ("community2", "street2", "community", "杏林社区", "C-S2-C1"),
]
GRID_NAMES = ["第一网格", "第二网格"]
MICROGRID_NAMES = ["一组", "二组", "三组"]

# username, display name, mobile, home micro-grid key
ACCOUNTS = [
    ("admin", "组织部 管理员", "13900000001", None),
    ("street1", "周明", "13900000002", None),
    ("staff1", "陈静", "13900000003", "community1.g1.m1"),
    ("staff2", "林芳", "13900000004", "community2.g1.m1"),
    ("agency1", "赵强", "13900000005", None),
    ("agency2", "钱伟", "13900000006", None),
    ("member1", "孙立新", "13900000007", "community1.g1.m2"),
    ("member2", "李海燕", "13900000008", "community2.g1.m2"),
    ("leader1", "吴桂兰", "13900000009", "community1.g1.m1"),
    ("resident1", "王秀英", "13900000010", "community1.g1.m1"),
    ("resident2", "张建国", "13900000011", "community2.g1.m1"),
    ("rider1", "郑小骑", "13900000012", None),
]
EXTRA_RESIDENTS = ["刘奶奶", "黄大爷", "何晓梅", "马春生", "罗阿姨", "高志远", "胡小雨", "梁伯"]


def _create_areas(city: DemoCity) -> None:
    from app.areas.services import create_area

    for key, parent_key, level, name, code in AREAS:
        city.areas[key] = create_area(name, level, city.areas.get(parent_key), code=code)
    for ckey in ("community1", "community1b", "community2"):
        community = city.areas[ckey]
        for gi, gname in enumerate(GRID_NAMES, 1):
            grid = create_area(gname, "grid", community, code=f"{community.code}-G{gi}")
            city.areas[f"{ckey}.g{gi}"] = grid
            for mi, mname in enumerate(MICROGRID_NAMES, 1):
                micro = create_area(f"{gname}{mname}", "microgrid", grid, code=f"{grid.code}-M{mi}",
                                    households=city.rng.randint(5, 15))
                city.areas[f"{ckey}.g{gi}.m{mi}"] = micro


def _load_existing(city: DemoCity) -> None:
    codes = {code: key for key, *_rest, code in AREAS}
    for area in db.session.scalars(select(Area)):
        if area.code in codes:
            city.areas[codes[area.code]] = area
        elif area.code and area.code.count("-") >= 3:
            # C-S1-C1-G1[-M1] → community1.g1[.m1]
            parts = area.code.split("-")
            community_code = "-".join(parts[:3])
            ckey = codes.get(community_code)
            if ckey:
                key = ckey + "".join("." + p.lower() for p in parts[3:])
                city.areas[key] = area
    for user in db.session.scalars(select(User).where(User.is_demo.is_(True))):
        if user.username:
            city.users[user.username] = user
    for org in db.session.scalars(select(Organisation)):
        city.orgs[org.name] = org


def _seed_base(city: DemoCity) -> None:
    from app.accounts.services import create_user, grant_role
    from app.organisations.services import create_organisation, pair

    _create_areas(city)
    a = city.areas
    orgs = {
        "agency1": create_organisation("市民政局机关党支部", "agency", a["city"], contact_name="赵强",
                                       contact_phone="0510-86000001"),
        "agency2": create_organisation("市教育局机关党支部", "agency", a["city"], contact_name="钱伟",
                                       contact_phone="0510-86000002"),
        "team1": create_organisation("梧桐红马甲志愿服务队", "volunteer_team", a["community1"]),
        "enterprise1": create_organisation("澄川物业有限公司党支部", "enterprise", a["street1"]),
    }
    city.orgs.update({org.name: org for org in orgs.values()})
    year = local_today().year
    pair(orgs["agency1"], a["community1"], year)
    pair(orgs["agency2"], a["community2"], year)

    for username, name, mobile, home in ACCOUNTS:
        city.users[username] = create_user(username=username, display_name=name, mobile=mobile,
                                           password=DEMO_PASSWORD, home_area=a.get(home) if home else None,
                                           is_demo=True)
    u = city.users
    grant_role(u["admin"], "city_admin")
    grant_role(u["street1"], "street_admin", area=a["street1"])
    grant_role(u["staff1"], "community_staff", area=a["community1"])
    grant_role(u["staff2"], "community_staff", area=a["community2"])
    grant_role(u["agency1"], "agency_admin", organisation=orgs["agency1"])
    grant_role(u["agency2"], "agency_admin", organisation=orgs["agency2"])
    grant_role(u["member1"], "member", organisation=orgs["agency1"])
    grant_role(u["member2"], "member", organisation=orgs["agency2"])
    grant_role(u["leader1"], "microgrid_leader", area=a["community1.g1.m1"])
    grant_role(u["rider1"], "sentinel", area=a["street1"])

    # more residents, so lists and walls have people in them (they can sign in too, same password)
    homes = [k for k in a if k.startswith(("community1.", "community2.")) and k.count(".") == 2]
    for i, name in enumerate(EXTRA_RESIDENTS):
        home = homes[i % len(homes)]
        city.users[f"resident{i + 3}"] = create_user(
            username=f"resident{i + 3}", display_name=name, mobile=f"139000001{i + 13:02d}",
            password=DEMO_PASSWORD, home_area=a[home], is_demo=True)

    # "1+1+3" staffing: complete in the first micro-grid of each grid, short of volunteers elsewhere
    for key in homes + [k for k in a if k.startswith("community1b.") and k.count(".") == 2]:
        complete = key.endswith(".m1")
        posts = [("backbone", u["leader1"].display_name if key == "community1.g1.m1" else "党员骨干"),
                 ("liaison", "联络员")]
        posts += [("volunteer", f"志愿者{n}") for n in range(1, (4 if complete else 2))]
        for post, name in posts:
            db.session.add(StaffingPost(area=a[key], post=post, name=name,
                                        user_id=u["leader1"].id if key == "community1.g1.m1" and post == "backbone"
                                        else None))
    db.session.flush()


def seed(if_empty: bool = False) -> list[str]:
    """Build the demo city. Returns what was done; raises DemoRefused on a database with real users."""
    has_users = db.session.scalar(select(User.id).limit(1)) is not None
    real_users = db.session.scalar(select(User.id).where(User.is_demo.is_(False)).limit(1)) is not None
    if real_users:
        raise DemoRefused("this database has non-demo accounts; the demo city is only for an empty database")
    if if_empty and has_users:
        return ["the demo city is already there"]
    city = DemoCity()
    done = []
    if has_users:
        _load_existing(city)
        done.append("base: already there")
    else:
        _seed_base(city)
        done.append(f"base: {len(city.areas)} areas, {len(city.users)} accounts, {len(city.orgs)} organisations")
    for _, name, fn in _seeders:
        result = fn(city)
        done.append(f"{name}: {result or 'done'}")
        db.session.flush()
    db.session.commit()
    return done
