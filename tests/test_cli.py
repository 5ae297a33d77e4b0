"""Command line: demo city, first administrator, scheduled jobs."""
from sqlalchemy import func, select

from app.accounts.models import RoleAssignment, User
from app.accounts.services import create_user
from app.areas.models import Area
from app.extensions import db
from app.jobs import job, run_all

ACCOUNTS = {"admin", "street1", "staff1", "staff2", "agency1", "agency2", "member1", "member2", "leader1",
            "resident1", "resident2", "rider1"}


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_seed_builds_every_account_and_is_idempotent(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    users = set(db.session.scalars(select(User.username)))
    assert ACCOUNTS <= users
    roles = {(u, r) for u, r in db.session.execute(
        select(User.username, RoleAssignment.role).join(RoleAssignment, RoleAssignment.user_id == User.id))}
    assert {("admin", "city_admin"), ("street1", "street_admin"), ("staff1", "community_staff"),
            ("staff2", "community_staff"), ("agency1", "agency_admin"), ("member1", "member"),
            ("leader1", "microgrid_leader"), ("rider1", "sentinel")} <= roles
    counts = (_count(User), _count(Area), _count(RoleAssignment))
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0, again.output
    assert (_count(User), _count(Area), _count(RoleAssignment)) == counts
    assert runner.invoke(args=["demo", "seed", "--if-empty"]).exit_code == 0
    # every demo account signs in with demo12345
    client = app.test_client()
    from tests.conftest import Client

    c = Client(client, app)
    for name in ("staff1", "resident1", "rider1"):
        c.login(name)
        c.logout()


def test_demo_seed_refuses_a_database_with_real_users(app):
    create_user(username="realperson", display_name="Real", password="x" * 10)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code != 0 and "non-demo" in result.output
    assert _count(User) == 1
    # make run's variant does not fail the start-up, it just leaves the database alone
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0 and _count(User) == 1


def test_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "--username", "root1", "--name", "Admin",
                                 "--password", "a-long-password"])
    assert result.exit_code != 0 and "--city" in result.output
    result = runner.invoke(args=["users", "create-admin", "--username", "root1", "--name", "Admin",
                                 "--password", "a-long-password", "--city", "Test City"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "root1"))
    assert [r.role for r in user.roles] == ["city_admin"]
    assert runner.invoke(args=["users", "create-admin", "--username", "root1", "--name", "Admin",
                               "--password", "a-long-password"]).exit_code != 0
    assert runner.invoke(args=["users", "create-admin", "--username", "root2", "--name", "Admin",
                               "--password", "short"]).exit_code != 0
    # sign-in ignores case, so "Root1" is the same account name as "root1"
    taken = runner.invoke(args=["users", "create-admin", "--username", "Root1", "--name", "Admin",
                                "--password", "a-long-password"])
    assert taken.exit_code != 0 and "already exists" in taken.output
    assert runner.invoke(args=["users", "create-admin", "--username", "Root3", "--name", "Admin",
                               "--password", "a-long-password"]).exit_code == 0
    assert db.session.scalar(select(User.username).where(User.username == "root3")) == "root3"  # stored lower-case


def test_jobs_run_isolates_failures(app, monkeypatch):
    from app import jobs

    monkeypatch.setattr(jobs, "_jobs", list(jobs._jobs))  # the test's jobs leave the registry with the test
    calls = []

    @job("test.ok", order=99)
    def ok(now):
        calls.append(now)
        return ["did one thing"]

    @job("test.broken", order=98)
    def broken(now):
        raise RuntimeError("boom")

    results = {r.name: r for r in run_all()}
    assert results["test.ok"].changes == ["did one thing"]
    assert "boom" in results["test.broken"].error
    result = app.test_cli_runner().invoke(args=["jobs", "run", "--only", "test.ok"])
    assert result.exit_code == 0 and "did one thing" in result.output
    assert app.test_cli_runner().invoke(args=["jobs", "run", "--only", "nope"]).exit_code != 0
