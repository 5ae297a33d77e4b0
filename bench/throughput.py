"""Throughput of the key pages, measured as a visitor would, side by side with the bare stack (bench/baseline.py).

Both run under gunicorn with the same number of sync workers; wrk (Debian's package) drives them in turn — the
baseline, then a page, then the baseline again before the next page — at 16 connections, so each ratio compares
two runs a few seconds apart on the same machine. Requests carry ``Accept-Encoding: gzip`` and a Chinese
``Accept-Language`` like a phone's browser; signed-in pages carry the session cookie of a generated account.

SQL statements and compressed bytes are counted in-process (the Flask test client on the same database), once per
page. A page whose wrk run saw non-2xx answers is flagged: its numbers would measure an error page.

Adding a page to the portal's main lists means adding it to ``key_pages`` below.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: rows of the baseline's table (the issue's measure: 20 rows of an indexed 100,000-row table)
BASELINE_ROWS = 100_000
#: targets (issue 12): ratio to the baseline and p95 at 16 connections
WALL_TARGET, OTHER_TARGET, P95_TARGET_MS = 0.5, 0.35, 50.0

LUA = r"""
wrk.headers["Accept-Encoding"] = "gzip"
wrk.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
local cookie = os.getenv("BENCH_COOKIE")
if cookie ~= nil and cookie ~= "" then wrk.headers["Cookie"] = cookie end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Page:
    name: str
    url: str
    account: str | None = None
    target: float = OTHER_TARGET


@dataclass
class Run:
    rps: float
    p50: float
    p95: float
    p99: float
    bad: int


def portal_url(args) -> str:
    if args.database_url:
        url = args.database_url
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    (ROOT / "instance").mkdir(exist_ok=True)
    return f"sqlite:///{ROOT / 'instance' / f'bench-{args.scale}.sqlite3'}"


def prepare(url: str, scale: str) -> dict:
    """Upgrade the database, generate the city when it has no accounts, and find the ids the pages need."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app import create_app
    from app.accounts.models import User
    from app.extensions import db
    from bench.generate import BENCH_ACCOUNTS, ROLLUP_WORKERS, generate

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if not db.session.scalar(select(func.count()).select_from(User)):
            print(f"generating the {scale} city into {url.split('@')[-1]} …")
            generate(scale, rollup_workers=ROLLUP_WORKERS)
        elif db.session.scalar(select(func.count()).select_from(User).where(User.username.in_(BENCH_ACCOUNTS))) \
                < len(BENCH_ACCOUNTS):
            raise SystemExit(f"{url}: the database has accounts but not the generated ones; use an empty database")
        # the scheduled jobs run every few minutes in a deployment: the dashboard reads "overdue now" from the
        # snapshot its job writes (a snapshot older than a quarter of an hour is counted again on the page)
        from app.dashboard.jobs import snapshot
        from app.timeutil import utcnow

        snapshot(utcnow())
        db.session.commit()
        ids = {**page_ids(), "users": db.session.scalar(select(func.count()).select_from(User))}
    return {"app": app, **ids}


def page_ids() -> dict:
    """The rows the key pages show: a claimed wish, the agency's pairing, the staff's station, the city, a street."""
    from sqlalchemy import select

    from app.accounts.models import RoleAssignment, User
    from app.areas.models import Area
    from app.extensions import db
    from app.organisations.models import Pairing
    from app.stations.models import Station
    from app.wishes.models import Wish

    def role_of(username: str, role: str) -> RoleAssignment:
        return db.session.scalar(select(RoleAssignment).join(User, User.id == RoleAssignment.user_id)
                                 .where(User.username == username, RoleAssignment.role == role))

    org_id = role_of("bench_agency", "agency_admin").organisation_id
    community_id = role_of("bench_staff", "community_staff").area_id
    return {
        "wish": db.session.scalar(select(Wish.id).where(Wish.state == "claimed").order_by(Wish.id.desc())),
        "pairing": db.session.scalar(select(Pairing.id).where(Pairing.organisation_id == org_id)),
        "station": db.session.scalar(select(Station.id).where(Station.community_id == community_id)
                                     .order_by(Station.id)),
        "city": db.session.scalar(select(Area.id).where(Area.level == "city").order_by(Area.id)),
        "street": db.session.scalar(select(Area.id).where(Area.level == "street").order_by(Area.id)),
    }


def key_pages(ids: dict) -> list[Page]:
    return [
        Page("wish wall (anonymous)", "/wishes/", None, WALL_TARGET),
        Page("wish wall (party member)", "/wishes/", "bench_member", WALL_TARGET),
        Page("wish detail", f"/wishes/{ids['wish']}", None),
        Page("issue list, staff, filtered", "/issues/?view=area&state=in_progress", "bench_staff", WALL_TARGET),
        Page("leader's queue", "/issues/?view=queue", "bench_leader", WALL_TARGET),
        Page("home (anonymous)", "/", None),
        Page("home (resident)", "/", "bench_resident"),
        Page("home (community staff)", "/", "bench_staff"),
        Page("home (micro-grid leader)", "/", "bench_leader"),
        Page("home (agency admin)", "/", "bench_agency"),
        Page("pairing page", f"/cobuild/pairings/{ids['pairing']}", "bench_agency"),
        Page("activities list", "/activities/", "bench_resident"),
        Page("leaderboard", "/points/board", "bench_resident"),
        Page("Open311 requests.json", "/open311/v2/requests.json", None),
        Page("station page (resident)", f"/stations/{ids['station']}", "bench_resident"),
        Page("station queue (staff)", f"/stations/{ids['station']}/queue", "bench_staff"),
        Page("city dashboard, this year", f"/dashboard/{ids['city']}?period=this_year", "bench_admin"),
        Page("street ranking", f"/dashboard/{ids['street']}/ranking", "bench_admin"),
        Page("public figures (anonymous)", "/figures/", None),
        Page("moderation queue (staff)", "/moderation/", "bench_staff"),
        Page("audit log", "/audit/", "bench_admin"),
    ]


def measure_in_process(app, pages: list[Page]) -> dict[str, tuple[int, int, int]]:
    """(status, SQL statements, gzip bytes) of each page, through the test client on the same database."""
    from sqlalchemy import event

    from app.extensions import db
    from bench.generate import BENCH_PASSWORD

    clients: dict = {}
    out = {}
    headers = {"Accept-Encoding": "gzip", "Accept-Language": "zh-CN"}
    with app.app_context():  # no app context is held around requests: each request gets its own ``g``
        engine = db.engine
    for page in pages:
        c = clients.get(page.account)
        if c is None:
            c = clients[page.account] = app.test_client()
            if page.account:
                token = TOKEN_RE.search(c.get("/auth/login").get_data(as_text=True)).group(1)
                r = c.post("/auth/login", data={"username": page.account, "password": BENCH_PASSWORD,
                                                "csrf_token": token})
                assert r.status_code in (302, 303), (page.account, r.status_code)
        c.get(page.url, headers=headers)  # warm: templates compiled, caches filled
        statements: list[str] = []

        def count(conn, cursor, statement, *a, _s=statements):
            _s.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            r = c.get(page.url, headers=headers)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        out[page.name] = (r.status_code, len(statements), len(r.data))
    return out


def login_cookie(base: str, username: str) -> str:
    from bench.generate import BENCH_PASSWORD

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/auth/login").read().decode()
    token = TOKEN_RE.search(html).group(1)
    data = urllib.parse.urlencode({"username": username, "password": BENCH_PASSWORD, "csrf_token": token}).encode()
    opener.open(base + "/auth/login", data=data).read()
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session=" not in cookies:
        raise SystemExit(f"could not sign in as {username}")
    return cookies


def start(cmd: list[str], env: dict, port: int, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return proc
        except urllib.error.HTTPError:
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"server on port {port} exited; see {log}") from None
            time.sleep(0.3)
    raise SystemExit(f"server on port {port} did not answer within 60 s; see {log}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def wrk(url: str, args, script: Path, cookie: str | None) -> Run:
    env = {**os.environ, "BENCH_COOKIE": cookie or ""}
    out = subprocess.run([WRK, "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "30s",
                          "-s", str(script), url],
                         env=env, capture_output=True, text=True, timeout=args.duration + 60).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result for {url}:\n{out}")
    requests, duration_us, p50, p95, p99, status, other = (int(x) for x in line.split()[1:])
    return Run(requests / (duration_us / 1e6), p50 / 1000, p95 / 1000, p99 / 1000, status + other)


WRK = shutil.which("wrk") or "/usr/bin/wrk"


def run_throughput(args) -> list[dict]:
    if not Path(WRK).exists():
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    url = portal_url(args)
    started = time.perf_counter()
    info = prepare(url, args.scale)
    prepared = time.perf_counter() - started
    pages = [p for p in key_pages(info) if args.only.lower() in p.name.lower()]
    tmp = Path(tempfile.mkdtemp(prefix="portal-throughput-"))
    script = tmp / "bench.lua"
    script.write_text(LUA)
    # the baseline's table: beside the portal's on PostgreSQL (a table of its own), a file of its own on SQLite
    baseline_url = url if url.startswith("postgresql") else f"sqlite:///{ROOT / 'instance' / 'bench-baseline.sqlite3'}"
    from sqlalchemy import create_engine

    from bench.baseline import fill

    engine = create_engine(baseline_url)
    fill(engine, BASELINE_ROWS)
    engine.dispose()
    static = measure_in_process(info["app"], pages)
    env = {**os.environ, "DATABASE_URL": url, "BASELINE_DATABASE_URL": baseline_url, "SECRET_KEY": "bench-secret",
           "APP_CONFIG": "development", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("FLASK_DEBUG", None)
    port, bport = args.port, args.port + 1
    gunicorn = [str(BIN / "gunicorn"), "-w", str(args.workers), "--worker-class", "sync", "--log-level", "warning"]
    portal = start([*gunicorn, "-b", f"127.0.0.1:{port}", "wsgi:app"], env, port, tmp / "portal.log")
    baseline = start([*gunicorn, "-b", f"127.0.0.1:{bport}", "bench.baseline:create_app()"], env, bport,
                     tmp / "baseline.log")
    results = []
    try:
        cookies = {acc: login_cookie(f"http://127.0.0.1:{port}", acc) for acc in {p.account for p in pages} if acc}
        # warm both: every worker compiles its templates and opens its connections before anything is timed
        # (a worker's first request of a page compiles its templates: seconds on a busy machine)
        quick = type(args)(**{**vars(args), "duration": 3})
        wrk(f"http://127.0.0.1:{bport}/", quick, script, None)
        for page in pages:
            wrk(f"http://127.0.0.1:{port}{page.url}", quick, script, cookies.get(page.account))
        db_name = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"\nthroughput on {db_name}, {args.scale} scale ({info['users']:,} accounts), gunicorn -w {args.workers} "
              f"(sync), wrk -c{args.connections} -d{args.duration}s, interleaved with the baseline "
              f"(Flask + SQLAlchemy + Jinja, 20 of {BASELINE_ROWS:,} indexed rows); data ready in {prepared:.0f} s")
        head = f"| {'page':<30} | {'req/s':>7} | {'× base':>6} | {'p50 ms':>6} | {'p95 ms':>6} | {'p99 ms':>6} " \
               f"| {'SQL':>3} | {'gzip B':>6} | target |"
        print(head)
        print("|" + "|".join("-" * (len(cell)) for cell in head.split("|")[1:-1]) + "|")
        for page in pages:
            base = wrk(f"http://127.0.0.1:{bport}/", args, script, None)
            run = wrk(f"http://127.0.0.1:{port}{page.url}", args, script, cookies.get(page.account))
            status, sql, size = static[page.name]
            ratio = run.rps / base.rps if base.rps else 0.0
            ok = ratio >= page.target and run.p95 < P95_TARGET_MS and not run.bad and status == 200
            verdict = ("ok" if ok else "BELOW") + (f" {run.bad} non-2xx" if run.bad else "") \
                + (f" HTTP {status}" if status != 200 else "")
            print(f"| {page.name:<30} | {run.rps:7.0f} | {ratio:6.2f} | {run.p50:6.1f} | {run.p95:6.1f} | "
                  f"{run.p99:6.1f} | {sql:>3} | {size:>6} | {'≥' + format(page.target, '.2f')} {verdict} |", flush=True)
            results.append({"page": page.name, "rps": run.rps, "ratio": ratio, "p95": run.p95, "sql": sql,
                            "bytes": size, "ok": ok, "baseline_rps": base.rps})
    finally:
        stop(portal)
        stop(baseline)
    return results
