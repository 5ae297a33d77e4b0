#!/usr/bin/env python3
"""Where a page's time goes: pyinstrument over a few requests of one page on the generated city, with the SQL
statements it sends and the slowest of them (with SQLite's query plan).

    .venv/bin/python bench/profile.py /wishes/                         # anonymous
    .venv/bin/python bench/profile.py --account bench_member /wishes/  # signed in (a generated account)
    BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/profile.py --account bench_leader /issues/

The database is the one ``make bench`` uses (``instance/bench-<scale>.sqlite3``, or BENCH_DATABASE_URL); run
``make bench`` once first so that it exists.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--account", default=None, help="a generated account (bench_staff, bench_leader, …)")
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE", "town"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from pyinstrument import Profiler
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db
    from bench.generate import BENCH_PASSWORD

    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / f'bench-{args.scale}.sqlite3'}"
    if url.startswith("sqlite") and not Path(url.removeprefix("sqlite:///")).exists():
        raise SystemExit(f"{url} does not exist: run `make bench` once first")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        engine = db.engine
    client = app.test_client()
    if args.account:
        token = TOKEN_RE.search(client.get("/auth/login").get_data(as_text=True)).group(1)
        client.post("/auth/login", data={"username": args.account, "password": BENCH_PASSWORD, "csrf_token": token})
    headers = {"Accept-Encoding": "gzip", "Accept-Language": "zh-CN"}
    client.get(args.url, headers=headers)  # templates compiled, caches filled
    timings: list[tuple[float, str, object]] = []

    def before(conn, cursor, statement, params, context, many):
        context._bench_started = time.perf_counter()

    def after(conn, cursor, statement, params, context, many):
        timings.append((time.perf_counter() - context._bench_started, statement, params))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    profiler = Profiler(interval=0.0005)
    cpu = time.process_time()
    profiler.start()
    for _ in range(args.repeat):
        response = client.get(args.url, headers=headers)
    profiler.stop()
    cpu = (time.process_time() - cpu) / args.repeat
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    print(profiler.output_text(unicode=True, color=False))
    per_page = len(timings) // args.repeat
    in_sql = sum(t for t, _, _ in timings) / args.repeat
    print(f"{args.url}: HTTP {response.status_code}, {len(response.data):,} bytes gzip, {cpu * 1000:.1f} ms CPU "
          f"per request, {per_page} SQL statements taking {in_sql * 1000:.1f} ms")
    for spent, statement, params in sorted(timings, key=lambda x: -x[0])[:3]:
        print(f"\n--- {spent * 1000:.1f} ms\n{statement[:1200]}")
        if url.startswith("sqlite"):
            with engine.connect() as conn:
                for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params):
                    print("    plan:", row[-1])


if __name__ == "__main__":
    main()
