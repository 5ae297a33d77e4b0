"""Databases and apps of their own for the scale-out tests: a second app (a read replica beside its primary), or
app processes of their own (two hosts), each on a database the test's own session app does not use.

On PostgreSQL each "database" is a schema of its own in TEST_DATABASE_URL's database, chosen by ``search_path`` in
the URL (``?options=-csearch_path=…``), so that a URL alone — as in DATABASE_URL — says where the app works. On
SQLite each is a file.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from app.extensions import db, limiter


def pg_base_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    return url if url.startswith("postgresql") else None


def _psycopg_url(url: str) -> str:
    return url.split("?", 1)[0].replace("postgresql+psycopg://", "postgresql://")


def schema_url(base: str, schema: str) -> str:
    return f"{base.split('?', 1)[0]}?options={quote(f'-csearch_path={schema}')}"


def create_schema(base: str, schema: str) -> str:
    import psycopg

    with psycopg.connect(_psycopg_url(base), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema_url(base, schema)


def drop_schema(base: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(_psycopg_url(base), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def fresh_database(tmp_path: Path, name: str) -> tuple[str, object]:
    """A new empty database: (its URL, a function that removes it)."""
    base = pg_base_url()
    if base:
        schema = f"scaleout_{name}_{os.getpid()}"
        return create_schema(base, schema), lambda: drop_schema(base, schema)
    path = tmp_path / f"{name}.sqlite3"
    return f"sqlite:///{path}", lambda: None


@contextmanager
def second_app(config: dict):
    """An app of its own (create_app), its tables created; the shared limiter is given back to the session app."""
    from app import create_app

    saved = (limiter._storage, limiter._limiter)
    other = None
    try:
        other = create_app({"CONFIG": "testing", "SECRET_KEY": "scaleout-test", **config})
        with other.app_context():
            db.create_all()
            db.session.remove()
        yield other
    finally:
        limiter._storage, limiter._limiter = saved
        if other is not None:
            with other.app_context():
                db.session.remove()
                db.engine.dispose()
            replica = other.extensions.get("portal_read_engine")
            if replica is not None:
                replica.dispose()
