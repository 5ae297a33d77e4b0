"""Parsing request values that name rows."""
from __future__ import annotations

#: the largest id (and integer) the database holds: id columns are 32-bit ``Integer`` (PostgreSQL ``integer``).
#: A larger value would make PostgreSQL fail with "integer out of range" (a 500) instead of finding nothing, so ids
#: from URLs (the ``int`` converter), forms, query strings and pagination cursors are all checked against it.
MAX_ID = 2**31 - 1
#: the smallest value of a 32-bit integer column (keyset cursors may carry negative numbers)
MIN_INT = -(2**31)


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
