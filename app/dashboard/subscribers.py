"""The roll-up follows every event after which a counted thing may count differently (see app/dashboard/metrics.py:
each source names its events)."""
from __future__ import annotations

from app import events
from app.dashboard import metrics, rollup

metrics.register_defaults()


def _subscribe(src: metrics.Source) -> None:
    def follow(event: events.DomainEvent) -> None:
        rollup.follow(src.name, event.subject_id)

    follow.__name__ = f"rollup_{src.name}"
    for name in src.events:
        events.on(name)(follow)


for _src in metrics.sources():
    _subscribe(_src)
