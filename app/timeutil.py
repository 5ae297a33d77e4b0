"""Times are stored as naive UTC and shown in the deployment's timezone (Asia/Shanghai by default)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def local_zone() -> ZoneInfo:
    try:
        return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    except RuntimeError:  # outside an app context
        return ZoneInfo("Asia/Shanghai")


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(local_zone())


def local_today() -> date:
    return datetime.now(local_zone()).date()


def local_date_to_utc(day: date, end_of_day: bool = False) -> datetime:
    """The UTC instant at which a local calendar day starts (or ends)."""
    from datetime import time

    moment = datetime.combine(day, time.max if end_of_day else time.min, tzinfo=local_zone())
    return moment.astimezone(UTC).replace(tzinfo=None)


def iso_local(value: datetime | None) -> str | None:
    """ISO 8601 with the local offset, e.g. 2026-11-26T11:34:00+08:00."""
    local = to_local(value)
    return local.isoformat(timespec="seconds") if local else None
