"""Scheduled jobs, run by ``flask --app wsgi jobs run`` from cron or a systemd timer (every few minutes).

Each domain registers its jobs:

    @job("wishes.release_expired_claims", order=10)
    def release_expired_claims(now: datetime) -> list[str]:
        ...  # change rows with compare-and-set updates; return one line per change

A job must be idempotent (a second run changes nothing) and safe when two hosts run it at once: update rows
with a condition on their current state (``UPDATE … WHERE state = 'claimed' AND …``) or lock them with
``FOR UPDATE SKIP LOCKED``. Each job additionally runs under a lock, so a second host (or an overlapping run on
one host) simply waits its turn and then finds nothing left to do: on PostgreSQL an advisory lock (other writers
are not held up), on SQLite the database's write lock, taken before the job's first read (BEGIN IMMEDIATE; without
it the job's reads would see the database as it was before the other run's changes, see app/extensions.py).
The lock also covers a job that creates what is missing, where two inserts meet at a unique key: only the run that
created the row reports it (points.close_periods announced a closed month twice before it had this lock on SQLite).
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


def _lock(dialect: str) -> None:
    """Wait until no other run holds the jobs' lock, then hold it until this transaction ends."""
    if dialect == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
    elif dialect == "sqlite":
        dbapi_connection = db.session.connection().connection.dbapi_connection
        if not dbapi_connection.in_transaction:  # (a test's shared connection already holds one)
            dbapi_connection.execute("BEGIN IMMEDIATE")  # waits under the busy timeout while another run writes


def run_all(now: datetime | None = None, only: str | None = None) -> list[JobResult]:
    now = now or utcnow()
    results: list[JobResult] = []
    dialect = db.engine.dialect.name
    for _, name, fn in list(_jobs):
        if only and name != only:
            continue
        try:
            _lock(dialect)  # transaction-level: released by the commit or rollback below
            changes = fn(now) or []
            db.session.commit()
            results.append(JobResult(name, list(changes)))
        except Exception as exc:  # noqa: BLE001 — one failing job must not stop the others
            db.session.rollback()
            results.append(JobResult(name, [], error=f"{type(exc).__name__}: {exc}"))
    return results
