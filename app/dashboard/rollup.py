"""Keeping the daily roll-up: incrementally after each event, or rebuilt from the source tables.

Incremental (``refresh``): the thing's rows now (``Source.rows``) minus the rows it had added before (kept in
``FigureSource``), added to ``DailyFigure`` for its area and every area above it with one upsert (``INSERT … ON
CONFLICT DO UPDATE``, safe when two requests touch the same row at once) — and the same deltas added up per month to
``MonthlyFigure``, so a month's row is always the sum of its days.

Rebuild (``rebuild``): empty the tables, then every thing of every source, in batches of ids; the rows of the finest
areas are added up in memory and written, then the database adds them up level by level towards the city, and the
days into their months.
"""
from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from datetime import date

from flask import current_app
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, cast, delete, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.areas.models import Area
from app.dashboard import metrics
from app.dashboard.models import DailyFigure, FigureSource, MonthlyFigure
from app.extensions import db

Key = tuple[int, str, date, str]  # area_id, metric, day, key


def _insert(model):
    return (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(model)


def _months(days: dict[Key, list[int]]) -> dict[Key, list[int]]:
    """The same rows added up per calendar month (the key's day becomes the month's first day)."""
    out: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for (area, metric, day, key), (count, total) in days.items():
        row = out[(area, metric, day.replace(day=1), key)]
        row[0] += count
        row[1] += total
    return {k: v for k, v in out.items() if v[0] or v[1]}


def _ancestors(area_ids: set[int]) -> dict[int, list[int]]:
    """area id → ids from the root down to it (one query)."""
    if not area_ids:
        return {}
    rows = db.session.execute(select(Area.id, Area.path).where(Area.id.in_(area_ids)))
    return {aid: [int(p) for p in path.strip("/").split("/") if p] for aid, path in rows}


def _fine(rows: list) -> Counter:
    out: Counter = Counter()
    for day, area, metric, key, count, total in rows:
        out[(area, metric, day, key, "c")] += count
        out[(area, metric, day, key, "t")] += total
    return out


def _deltas(old: list, new: list) -> dict[Key, list[int]]:
    diff = _fine(new)
    diff.subtract(_fine(old))
    fine: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for (area, metric, day, key, part), value in diff.items():
        if value:
            fine[(area, metric, day, key)][0 if part == "c" else 1] += value
    lineage = _ancestors({k[0] for k in fine})
    out: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for (area, metric, day, key), (count, total) in fine.items():
        for anc in lineage.get(area, [area]):
            out[(anc, metric, day, key)][0] += count
            out[(anc, metric, day, key)][1] += total
    return {k: v for k, v in out.items() if v[0] or v[1]}


def _upsert(model, day_column: str, deltas: dict[Key, list[int]]) -> None:
    day_attr = getattr(model, day_column)
    stmt = _insert(model)
    stmt = stmt.on_conflict_do_update(
        index_elements=["area_id", "metric", day_column, "key"],
        set_={"count": model.count + stmt.excluded.count, "total": model.total + stmt.excluded.total})
    # in one order, so two transactions touching the same rows wait for each other instead of deadlocking
    db.session.execute(stmt, [{"area_id": a, "metric": m, day_column: d, "key": k, "count": c, "total": t}
                              for (a, m, d, k), (c, t) in sorted(deltas.items())])
    # rows that went back to nothing are removed, so the table is exactly what a rebuild writes
    negative = [k for k, (c, t) in deltas.items() if c < 0 or t < 0]
    if negative:
        db.session.execute(delete(model).where(
            model.area_id.in_({k[0] for k in negative}), model.metric.in_({k[1] for k in negative}),
            day_attr.in_({k[2] for k in negative}), model.count == 0, model.total == 0))


def _apply(deltas: dict[Key, list[int]]) -> None:
    if not deltas:
        return
    _upsert(DailyFigure, "day", deltas)
    months = _months(deltas)
    if months:
        _upsert(MonthlyFigure, "month", months)


def _encoder():
    """An encoder of a thing's rows as JSON text (``[[day, area, metric, key, count, total], …]`` in sorted order,
    no spaces): the same rows always give the same text, which ``refresh`` compares. The dates' ISO form and the
    metrics' and keys' JSON are remembered — a rebuild writes the same few hundred of each millions of times."""
    days: dict[date, str] = {}
    texts: dict[str, str] = {}

    def encode(rows: list) -> str:
        parts = []
        for d, a, m, k, c, t in sorted(rows):
            day = days.get(d)
            if day is None:
                day = days[d] = json.dumps(d.isoformat())
            jm = texts.get(m)
            if jm is None:
                jm = texts[m] = json.dumps(m)
            jk = texts.get(k)
            if jk is None:
                jk = texts[k] = json.dumps(k)
            parts.append(f"[{day},{int(a)},{jm},{jk},{int(c)},{int(t)}]")
        return "[" + ",".join(parts) + "]"

    return encode


#: what the events write (one process's days and names remembered: a few thousand short strings at most)
_encode = _encoder()


def _decode(text: str) -> list:
    return [(date.fromisoformat(d), a, m, k, c, t) for d, a, m, k, c, t in json.loads(text or "[]")]


def refresh(source_name: str, entity_id: int | None) -> None:
    """The thing changed: replace its contribution (called by the subscribers, in the same transaction)."""
    src = metrics.get(source_name)
    if src is None or entity_id is None:
        return
    db.session.flush()
    new = [r for r in src.rows([entity_id]).get(entity_id, []) if r[0] is not None]
    record = db.session.scalar(select(FigureSource).where(FigureSource.source == source_name,
                                                          FigureSource.entity_id == entity_id))
    old = _decode(record.rows) if record is not None else []
    encoded = _encode(new)
    if record is not None and record.rows == encoded:
        return
    _apply(_deltas(old, new))
    if record is None:
        db.session.add(FigureSource(source=source_name, entity_id=entity_id, rows=encoded))
    else:
        record.rows = encoded
    db.session.flush()


#: (source, id) of the things an event touched in the current transaction: counted again just before the commit,
#: because a service may still add rows after its event (a rating is written after ``issue.rated``)
TOUCHED = "dashboard_touched"


def follow(source_name: str, entity_id: int | None) -> None:
    """An event changed the thing: count it now, and once more just before the transaction commits."""
    if entity_id is None:
        return
    refresh(source_name, entity_id)
    db.session.info.setdefault(TOUCHED, set()).add((source_name, entity_id))


def settle(session=None) -> None:
    session = session or db.session
    touched = session.info.pop(TOUCHED, None)
    for source_name, entity_id in sorted(touched or ()):
        refresh(source_name, entity_id)


@event.listens_for(Session, "before_commit")
def _before_commit(session) -> None:
    if session.info.get(TOUCHED):
        settle(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous) -> None:
    # a savepoint rolled back inside a larger transaction keeps the list: its things are counted again at the commit
    if not previous.nested:
        session.info.pop(TOUCHED, None)


BATCH = 5000


def _bulk_insert(table, columns: tuple[str, ...], rows, *, plain: bool = False) -> None:
    """Write many rows through the driver: ``COPY`` on PostgreSQL, one ``executemany`` per chunk on SQLite.

    A city's rebuild writes millions of rows (a source row per thing, the daily and monthly figures); SQLAlchemy's
    per-row parameter processing of an ``insert()`` was half of the rebuild's time. Runs on the session's own
    connection, inside its transaction. ``plain``: the rows hold no ``date`` (a day already as its ISO text), so
    SQLite takes them as they are."""
    conn = db.session.connection(bind_arguments={"mapper": None, "clause": table.insert()})
    prep = conn.dialect.identifier_preparer
    name = prep.format_table(table)
    cols = ", ".join(prep.quote(c) for c in columns)
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {name} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    # SQLite keeps a date as its ISO text (what SQLAlchemy's Date type writes)
    sql = f"INSERT INTO {name} ({cols}) VALUES ({', '.join('?' * len(columns))})"
    cursor = raw.cursor()
    try:
        chunk: list = []
        for row in rows:
            chunk.append(row if plain else tuple(v.isoformat() if isinstance(v, date) else v for v in row))
            if len(chunk) >= 20_000:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
    finally:
        cursor.close()


def _stage_table() -> Table:
    """A temporary table for the finest rows of a rebuild (its own metadata: not part of the schema)."""
    return Table("rollup_stage", MetaData(), Column("area_id", Integer), Column("metric", String(40)),
                 Column("day", Date), Column("key", String(40)), Column("count", Integer), Column("total", Integer),
                 prefixes=["TEMPORARY"])


def _depth():
    """An area's depth in the tree, in SQL: the number of "/" in its path."""
    return func.length(Area.path) - func.length(func.replace(Area.path, "/", ""))


def _month_of(day_column):
    if db.engine.dialect.name == "postgresql":
        return cast(func.date_trunc("month", day_column), Date)
    # SQLite keeps a date as its ISO text: YYYY-MM-DD → YYYY-MM-01
    return func.substr(day_column, 1, 8, type_=String) + "01"


def _add(into: dict[Key, list[int]], key: Key, count: int, total: int) -> None:
    row = into.get(key)
    if row is None:
        into[key] = [count, total]
    else:
        row[0] += count
        row[1] += total


def _count_batch(src, ids: list[int]) -> tuple[int, list, dict]:
    """A batch of one source's things: how many count, their ``FigureSource`` rows, their finest rows added up."""
    records = []
    fine: dict[Key, list[int]] = {}
    n = 0
    for eid, rows in src.rows(ids).items():
        rows = [r for r in rows if r[0] is not None]
        if not rows:
            continue
        n += 1
        records.append((src.name, eid, _encode(rows)))
        for day, area, metric, key, count, total in rows:
            _add(fine, (area, metric, day, key), count, total)
    return n, records, fine


def _batches(src, batch: int):
    """The source's things in batches of ids, read in the order of its primary key."""
    pk = src.model.id
    last = 0
    while True:
        ids = list(db.session.scalars(select(pk).where(pk > last).order_by(pk).limit(batch)))
        if not ids:
            return
        last = ids[-1]
        yield ids


def _ranges(src, batch: int) -> list[tuple[str, int, int]]:
    """(source, after id, up to id) of ``batch`` ids each (fewer where ids are missing), for the workers."""
    pk = src.model.id
    low, high = db.session.execute(select(func.min(pk), func.max(pk))).one()
    if low is None:
        return []
    return [(src.name, start, start + batch) for start in range(low - 1, high, batch)]


#: in a worker process (``rebuild(workers=…)``): its app context
_WORKER: dict = {}
#: what a worker's app is made with: the parent's database and the settings the sources read
_WORKER_CONFIG = ("SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS", "BABEL_DEFAULT_TIMEZONE", "SECRET_KEY")


def _worker_start(config: dict) -> None:
    """A worker process, started fresh (``spawn``, not ``fork``: a database connection must not cross a fork — a
    forked child closing its copy of an SQLite connection can checkpoint and remove the parent's write-ahead log):
    its own app on the same database, the sources registered, its own connections."""
    from app import create_app, domains

    app = create_app(config)
    ctx = app.app_context()
    ctx.push()
    domains.modules("subscribers")
    _WORKER["ctx"] = ctx


def _worker_count(task: tuple[str, int, int]) -> tuple[str, int, list, dict]:
    name, after, upto = task
    src = metrics.get(name)
    pk = src.model.id
    ids = list(db.session.scalars(select(pk).where(pk > after, pk <= upto).order_by(pk)))
    n, records, fine = _count_batch(src, ids) if ids else (0, [], {})
    db.session.rollback()  # read only: end the read transaction, so the parent's writes are not held up
    return name, n, records, fine


def _parallel_ok(workers: int) -> bool:
    if workers < 2:
        return False
    url = db.engine.url
    # an in-memory SQLite database is private to its connection: workers could not see it
    return not (url.get_backend_name() == "sqlite" and (url.database in (None, "", ":memory:")))


def rebuild(batch: int = BATCH, echo=None, workers: int = 0) -> dict[str, int]:
    """Throw the roll-up away and count everything again from the source tables. Returns things per source.

    Python reads every thing (the sources' ``rows``, the same code the events use) and adds up the rows of the
    finest areas; those are written, and the database adds them up from there — each level of the tree into the one
    above it, deepest first (``INSERT … SELECT … GROUP BY``, an upsert where an area has rows of its own), then the
    days into their months. A city's roll-up has tens of millions of rows; most of them never pass through Python.
    ``echo``: told how long each step took (the generator and ``dashboard rebuild`` print it).

    ``workers``: read and count the things in that many processes (each with its own app and connection), this
    one writing what they return. They read only committed rows: for ``dashboard rebuild`` and the generator (which
    commits its data first), never inside a transaction that wrote the things being counted."""
    clock = [time.perf_counter()]

    def step(what: str) -> None:
        if echo is not None:
            now = time.perf_counter()
            echo(f"    {what:<42} {now - clock[0]:6.1f} s")
            clock[0] = now

    db.session.execute(delete(DailyFigure))
    db.session.execute(delete(MonthlyFigure))
    db.session.execute(delete(FigureSource))
    fine: dict[Key, list[int]] = {}
    counted: dict[str, int] = {name: 0 for name in (src.name for src in metrics.sources())}

    def take(name: str, n: int, records: list, part: dict) -> None:
        counted[name] += n
        if records:
            _bulk_insert(FigureSource.__table__, ("source", "entity_id", "rows"), records, plain=True)
        for k, (count, total) in part.items():
            _add(fine, k, count, total)

    if _parallel_ok(workers):
        import multiprocessing

        tasks = [task for src in metrics.sources() for task in _ranges(src, batch)]
        context = multiprocessing.get_context("spawn")
        config = {k: current_app.config[k] for k in _WORKER_CONFIG if k in current_app.config}
        with context.Pool(workers, initializer=_worker_start, initargs=(config,)) as pool:
            for name, n, records, part in pool.imap(_worker_count, tasks):
                take(name, n, records, part)
        step(f"{sum(counted.values()):,} things in {workers} processes")
    else:
        for src in metrics.sources():
            for ids in _batches(src, batch):
                take(src.name, *_count_batch(src, ids))
            step(f"{src.name}: {counted[src.name]:,} things")
    figure_columns = ("area_id", "metric", "day", "key", "count", "total")
    iso: dict[date, str] = {}  # each day's ISO text once (both databases read it into a date column)
    # the rows go first into a temporary table without indexes, then into the roll-up in the order of its unique
    # index: millions of rows written in the dictionary's order thrashed the index (a city: 10 million rows)
    stage = _stage_table()
    conn = db.session.connection()
    stage.create(conn)
    _bulk_insert(stage, figure_columns, ((a, m, iso.get(d) or iso.setdefault(d, d.isoformat()), k, c, t)
                                         for (a, m, d, k), (c, t) in fine.items() if c or t), plain=True)
    fine.clear()
    db.session.execute(DailyFigure.__table__.insert().from_select(
        list(figure_columns), select(*[stage.c[c] for c in figure_columns])
        .order_by(stage.c.area_id, stage.c.metric, stage.c.day, stage.c.key)))
    stage.drop(conn)
    step("the finest areas' days written")
    # each level into the one above it, deepest first: when a level is read, everything below it is in
    depths = sorted({d for (d,) in db.session.execute(
        select(_depth()).where(Area.parent_id.is_not(None)).distinct())}, reverse=True)
    child = DailyFigure.__table__.alias("child")
    for depth in depths:
        parts = select(Area.parent_id, child.c.metric, child.c.day, child.c.key,
                       func.sum(child.c.count), func.sum(child.c.total)) \
            .select_from(child.join(Area, Area.id == child.c.area_id)) \
            .where(Area.parent_id.is_not(None), _depth() == depth) \
            .group_by(Area.parent_id, child.c.metric, child.c.day, child.c.key)
        stmt = _insert(DailyFigure).from_select(list(figure_columns), parts)
        stmt = stmt.on_conflict_do_update(
            index_elements=["area_id", "metric", "day", "key"],
            set_={"count": DailyFigure.count + stmt.excluded.count, "total": DailyFigure.total + stmt.excluded.total})
        db.session.execute(stmt)
    step(f"added up over {len(depths)} levels")
    month = _month_of(DailyFigure.day)
    db.session.execute(_insert(MonthlyFigure).from_select(
        ["area_id", "metric", "month", "key", "count", "total"],
        select(DailyFigure.area_id, DailyFigure.metric, month, DailyFigure.key,
               func.sum(DailyFigure.count), func.sum(DailyFigure.total))
        .group_by(DailyFigure.area_id, DailyFigure.metric, month, DailyFigure.key)))
    db.session.flush()
    step("months")
    return counted


def snapshot() -> dict[Key, tuple[int, int]]:
    """Every roll-up row (for tests and for checking a roll-up against a rebuild)."""
    return {(r.area_id, r.metric, r.day, r.key): (r.count, r.total)
            for r in db.session.execute(select(DailyFigure.area_id, DailyFigure.metric, DailyFigure.day,
                                               DailyFigure.key, DailyFigure.count, DailyFigure.total))}


def monthly_snapshot() -> dict[Key, tuple[int, int]]:
    """Every monthly row, keyed (area, metric, first day of the month, key)."""
    return {(r.area_id, r.metric, r.month, r.key): (r.count, r.total)
            for r in db.session.execute(select(MonthlyFigure.area_id, MonthlyFigure.metric, MonthlyFigure.month,
                                               MonthlyFigure.key, MonthlyFigure.count, MonthlyFigure.total))}


def months_of(days: dict[Key, tuple[int, int]]) -> dict[Key, tuple[int, int]]:
    """What the monthly rows must be for these daily rows (a check: the months are always their days added up)."""
    return {k: (c, t) for k, (c, t) in _months({k: list(v) for k, v in days.items()}).items()}
