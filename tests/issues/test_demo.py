"""The demo city shows issues in every state and level, some overdue, from resident1, rider1 and leader1."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.issues.models import LEVELS, STATES, Issue


def test_demo_seeds_every_state_and_level(app):
    from app.cli import load_domain_modules
    from app.demo import seed

    load_domain_modules("demo")
    seed()
    issues = list(db.session.scalars(select(Issue)))
    assert {i.state for i in issues} == set(STATES)
    assert {i.level for i in issues} == set(LEVELS)
    assert any(i.overdue for i in issues)
    users = {i.reporter.username for i in issues if i.reporter}
    assert {"resident1", "rider1", "leader1"} <= users
    assert any(i.channel == "sentinel" for i in issues) and any(i.on_behalf_of_id for i in issues)
    assert any(i.close_reason == "no_rating" for i in issues)
    # idempotent
    before = len(issues)
    seed()
    assert len(list(db.session.scalars(select(Issue)))) == before


def test_demo_pages_render(app, client):
    from app.cli import load_domain_modules
    from app.demo import seed

    load_domain_modules("demo")
    seed()
    for who in ("resident1", "leader1", "staff1", "staff2", "street1", "rider1", "admin"):
        client.login(who)
        for url in ("/", "/issues/", "/issues/?view=area", "/issues/?view=mine", "/issues/?view=public"):
            assert client.get(url).status_code in (200, 403), (who, url)
        for issue in db.session.scalars(select(Issue)):
            assert client.get(f"/issues/{issue.id}").status_code in (200, 404), (who, issue.id)
        client.logout()
