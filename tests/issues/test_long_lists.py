"""No list in the issues pages is cut short without a word: a street's quick report chooses beyond one list in the
cascade, and everyone who may act on an issue is offered for assignment."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.accounts.models import RoleAssignment, User
from app.areas.models import Area
from app.extensions import db
from app.issues import queries as q
from app.issues.models import Issue


def _children(parent: Area, level: str, names: list[str]) -> list[Area]:
    areas = [Area(name=name, level=level, parent=parent) for name in names]
    db.session.add_all(areas)
    db.session.flush()
    for a in areas:
        a.path = f"{parent.path}{a.id}/"
    return areas


def _micro_grids(community: Area, n: int, per_grid: int = 100) -> list[Area]:
    """``n`` micro-grids in new grids of ``community`` (a grid has ``per_grid`` of them)."""
    out: list[Area] = []
    grids = _children(community, "grid", [f"Grid {g + 1}" for g in range((n + per_grid - 1) // per_grid)])
    for grid in grids:
        out += _children(grid, "microgrid", [f"Group {len(out) + i + 1}" for i in range(min(per_grid, n - len(out)))])
    db.session.commit()
    return out


def test_a_street_reports_in_its_last_micro_grid_through_the_cascade(client, city, cats):
    # Street A now has more micro-grids than one list shows (and more than the 500 the list used to stop at)
    many = _micro_grids(city.comm_a, max(q.QUICK_CHOICE_MAX, 500) + 1)
    last = many[-1]
    client.login("street_a")
    page = client.get("/issues/quick").get_data(as_text=True)
    assert 'id="area_id"' not in page  # no list that would stop at QUICK_CHOICE_MAX
    assert 'id="picker-street"' in page and f'value="{city.street_a.id}"' in page
    # the cascade leads to the last micro-grid, and the report is filed there
    page = client.post("/issues/quick", {"action": "pick", "street": city.street_a.id, "community": city.comm_a.id,
                                         "grid": last.parent_id}).get_data(as_text=True)
    assert f'<option value="{last.id}">Group {len(many)}</option>' in page
    r = client.post("/issues/quick", {"street": city.street_a.id, "community": city.comm_a.id,
                                      "grid": last.parent_id, "area_id": last.id, "category": "street_light"})
    assert r.status_code == 303
    issue = db.session.scalar(select(Issue).order_by(Issue.id.desc()))
    assert (issue.area_id, issue.channel, issue.reporter_id) == (last.id, "sentinel", city.street_admin_a.id)
    # the next quick report starts with the cascade at that place
    page = client.get("/issues/quick").get_data(as_text=True)
    assert re.search(rf'<option value="{last.id}" selected>', page)


def test_the_cascade_refuses_a_place_outside_ones_patch(client, city, cats):
    _micro_grids(city.comm_a, q.QUICK_CHOICE_MAX + 1)
    client.login("street_a")
    r = client.post("/issues/quick", {"street": city.street_b.id, "community": city.comm_b.id,
                                      "grid": city.grid_b.id, "area_id": city.micro_b1.id, "category": "street_light"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Choose where the problem is." in page
    assert re.search(r'role="alert" data-focus-error[^>]*>Choose where the problem is', page)
    assert db.session.scalar(select(Issue)) is None


def test_a_short_patch_keeps_the_one_list(client, city, cats):
    client.login("rider")
    page = client.get("/issues/quick").get_data(as_text=True)
    assert 'id="area_id"' in page and 'id="picker-street"' not in page


def test_everyone_who_may_act_is_offered_for_assignment(client, city, file_issue):
    """Assignable people were cut at 50 (from the first 100 role rows); the 60th community staff member is offered
    and can be assigned."""
    issue = file_issue(city.resident_a, city.micro_a1)
    people = [User(username=f"staff{i:02d}", display_name=f"Staff {i:02d}", mobile=f"139{i:08d}", password_hash="x")
              for i in range(60)]
    db.session.add_all(people)
    db.session.flush()
    db.session.add_all([RoleAssignment(user_id=u.id, role="community_staff", area_id=city.comm_a.id) for u in people])
    db.session.commit()
    last = people[-1]
    client.login("staff_a")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert f'<option value="{last.id}">Staff 59 · ' in page
    assert client.post(f"/issues/{issue.id}/assign", {"assignee_id": last.id}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Issue, issue.id).assignee_id == last.id
