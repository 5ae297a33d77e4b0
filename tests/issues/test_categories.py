"""Categories are configuration: the defaults exist on a fresh database; city admins change limits and levels."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.issues import services as s
from app.issues.models import IssueCategory


def test_defaults_are_created_once_and_never_overwritten(app, city):
    assert s.ensure_default_categories() == 7
    assert s.ensure_default_categories() == 0
    hazard = s.category_by_code("safety_hazard")
    assert (hazard.accept_hours, hazard.urgent, hazard.default_level) == (1, True, "microgrid")
    assert s.category_by_code("neighbour_dispute").requires_mediation
    assert not s.category_by_code("neighbour_dispute").public
    hazard.accept_hours = 2
    db.session.commit()
    s.ensure_default_categories()
    assert s.category_by_code("safety_hazard").accept_hours == 2


def test_pages_never_insert_categories_on_get(client, city):
    """The migration inserts the defaults; a GET inserting them could race into a 500 (two first visitors)."""
    assert db.session.scalar(select(IssueCategory.id)) is None
    client.login("resident_a")
    assert client.get("/issues/new").status_code == 200
    client.logout()
    client.login("rider")
    assert client.get("/issues/quick").status_code == 200
    client.logout()
    client.login("admin")
    assert client.get("/issues/categories").status_code == 200
    assert db.session.scalar(select(IssueCategory.id)) is None


def test_city_admin_changes_limits(client, city, cats):
    noise = cats["noise"]
    for who in ("staff_a", "street_a", "resident_a"):
        client.login(who)
        assert client.get("/issues/categories").status_code == 403
        assert client.post(f"/issues/categories/{noise.id}", {"accept_hours": "2"}).status_code == 403
        client.logout()
    client.login("admin")
    assert "Issue categories and time limits" in client.get("/issues/").get_data(as_text=True)
    assert "Noise" in client.get("/issues/categories").get_data(as_text=True)
    for data, message in (
        ({"accept_hours": "abc", "resolve_hours": "24", "default_level": "grid"}, "whole hours"),
        ({"accept_hours": "0", "resolve_hours": "24", "default_level": "grid"}, "whole hours"),
        ({"accept_hours": "48", "resolve_hours": "24", "default_level": "grid"}, "cannot be longer"),
        ({"accept_hours": "2", "resolve_hours": "24", "default_level": "city"}, "Choose a handling level."),
    ):
        r = client.post(f"/issues/categories/{noise.id}", data)
        assert r.status_code == 200 and message in r.get_data(as_text=True), data
    db.session.expire_all()
    assert db.session.get(IssueCategory, noise.id).accept_hours == 24
    r = client.post(f"/issues/categories/{noise.id}", {"accept_hours": "2", "resolve_hours": "48",
                                                       "default_level": "grid", "public": "y", "active": "y"})
    assert r.status_code == 303
    db.session.expire_all()
    n = db.session.get(IssueCategory, noise.id)
    assert (n.accept_hours, n.resolve_hours, n.default_level, n.urgent, n.public) == (2, 48, "grid", False, True)
    issue = s.report_issue(reporter=city.resident_a, category=n, description="Drums", area=city.micro_a1)
    assert issue.level == "grid" and issue.accept_due_at - issue.created_at == timedelta(hours=2)
    db.session.commit()
    # an inactive category is no longer offered
    client.post(f"/issues/categories/{noise.id}", {"accept_hours": "2", "resolve_hours": "48",
                                                   "default_level": "grid"})
    client.logout()
    client.login("resident_a")
    assert 'value="noise"' not in client.get("/issues/new").get_data(as_text=True)
