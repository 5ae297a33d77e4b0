"""Every job, run by two hosts at the same moment, changes each thing once and tells each person once — on SQLite
too, where each run takes the database's write lock first (as each takes an advisory lock on PostgreSQL)."""
from __future__ import annotations

from sqlalchemy import func, select

from app.cli import load_domain_modules
from app.extensions import db
from app.jobs import run_all
from app.notifications.models import Notification
from app.points.models import Commendation
from tests.points.test_pages import _board_of_last_month


def _doubled_notices() -> list:
    return db.session.execute(
        select(Notification.user_id, Notification.event, Notification.subject_id, func.count())
        .group_by(Notification.user_id, Notification.event, Notification.subject_type, Notification.subject_id)
        .having(func.count() > 1)).all()


def test_closing_a_period_on_two_hosts_at_once_asks_the_staff_once(race, city):
    """points.close_periods creates the draft commendation if it is missing (the unique key decides between two
    inserts); without the run's lock the host that lost the insert would still tell the staff a second time."""
    load_domain_modules("jobs")
    _board_of_last_month(city)
    db.session.commit()
    runs = race(2, lambda _i: run_all(only="points.close_periods"))
    assert all(isinstance(r, list) for r in runs), runs
    assert [r.error for run in runs for r in run] == [None, None]
    changes = [line for run in runs for r in run for line in r.changes]
    drafts = db.session.scalar(select(func.count()).select_from(Commendation))
    assert drafts >= 2 and len(changes) == drafts  # each draft announced by exactly one of the two runs
    assert _doubled_notices() == []
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.event == "points.period_closed")) >= 1


def test_every_job_on_two_hosts_at_once_reports_each_change_once(race, city):
    load_domain_modules("jobs")
    _board_of_last_month(city)
    db.session.commit()
    runs = race(2, lambda _i: run_all())
    assert all(isinstance(r, list) for r in runs), runs
    assert [r.error for run in runs for r in run if r.error] == []
    changes = [line for run in runs for r in run for line in r.changes if not r.name.endswith("check_balances")]
    assert len(changes) == len(set(changes))
    assert _doubled_notices() == []
