"""Parsing request values that name rows."""
from __future__ import annotations

MAX_ID = 2**63 - 1


def parse_id(raw) -> int | None:
    """A positive database id from a form or query value, else None (never an exception, never an overflow)."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        if not text.isascii() or not text.isdigit() or len(text) > 19:  # "²".isdigit() is True
            return None
        value = int(text)
    return value if 0 < value <= MAX_ID else None
