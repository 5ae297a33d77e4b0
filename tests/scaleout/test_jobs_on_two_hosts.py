"""``flask --app wsgi jobs run`` on two hosts at the same moment equals one run: each overdue claim released once,
each overdue issue escalated once, nobody told twice. Two real processes on one PostgreSQL; the test holds the
jobs' advisory lock until both are waiting for it, so that they start together, then lets them go.

PostgreSQL only (the PostgreSQL pass, which STRICT_CI requires); several hosts never share one SQLite file.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import func, select

from app.cli import load_domain_modules
from app.extensions import db
from app.issues import services as issues
from app.issues.models import Issue
from app.jobs import ADVISORY_LOCK_KEY, run_all
from app.notifications.models import Notification
from app.timeline.models import TimelineEntry
from app.timeutil import utcnow
from app.wishes.models import WishClaim
from tests.factories import build_city
from tests.scaleout.helpers import create_schema, drop_schema, pg_base_url, second_app
from tests.scaleout.hosts import ROOT, production_env
from tests.wishes.helpers import make_wish

pytestmark = pytest.mark.commits


def _jobs_process(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _waiting_for_the_lock(conn) -> int:
    return conn.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").fetchone()[0]


def test_two_hosts_running_the_jobs_at_once_do_each_change_once(tmp_path):
    base = pg_base_url()
    if base is None:
        pytest.skip("several hosts share one PostgreSQL: this runs in the PostgreSQL pass (TEST_DATABASE_URL)")
    schema = f"scaleout_jobs_{os.getpid()}"
    url = create_schema(base, schema)
    try:
        with second_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(tmp_path / "uploads")}) as setup:
            with setup.app_context():
                city = build_city()
                wishes = [make_wish(city, "claimed", title=f"Overdue claim {i}") for i in range(3)]
                for claim in db.session.scalars(select(WishClaim).where(WishClaim.wish_id.in_(wishes))):
                    claim.deadline_at = utcnow() - timedelta(hours=1)
                issues.ensure_default_categories()
                hazard = {c.code: c for c in issues.active_categories()}["safety_hazard"]  # accept within 1 hour
                overdue = [issues.report_issue(reporter=city.resident_a, category=hazard, area=city.micro_a1,
                                               description=f"Loose cover {i}", now=utcnow() - timedelta(hours=3)).id
                           for i in range(2)]
                db.session.commit()
                notices_before = db.session.scalar(select(func.count()).select_from(Notification))
                db.session.remove()

            env = production_env(url, tmp_path, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_SINGLE_WORKER="1")
            with psycopg.connect(url.split("?")[0].replace("postgresql+psycopg://", "postgresql://"),
                                 options=f"-csearch_path={schema}") as gate:
                gate.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))  # both hosts will queue
                runs = [_jobs_process(env), _jobs_process(env)]
                deadline = time.monotonic() + 60
                while _waiting_for_the_lock(gate) < 2:
                    assert time.monotonic() < deadline, [p.poll() for p in runs]
                    assert all(p.poll() is None for p in runs), [p.communicate() for p in runs]
                    time.sleep(0.1)
                gate.rollback()  # let them go, together
            outputs = [p.communicate(timeout=120) for p in runs]
            assert [p.returncode for p in runs] == [0, 0], outputs
            lines = "\n".join(out for out, _err in outputs).splitlines()
            assert len([line for line in lines if "released (deadline" in line]) == 3, lines
            assert len([line for line in lines if "limit passed, escalated" in line]) == 2, lines

            with setup.app_context():
                entries = db.session.execute(select(TimelineEntry.action, func.count()).where(
                    TimelineEntry.action.in_(("auto_released", "auto_escalated"))).group_by(TimelineEntry.action))
                assert dict(entries.all()) == {"auto_released": 3, "auto_escalated": 2}
                assert [db.session.get(Issue, i).escalation_count for i in overdue] == [1, 1]
                doubled = db.session.execute(
                    select(Notification.user_id, Notification.event, Notification.subject_id, func.count())
                    .group_by(Notification.user_id, Notification.event, Notification.subject_type,
                              Notification.subject_id).having(func.count() > 1)).all()
                assert doubled == []  # nobody told twice of one thing
                assert db.session.scalar(select(func.count()).select_from(Notification)) > notices_before
                load_domain_modules("jobs")
                again = run_all()  # a third run, later: nothing left to do
                assert [(r.name, r.changes, r.error) for r in again if r.changes or r.error] == []
                db.session.remove()
    finally:
        drop_schema(base, schema)
