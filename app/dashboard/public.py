"""The public figures (/figures/): per street and community, aggregate numbers only — never a person — kept in a
small in-process cache for a few minutes (``FIGURES_CACHE_SECONDS``, default 300), keyed by area and period."""
from __future__ import annotations

import threading
import time

from flask import current_app

from app.areas.models import Area
from app.dashboard import queries
from app.dashboard.periods import Period

_cache: dict[tuple, tuple[float, dict]] = {}
_lock = threading.Lock()
MAX_ENTRIES = 2000


def clear() -> None:
    with _lock:
        _cache.clear()


def _numbers(s: queries.Summary) -> dict:
    return {"received": s.received, "resolved": s.resolved, "satisfaction": s.satisfaction_rate,
            "rated": s.rated, "wishes_completed": s.wishes_completed, "wishes_posted": s.wishes_posted,
            "services_delivered": s.station_delivered}


def figures_for(area: Area, period: Period) -> dict:
    """{"own": numbers, "children": [(id, name, level, numbers)]} for the area and its streets or communities."""
    ttl = int(current_app.config.get("FIGURES_CACHE_SECONDS", 300))
    key = (area.id, period.start, period.end)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    kids = [k for k in queries.children(area) if k.level in ("street", "community")]
    figs = queries.children_figures([area.id] + [k.id for k in kids], period)
    data = {"own": _numbers(queries.Summary(figs[area.id])),
            "children": [(k.id, k.name, k.level, _numbers(queries.Summary(figs[k.id]))) for k in kids]}
    if ttl > 0:
        with _lock:
            if len(_cache) >= MAX_ENTRIES:
                _cache.clear()
            _cache[key] = (now + ttl, data)
    return data
