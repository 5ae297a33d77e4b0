#!/usr/bin/env python3
"""Benchmarks, reported as ratios measured side by side in one run (machines are noisy; absolute times are not).

    make bench            # or: .venv/bin/python bench/run.py [--scale town|city|tiny] [--duration 5] [--only PAGE]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_city make bench   # on PostgreSQL

0. Throughput (bench/throughput.py): the portal on a generated city (``flask --app wsgi bench generate``, done first
   when the database is empty) and a bare Flask + SQLAlchemy + Jinja page (bench/baseline.py), both under gunicorn
   with the same workers, driven in turn by wrk at 16 connections; per key page requests/s, p50/p95/p99, the ratio
   to the baseline measured just before it, SQL statements and compressed bytes.
1. Subtree query at Lianyuan's scale (≈ 25,000 neighbour groups): the materialised-path range scan we use vs a
   LIKE prefix and a recursive CTE walking parent_id — the "whole subtree" question every scoped list asks.
2. Page weight: compressed bytes of each role's home page with its CSS/JS, against the 50 KB weak-4G budget.
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.areas.models import Area  # noqa: E402
from app.extensions import db  # noqa: E402


def build_tree(microgrids: int) -> list[Area]:
    """city → 10 streets → 50 communities → 500 grids → N micro-grids, inserted in bulk."""
    from app.areas.services import create_area

    city = create_area("Bench City", "city")
    communities = []
    for s in range(10):
        street = create_area(f"Street {s}", "street", city)
        for c in range(5):
            communities.append(create_area(f"Community {s}-{c}", "community", street))
    grids = []
    for community in communities:
        for g in range(10):
            grids.append(create_area(f"Grid {community.name}-{g}", "grid", community))
    db.session.flush()
    next_id = (db.session.scalar(select(func.max(Area.id))) or 0) + 1
    rows = []
    per_grid = max(1, microgrids // len(grids))
    for grid in grids:
        for _ in range(per_grid):
            rows.append({"id": next_id, "parent_id": grid.id, "level": "microgrid", "name": f"M{next_id}",
                         "path": f"{grid.path}{next_id}/"})
            next_id += 1
    db.session.execute(insert(Area), rows)
    db.session.commit()
    return communities


def timed(fn, repeat: int = 30) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_subtree(communities: list[Area]) -> None:
    target = communities[len(communities) // 2]
    prefix = select(func.count()).select_from(Area).where(Area.in_subtree(target.path))
    like = select(func.count()).select_from(Area).where(Area.path.startswith(target.path, autoescape=True))
    cte = text("""
        WITH RECURSIVE sub(id) AS (SELECT id FROM area WHERE id = :root
                                   UNION ALL SELECT a.id FROM area a JOIN sub ON a.parent_id = sub.id)
        SELECT count(*) FROM sub""")
    n_prefix = db.session.scalar(prefix)
    n_cte = db.session.scalar(cte, {"root": target.id})
    assert n_prefix == n_cte, (n_prefix, n_cte)
    assert db.session.scalar(like) == n_prefix
    t_prefix = timed(lambda: db.session.scalar(prefix))
    t_like = timed(lambda: db.session.scalar(like))
    t_cte = timed(lambda: db.session.scalar(cte, {"root": target.id}))
    total = db.session.scalar(select(func.count()).select_from(Area))
    print(f"subtree of one community ({n_prefix} areas of {total}):")
    print("  path range (indexed, what we use)           1.0×")
    print(f"  path LIKE 'prefix%' (no index on SQLite)   {t_like / t_prefix:6.1f}×")
    print(f"  recursive CTE over parent_id               {t_cte / t_prefix:6.1f}×")


def bench_page_weight(app) -> None:
    from app.cli import load_domain_modules
    from app.demo import seed

    load_domain_modules("demo")
    seed()
    from tests.conftest import Client

    def weigh(c, url, htmx=False):
        headers = {"Accept-Encoding": "gzip", "Accept-Language": "zh-CN"}
        if htmx:
            headers["HX-Request"] = "true"
        page = c.get(url, headers=headers)
        if page.headers.get("Content-Encoding") == "gzip":
            html = gzip.decompress(page.data).decode()
        else:
            html = page.get_data(as_text=True)
        total = len(page.data)
        if not htmx:
            for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
                total += len(c.get(asset, headers={"Accept-Encoding": "gzip"}).data)
        return page.status_code, total, html

    print("first load: page + CSS/JS, gzip-compressed (budget 51,200 bytes):")
    pages = [("(anonymous)", ["/", "/wishes/", "/issues/?view=public"]),
             ("resident1", ["/", "/wishes/new", "/issues/new"]),
             ("staff1", ["/", "/wishes/review", "/issues/?view=queue", "/issues/?view=area", "/notifications/",
                         "/users/", "/organisations/"]),
             ("street1", ["/", "/users/"]),
             ("rider1", ["/issues/quick"])]
    for username, urls in pages:
        c = Client(app.test_client(), app)
        if username != "(anonymous)":
            c.login(username)
        for url in urls:
            status, total, _ = weigh(c, url)
            print(f"  {username:12} {url:24} {status} {total:7,d} bytes  ({total / 51200:.0%} of budget)")
    print("htmx swaps (fragment only, gzip; budget 8,192 bytes):")
    c = Client(app.test_client(), app)
    status, total, html = weigh(c, "/wishes/")
    nxt = re.search(r'hx-get="(/wishes/[^"]*after=[^"]+)"', html)
    if nxt:
        status, total, _ = weigh(c, nxt.group(1).replace("&amp;", "&"), htmx=True)
        print(f"  wall: next page         {status} {total:7,d} bytes  ({total / 8192:.0%} of budget)")
    status, total, _ = weigh(c, "/issues/?view=public", htmx=True)
    print(f"  public issues fragment  {status} {total:7,d} bytes  ({total / 8192:.0%} of budget)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--microgrids", type=int, default=25000)
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE", "town"), choices=("city", "town", "tiny"))
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""),
                        help="the portal's database (default: SQLite under instance/, one file per scale)")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "5")),
                        help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "5200")),
                        help="the portal listens here, the baseline on the next port")
    parser.add_argument("--only", default="", help="run only the pages whose name contains this")
    parser.add_argument("--throughput-only", action="store_true", help="skip the subtree and page-weight parts")
    args = parser.parse_args()
    from bench.throughput import run_throughput

    run_throughput(args)
    if args.throughput_only:
        return
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    app = create_app({"CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
                      "SECRET_KEY": "bench", "UPLOAD_DIR": str(tmp / "uploads")})
    with app.app_context():
        db.create_all()
        communities = build_tree(args.microgrids)
        bench_subtree(communities)
    fresh = create_app({"CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'pages.sqlite3'}",
                        "SECRET_KEY": "bench", "UPLOAD_DIR": str(tmp / "uploads")})
    with fresh.app_context():
        db.create_all()
        bench_page_weight(fresh)


if __name__ == "__main__":
    main()
