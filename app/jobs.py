"""Scheduled jobs, run by ``flask --app wsgi jobs run`` from cron or a systemd timer (every few minutes).

Each domain registers its jobs:

    @job("wishes.release_expired_claims", order=10)
    def release_expired_claims(now: datetime) -> list[str]:
        ...  # change rows with compare-and-set updates; return one line per change

A job must be idempotent (a second run changes nothing) and safe when two hosts run it at once: update rows
with a condition on their current state (``UPDATE … WHERE state = 'claimed' AND …``) or lock them with
``FOR UPDATE SKIP LOCKED``. On PostgreSQL the whole run additionally holds an advisory lock, so a second host
simply waits its turn and then finds nothing left to do.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from app.extensions import db
from app.timeutil import utcnow

_jobs: list[tuple[int, str, Callable[[datetime], list[str]]]] = []
ADVISORY_LOCK_KEY = 7_104_202_611  # any constant shared by every host of one deployment


def job(name: str, order: int = 50) -> Callable:
    def register(fn: Callable[[datetime], list[str]]) -> Callable:
        if all(existing != name for _, existing, _ in _jobs):
            _jobs.append((order, name, fn))
            _jobs.sort(key=lambda item: (item[0], item[1]))
        return fn

    return register


def registered() -> list[str]:
    return [name for _, name, _ in _jobs]


@dataclass
class JobResult:
    name: str
    changes: list[str]
    error: str | None = None


def run_all(now: datetime | None = None, only: str | None = None) -> list[JobResult]:
    now = now or utcnow()
    results: list[JobResult] = []
    is_pg = db.engine.dialect.name == "postgresql"
    for _, name, fn in list(_jobs):
        if only and name != only:
            continue
        try:
            if is_pg:  # transaction-level: released by the commit or rollback below
                db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
            changes = fn(now) or []
            db.session.commit()
            results.append(JobResult(name, list(changes)))
        except Exception as exc:  # noqa: BLE001 — one failing job must not stop the others
            db.session.rollback()
            results.append(JobResult(name, [], error=f"{type(exc).__name__}: {exc}"))
    return results
