"""The dashboard and the public figures read their roll-up from the read replica, when one is configured."""
from __future__ import annotations

import pytest

from tests.conftest import Client
from tests.scaleout.test_read_replica import _statements, replicated  # noqa: F401 — the fixture

pytestmark = pytest.mark.commits  # two databases of its own, committed for real


def _reads_roll_up(statement: str) -> bool:
    return "daily_figure" in statement or "monthly_figure" in statement


def test_dashboard_and_figures_read_the_replica(replicated):  # noqa: F811
    other, replica, _wid = replicated
    other.config["READ_YOUR_WRITES_SECONDS"] = 0
    seen, stop = _statements(replica)
    try:
        assert other.test_client().get("/figures/").status_code == 200
        figures = [s for s in seen if _reads_roll_up(s)]
        admin = Client(other.test_client(), other)
        admin.login("admin")
        seen.clear()
        with other.app_context():
            from app.dashboard.queries import city_root

            root_id = city_root().id
        assert admin.get(f"/dashboard/{root_id}").status_code == 200
        dashboard = [s for s in seen if _reads_roll_up(s)]
    finally:
        stop()
    assert figures and dashboard
