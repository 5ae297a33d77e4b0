"""A thing's recorded contribution (``FigureSource.rows``) is compared as text: the same rows must always give the
same text, or every first event after a rebuild rewrites it. The encoder remembers the JSON of dates and names; its
text is plain ``json.dumps`` of the sorted rows, whatever it has seen before."""
from __future__ import annotations

import json
from datetime import date

from app.dashboard import rollup


def _reference(rows) -> str:
    return json.dumps(sorted([d.isoformat(), a, m, k, c, t] for d, a, m, k, c, t in rows), separators=(",", ":"))


def test_the_encoder_writes_plain_json_of_the_sorted_rows():
    rows = [(date(2026, 3, 2), 41, "issue.state", "in_progress", 1, 0),
            (date(2026, 1, 9), 7, "issue.category", "环境卫生", 1, 0),
            (date(2026, 1, 9), 7, "attendance.minutes", 'quote"back\\slash', 1, 90),
            (date(2025, 12, 31), 1234567, "wish.posted", "", 1, 0)]
    encode = rollup._encoder()
    for some in (rows, rows[:1], [], list(reversed(rows))):
        assert encode(some) == _reference(some) == rollup._encode(some)
        assert rollup._decode(encode(some)) == sorted(some)
    assert encode(rows) == encode(rows)  # remembered texts give the same answer the second time
