"""Scheduled: every half year a member is asked whether the confirmed residence still holds."""
from __future__ import annotations

from datetime import datetime

from app.jobs import job
from app.members import queries, services

BATCH = 500


@job("members.ask_recheck", order=60)
def ask_recheck(now: datetime) -> list[str]:
    changes = []
    for row in queries.recheck_candidates(now, BATCH):
        if services.ask_recheck(row, now):
            changes.append(f"member report {row.id}: asked to confirm the residence again")
    return changes
