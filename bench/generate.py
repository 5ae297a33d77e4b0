"""A whole city of data, generated in bulk: ``flask --app wsgi bench generate --scale city|town|tiny``.

Deterministic (a seeded ``random.Random``; times are counted back from the day it runs), realistic (every state of
every state machine with the timeline entries that lead to it, the ratings of rated issues, the points of attested
hours) and fast: rows are produced as tuples and written in batches — ``COPY`` on PostgreSQL, one ``executemany`` of
a prepared ``INSERT`` per batch on SQLite — never through the ORM row by row.

Scales (``SCALES``): ``city`` is a county-level city of 1.1 million people (Lianyuan: 506 communities, 25,173
neighbour groups); ``town`` is a twentieth of it; ``tiny`` is enough to see every state once (tests).

The generated city has a few named accounts (``BENCH_ACCOUNTS``, password ``BENCH_PASSWORD``) for signed-in pages.
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, func, select, text

BENCH_PASSWORD = "bench12345"
#: username → (role, where: "city" / "street" / "community" / "grid" / "microgrid" / "org" / None)
BENCH_ACCOUNTS = {
    "bench_admin": ("city_admin", None),
    "bench_street": ("street_admin", "street"),
    "bench_staff": ("community_staff", "community"),
    "bench_grid": ("grid_leader", "grid"),
    "bench_leader": ("microgrid_leader", "microgrid"),
    "bench_rider": ("sentinel", "community"),
    "bench_agency": ("agency_admin", "org"),
    "bench_member": ("member", "org"),
    "bench_resident": (None, "microgrid"),
}


@dataclass(frozen=True)
class Scale:
    streets: int
    communities_per_street: int
    grids_per_community: int
    microgrids_per_grid: int
    users: int
    organisations: int
    wishes: int
    issues: int
    activities: int
    checkins: int

    @property
    def communities(self) -> int:
        return self.streets * self.communities_per_street

    @property
    def microgrids(self) -> int:
        return self.communities * self.grids_per_community * self.microgrids_per_grid


SCALES = {
    # 20 streets, 500 communities, 25,000 micro-grids (2,500 grids of 10)
    "city": Scale(20, 25, 5, 10, 300_000, 3_000, 100_000, 1_000_000, 50_000, 5_000_000),
    "town": Scale(1, 25, 5, 10, 15_000, 150, 5_000, 50_000, 2_500, 250_000),
    "tiny": Scale(2, 2, 2, 3, 240, 12, 160, 400, 24, 480),
}

WISH_STATES = ("pending", "published", "claimed", "fulfilled", "completed", "rejected", "withdrawn", "expired")
WISH_WEIGHTS = (5, 25, 12, 6, 40, 4, 3, 5)
ISSUE_STATES = ("reported", "accepted", "in_progress", "resolved", "closed", "rejected", "duplicate")
ISSUE_WEIGHTS = (4, 3, 6, 5, 76, 3, 3)
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
REQUEST_STATES_GEN = ("open", "taken", "done", "confirmed", "withdrawn")
REQUEST_WEIGHTS = (10, 10, 8, 65, 7)
#: (name, dimension, kind) of the scenario catalogue
SCENARIOS = (("治安防控", "facilities", "common"), ("线上问诊", "data_sharing", "common"),
             ("乡村治理积分制", "co_governance", "common"), ("智慧养老", "scenarios", "common"),
             ("垃圾分类督导", "co_governance", "common"), ("一网通办", "data_sharing", "common"),
             ("智能门禁", "facilities", "specific"), ("社区食堂", "scenarios", "specific"),
             ("电动车智能充电", "facilities", "specific"), ("邻里议事厅", "co_governance", "specific"))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉健俊帆婷晨浩宇欣悦梓涵子轩"
PLACES = "东南西北中新和平安康宁兴华荣富民青山河湖桥塘园林城港源泉湾坪岭溪"
WISH_TITLES = ("一套初中数学辅导书", "冬天的棉被", "轮椅维修", "陪老人聊天", "血压计", "书包和文具", "找一份保洁工作",
               "周末陪读", "助听器", "电饭煲", "理发上门", "修理水龙头")
ISSUE_TEXTS = ("楼道路灯坏了，晚上看不清台阶。", "小区门口垃圾堆积好几天没人清理。", "井盖松动，有人差点绊倒。",
               "晚上广场舞音响太吵。", "健身器材螺丝松了。", "楼上漏水到我家厨房。", "下水道堵塞，污水外溢。",
               "电动车在楼道里充电，有安全隐患。")
ACTIVITY_TITLES = ("夜间巡逻", "敬老院志愿服务", "居民议事会", "七点半夜诊", "垃圾分类宣传", "义诊", "环境整治")
ITEM_TITLES = ("老年食堂送餐", "四点半课堂", "楼道环境整治", "健康义诊", "就业技能培训", "消防安全检查")


class Writer:
    """Writes tuples into a table in batches: COPY on PostgreSQL, executemany of a prepared INSERT on SQLite."""

    def __init__(self, conn, batch: int = 20_000):
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.batch = batch
        self.counts: dict[str, int] = {}
        self.prep = conn.dialect.identifier_preparer

    def drop_indexes(self, tables) -> list:
        """Drop the secondary indexes of the big tables: building them once after the load is far quicker."""
        dropped = []
        for table in tables:
            for index in table.indexes:
                self.conn.exec_driver_sql(f"DROP INDEX IF EXISTS {self.prep.quote(index.name)}")
                dropped.append(index)
        return dropped

    def create_indexes(self, indexes) -> None:
        for index in indexes:
            index.create(self.conn)

    def write(self, table, columns: tuple[str, ...], rows) -> int:
        name = self.prep.format_table(table)
        cols = ", ".join(self.prep.quote(c) for c in columns)
        n = 0
        if self.pg:
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY {name} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            # SQLAlchemy stores SQLite DATETIME as "YYYY-MM-DD HH:MM:SS.ffffff": the same text, written directly
            stamps = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, DateTime)]
            sql = f"INSERT INTO {name} ({cols}) VALUES ({', '.join('?' * len(columns))})"
            raw = self.conn.connection.driver_connection
            if not raw.in_transaction:  # the driver is in autocommit mode (app/extensions.py): one transaction
                raw.execute("BEGIN IMMEDIATE")
            cursor = raw.cursor()
            chunk: list = []
            for row in rows:
                if stamps:
                    row = list(row)
                    for i in stamps:
                        if row[i] is not None:
                            row[i] = row[i].isoformat(" ", "microseconds")
                chunk.append(row)
                if len(chunk) >= self.batch:
                    cursor.executemany(sql, chunk)
                    n += len(chunk)
                    chunk = []
            if chunk:
                cursor.executemany(sql, chunk)
                n += len(chunk)
            cursor.close()
        self.counts[table.name] = self.counts.get(table.name, 0) + n
        return n


def _moderation_and_audit(w, conn, rng: random.Random, users: list[int], staff: dict[int, int], now: datetime,
                          done) -> None:
    """Flags on about one public wish in 50 and one public issue in 1,000, each case in every state it can reach
    (below the threshold, hidden pending review, restored, removed with its original kept), the subject's
    ``moderation`` column to match; and the audit log of the last 60 days — every step of a wish's or an issue's
    timeline as the audit subscriber writes it, plus the moderation events — written with one INSERT … SELECT."""
    from sqlalchemy import insert, update

    from app.areas.models import Area
    from app.audit.models import AuditEntry
    from app.issues.models import Issue, IssueCategory
    from app.moderation.models import Flag, ModerationCase
    from app.moderation.services import removed_text, threshold
    from app.timeline.models import TimelineEntry
    from app.wishes.models import Wish

    limit = threshold()
    # the authors as the moderation service names them (app/moderation/subjects.py): the wisher, else who wrote it
    # for them; the resident an issue is for, then its reporter — they may not flag their own post
    subjects = [("wish", r) for r in conn.execute(
        select(Wish.id, Wish.area_id, Area.path, Wish.wisher_id, Wish.author_id, Wish.title, Wish.description)
        .join(Area, Area.id == Wish.area_id)
        .where(Wish.state.in_(("published", "claimed", "fulfilled", "completed"))).order_by(Wish.id)).all()[::50]]
    subjects += [("issue", r) for r in conn.execute(
        select(Issue.id, Issue.area_id, Area.path, Issue.on_behalf_of_id, Issue.reporter_id, Issue.description,
               Issue.description)
        .join(Area, Area.id == Issue.area_id).join(IssueCategory, IssueCategory.id == Issue.category_id)
        .where(IssueCategory.public.is_(True), Issue.state != "rejected").order_by(Issue.id)).all()[::1000]]
    # with a threshold of one the first flag hides: no case stays below it
    states = ("flagged", "hidden", "restored", "removed") if limit > 1 else ("hidden", "restored", "removed")
    case_rows, flag_rows, audit_rows, hidden, removed = [], [], [], {"wish": [], "issue": []}, []
    for n, (kind, (sid, area, path, first, second, title, text_)) in enumerate(subjects):
        state = states[n % len(states)]
        cid = len(case_rows) + 1
        authors = tuple(dict.fromkeys(v for v in (first, second) if v is not None))
        author = authors[0] if authors else None
        # the staff of the subject's community decide (a path is /city/street/community/…)
        moderator = staff.get(int(path.strip("/").split("/")[2])) if path.count("/") > 3 else None
        moderator = moderator or next(iter(staff.values()))
        opened = now - timedelta(days=rng.uniform(0.5, 50))
        count = rng.randint(1, limit - 1) if state == "flagged" else limit
        flaggers = [u for u in rng.sample(users, count + len(authors)) if u not in authors][:count]
        at = opened
        for k, who in enumerate(flaggers):
            at = opened + timedelta(hours=k * rng.uniform(0.5, 6))
            flag_rows.append((len(flag_rows) + 1, kind, sid, cid, who, "内容不实" if k % 2 else "含有广告", at))
            audit_rows.append((at, who, "moderation.flagged", kind, sid, area, {"case_id": cid, "kind": kind}))
        hidden_at = at if state != "flagged" else None
        if hidden_at:
            audit_rows.append((at, flaggers[-1], "moderation.hidden", kind, sid, area, {"case_id": cid}))
        decided_at = hidden_at + timedelta(hours=rng.uniform(1, 48)) if state in ("restored", "removed") else None
        original = None
        if state == "removed":
            original = {"title": title, "description": text_} if kind == "wish" else {"description": text_}
            removed.append((kind, sid))
            audit_rows.append((decided_at, moderator, "moderation.removed", kind, sid, area,
                               {"case_id": cid, "reason": "广告", "original": original}))
        elif state == "restored":
            audit_rows.append((decided_at, moderator, "moderation.restored", kind, sid, area,
                               {"case_id": cid, "reason": "内容属实"}))
        elif state == "hidden":
            hidden[kind].append(sid)
        case_rows.append((cid, kind, sid, area, author, state, count, opened, hidden_at, decided_at,
                          moderator if decided_at else None, "广告" if state == "removed" else (
                              "内容属实" if state == "restored" else None),
                          None if original is None else json.dumps(original, ensure_ascii=False)))
    w.write(ModerationCase.__table__, ("id", "subject_type", "subject_id", "area_id", "author_id", "state",
                                       "flag_count", "opened_at", "hidden_at", "decided_at", "decided_by_id",
                                       "reason", "original"), case_rows)
    w.write(Flag.__table__, ("id", "subject_type", "subject_id", "case_id", "user_id", "reason", "created_at"),
            flag_rows)
    models = {"wish": Wish, "issue": Issue}
    for kind, ids in hidden.items():
        for i in range(0, len(ids), 500):
            conn.execute(update(models[kind]).where(models[kind].id.in_(ids[i:i + 500])).values(moderation="hidden"))
    reason = "广告"
    for kind, sid in removed:
        values = {"moderation": "removed", "description": removed_text("description", reason, first=kind == "wish")}
        if kind == "wish":
            values["title"] = removed_text("title", reason, first=True)
            values["description"] = removed_text("description", reason, first=False)
        conn.execute(update(models[kind]).where(models[kind].id == sid).values(**values))

    # the audit log: each timeline step of the last 60 days, as ``<subject>.<action>`` in the subject's area
    since = now - timedelta(days=60)
    empty = text("CAST('{}' AS JSON)") if w.pg else text("'{}'")
    for model, kind in ((Wish, "wish"), (Issue, "issue")):
        steps = (select(TimelineEntry.at, TimelineEntry.actor_id, (kind + "." + TimelineEntry.action),
                        TimelineEntry.subject_type, TimelineEntry.subject_id, model.area_id, empty)
                 .join(model, model.id == TimelineEntry.subject_id)
                 .where(TimelineEntry.subject_type == kind, TimelineEntry.at >= since))
        conn.execute(insert(AuditEntry).from_select(
            ["at", "actor_id", "action", "subject_type", "subject_id", "area_id", "details"], steps))
    conn.execute(insert(AuditEntry), [dict(zip(("at", "actor_id", "action", "subject_type", "subject_id",
                                                "area_id", "details"), row, strict=True)) for row in audit_rows])
    # counted afterwards: the driver's row count of an INSERT ... SELECT is not reliable on every database
    w.counts["audit_entry"] = conn.execute(select(func.count()).select_from(AuditEntry)).scalar()
    done(f"moderation cases {len(case_rows):,}, flags {len(flag_rows):,}, audit entries "
         f"{w.counts['audit_entry']:,}")


class GenerationRefused(RuntimeError):
    pass


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


#: processes that count the things for the dashboard's roll-up (``rollup.rebuild(workers=…)``) when the command line
#: or the benchmark generates a city: the machine's two cores
ROLLUP_WORKERS = 2


def generate(scale_name: str = "town", seed: int = 12, echo=print, rollup_workers: int = 0) -> dict[str, int]:
    """Fill an empty database (schema already created) with a city of ``scale_name``. Returns rows per table.

    ``rollup_workers``: count the dashboard's roll-up in that many processes, after committing the rows (the
    command line and the benchmark: ``ROLLUP_WORKERS``); 0 — the tests, whose transaction is never committed —
    counts in this process."""
    from flask import current_app
    from werkzeug.security import generate_password_hash

    from app import domains
    from app.accounts.models import RoleAssignment, User
    from app.activities.models import Activity, Attendance, Signup
    from app.areas.models import Area, StaffingPost
    from app.cobuild.models import ChecklistItem, ItemProgress
    from app.dashboard.models import DailyFigure
    from app.dashboard.rollup import rebuild
    from app.extensions import db
    from app.issues.models import Issue, IssueCategory, IssueRating
    from app.issues.services import ensure_default_categories
    from app.organisations.models import Organisation, Pairing
    from app.points.models import PointBalance, PointEntry
    from app.points.services import ensure_rules, hour_points
    from app.scenarios.models import Scenario, ScenarioAdoption
    from app.stations.models import Booking, ServiceRequest, ServiceSlot, Station, StationService, station_microgrid
    from app.timeline.models import TimelineEntry
    from app.timeutil import local_today, utcnow
    from app.wishes.models import DEFAULT_CATEGORIES, Wish, WishClaim, WishClaimMember

    if scale_name not in SCALES:
        raise GenerationRefused(f"unknown scale {scale_name!r}: {', '.join(SCALES)}")
    sc = SCALES[scale_name]
    if db.session.scalar(select(func.count()).select_from(User)) or \
            db.session.scalar(select(func.count()).select_from(Area)):
        raise GenerationRefused("the database already has areas or accounts: generate into an empty database")
    t0 = time.perf_counter()
    rng = random.Random(seed)
    today = local_today()
    # the start of the current UTC day: nothing lies in the future, and the same seed gives the same city all day
    now = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    ensure_default_categories()
    rules = {r.code: r for r in ensure_rules()}
    db.session.flush()
    categories = list(db.session.execute(select(IssueCategory.id, IssueCategory.default_level,
                                                IssueCategory.accept_hours, IssueCategory.resolve_hours,
                                                IssueCategory.requires_mediation)))
    conn = db.session.connection()
    if conn.dialect.name == "sqlite" and not conn.connection.driver_connection.in_transaction:
        conn.exec_driver_sql("PRAGMA synchronous = OFF")  # this connection only, for the load
        # a page cache of 512 MB instead of 2 MB: the indexes built after the load and the roll-up's GROUP BYs read
        # tables of millions of rows
        conn.exec_driver_sql("PRAGMA cache_size = -524288")
    w = Writer(conn)
    if w.pg and conn.exec_driver_sql("SHOW is_superuser").scalar() == "on":
        # the rows are written in dependency order and their keys checked by the tests (tests/test_bench.py): the
        # foreign-key triggers, one check per row, would double the load's time
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    deferred = w.drop_indexes([TimelineEntry.__table__, Issue.__table__, PointEntry.__table__,
                               Attendance.__table__, Wish.__table__, User.__table__])
    step = [time.perf_counter()]

    def done(what: str) -> None:
        t = time.perf_counter()
        echo(f"  {what:<44} {t - step[0]:6.1f} s")
        step[0] = t

    def ago(days_max: float, days_min: float = 0.0) -> datetime:
        return now - timedelta(seconds=rng.uniform(days_min * 86400, days_max * 86400))

    # ---------------------------------------------------------------- areas
    areas = []  # (id, parent_id, level, name, path)
    streets, communities, grids, microgrids = [], [], [], []
    city_id = 1
    areas.append((city_id, None, "city", "澄川市", "/1/"))
    next_id = 2
    mg_parent: dict[int, tuple[int, int, int]] = {}  # microgrid → (grid, community, street)
    community_street: dict[int, int] = {}
    for s in range(sc.streets):
        sid = next_id
        next_id += 1
        spath = f"/1/{sid}/"
        areas.append((sid, city_id, "street", f"{PLACES[s % len(PLACES)]}{PLACES[(s * 7 + 3) % len(PLACES)]}街道"
                      + (str(s // len(PLACES)) if s >= len(PLACES) else ""), spath))
        streets.append(sid)
        for c in range(sc.communities_per_street):
            cid = next_id
            next_id += 1
            cpath = f"{spath}{cid}/"
            areas.append((cid, sid, "community", f"{PLACES[(s + c) % len(PLACES)]}{PLACES[c % len(PLACES)]}社区{c + 1}",
                          cpath))
            communities.append(cid)
            community_street[cid] = sid
            for g in range(sc.grids_per_community):
                gid = next_id
                next_id += 1
                gpath = f"{cpath}{gid}/"
                areas.append((gid, cid, "grid", f"第{g + 1}网格", gpath))
                grids.append(gid)
                for m in range(sc.microgrids_per_grid):
                    mid = next_id
                    next_id += 1
                    areas.append((mid, gid, "microgrid", f"{g + 1}-{m + 1}微网格", f"{gpath}{mid}/"))
                    microgrids.append(mid)
                    mg_parent[mid] = (gid, cid, sid)
    w.write(Area.__table__, ("id", "parent_id", "level", "name", "path", "created_at"),
            ((*a, now - timedelta(days=400)) for a in areas))
    mg_of_community: dict[int, list[int]] = {}
    for mid, (_g, cid, _s) in mg_parent.items():
        mg_of_community.setdefault(cid, []).append(mid)
    done(f"areas: {len(areas):,}")

    # ---------------------------------------------------------------- organisations, pairings
    kinds = ("agency", "enterprise", "association", "volunteer_team")
    orgs = []  # (id, kind, area_id)
    for i in range(sc.organisations):
        kind = kinds[0] if i % 3 == 0 else kinds[1 + i % 3]
        area = streets[i % len(streets)] if kind != "volunteer_team" else communities[i % len(communities)]
        orgs.append((i + 1, kind, area))
    w.write(Organisation.__table__, ("id", "kind", "name", "area_id", "contact_name", "contact_phone", "created_at"),
            ((oid, kind, f"{'机关党支部' if kind == 'agency' else '单位'}{oid:05d}", area, _name(rng),
              f"0738-{rng.randrange(1000000, 9999999)}", now - timedelta(days=380)) for oid, kind, area in orgs))
    agencies = [o[0] for o in orgs if o[1] == "agency"]
    year = today.year
    pairings = []  # (id, org, community)
    for i, cid in enumerate(communities):
        for k in range(2):
            org = agencies[(i * 2 + k) % len(agencies)]
            if any(p[1] == org and p[2] == cid for p in pairings[-2:]):
                continue
            pairings.append((len(pairings) + 1, org, cid))
    w.write(Pairing.__table__, ("id", "organisation_id", "community_id", "year", "created_at"),
            ((pid, org, cid, year, now - timedelta(days=300)) for pid, org, cid in pairings))
    done(f"organisations {len(orgs):,}, pairings {len(pairings):,}")

    # ---------------------------------------------------------------- users and roles
    pw_hash = generate_password_hash(BENCH_PASSWORD, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))
    roles = []  # (user_id, role, area_id, organisation_id)
    users = []  # (id, username, mobile, name, home_area_id)
    uid = 0

    def add_user(username, home, role=None, area=None, org=None):
        nonlocal uid
        uid += 1
        users.append((uid, username, f"139{uid:08d}", _name(rng), home))
        if role:
            roles.append((uid, role, area, org))
        return uid

    named = {}
    first_street, first_community = streets[0], communities[0]
    first_grid, first_mg = grids[0], microgrids[0]
    where = {None: None, "street": first_street, "community": first_community, "grid": first_grid,
             "microgrid": first_mg}
    for username, (role, place) in BENCH_ACCOUNTS.items():
        if place == "org":
            named[username] = add_user(username, first_mg, role, None, agencies[0])
        else:
            named[username] = add_user(username, first_mg if place != "street" else first_mg, role, where[place])
    add_user(None, None, "city_admin")
    street_admin = {s: add_user(None, None, "street_admin", s) for s in streets}
    staff = {c: add_user(None, mg_of_community[c][0], "community_staff", c) for c in communities}
    staff[first_community] = named["bench_staff"]
    grid_leader = {g: add_user(None, None, "grid_leader", g) for g in grids}
    mg_leader = {}
    for m in microgrids:
        mg_leader[m] = add_user(None, m, "microgrid_leader", m) if m != first_mg else named["bench_leader"]
    for i in range(max(2, sc.communities // 3)):
        add_user(None, None, "sentinel", communities[i % len(communities)])
    agency_admin = {o: add_user(None, None, "agency_admin", None, o) for o in agencies}
    agency_admin[agencies[0]] = named["bench_agency"]
    members_of: dict[int, list[int]] = {o: [] for o in agencies}
    members_of[agencies[0]].append(named["bench_member"])
    members_per = max(2, min(10, (sc.users // 10) // max(1, len(agencies))))
    for o in agencies:
        for _ in range(members_per):
            members_of[o].append(add_user(None, rng.choice(microgrids), "member", None, o))
    member_org = {m: o for o, ms in members_of.items() for m in ms}
    residents_of: dict[int, list[int]] = {c: [] for c in communities}
    while uid < sc.users:
        m = microgrids[uid % len(microgrids)]
        residents_of[mg_parent[m][1]].append(add_user(None, m))
    residents_of[first_community].append(named["bench_resident"])
    home_of = {u[0]: u[4] for u in users}
    w.write(User.__table__, ("id", "username", "mobile", "display_name", "password_hash", "home_area_id", "active",
                             "is_demo", "auth_version", "must_change_password", "created_at"),
            ((u, name_, mobile, display, pw_hash, home, True, False, 1, False, now - timedelta(days=365))
             for u, name_, mobile, display, home in users))
    w.write(RoleAssignment.__table__, ("id", "user_id", "role", "area_id", "organisation_id", "created_at"),
            ((i + 1, *r, now - timedelta(days=365)) for i, r in enumerate(roles)))
    posts = []
    for m in microgrids[: max(1, len(microgrids) // 5)]:
        posts.append((m, "backbone", _name(rng), mg_leader[m]))
        posts.append((m, "liaison", _name(rng), None))
        posts.extend((m, "volunteer", _name(rng), None) for _ in range(3))
    w.write(StaffingPost.__table__, ("id", "area_id", "post", "name", "user_id"),
            ((i + 1, *p) for i, p in enumerate(posts)))
    done(f"users {len(users):,}, roles {len(roles):,}")

    timeline_id = [0]

    def tl(subject_type, subject_id, at, actor, action, from_state=None, to_state=None, note=None, public=True,
           from_level=None, to_level=None):
        timeline_id[0] += 1
        return (timeline_id[0], subject_type, subject_id, at, actor, action, from_state, to_state, from_level,
                to_level, note, public)

    tl_cols = ("id", "subject_type", "subject_id", "at", "actor_id", "action", "from_state", "to_state",
               "from_level", "to_level", "note", "public")

    # ---------------------------------------------------------------- checklist items
    item_rows, progress_rows, item_tl = [], [], []
    item_states = ("proposed", "agreed", "in_progress", "done", "evaluated", "cancelled")
    for pid, org, cid in pairings:
        for k in range(6):
            iid = len(item_rows) + 1
            kind = ("need", "resource", "project")[k % 3]
            state = item_states[(pid + k) % len(item_states)]
            created = ago(300, 60)
            agreed = state not in ("proposed",) and state != "cancelled"
            target = today + timedelta(days=rng.randint(-30, 120))
            progress = {"proposed": 0, "agreed": 0, "in_progress": rng.randint(10, 90), "done": 100,
                        "evaluated": 100, "cancelled": 0}[state]
            done_at = created + timedelta(days=40) if state in ("done", "evaluated") else None
            item_rows.append((iid, pid, cid, community_street[cid], year, kind, state, ITEM_TITLES[k], "",
                              "other", kind == "project" and "agency" or "community", target, "community",
                              staff[cid], staff[cid] if agreed else None,
                              created + timedelta(days=1) if agreed else None,
                              agency_admin[org] if agreed else None,
                              created + timedelta(days=2) if agreed else None,
                              progress, done_at, rng.randint(3, 5) if state == "evaluated" else None,
                              "取消" if state == "cancelled" else None, created, created))
            item_tl.append(tl("checklist_item", iid, created, staff[cid], "proposed", None, "proposed"))
            if agreed:
                item_tl.append(tl("checklist_item", iid, created + timedelta(days=2), agency_admin[org],
                                  "agreement_complete", "proposed", "agreed"))
            if state in ("in_progress", "done", "evaluated"):
                progress_rows.append((len(progress_rows) + 1, iid, agency_admin[org], progress or 50, "进展顺利",
                                      created + timedelta(days=20)))
                item_tl.append(tl("checklist_item", iid, created + timedelta(days=20), agency_admin[org], "progress",
                                  "agreed", "in_progress"))
            if done_at:
                item_tl.append(tl("checklist_item", iid, done_at, agency_admin[org], "done", "in_progress", "done"))
            if state == "evaluated":
                item_tl.append(tl("checklist_item", iid, done_at + timedelta(days=3), staff[cid], "evaluated",
                                  "done", "evaluated"))
            if state == "cancelled":
                item_tl.append(tl("checklist_item", iid, created + timedelta(days=5), staff[cid], "cancelled",
                                  "proposed", "cancelled"))
    w.write(ChecklistItem.__table__, (
        "id", "pairing_id", "community_id", "street_id", "year", "kind", "state", "title", "description", "category",
        "responsible_side", "target_date", "proposed_side", "author_id", "community_agreed_by_id",
        "community_agreed_at", "agency_agreed_by_id", "agency_agreed_at", "progress", "done_at", "rating",
        "cancel_reason", "created_at", "updated_at"), item_rows)
    w.write(ItemProgress.__table__, ("id", "item_id", "author_id", "percent", "note", "created_at"), progress_rows)
    w.write(TimelineEntry.__table__, tl_cols, item_tl)
    done(f"checklist items {len(item_rows):,}")

    # ---------------------------------------------------------------- wishes
    wish_cats = list(DEFAULT_CATEGORIES)
    claim_rows, member_rows, wish_tl, wish_points = [], [], [], []
    claim_rule, team_rule = rules["wish_claimant"], rules["wish_team_member"]

    def wishes():
        for wid in range(1, sc.wishes + 1):
            state = WISH_STATES[wid % len(WISH_STATES)] if wid <= len(WISH_STATES) \
                else rng.choices(WISH_STATES, WISH_WEIGHTS)[0]
            cid = communities[rng.randrange(len(communities))]
            mid = rng.choice(mg_of_community[cid])
            pool = residents_of[cid]
            wisher = pool[rng.randrange(len(pool))] if pool else None
            on_behalf = wisher is None or rng.random() < 0.1
            author = mg_leader[mid] if on_behalf else wisher
            created = ago(170, 1) if state not in ("pending",) else ago(5)
            wanted_by = (created + timedelta(days=rng.randint(20, 60))).date()
            if state == "published" and wanted_by <= today:
                wanted_by = today + timedelta(days=rng.randint(1, 40))
            if state == "expired":
                wanted_by = today - timedelta(days=rng.randint(1, 30))
                created = datetime.combine(wanted_by, datetime.min.time()) - timedelta(days=30)
            published = created + timedelta(hours=rng.randint(2, 48)) \
                if state not in ("pending", "rejected") else None
            if state == "withdrawn" and rng.random() < 0.5:
                published = None
            completed = None
            t = created
            wish_tl.append(tl("wish", wid, t, author, "posted_on_behalf" if on_behalf else "posted", None, "pending"))
            sid_ = staff[cid]
            if state == "rejected":
                wish_tl.append(tl("wish", wid, t + timedelta(hours=5), sid_, "rejected", "pending", "rejected",
                                  "超出微心愿范围"))
            if published:
                wish_tl.append(tl("wish", wid, published, sid_, "approved", "pending", "published"))
            if state == "withdrawn":
                before = "published" if published else "pending"
                wish_tl.append(tl("wish", wid, (published or created) + timedelta(hours=3), author, "withdrawn",
                                  before, "withdrawn"))
            if state == "expired":
                wish_tl.append(tl("wish", wid, datetime.combine(wanted_by, datetime.min.time()) + timedelta(hours=17),
                                  None, "expired", "published", "expired"))
            if state in ("claimed", "fulfilled", "completed"):
                org = agencies[rng.randrange(len(agencies))]
                branch = rng.random() < 0.3
                claimant = agency_admin[org] if branch else rng.choice(members_of[org])
                claimed = published + timedelta(hours=rng.randint(1, 72))
                if state == "claimed":
                    claimed = max(claimed, now - timedelta(days=rng.randint(0, 12), hours=rng.randint(1, 20)))
                fulfilled = claimed + timedelta(days=rng.randint(1, 6)) if state != "claimed" else None
                if fulfilled and fulfilled > now:
                    fulfilled = now - timedelta(hours=rng.randint(1, 20))
                    claimed = min(claimed, fulfilled - timedelta(hours=1))
                claim_id = len(claim_rows) + 1
                claim_rows.append((claim_id, wid, "branch" if branch else "member", claimant, org,
                                   "done" if state == "completed" else "active", claimed,
                                   claimed + timedelta(days=14), fulfilled))
                team = []
                if branch:
                    team = rng.sample(members_of[org], min(2, len(members_of[org])))
                    member_rows.extend((claim_id, m) for m in team)
                wish_tl.append(tl("wish", wid, claimed, claimant, "claimed", "published", "claimed"))
                if fulfilled:
                    wish_tl.append(tl("wish", wid, fulfilled, claimant, "fulfilled", "claimed", "fulfilled",
                                      "已送到居民家中"))
                if state == "completed":
                    completed = fulfilled + timedelta(hours=rng.randint(2, 48))
                    if completed > now:
                        completed = now
                    wish_tl.append(tl("wish", wid, completed, wisher or author, "confirmed", "fulfilled",
                                      "completed", "谢谢！"))
                    for holder, rule in [(claimant, claim_rule)] + [(m, team_rule) for m in team]:
                        wish_points.append((holder, member_org.get(holder, org), rule.id, rule.points, "wish", wid,
                                            "wish.completed", cid, community_street[cid], completed))
            updated = max(e[3] for e in wish_tl[-6:] if e[2] == wid)
            yield (wid, mid, cid, community_street[cid], wisher, author, on_behalf,
                   None if wisher else _name(rng), None if wisher else "邻居代为联系",
                   rng.choice(wish_cats), rng.choice(WISH_TITLES), "家里有困难，希望好心人帮一把。" * rng.randint(1, 3),
                   rng.choice((0, 30, 50, 100, 200, 300)), wanted_by, state,
                   "超出微心愿范围" if state == "rejected" else None,
                   "已送到居民家中" if state in ("fulfilled", "completed") else None,
                   "谢谢！" if state == "completed" else None, created, updated, published, completed)

    w.write(Wish.__table__, (
        "id", "area_id", "community_id", "street_id", "wisher_id", "author_id", "on_behalf", "subject_name",
        "subject_contact", "category", "title", "description", "value", "wanted_by", "state", "reject_reason",
        "fulfil_note", "thanks_note", "created_at", "updated_at", "published_at", "completed_at"), wishes())
    w.write(WishClaim.__table__, ("id", "wish_id", "kind", "claimant_id", "organisation_id", "status", "claimed_at",
                                  "deadline_at", "fulfilled_at"), claim_rows)
    w.write(WishClaimMember.__table__, ("claim_id", "user_id"), member_rows)
    w.write(TimelineEntry.__table__, tl_cols, wish_tl)
    done(f"wishes {sc.wishes:,}")

    # ---------------------------------------------------------------- issues
    rating_rows = []
    channels = ("web",) * 6 + ("visit", "phone", "wechat", "sentinel", "open311")
    issue_batch: list = []
    level_rank = {"microgrid": 0, "grid": 1, "community": 2, "street": 3}
    level_names = ("microgrid", "grid", "community", "street")
    tl_batch: list = []

    def handler(mid, level):
        gid, cid, sid = mg_parent[mid]
        return {"microgrid": mid, "grid": gid, "community": cid, "street": sid}[level]

    def leader_at(mid, level):
        gid, cid, sid = mg_parent[mid]
        return {"microgrid": mg_leader[mid], "grid": grid_leader[gid], "community": staff[cid],
                "street": street_admin[sid]}[level]

    issue_cols = ("id", "category_id", "description", "address", "area_id", "handler_area_id", "state", "level",
                  "channel", "reporter_id", "on_behalf_of_id", "anonymous", "reporter_name", "reporter_phone",
                  "duplicate_of_id", "supporters_count", "created_at", "updated_at", "accepted_at", "resolved_at",
                  "closed_at", "accept_due_at", "resolve_due_at", "due_at", "escalation_count", "resolve_count",
                  "reject_reason", "resolution_note", "close_reason", "version")

    def flush_issues():
        w.write(Issue.__table__, issue_cols, issue_batch)
        w.write(TimelineEntry.__table__, tl_cols, tl_batch)
        issue_batch.clear()
        tl_batch.clear()

    for iid in range(1, sc.issues + 1):
        state = ISSUE_STATES[iid % len(ISSUE_STATES)] if iid <= len(ISSUE_STATES) \
            else rng.choices(ISSUE_STATES, ISSUE_WEIGHTS)[0]
        cat_id, default_level, accept_h, resolve_h, mediation = categories[rng.randrange(len(categories))]
        mid = microgrids[rng.randrange(len(microgrids))]
        cid = mg_parent[mid][1]
        channel = channels[rng.randrange(len(channels))]
        pool = residents_of[cid]
        resident = pool[rng.randrange(len(pool))] if pool else None
        recorded = channel in ("visit", "phone", "wechat")
        reporter, on_behalf, rname, rphone = resident, None, None, None
        if recorded:
            reporter = mg_leader[mid]
            if rng.random() < 0.5:
                on_behalf = resident
            else:
                rname, rphone = _name(rng), f"139{rng.randrange(10000000, 99999999)}"
        elif channel == "open311":
            reporter, rname, rphone = None, _name(rng), f"138{rng.randrange(10000000, 99999999)}"
        level = default_level
        active = state in ("reported", "accepted", "in_progress")
        # long enough ago that every step after the report (at most a day to accept, two weeks to resolve, three
        # days to rate) lies in the past
        created = ago(365, 20) if not active else ago(20, 2)
        if iid == 1 or (active and rng.random() < 0.3):
            mid = first_mg if iid == 1 else mid
        t = created
        actor0 = reporter
        tl_batch.append(tl("issue", iid, t, actor0, "recorded" if recorded else "reported", None, "reported"))
        escalations = 0
        if rng.random() < 0.12:
            to = level_names[min(3, level_rank[level] + 1)]
            if to != level:
                tl_batch.append(tl("issue", iid, t + timedelta(hours=2), leader_at(mid, level), "escalated",
                                   from_level=level, to_level=to, note="需要上级协调"))
                level, escalations = to, 1
        accept_due = created + timedelta(hours=accept_h)
        handler_actor = leader_at(mid, level)
        accepted = resolved = closed = resolve_due = None
        close_reason = reject_reason = resolution = None
        resolve_count = 0
        version = 1 + escalations
        if state == "rejected":
            tl_batch.append(tl("issue", iid, t + timedelta(hours=3), handler_actor, "rejected", "reported",
                               "rejected", "不属于受理范围"))
            reject_reason, version = "不属于受理范围", version + 1
            closed = t + timedelta(hours=3)
        elif state == "duplicate":
            tl_batch.append(tl("issue", iid, t + timedelta(hours=3), handler_actor, "duplicate", "reported",
                               "duplicate", f"#{max(1, iid - 1)}"))
            version += 1
            closed = t + timedelta(hours=3)
        elif state != "reported":
            accepted = t + timedelta(hours=rng.uniform(0.2, accept_h))
            resolve_due = accepted + timedelta(hours=resolve_h)
            tl_batch.append(tl("issue", iid, accepted, handler_actor, "accepted", "reported", "accepted"))
            version += 1
            if state != "accepted":
                started = accepted + timedelta(hours=1)
                tl_batch.append(tl("issue", iid, started, handler_actor, "started", "accepted", "in_progress"))
                version += 1
                if state in ("resolved", "closed"):
                    resolved = started + timedelta(hours=rng.uniform(1, resolve_h))
                    resolution, resolve_count = "已处理完毕", 1
                    tl_batch.append(tl("issue", iid, resolved, handler_actor, "resolved", "in_progress", "resolved",
                                       resolution))
                    version += 1
                    if state == "closed":
                        closed = resolved + timedelta(hours=rng.uniform(1, 72))
                        version += 1
                        if rng.random() < 0.15:
                            close_reason = "no_rating"
                            tl_batch.append(tl("issue", iid, closed, None, "auto_closed", "resolved", "closed"))
                        else:
                            close_reason = "rated"
                            value = rng.choices(RATINGS, (80, 15, 5))[0]
                            rater = on_behalf or (None if (recorded or channel == "open311") else resident)
                            revisit = rater is None
                            rating_rows.append((len(rating_rows) + 1, iid, 1, value, None, rater,
                                                staff[cid] if revisit else None, revisit, closed))
                            tl_batch.append(tl("issue", iid, closed, staff[cid] if revisit else rater,
                                               "revisit" if revisit else "rated", "resolved", "closed"))
        due = accept_due if state == "reported" else resolve_due if state in ("accepted", "in_progress") else None
        updated = tl_batch[-1][3]
        issue_batch.append((iid, cat_id, ISSUE_TEXTS[rng.randrange(len(ISSUE_TEXTS))], f"{rng.randint(1, 99)}号楼",
                            mid, handler(mid, level), state, level, channel, reporter, on_behalf,
                            rng.random() < 0.1, rname, rphone,
                            max(1, iid - 1) if state == "duplicate" else None, 0, created, updated, accepted,
                            resolved, closed, accept_due, resolve_due, due, escalations, resolve_count,
                            reject_reason, resolution, close_reason, version))
        if len(issue_batch) >= 20_000:
            flush_issues()
    flush_issues()
    w.write(IssueRating.__table__, ("id", "issue_id", "round", "value", "comment", "rater_id", "recorded_by_id",
                                    "revisit", "created_at"), rating_rows)
    del rating_rows
    done(f"issues {sc.issues:,}")

    # ---------------------------------------------------------------- activities, check-ins, points
    kinds_a = ("patrol", "volunteering", "council", "evening_surgery", "other")
    past = sc.activities - sc.activities // 10  # every tenth activity is still to come: sign-ups, no check-ins
    per_activity, extra = divmod(sc.checkins, max(1, past))
    hour_rule = rules["attendance_hour"]
    act_rows, signup_rows = [], []
    point_batch: list = []
    att_batch: list = []
    balances: dict[int, int] = {}
    entry_id = 0
    att_id = 0
    attested_count = 0

    def flush_points():
        w.write(Attendance.__table__, ("id", "activity_id", "user_id", "walk_in", "check_in_at", "check_out_at",
                                       "marked_by_id", "minutes"), att_batch)
        w.write(PointEntry.__table__, ("id", "user_id", "organisation_id", "rule_id", "points", "quantity",
                                       "generation", "source_type", "source_id", "event", "community_id",
                                       "street_id", "occurred_at", "created_at"), point_batch)
        att_batch.clear()
        point_batch.clear()

    for e in wish_points:
        entry_id += 1
        holder, org, rule_id, points, stype, sid_, ev, cid, sid, at = e
        point_batch.append((entry_id, holder, org, rule_id, points, None, 1, stype, sid_, ev, cid, sid, at, at))
        balances[holder] = balances.get(holder, 0) + points
    plans = []
    for aid in range(1, sc.activities + 1):
        cid = communities[aid % len(communities)]
        mid = rng.choice(mg_of_community[cid])
        upcoming = aid % 10 == 0
        starts = now + timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 8)) if upcoming \
            else now - timedelta(days=rng.randint(1, 360), hours=rng.randint(0, 8))
        minutes = rng.choice((60, 90, 120, 180))
        ends = starts + timedelta(minutes=minutes)
        attested = not upcoming and ends < now - timedelta(hours=2)
        capacity = max(per_activity + 10, 20)
        taken = 0
        if upcoming:
            pool = residents_of[cid] + members_of[agencies[aid % len(agencies)]]
            people = rng.sample(pool, min(len(pool), capacity // 2))
            for u in people:
                signup_rows.append((len(signup_rows) + 1, aid, u, "confirmed", starts - timedelta(days=3)))
            taken = len(people)
        else:
            plans.append((aid, cid, starts, ends, minutes, attested))
        act_rows.append((aid, kinds_a[aid % len(kinds_a)], ACTIVITY_TITLES[aid % len(ACTIVITY_TITLES)], "", mid, cid,
                         "社区活动室", starts, ends, capacity, "everyone", True, staff[cid], taken,
                         starts - timedelta(days=7), ends + timedelta(hours=1) if attested else None,
                         staff[cid] if attested else None))
    w.write(Activity.__table__, ("id", "kind", "title", "description", "area_id", "community_id", "place",
                                 "starts_at", "ends_at", "capacity", "audience", "walk_ins", "organiser_id", "taken",
                                 "created_at", "attested_at", "attested_by_id"), act_rows)
    w.write(Signup.__table__, ("id", "activity_id", "user_id", "status", "created_at"), signup_rows)
    for n, (aid, cid, starts, ends, minutes, attested) in enumerate(plans):
        pool = residents_of[cid] + members_of[agencies[aid % len(agencies)]]
        for u in rng.sample(pool, min(len(pool), per_activity + (n < extra))):
            att_id += 1
            stay = minutes - rng.choice((0, 0, 0, 10, 20))
            att_batch.append((att_id, aid, u, True, starts, starts + timedelta(minutes=stay), None, stay))
            if attested:
                attested_count += 1
                pts = hour_points(hour_rule, stay)
                if pts:
                    entry_id += 1
                    at = ends + timedelta(hours=1)
                    point_batch.append((entry_id, u, member_org.get(u), hour_rule.id, pts, stay, 1, "attendance",
                                        att_id, "attendance.attested", cid, community_street[cid], at, at))
                    balances[u] = balances.get(u, 0) + pts
        if len(att_batch) >= 20_000:
            flush_points()
    flush_points()
    w.write(PointBalance.__table__, ("user_id", "points", "updated_at"),
            ((u, p, now) for u, p in sorted(balances.items())))
    done(f"activities {sc.activities:,}, check-ins {att_id:,}, point entries {entry_id:,}")

    # ---------------------------------------------------------------- stations: slots, bookings, requests
    station_rows, service_rows, link_rows, slot_rows, booking_rows, request_rows, req_tl = [], [], [], [], [], [], []
    service_names = {"appointment": "政策咨询预约", "home_help": "助老上门", "errand": "代办社保认证"}
    limits = {"appointment": 2, "home_help": 48, "errand": 72}
    for n, cid in enumerate(communities):
        st = n + 1
        station_rows.append((st, cid, f"{PLACES[n % len(PLACES)]}{PLACES[(n * 3 + 1) % len(PLACES)]}党群驿站",
                             f"{rng.randint(1, 40)}栋一楼", "周一至周五 8:30–17:30",
                             f"0738-{rng.randrange(1000000, 9999999)}",
                             staff[cid], now - timedelta(days=200), now - timedelta(days=200)))
        for k, kind in enumerate(("appointment", "home_help", "errand")):
            service_rows.append((st * 3 - 2 + k, st, kind, service_names[kind], "", "", "", limits[kind], True,
                                 now - timedelta(days=200)))
        for mid in mg_of_community[cid][:2]:
            link_rows.append((st, mid))
    slot_id = booking_id = 0
    booking_states = ("attended", "missed", "cancelled", "booked")
    for st, cid, *_rest in station_rows:
        appointment, home_help, errand = st * 3 - 2, st * 3 - 1, st * 3
        pool = residents_of[cid] or [staff[cid]]
        # 20 past slots (attended / missed / cancelled) and 10 to come (booked / cancelled), four places each
        for j in range(30):
            upcoming = j >= 20
            starts = now + timedelta(days=1 + (j - 20), hours=9) if upcoming \
                else now - timedelta(days=2 + j * 3, hours=-9)
            slot_id += 1
            live = 0
            people = rng.sample(pool, min(len(pool), rng.randint(1, 4)))
            for p_i, person in enumerate(people):
                if upcoming:
                    status = "cancelled" if p_i == 3 or (j == 20 and p_i == 1) else "booked"
                else:
                    status = booking_states[(j + p_i) % 3] if st == 1 else rng.choices(booking_states[:3],
                                                                                        (80, 10, 10))[0]
                booking_id += 1
                made = starts - timedelta(days=rng.uniform(1, 6))
                cancelled_at = made + timedelta(hours=rng.uniform(1, 20)) if status == "cancelled" else None
                marked = starts + timedelta(minutes=30) if status in ("attended", "missed") else None
                live += status != "cancelled"
                booking_rows.append((booking_id, slot_id, appointment, st, starts, person, person, False, None, None,
                                     status, made, cancelled_at, marked, staff[cid] if marked else None,
                                     starts - timedelta(days=1) if not upcoming and status != "cancelled" else None))
            slot_rows.append((slot_id, appointment, st, starts, starts + timedelta(minutes=30), 4, live,
                              starts - timedelta(days=10)))
        # requests at the door and errands: every state, the timeline the services record
        for j in range(40):
            service = home_help if j % 2 == 0 else errand
            limit = limits["home_help" if service == home_help else "errand"]
            state = REQUEST_STATES_GEN[j % len(REQUEST_STATES_GEN)] if j < len(REQUEST_STATES_GEN) \
                else rng.choices(REQUEST_STATES_GEN, REQUEST_WEIGHTS)[0]
            person = pool[rng.randrange(len(pool))]
            home = home_of.get(person)
            area = home if home is not None and mg_parent.get(home, (0, 0))[1] == cid else cid
            active = state in ("open", "taken", "done")
            created = ago(4, 0.2) if active else ago(300, 5)
            rid = len(request_rows) + 1
            taker = staff[cid] if rng.random() < 0.6 else mg_leader.get(area, staff[cid])
            due = created + timedelta(hours=limit)
            taken_at = done_at = confirmed_at = None
            rating = done_note = None
            req_tl.append(tl("station_request", rid, created, person, "sent", None, "open"))
            if state == "withdrawn":
                req_tl.append(tl("station_request", rid, created + timedelta(hours=1), person, "withdrawn", "open",
                                 "withdrawn"))
            elif state != "open":
                taken_at = created + timedelta(minutes=rng.uniform(10, 240))
                req_tl.append(tl("station_request", rid, taken_at, taker, "taken", "open", "taken"))
                if state in ("done", "confirmed"):
                    done_at = taken_at + timedelta(minutes=rng.uniform(30, 600))
                    done_note = "已上门办理"
                    req_tl.append(tl("station_request", rid, done_at, taker, "done", "taken", "done", done_note))
                    if state == "confirmed" and rng.random() < 0.1:
                        # the resident said it was not done: back to the taker with a fresh time limit
                        again = done_at + timedelta(hours=2)
                        due = again + timedelta(hours=limit)
                        req_tl.append(tl("station_request", rid, again, person, "not_done", "done", "taken",
                                         "材料还没交"))
                        done_at = again + timedelta(hours=3)
                        req_tl.append(tl("station_request", rid, done_at, taker, "done", "taken", "done", done_note))
                    if state == "confirmed":
                        confirmed_at = done_at + timedelta(hours=rng.uniform(1, 48))
                        rating = rng.choices(RATINGS, (80, 15, 5))[0]
                        req_tl.append(tl("station_request", rid, confirmed_at, person, "confirmed", "done",
                                         "confirmed"))
            updated = req_tl[-1][3]
            request_rows.append((rid, service, st, cid, area, person, person, False, None, None,
                                 "需要上门帮忙" if service == home_help else "代办养老认证", None, state,
                                 taker if taken_at else None, done_note, rating, None, created, updated, due,
                                 taken_at, done_at, confirmed_at, None))
    w.write(Station.__table__, ("id", "community_id", "name", "place", "opening_hours", "phone", "created_by_id",
                                "created_at", "updated_at"), station_rows)
    w.write(StationService.__table__, ("id", "station_id", "kind", "name", "description", "eligibility",
                                       "documents", "limit_hours", "active", "created_at"), service_rows)
    w.write(station_microgrid, ("station_id", "area_id"), link_rows)
    w.write(ServiceSlot.__table__, ("id", "service_id", "station_id", "starts_at", "ends_at", "capacity", "booked",
                                    "created_at"), slot_rows)
    w.write(Booking.__table__, ("id", "slot_id", "service_id", "station_id", "starts_at", "person_id", "author_id",
                                "on_behalf", "subject_name", "subject_contact", "status", "created_at",
                                "cancelled_at", "marked_at", "marked_by_id", "reminded_at"), booking_rows)
    w.write(ServiceRequest.__table__, ("id", "service_id", "station_id", "community_id", "area_id", "person_id",
                                       "author_id", "on_behalf", "subject_name", "subject_contact", "note",
                                       "photo_id", "state", "taker_id", "done_note", "rating", "rating_comment",
                                       "created_at", "updated_at", "due_at", "taken_at", "done_at", "confirmed_at",
                                       "overdue_at"), request_rows)
    w.write(TimelineEntry.__table__, tl_cols, req_tl)
    done(f"stations {len(station_rows):,}, bookings {len(booking_rows):,}, requests {len(request_rows):,}")

    # ---------------------------------------------------------------- scenario catalogue and adoptions
    scenario_rows = [(i + 1, name, dim, kind, "", True, now - timedelta(days=300))
                     for i, (name, dim, kind) in enumerate(SCENARIOS)]
    adoption_rows = []
    for n, cid in enumerate(communities):
        for sid_, _title, _dim, kind, *_rest in scenario_rows:
            if (kind == "common" and rng.random() < 0.7) or (kind == "specific" and (n + sid_) % 5 == 0):
                adoption_rows.append((len(adoption_rows) + 1, sid_, cid,
                                      today - timedelta(days=rng.randint(10, 300)), "", staff[cid],
                                      now - timedelta(days=5)))
    w.write(Scenario.__table__, ("id", "name", "dimension", "kind", "description", "active", "created_at"),
            scenario_rows)
    w.write(ScenarioAdoption.__table__, ("id", "scenario_id", "community_id", "since", "note", "recorded_by_id",
                                         "created_at"), adoption_rows)
    done(f"scenarios {len(scenario_rows)}, adoptions {len(adoption_rows):,}")

    # ---------------------------------------------------------------- moderation and the audit log
    _moderation_and_audit(w, conn, rng, [u[0] for u in users], staff, now, done)

    w.create_indexes(deferred)
    done(f"indexes: {len(deferred)}")

    # ---------------------------------------------------------------- the dashboard's roll-up (``dashboard rebuild``)
    domains.modules("subscribers")
    if rollup_workers:
        # the rows are committed first: the roll-up reads them in worker processes, which see committed rows only
        db.session.commit()
        conn = db.session.connection()
        if w.pg and conn.exec_driver_sql("SHOW is_superuser").scalar() == "on":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    counted = rebuild(echo=echo, workers=rollup_workers)
    w.counts["daily_figure"] = db.session.scalar(select(func.count()).select_from(DailyFigure))
    done(f"dashboard roll-up: {sum(counted.values()):,} things, {w.counts['daily_figure']:,} figures")

    # ---------------------------------------------------------------- sequences, statistics
    if w.pg:
        for table in db.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and pk[0].autoincrement is not False and str(pk[0].type) == "INTEGER" \
                    and table.name in w.counts:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{w.prep.format_table(table)}', "
                                  f"'{pk[0].name}'), coalesce(max({pk[0].name}), 1)) FROM "
                                  f"{w.prep.format_table(table)}"))
        db.session.commit()
    # statistics for the query planner, as after any bulk load (PostgreSQL's autovacuum would gather them later;
    # SQLite only when told — a deployment runs ``PRAGMA optimize`` now and then)
    # (SQLite: statistics of every row — sampled ones, PRAGMA analysis_limit, led its planner to scan a community's
    # issues for the resident's "awaiting my rating": 80 ms instead of 0.2 ms)
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    done("commit, statistics" + (", sequences" if w.pg else ""))
    echo(f"scale {scale_name}: {sum(w.counts.values()):,} rows in {time.perf_counter() - t0:.1f} s")
    return dict(w.counts)
