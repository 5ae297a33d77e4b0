"""Bad input answered where the person acted, nothing changed: a refused progress note keeps its text and says the
photos must be chosen again; both sides agreeing at the same instant agree once (SQLite and PostgreSQL)."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select, update

from app.cobuild import services
from app.cobuild.models import ChecklistItem, ItemProgress
from app.extensions import db
from app.timeline.models import TimelineEntry
from tests.cobuild.helpers import agreed_item, item_input, refused
from tests.factories import make_user


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 120, 10)).save(out, "PNG")
    return out.getvalue()


def test_a_refused_progress_note_keeps_its_text_and_asks_for_the_photos_again(client, city):
    iid = agreed_item(city)
    client.login("agency_a")
    r = refused(client, f"/cobuild/items/{iid}/progress",
                    {"progress-percent": "120", "progress-note": "Twelve meals delivered on Tuesday",
                     "progress-photos": [(io.BytesIO(_png()), "a.png")]}, content_type="multipart/form-data")
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "whole number from 0 to 100" in body
    assert "Twelve meals delivered on Tuesday" in body and 'value="120"' in body
    assert "choose them again" in body
    assert db.session.scalar(select(func.count()).select_from(ItemProgress)) == 0


def test_both_sides_agree_at_the_same_instant(race, make_client, city):
    item = services.propose(city.staff_a, city.pairing_a, "project", item_input("Reading room"))
    # nobody agreed yet (as after an import by an overseer): each side's people click at once
    db.session.execute(update(ChecklistItem).where(ChecklistItem.id == item.id)
                       .values(community_agreed_at=None, community_agreed_by_id=None))
    people = [make_user(f"staff_a{i}", roles=[("community_staff", city.comm_a)]) for i in range(3)] + \
        [make_user(f"agency_a{i}", roles=[("agency_admin", city.agency_a)]) for i in range(3)]
    db.session.commit()
    clients = []
    for user in people:
        c = make_client()
        c.login(user.username)
        c.token()
        clients.append(c)

    url = f"/cobuild/items/{item.id}/agree"  # read here: the test's objects belong to the test's session

    def agree(i):
        r = clients[i].htmx_post(url)
        return (r.status_code, r.get_data(as_text=True) + r.headers.get("HX-Trigger", ""))

    results = [r if isinstance(r, tuple) else (599, repr(r)) for r in race(len(clients), agree)]
    assert all(r is not None for r in results)
    assert all(status == 200 for status, _ in results), [(s, b[:300]) for s, b in results]
    recorded = [b for _, b in results if "agreement is recorded" in b]
    assert len(recorded) == 2, [b[:300] for _, b in results]  # one per side; the others are told it is done
    db.session.expire_all()
    got = db.session.get(ChecklistItem, item.id)
    assert got.state == "agreed" and got.community_agreed_at is not None and got.agency_agreed_at is not None
    completions = db.session.scalar(select(func.count()).select_from(TimelineEntry).where(
        TimelineEntry.subject_type == "checklist_item", TimelineEntry.subject_id == item.id,
        TimelineEntry.action == "agreement_complete"))
    assert completions == 1
