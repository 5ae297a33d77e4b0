"""Scheduled issue work for ``flask --app wsgi jobs run``: escalate overdue issues, close unrated ones.

Both are idempotent (a second run changes nothing) and safe on two hosts (compare-and-set updates; see
app.issues.services.escalate_overdue / auto_close).
"""
from __future__ import annotations

from datetime import datetime

from app.issues import services
from app.jobs import job


@job("issues.escalate_overdue", order=20)
def escalate_overdue(now: datetime) -> list[str]:
    return services.escalate_overdue(now)


@job("issues.auto_close_unrated", order=21)
def auto_close_unrated(now: datetime) -> list[str]:
    return services.auto_close(now)
