"""The demo city shows issues in every state and level, some overdue, from resident1, rider1 and leader1."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.issues.models import LEVELS, STATES, Issue

ACCOUNTS = ("resident1", "leader1", "staff1", "staff2", "street1", "rider1", "admin")
#: the area view is for those who handle an area
AREA_VIEW_REFUSED = {"resident1", "rider1"}
#: the two demo issues the public may not open: a report in a non-public category, and a rejected report
SEE_THE_NON_PUBLIC_ONE = {"staff1", "street1", "admin"}  # handlers of its community and above
SEE_THE_REJECTED_ONE = {"resident1", "leader1", "staff1", "street1", "admin"}  # its reporter and its handlers


def test_demo_seeds_every_state_and_level(demo_city):
    from app.demo import seed

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


def test_demo_pages_answer_each_role_as_expected(client, demo_city):
    issues = list(db.session.scalars(select(Issue).order_by(Issue.id)))
    [non_public] = [i.id for i in issues if not i.category.public]
    [rejected] = [i.id for i in issues if i.state == "rejected"]
    for who in ACCOUNTS:
        client.login(who)
        for url in ("/", "/issues/", "/issues/?view=mine", "/issues/?view=public"):
            assert client.get(url).status_code == 200, (who, url)
        expected = 403 if who in AREA_VIEW_REFUSED else 200
        assert client.get("/issues/?view=area").status_code == expected, who
        for issue in issues:
            if issue.id == non_public:
                expected = 200 if who in SEE_THE_NON_PUBLIC_ONE else 404
            elif issue.id == rejected:
                expected = 200 if who in SEE_THE_REJECTED_ONE else 404
            else:
                expected = 200
            assert client.get(f"/issues/{issue.id}").status_code == expected, (who, issue.id, issue.state)
        client.logout()
