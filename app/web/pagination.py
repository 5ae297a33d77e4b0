"""Keyset pagination: stable under inserts, one indexed range scan per page whatever the depth.

    page = keyset_page(stmt, keys=[(Wish.published_at, "desc"), (Wish.id, "desc")],
                       cursor=request.args.get("after"), size=20)
    page.items, page.next_cursor  # pass next_cursor back as ?after=…
"""
from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, and_, bindparam, func, or_

from app.web.params import MAX_ID, MIN_INT


@dataclass
class Page:
    items: list
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def _encode(values: tuple) -> str:
    def conv(v):
        if isinstance(v, datetime):
            return {"dt": v.isoformat()}
        if isinstance(v, date):
            return {"d": v.isoformat()}
        return v

    raw = json.dumps([conv(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


INT64 = 2**63


def _fits(value, column) -> bool:
    """A decoded value must have the column's Python type and range (32 bits for ``Integer`` columns, which every
    id is; 64 for ``BigInteger``): tampered cursors fail here instead of overflowing in the database."""
    try:
        expected = column.type.python_type
    except (NotImplementedError, AttributeError):
        return True
    if expected is int:
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        if isinstance(getattr(column, "type", None), BigInteger):
            return -INT64 <= value < INT64
        return MIN_INT <= value <= MAX_ID
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is datetime:  # times are naive UTC: an offset was not written by us
        return isinstance(value, datetime) and value.tzinfo is None
    if expected is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    return isinstance(value, expected)


#: what no stored text holds (the input check refuses C0 controls; PostgreSQL cannot store NUL) and what no driver
#: can send (a lone surrogate is not UTF-8): a cursor's string carrying one was not made by us
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _clean(value) -> bool:
    """A decoded JSON value is one we could have written: text without control characters or lone surrogates, a
    finite number (JSON's ``NaN``/``Infinity`` extensions are refused), a bool or null."""
    if isinstance(value, str):
        return not _NOT_TEXT.search(value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (int, bool))


def _decode(cursor: str, n: int) -> tuple | None:
    """The cursor's values, or None for anything we did not write (a tampered or stale cursor): the list then starts
    again from its first page — never an error, whatever the bytes."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != n:
            return None
        out = []
        for v in values:
            if isinstance(v, dict) and len(v) == 1 and isinstance(v.get("dt"), str) and _clean(v["dt"]):
                v = datetime.fromisoformat(v["dt"])
            elif isinstance(v, dict) and len(v) == 1 and isinstance(v.get("d"), str) and _clean(v["d"]):
                v = date.fromisoformat(v["d"])
            elif not _clean(v):
                return None
            out.append(v)
        return tuple(out)
    except (ValueError, TypeError, UnicodeError, RecursionError):
        return None  # a tampered or stale cursor starts again from the first page


def _after(keys: list[tuple[Any, str]], values: tuple):
    """(k1, k2, …) strictly after ``values`` in the given order, written so each branch can use the index."""
    clauses = []
    for i, (col, direction) in enumerate(keys):
        head = [keys[j][0] == values[j] for j in range(i)]
        cmp = col < values[i] if direction == "desc" else col > values[i]
        clauses.append(and_(*head, cmp))
    return or_(*clauses)


#: finished statements of the lists that name their shape (``keyset_page(shape=…)``), per process
_SHAPED: dict[tuple, Any] = {}
#: a few KB each: a worker keeps the shapes of the last couple of thousand viewers' lists and cards
SHAPED_MAX = 2048


def shaped(shape: tuple, build):
    """The statement ``build()`` makes, built once per process for ``shape`` — a hashable naming everything the
    statement's *form* depends on (the filters in use, the viewer's scope: ``scope_key``), while every value that
    varies between runs of the same form (a time, a filter's value) is a named ``bindparam`` given at execution.
    SQLAlchemy works out a statement object's cache key once; for a select of a dozen joins, building it and working
    out its key again on every request costs more than running it. A value written into the statement as a literal
    would be run again with the first request's value: anything that varies is a bindparam or part of the shape."""
    final = _SHAPED.get(shape)
    if final is None:
        final = build()
        while len(_SHAPED) >= SHAPED_MAX:
            try:  # the oldest first (another thread of a threaded worker may take it first)
                del _SHAPED[next(iter(_SHAPED))]
            except (KeyError, StopIteration, RuntimeError):
                break
        _SHAPED[shape] = final
    return final


def _shaped(stmt, keys: list[tuple[Any, str]], shape: tuple, after: bool, size: int):
    def build():
        final = stmt() if callable(stmt) else stmt
        if after:
            final = final.where(_after(keys, tuple(bindparam(f"_after_{i}") for i in range(len(keys)))))
        return final.order_by(*[col.desc() if d == "desc" else col.asc() for col, d in keys]).limit(size + 1)

    return shaped(("keyset", shape, after, size), build)


def keyset_page(session, stmt, *, keys: list[tuple[Any, str]], cursor: str | None, size: int,
                key_of=None, rows: bool = False, params: dict | None = None, shape: tuple | None = None) -> Page:
    """Run ``stmt`` ordered by ``keys`` from ``cursor`` on; fetch size+1 rows to know whether more exist.

    ``key_of(item)`` returns the tuple of key values for an item (default: the key columns' attribute names).
    Columns used as keys must not be NULL. ``rows=True``: the items are the statement's rows (a select of columns
    that include the keys under their own names), not its first column's values. ``params``: values of the
    statement's bound parameters.

    ``shape``: for a busy list whose statement is large (many joins). A hashable that names the statement's *form* —
    which filters it has, not their values — when every value that varies is a named ``bindparam`` given in
    ``params`` (``stmt`` may then be a function that builds it). The finished statement (filters, the cursor's
    condition, order and page size) is built once per process and shape and run again with new values: SQLAlchemy
    works out a statement object's cache key once, and for a select of a dozen joins that costs more than running
    it. A value written into the statement as a literal would be run again with the first value: use a bindparam.
    """
    values = _decode(cursor, len(keys)) if cursor else None
    if values is not None and not all(_fits(v, col) for v, (col, _) in zip(values, keys, strict=True)):
        values = None
    if shape is not None:
        stmt = _shaped(stmt, keys, shape, values is not None, size)
        if values is not None:
            params = {**(params or {}), **{f"_after_{i}": v for i, v in enumerate(values)}}
    else:
        if values is not None:
            stmt = stmt.where(_after(keys, values))
        stmt = stmt.order_by(*[col.desc() if d == "desc" else col.asc() for col, d in keys]).limit(size + 1)
    items = list(session.execute(stmt, params).all() if rows else session.scalars(stmt, params))
    next_cursor = None
    if len(items) > size:
        items = items[:size]
        last = items[-1]
        if key_of is None:
            key_vals = tuple(getattr(last, col.key) for col, _ in keys)
        else:
            key_vals = key_of(last)
        next_cursor = _encode(key_vals)
    return Page(items=items, next_cursor=next_cursor)


def count_and_first(session, stmt, *, order_by, limit: int, shape: tuple | None = None,
                    params: dict | None = None) -> tuple[int, list]:
    """How many rows ``stmt`` finds and the first ``limit`` of them in ``order_by``, in ONE statement (a home
    card's figure and its first lines): the count is a window over every match, computed before the LIMIT.

    ``stmt`` selects plain columns (or entities); each returned row has them in order (plus a ``match_count``
    column). No row means a count of 0. ``shape`` / ``params``: as ``shaped`` — the statement (``stmt`` may then be
    a function that builds it) is built once per process and shape, and run with ``params``.
    """
    def build():
        built = stmt() if callable(stmt) else stmt
        return built.add_columns(func.count().over().label("match_count")).order_by(*order_by).limit(limit)

    final = shaped(("count", shape, limit), build) if shape is not None else build()
    rows = session.execute(final, params).all()
    return (rows[0].match_count if rows else 0), rows
