"""Claims that create a pairing at the same instant: one branch with no pairing yet claims several items of one
community at once, while another branch does the same — every claim succeeds, and each branch ends with exactly one
pairing with the community (the unique constraint decides), on SQLite and PostgreSQL."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.cobuild import services
from app.cobuild.models import ChecklistItem
from app.extensions import db
from app.organisations.models import Pairing
from app.organisations.services import create_organisation
from tests.cobuild.helpers import item_input
from tests.factories import make_user

PER_BRANCH = 5


@pytest.mark.commits  # threads: each request on its own connection
def test_claims_creating_the_same_pairing_at_once_join_one_pairing(app, make_client, city):
    # two branches sitting in Street A, neither paired with Community A2 yet
    branches = [create_organisation(f"Street A branch {n}", "agency", city.street_a) for n in range(2)]
    staff = make_user("staff_a2", roles=[("community_staff", city.comm_a2)])
    items = []
    for n in range(2 * PER_BRANCH):
        if n % 2:
            items.append(services.publish_key_project(city.admin, city.comm_a2, item_input(f"Key project {n}")).id)
        else:
            items.append(services.publish_open_need(staff, city.comm_a2, item_input(f"Open need {n}")).id)
    admins = [make_user(f"branch_admin{n:02d}", roles=[("agency_admin", branches[n % 2])])
              for n in range(len(items))]
    db.session.commit()
    clients = []
    for user in admins:
        c = make_client()
        c.login(user.username)
        c.token()
        clients.append(c)
    n_threads = len(items)
    barrier = threading.Barrier(n_threads)
    results: list = [None] * n_threads

    def claim(i):
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                r = clients[i].htmx_post(f"/cobuild/items/{items[i]}/claim")
                results[i] = (r.status_code, r.get_data(as_text=True) + r.headers.get("HX-Trigger", ""))
            except Exception as exc:  # noqa: BLE001 — reported below
                results[i] = (599, repr(exc))

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert all(r is not None for r in results), "a thread did not finish"
    assert all(status == 200 and "Claimed. The item joins" in body for status, body in results), \
        [(s, b[:300]) for s, b in results]
    db.session.expire_all()
    for branch in branches:
        pairings = list(db.session.scalars(select(Pairing).where(Pairing.organisation_id == branch.id,
                                                                 Pairing.community_id == city.comm_a2.id)))
        assert len(pairings) == 1, branch.name
        joined = db.session.scalar(select(func.count()).select_from(ChecklistItem)
                                   .where(ChecklistItem.pairing_id == pairings[0].id))
        assert joined == PER_BRANCH, branch.name
