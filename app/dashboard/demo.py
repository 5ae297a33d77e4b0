"""The demo city's dashboard: after every other seeder, count everything once (seeders may write rows directly)."""
from __future__ import annotations

from app.dashboard.rollup import rebuild
from app.demo import DemoCity, demo_seeder


@demo_seeder(order=99)
def rebuild_figures(city: DemoCity) -> str:
    counted = rebuild()
    return ", ".join(f"{name} {n}" for name, n in counted.items())
