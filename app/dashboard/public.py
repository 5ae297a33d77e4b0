"""The public figures (/figures/): per street and community, aggregate numbers only — never a person — kept in a
small in-process cache for a few minutes (``FIGURES_CACHE_SECONDS``, default 300), keyed by area and period, with
the names the page shows of the area and the areas above it (the city's page then sends no statement at all)."""
from __future__ import annotations

import threading
import time
from typing import NamedTuple

from flask import current_app

from app.areas.models import Area
from app.dashboard import queries
from app.dashboard.periods import Period

_cache: dict[tuple, tuple[float, dict]] = {}
_lock = threading.Lock()
MAX_ENTRIES = 2000


class Place(NamedTuple):
    """What the page shows of an area: its link and its name."""

    id: int
    name: str


def clear() -> None:
    with _lock:
        _cache.clear()


def _numbers(s: queries.Summary) -> dict:
    return {"received": s.received, "resolved": s.resolved, "satisfaction": s.satisfaction_rate,
            "rated": s.rated, "wishes_completed": s.wishes_completed, "wishes_posted": s.wishes_posted,
            "services_delivered": s.station_delivered}


def _cached(key: tuple, compute):
    ttl = int(current_app.config.get("FIGURES_CACHE_SECONDS", 300))
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    if ttl > 0 and value is not None:
        with _lock:
            if len(_cache) >= MAX_ENTRIES:
                _cache.clear()
            _cache[key] = (now + ttl, value)
    return value


def figures_for(area: Area, period: Period) -> dict:
    """{"own": numbers, "children": [(id, name, level, numbers)], "lineage": [Place, …]} for the area and its streets
    or communities; ``lineage`` is the area and the areas above it, root first."""
    def compute() -> dict:
        kids = [k for k in queries.children(area) if k.level in ("street", "community")]
        figs = queries.children_figures([area.id] + [k.id for k in kids], period)
        return {"own": _numbers(queries.Summary(figs[area.id])),
                "children": [(k.id, k.name, k.level, _numbers(queries.Summary(figs[k.id]))) for k in kids],
                "lineage": [Place(a.id, a.name) for a in area.lineage()]}

    return _cached((area.id, period.start, period.end), compute)


def city_figures(period: Period) -> tuple[Place, dict] | None:
    """(the city, its figures) — None when there is no city (not kept: the page says 404 until there is one)."""
    def compute():
        root = queries.city_root()
        return None if root is None else (Place(root.id, root.name), figures_for(root, period))

    return _cached(("city", period.start, period.end), compute)
