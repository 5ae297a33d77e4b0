"""Command line: demo city, user administration, scheduled jobs, translations."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db


def load_domain_modules(module: str) -> None:
    """Import app.<domain>.<module> for every domain of ``app.domains`` that has one (seeders, jobs)."""
    from app import domains

    domains.modules(module)


demo_cli = AppGroup("demo", help="The demo city.")
users_cli = AppGroup("users", help="Accounts.")
jobs_cli = AppGroup("jobs", help="Scheduled jobs (run every few minutes from cron or a timer).")
i18n_cli = AppGroup("i18n", help="Translations.")
dashboard_cli = AppGroup("dashboard", help="The dashboard's daily roll-up.")
bench_cli = AppGroup("bench", help="Benchmark data: a generated city of the size asked.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
def demo_seed(if_empty: bool) -> None:
    """Build the demo city with every role (password demo12345)."""
    from app.demo import DemoRefused, seed

    load_domain_modules("demo")
    try:
        for line in seed(if_empty=if_empty):
            click.echo(line)
    except DemoRefused as e:
        db.session.rollback()
        if if_empty:
            click.echo(f"demo not seeded: {e}")
            return
        raise click.ClickException(str(e)) from None


@users_cli.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--name", "display_name", prompt="Display name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--city", "city_name", default=None, help="Name of the city (creates the root area when none exists).")
def create_admin(username: str, display_name: str, password: str, city_name: str | None) -> None:
    """Create a city administrator (the first account of a production deployment)."""
    from app.accounts.services import USERNAME_RE, create_user, grant_role, username_taken
    from app.areas.models import Area
    from app.areas.services import create_area

    if not USERNAME_RE.match(username):
        raise click.ClickException("username: 3-30 letters, digits or underscores, starting with a letter")
    if len(password) < 10:
        raise click.ClickException("an administrator password must be at least 10 characters")
    if not display_name.strip() or len(display_name) > 20:
        raise click.ClickException("display name: 1-20 characters")
    if username_taken(username):  # sign-in ignores case, so must this check
        raise click.ClickException(f"user {username!r} already exists")
    if db.session.scalar(select(Area.id).where(Area.level == "city")) is None:
        if not city_name:
            raise click.ClickException("no city area exists yet: pass --city NAME to create it")
        create_area(city_name, "city")
    user = create_user(username=username, display_name=display_name.strip(), password=password)
    grant_role(user, "city_admin")
    db.session.commit()
    click.echo(f"created city administrator {username}")


@jobs_cli.command("run")
@click.option("--only", default=None, help="Run one job by name.")
def jobs_run(only: str | None) -> None:
    """Run every scheduled job once; prints what each changed. Idempotent; safe on two hosts at once."""
    from app.jobs import registered, run_all

    load_domain_modules("jobs")
    if only and only not in registered():
        raise click.ClickException(f"unknown job {only!r}; jobs: {', '.join(registered()) or 'none'}")
    failed = False
    for result in run_all(only=only):
        if result.error:
            failed = True
            click.echo(f"{result.name}: FAILED {result.error}", err=True)
        elif result.changes:
            click.echo(f"{result.name}: {len(result.changes)} change(s)")
            for line in result.changes:
                click.echo(f"  {line}")
        else:
            click.echo(f"{result.name}: nothing to do")
    if failed:
        sys.exit(1)


@dashboard_cli.command("rebuild")
@click.option("--workers", type=int, default=min(2, os.cpu_count() or 1), show_default=True,
              help="processes that read and count the things (1: this one only)")
def dashboard_rebuild(workers: int) -> None:
    """Count every figure again from the source tables (the event subscribers keep it up to date in between)."""
    from app.dashboard.rollup import rebuild

    load_domain_modules("subscribers")
    counted = rebuild(echo=click.echo, workers=workers)
    db.session.commit()
    for name, n in counted.items():
        click.echo(f"{name}: {n} counted")


@i18n_cli.command("compile")
def i18n_compile() -> None:
    """Build the compiled catalogue from i18n/ (also done by make)."""
    script = Path(__file__).resolve().parent.parent / "scripts" / "i18n.py"
    subprocess.run([sys.executable, str(script), "build"], check=True)


@bench_cli.command("generate")
@click.option("--scale", type=click.Choice(["city", "town", "tiny"]), default="town", show_default=True,
              help="city: 300,000 accounts, 1,000,000 issues; town: a twentieth of it; tiny: every state once.")
@click.option("--seed", default=12, show_default=True, help="Seed of the generator (same seed, same city).")
def bench_generate(scale: str, seed: int) -> None:
    """Fill an empty, upgraded database with a generated city (bulk inserts; COPY on PostgreSQL)."""
    from bench.generate import ROLLUP_WORKERS, GenerationRefused, generate

    try:
        generate(scale, seed=seed, echo=click.echo, rollup_workers=ROLLUP_WORKERS)
    except GenerationRefused as e:
        db.session.rollback()
        raise click.ClickException(str(e)) from None
