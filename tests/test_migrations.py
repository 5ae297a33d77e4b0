"""Migrations: upgrade from empty gives exactly the models' schema; downgrade to base removes it all.

Alembic's autogenerate comparison does not look at partial-index ``WHERE`` clauses or check constraints, and
those carry rules ("one *active* claim per wish", "a value is never negative"). So besides ``compare_metadata``
the test compares the database's own definitions of every index and check constraint — ``sqlite_master.sql``
on SQLite, ``pg_indexes.indexdef`` and ``pg_constraint`` on PostgreSQL — between a migrated database and one
built from the models.
"""
import re
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.extensions import db
from tests.conftest import reset_schema

pytestmark = pytest.mark.commits  # the schema is dropped and rebuilt on other connections

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _describe(item) -> str:
    """('add_table', Table(...)) → 'add_table wish' — a readable one-liner per difference."""
    if isinstance(item, list):
        return ", ".join(_describe(i) for i in item)
    op, *rest = item
    names = [getattr(r, "name", None) or str(r) for r in rest if r is not None][:3]
    return f"{op} {' '.join(str(n) for n in names)}"


def _drop_everything():
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _normalise(sql: str) -> str:
    """Spelling differences that mean nothing: quotes, case, whitespace, the space around brackets and commas."""
    sql = sql.replace('"', "").replace("`", "").replace("[", "").replace("]", "")
    sql = re.sub(r"\s+", " ", sql.strip().lower())
    sql = re.sub(r"\s*([(),=<>])\s*", r"\1", sql)
    # redundant brackets around a whole WHERE clause or check expression
    while sql.startswith("(") and sql.endswith(")") and _balanced(sql[1:-1]):
        sql = sql[1:-1]
    return sql


def _has_where(sql: str) -> bool:
    return re.search(r"\bwhere\b", sql) is not None


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def schema_rules(conn) -> dict[str, str]:
    """Every index (with its columns, uniqueness and WHERE clause) and every check constraint, by name."""
    rules: dict[str, str] = {}
    if conn.dialect.name == "sqlite":
        for name, _table, sql in conn.execute(text(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")):
            rules[f"index {name}"] = _normalise(sql)
        for table in inspect(conn).get_table_names():
            if table == "alembic_version":
                continue
            for check in inspect(conn).get_check_constraints(table):
                rules[f"check {table}.{check['name']}"] = _normalise(check["sqltext"])
    else:
        for name, sql in conn.execute(text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                " AND tablename <> 'alembic_version'")):
            rules[f"index {name}"] = _normalise(sql.replace(" ONLY ", " "))
        for table, name, sql in conn.execute(text(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
                " WHERE c.contype = 'c' AND c.connamespace = current_schema()::regnamespace")):
            rules[f"check {table}.{name}"] = _normalise(sql)
    return rules


def _rule_differences(migrated: dict, modelled: dict) -> list[str]:
    out = []
    for key in sorted(set(migrated) | set(modelled)):
        if migrated.get(key) != modelled.get(key):
            out.append(f"{key}: migrations give {migrated.get(key)!r}, models give {modelled.get(key)!r}")
    return out


def test_upgrade_from_empty_matches_models_and_downgrade_base_works(app):
    _drop_everything()
    try:
        flask_migrate.upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
            migrated = schema_rules(conn)
        assert diff == [], "models and migrations differ: " + "; ".join(_describe(d) for d in diff)
        flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        _drop_everything()
        db.create_all()
        with db.engine.connect() as conn:
            modelled = schema_rules(conn)
        assert any(_has_where(sql) for sql in modelled.values()), "no partial index found: is the query right?"
        assert any(key.startswith("check ") for key in modelled), "no check constraint found: is the query right?"
        differences = _rule_differences(migrated, modelled)
        assert differences == [], "indexes or checks differ:\n" + "\n".join(differences)
    finally:
        _drop_everything()
        reset_schema()


def test_a_changed_partial_index_or_a_dropped_check_is_seen(app):
    """The comparison itself: a WHERE clause removed, or a check constraint gone, shows up as a difference."""
    with db.engine.connect() as conn:
        before = schema_rules(conn)
    where_key = next(k for k, v in sorted(before.items()) if k.startswith("index ") and _has_where(v))
    check_key = next(k for k in sorted(before) if k.startswith("check "))

    altered = dict(before)
    altered[where_key] = re.split(r"\bwhere\b", before[where_key])[0]
    del altered[check_key]
    differences = _rule_differences(altered, before)
    assert len(differences) == 2
    assert any(where_key in d for d in differences) and any(check_key in d for d in differences)

    # and on the real database: the index rebuilt without its WHERE clause is read back differently
    name = where_key.removeprefix("index ")
    table = next(t for t in db.metadata.sorted_tables for i in t.indexes if i.name == name)
    index = next(i for i in table.indexes if i.name == name)
    columns = ", ".join(f'"{c.name}"' for c in index.columns)
    try:
        with db.engine.begin() as conn:
            conn.execute(text(f'DROP INDEX "{name}"'))
            conn.execute(text(f'CREATE UNIQUE INDEX "{name}" ON "{table.name}" ({columns})'))
        with db.engine.connect() as conn:
            after = schema_rules(conn)
        assert after[where_key] != before[where_key]
        assert not _has_where(after[where_key])
    finally:
        with db.engine.begin() as conn:
            conn.execute(text(f'DROP INDEX "{name}"'))
            index.create(conn)


def test_migration_file_names_sort_by_date():
    names = sorted(p.name for p in (Path(MIGRATIONS) / "versions").glob("*.py"))
    assert names, "no migrations"
    for name in names:
        assert name[:8].isdigit() and name[8] == "_" and name[9:13].isdigit(), name


def test_duplicate_roles_removed_by_0007_are_written_to_the_audit_log(app):
    _drop_everything()
    try:
        flask_migrate.upgrade(directory=MIGRATIONS, revision="0006notifications")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO area (id, level, name, path, created_at)"
                " VALUES (1, 'city', 'C', '/1/', CURRENT_TIMESTAMP)"))
            conn.execute(text(
                "INSERT INTO \"user\" (id, username, display_name, password_hash, active, is_demo, auth_version,"
                " created_at) VALUES (1, 'u', 'U', 'x', true, false, 1, CURRENT_TIMESTAMP)"))
            for row_id in (1, 2, 3):  # the same role on the same place three times
                conn.execute(text(
                    "INSERT INTO role_assignment (id, user_id, role, area_id, created_at)"
                    " VALUES (:id, 1, 'community_staff', 1, CURRENT_TIMESTAMP)"), {"id": row_id})
            conn.execute(text(
                "INSERT INTO role_assignment (id, user_id, role, area_id, created_at)"
                " VALUES (4, 1, 'grid_leader', 1, CURRENT_TIMESTAMP)"))
        flask_migrate.upgrade(directory=MIGRATIONS, revision="0007accounts")
        with db.engine.connect() as conn:
            kept = conn.execute(text("SELECT id FROM role_assignment ORDER BY id")).scalars().all()
            audit = conn.execute(text(
                "SELECT action, subject_type, subject_id, details FROM audit_entry ORDER BY id")).all()
        assert kept == [1, 4]
        assert [(a, t, s) for a, t, s, _ in audit] == [("account.role_duplicate_removed", "user", 1)] * 2
        import json

        details = [d if isinstance(d, dict) else json.loads(d) for *_, d in audit]
        assert [d["role_assignment_id"] for d in details] == [2, 3]
        assert {d["role"] for d in details} == {"community_staff"}
    finally:
        _drop_everything()
        reset_schema()
