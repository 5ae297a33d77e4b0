"""Checklists through HTTP: who sees and does what, agreement per side and its reset, progress roll-up, done,
evaluation once, bad input answered where the person acted."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from app.cobuild import services
from app.cobuild.models import ChecklistItem, ItemProgress
from app.extensions import db
from app.timeutil import local_today
from tests.cobuild.helpers import agreed_item, form, item_input, refused


def _item(item_id) -> ChecklistItem:
    db.session.expire_all()
    return db.session.get(ChecklistItem, item_id)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def test_index_lists_own_pairings_only_with_counts(make_client, city):
    agreed_item(city)
    client = make_client()
    client.login("agency_a")
    page = client.get("/cobuild/").get_data(as_text=True)
    assert "Agency A branch" in page and "Agency B branch" not in page
    assert "Projects 1" in page
    client = make_client()
    client.login("agency_b")
    page = client.get("/cobuild/").get_data(as_text=True)
    assert "Agency A branch" not in page


def test_visibility_per_role(make_client, city):
    pid = city.pairing_a.id
    iid = agreed_item(city)
    for username, status in (("agency_a", 200), ("staff_a", 200), ("member_a", 200), ("street_a", 200),
                             ("admin", 200), ("agency_b", 404), ("staff_b", 404), ("resident_a", 404)):
        c = make_client()
        c.login(username)
        assert c.get(f"/cobuild/pairings/{pid}").status_code == status, username
        assert c.get(f"/cobuild/items/{iid}").status_code == status, username


def test_members_read_but_do_not_agree(make_client, city):
    item = services.propose(city.staff_a, city.pairing_a, "need", item_input())
    db.session.commit()
    member = make_client()
    member.login("member_a")
    page = member.get(f"/cobuild/items/{item.id}").get_data(as_text=True)
    assert "Agree for my side" not in page
    assert member.post(f"/cobuild/items/{item.id}/agree").status_code == 403
    assert member.get(f"/cobuild/pairings/{city.pairing_a.id}/new").status_code == 403
    # the street office oversees but never confirms for a side
    street = make_client()
    street.login("street_a")
    assert street.post(f"/cobuild/items/{item.id}/agree").status_code == 403
    assert _item(item.id).agency_agreed_at is None


def test_a_side_cannot_confirm_for_the_other(make_client, city):
    c = make_client()
    c.login("staff_a")
    r = c.post(f"/cobuild/pairings/{city.pairing_a.id}/new?kind=need", form())
    assert r.status_code == 303
    iid = int(r.headers["Location"].rsplit("/", 1)[1])
    item = _item(iid)
    assert item.community_agreed_by_id == city.staff_a.id and item.agency_agreed_at is None
    page = c.get(f"/cobuild/items/{iid}").get_data(as_text=True)
    assert "Agree for my side" not in page  # the community already agreed; only the agency is asked
    r = refused(c, f"/cobuild/items/{iid}/agree")  # a stale tab: answered on the page, the agency still unconfirmed
    assert r.status_code == 200 and "Your side has already agreed" in r.get_data(as_text=True)
    assert _item(iid).agency_agreed_at is None and _item(iid).state == "proposed"
    a = make_client()
    a.login("agency_a")
    assert "Agree for my side" in a.get(f"/cobuild/items/{iid}").get_data(as_text=True)
    assert a.post(f"/cobuild/items/{iid}/agree").status_code == 303
    item = _item(iid)
    assert item.state == "agreed" and item.agency_agreed_by_id == city.agency_admin_a.id
    assert item.agency_agreed_at is not None
    # agreeing twice: a clear message where the person acted, nothing changes
    agreed_at = item.agency_agreed_at
    r = refused(a, f"/cobuild/items/{iid}/agree")
    assert r.status_code == 200 and "not awaiting agreement" in r.get_data(as_text=True)
    assert 'role="alert"' in r.get_data(as_text=True)
    assert _item(iid).agency_agreed_at == agreed_at and _item(iid).state == "agreed"


def test_scope_change_resets_agreement(client, city):
    iid = agreed_item(city)
    client.login("agency_a")
    r = client.post(f"/cobuild/items/{iid}/edit", form(title="Meals for the elderly, three times a week"))
    assert r.status_code == 303
    item = _item(iid)
    assert item.state == "proposed"
    assert item.agency_agreed_by_id == city.agency_admin_a.id and item.community_agreed_at is None
    # only a contact name changed: no new agreement needed
    services.agree(city.staff_a, item)
    db.session.commit()
    r = client.post(f"/cobuild/items/{iid}/edit", form(title=item.title, agency_contact="Qian"))
    assert r.status_code == 303
    assert _item(iid).state == "agreed"


def test_progress_rolls_up_into_the_project(client, city):
    need = services.propose(city.staff_a, city.pairing_a, "need", item_input("Need"))
    resource = services.propose(city.agency_admin_a, city.pairing_a, "resource", item_input("Resource"))
    project = services.match(city.staff_a, city.pairing_a, [need.id, resource.id], item_input("Project"))
    services.agree(city.agency_admin_a, project)
    db.session.commit()
    assert _item(need.id).state == "agreed" and _item(resource.id).state == "agreed"  # covered by the project
    client.login("agency_a")
    r = client.post(f"/cobuild/items/{need.id}/progress",
                    {"progress-percent": "100", "progress-note": "all delivered",
                     "progress-photos": [(io.BytesIO(_png()), "a.png"), (io.BytesIO(_png()), "b.png")]},
                    content_type="multipart/form-data")
    assert r.status_code == 303
    assert _item(project.id).progress == 50 and _item(project.id).state == "in_progress"
    client.post(f"/cobuild/items/{resource.id}/progress", {"progress-percent": "40", "progress-note": "half"})
    assert _item(project.id).progress == 70
    # a project with matched items takes no progress note of its own
    r = refused(client, f"/cobuild/items/{project.id}/progress", {"progress-percent": "90", "progress-note": "x"})
    assert r.status_code == 200 and "matched needs and resources" in r.get_data(as_text=True)
    assert _item(project.id).progress == 70
    photos = db.session.scalars(db.select(ItemProgress)).all()
    assert len(photos) == 2
    page = client.get(f"/cobuild/items/{need.id}").get_data(as_text=True)
    assert page.count('alt="Progress photo"') == 2


def test_done_then_evaluate_once_only_by_the_community(make_client, city):
    iid = agreed_item(city)
    agency = make_client()
    agency.login("agency_a")
    staff = make_client()
    staff.login("staff_a")
    # evaluation before done: no button, refused
    assert "Send the evaluation" not in staff.get(f"/cobuild/items/{iid}").get_data(as_text=True)
    r = refused(staff, f"/cobuild/items/{iid}/evaluate", {"evaluate-rating": "5", "evaluate-comment": "early"})
    assert r.status_code == 200 and "Only a done item can be evaluated" in r.get_data(as_text=True)
    assert "early" in r.get_data(as_text=True)  # the comment is given back
    assert _item(iid).rating is None
    r = refused(agency, f"/cobuild/items/{iid}/done", {"done-note": ""})
    assert r.status_code == 200 and "Write a completion note" in r.get_data(as_text=True)
    assert agency.post(f"/cobuild/items/{iid}/done", {"done-note": "served 40 people"}).status_code == 303
    assert _item(iid).state == "done" and _item(iid).progress == 100
    # the agency cannot evaluate its own work
    assert agency.post(f"/cobuild/items/{iid}/evaluate", {"evaluate-rating": "5"}).status_code == 403
    r = refused(staff, f"/cobuild/items/{iid}/evaluate", {"evaluate-rating": "9"})
    assert r.status_code == 200 and "Choose from 1 to 5 stars." in r.get_data(as_text=True)
    assert _item(iid).state == "done"
    assert staff.post(f"/cobuild/items/{iid}/evaluate", {"evaluate-rating": "4", "evaluate-comment": "good"}
                      ).status_code == 303
    item = _item(iid)
    assert (item.state, item.rating, item.evaluated_by_id) == ("evaluated", 4, city.staff_a.id)
    r = refused(staff, f"/cobuild/items/{iid}/evaluate", {"evaluate-rating": "1"})
    assert r.status_code == 200 and "already evaluated" in r.get_data(as_text=True)
    assert _item(iid).rating == 4
    r = staff.htmx_post(f"/cobuild/items/{iid}/evaluate", {"evaluate-rating": "2"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "already evaluated" in body and 'role="alert"' in body
    assert _item(iid).rating == 4


def test_bad_input_is_answered_where_the_person_acted(client, city):
    iid = agreed_item(city)
    client.login("agency_a")
    for percent in ("120", "-5", "abc"):
        r = refused(client, f"/cobuild/items/{iid}/progress", {"progress-percent": percent, "progress-note": "x"})
        assert r.status_code == 200 and "whole number from 0 to 100" in r.get_data(as_text=True)
    r = client.htmx_post(f"/cobuild/items/{iid}/progress", {"progress-percent": "120", "progress-note": ""})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and 'role="alert"' in body and "data-focus-error" in body
    assert "Say in a sentence" in body  # every problem at once
    assert _item(iid).progress == 0
    # a target date outside the pairing's year, an unparseable value: all reported at once, nothing created
    before = db.session.scalar(db.select(db.func.count()).select_from(ChecklistItem))
    r = client.post(f"/cobuild/pairings/{city.pairing_a.id}/new?kind=resource",
                    form(title="", value="lots", target_date=f"{local_today().year + 1}-01-05"))
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Enter a short title." in body and "whole number of yuan" in body and "pairing&#39;s year" in body
    assert db.session.scalar(db.select(db.func.count()).select_from(ChecklistItem)) == before
    # progress on a cancelled item
    services.cancel(city.staff_a, _item(iid), "no longer needed")
    db.session.commit()
    r = refused(client, f"/cobuild/items/{iid}/progress",
                {"progress-percent": "50", "progress-note": "painted the hall"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "only on an agreed item in progress" in body and "Cancelled" in body
    assert "painted the hall" in body  # the note is given back, since the form is no longer shown
    with pytest.raises(services.CobuildError):
        services.post_progress(city.agency_admin_a, _item(iid), 50, "x")
    db.session.rollback()
    assert _item(iid).progress == 0 and db.session.scalar(db.select(db.func.count()).select_from(ItemProgress)) == 0


def test_matching_items_of_two_pairings_is_refused(client, city):
    need = services.propose(city.staff_a, city.pairing_a, "need", item_input("Need A"))
    other = services.propose(city.staff_b, city.pairing_b, "resource", item_input("Resource B"))
    db.session.commit()
    client.login("staff_a")
    r = client.post(f"/cobuild/pairings/{city.pairing_a.id}/match", {**form(title="P"), "items": [need.id, other.id]})
    assert r.status_code == 200 and "Only needs and resources of this pairing" in r.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ChecklistItem)
                             .where(ChecklistItem.kind == "project")) == 0


def test_pages_use_a_bounded_number_of_queries(client, city, queries):
    client.login("staff_a")

    def measure(url):
        client.get(url)  # warm up
        with queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    urls = ["/cobuild/", f"/cobuild/pairings/{city.pairing_a.id}?list=project",
            f"/cobuild/pairings/{city.pairing_a.id}", f"/cobuild/pairings/{city.pairing_a.id}/export.xlsx"]
    for n in range(2):
        services.propose(city.staff_a, city.pairing_a, "need", item_input(f"N{n}"))
        services.propose(city.staff_a, city.pairing_a, "project", item_input(f"P{n}"))
    db.session.commit()
    few = [measure(u) for u in urls]
    for n in range(12):
        need = services.propose(city.staff_a, city.pairing_a, "need", item_input(f"more N{n}"))
        res = services.propose(city.agency_admin_a, city.pairing_a, "resource", item_input(f"more R{n}"))
        services.match(city.staff_a, city.pairing_a, [need.id, res.id], item_input(f"more P{n}"))
    db.session.commit()
    many = [measure(u) for u in urls]
    assert many == few, (few, many)
