"""The points jobs: close the month (and year) that ended, and check the cached balances against the ledger."""
from __future__ import annotations

from datetime import datetime

from app.jobs import job
from app.points import queries, services


@job("points.close_periods", order=70)
def close_periods(now: datetime) -> list[str]:
    """A draft commendation for each community and street with points in the period that ended (once)."""
    return services.close_periods(now, queries.closing_areas())


@job("points.check_balances", order=71)
def check_balances(now: datetime) -> list[str]:
    """Reports (never repairs silently) every person whose cached balance is not the ledger's sum."""
    return [f"user {uid}: cached {cached}, ledger {ledger}" for uid, cached, ledger in services.check_balances()]
