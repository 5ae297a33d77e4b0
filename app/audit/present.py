"""How an entry reads on the page and in an export: the details as "field: value" lines, with phone numbers, e-mail
addresses and IP addresses masked for a reader who does not need them (``policy.sees_personal_data``)."""
from __future__ import annotations

import json
import re

from app.audit.models import AuditEntry
from app.timeutil import to_local

_PHONE = re.compile(r"\d{7,}")
_EMAIL = re.compile(r"([^\s@])[^\s@]*(@[^\s@]+)")
#: fields whose whole value is personal
_PERSONAL_KEYS = ("phone", "mobile", "email", "contact", "ip")
#: what a spreadsheet would read as a formula
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def mask_text(text: str) -> str:
    text = _PHONE.sub(lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 5) + m.group(0)[-2:], text)
    return _EMAIL.sub(lambda m: m.group(1) + "***" + m.group(2), text)


def _masked(value, full: bool):
    if full or value is None:
        return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [_masked(v, full) for v in value]
    if isinstance(value, dict):
        return {k: ("***" if any(p in k.lower() for p in _PERSONAL_KEYS) and v else _masked(v, full))
                for k, v in value.items()}
    return value


def details(entry: AuditEntry, *, full: bool) -> list[tuple[str, str]]:
    """The entry's details, each value as text (lists and dicts as compact JSON)."""
    out = []
    for key, value in (entry.details or {}).items():
        if value in (None, "", [], {}):
            continue
        if not full and any(p in key.lower() for p in _PERSONAL_KEYS):
            value = "***"
        value = _masked(value, full)
        out.append((key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)))
    return out


def who(entry: AuditEntry) -> str:
    if entry.actor is None:
        return ""
    return f"{entry.actor.display_name} ({entry.actor.username})"


def cell(value) -> str:
    """A text cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def row(entry: AuditEntry, *, full: bool) -> list:
    at = to_local(entry.at)
    return [at.strftime("%Y-%m-%d %H:%M:%S") if at else "", cell(who(entry)), cell(entry.action),
            cell(entry.subject_type or ""), entry.subject_id if entry.subject_id is not None else "",
            cell(entry.area.name if entry.area is not None else ""),
            cell("; ".join(f"{k}: {v}" for k, v in details(entry, full=full))),
            cell(entry.ip or "") if full else ""]
