"""``dashboard rebuild --workers 2`` (things counted in forked processes, as the city generator does) writes exactly
what the one-process rebuild writes: every daily and monthly figure and every thing's recorded contribution.

Runs the commands on a database file of its own (the workers read committed rows through their own connections,
which the tests' shared connection could not give them)."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _flask(db_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "test-rebuild-workers", "APP_CONFIG": "development"}
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _tables(path: Path) -> dict[str, list]:
    with sqlite3.connect(path) as conn:
        return {
            "daily": conn.execute("SELECT area_id, metric, day, key, count, total FROM daily_figure "
                                  "ORDER BY area_id, metric, day, key").fetchall(),
            "monthly": conn.execute("SELECT area_id, metric, month, key, count, total FROM monthly_figure "
                                    "ORDER BY area_id, metric, month, key").fetchall(),
            "sources": conn.execute("SELECT source, entity_id, rows FROM figure_source "
                                    "ORDER BY source, entity_id").fetchall(),
        }


def test_a_rebuild_in_two_processes_writes_what_one_process_writes(tmp_path):
    path = tmp_path / "rebuild.sqlite3"
    url = f"sqlite:///{path}"
    _flask(url, "db", "upgrade")
    _flask(url, "bench", "generate", "--scale", "tiny")
    one = _flask(url, "dashboard", "rebuild", "--workers", "1")
    alone = _tables(path)
    two = _flask(url, "dashboard", "rebuild", "--workers", "2")
    assert "in 2 processes" in two and "in 2 processes" not in one
    together = _tables(path)
    assert alone["daily"] and alone["monthly"] and alone["sources"]
    assert together == alone
