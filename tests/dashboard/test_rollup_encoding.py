"""The rebuild's fast encoder writes exactly what the events' ``_encode`` writes (a thing's recorded contribution
is compared as text: the same rows must give the same text, or every first event after a rebuild rewrites it)."""
from __future__ import annotations

from datetime import date

from app.dashboard import rollup


def test_the_rebuilds_encoder_writes_what_the_events_write():
    rows = [(date(2026, 3, 2), 41, "issue.state", "in_progress", 1, 0),
            (date(2026, 1, 9), 7, "issue.category", "环境卫生", 1, 0),
            (date(2026, 1, 9), 7, "attendance.minutes", 'quote"back\\slash', 1, 90),
            (date(2025, 12, 31), 1234567, "wish.posted", "", 1, 0)]
    encode = rollup._encoder()
    for some in (rows, rows[:1], [], list(reversed(rows))):
        assert encode(some) == rollup._encode(some)
        assert rollup._decode(encode(some)) == sorted(some)
    assert encode(rows) == encode(rows)  # remembered texts give the same answer the second time
