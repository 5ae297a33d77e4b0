"""Every URL of a pairing is a 404 for those outside it (another branch, staff of another community, a resident);
signed out, only the public key-projects page opens."""
from __future__ import annotations

from sqlalchemy import func, select

from app.cobuild.models import ChecklistItem
from app.extensions import db
from tests.cobuild.helpers import agreed_item, form


def _urls(city, iid):
    pid = city.pairing_a.id
    gets = [f"/cobuild/pairings/{pid}", f"/cobuild/pairings/{pid}?list=project",
            f"/cobuild/pairings/{pid}/export.xlsx", f"/cobuild/pairings/{pid}/new?kind=need",
            f"/cobuild/pairings/{pid}/match", f"/cobuild/items/{iid}", f"/cobuild/items/{iid}/edit"]
    posts = [(f"/cobuild/pairings/{pid}/new?kind=need", form("Sneaky")), (f"/cobuild/pairings/{pid}/match", {}),
             (f"/cobuild/pairings/{pid}/import", {}), (f"/cobuild/items/{iid}/edit", form("Sneaky")),
             (f"/cobuild/items/{iid}/agree", {}),
             (f"/cobuild/items/{iid}/progress", {"progress-percent": "50", "progress-note": "x"}),
             (f"/cobuild/items/{iid}/done", {"done-note": "x"}),
             (f"/cobuild/items/{iid}/evaluate", {"evaluate-rating": "5"}),
             (f"/cobuild/items/{iid}/cancel", {"cancel-reason": "x"}), (f"/cobuild/items/{iid}/claim", {})]
    return gets, posts


def test_outsiders_get_404_on_every_url_of_a_pairing(make_client, city):
    iid = agreed_item(city)
    gets, posts = _urls(city, iid)
    for username in ("agency_b", "staff_b", "member_b", "resident_a"):
        c = make_client()
        c.login(username)
        for url in gets:
            assert c.get(url).status_code == 404, (username, url)
        for url, data in posts:
            assert c.post(url, data).status_code == 404, (username, url)
    db.session.expire_all()
    item = db.session.get(ChecklistItem, iid)
    assert item.state == "agreed" and item.title != "Sneaky"
    assert db.session.scalar(select(func.count()).select_from(ChecklistItem)) == 1


def test_members_and_the_street_office_read_but_never_act_for_a_side(make_client, city):
    iid = agreed_item(city, kind="need")
    gets, posts = _urls(city, iid)
    for username in ("member_a", "street_a"):
        c = make_client()
        c.login(username)
        page = c.get(f"/cobuild/items/{iid}").get_data(as_text=True)
        for button in ("Agree for my side", "Report progress", "Mark as done", "Send the evaluation",
                       "Cancel the item", "Change scope or date"):
            assert button not in page, (username, button)
        for url, data in posts:
            if url.endswith(("/import", "/claim")):
                continue  # the street office may import for a pairing; claiming is answered separately
            assert c.post(url, data).status_code == 403, (username, url)
    assert db.session.get(ChecklistItem, iid).state == "agreed"


def test_residents_and_visitors_see_only_the_public_key_projects(make_client, city):
    iid = agreed_item(city)
    resident = make_client()
    resident.login("resident_a")
    assert resident.get("/cobuild/").status_code == 403
    assert resident.get("/cobuild/open").status_code == 403
    assert resident.get("/cobuild/key-projects").status_code == 200
    visitor = make_client()
    assert visitor.get("/cobuild/key-projects").status_code == 200
    for url in ("/cobuild/", "/cobuild/open", f"/cobuild/items/{iid}", f"/cobuild/pairings/{city.pairing_a.id}",
                f"/cobuild/pairings/{city.pairing_a.id}/export.xlsx", f"/cobuild/export.xlsx?area={city.city.id}"):
        r = visitor.get(url)
        assert r.status_code in (302, 303) and "/auth/login" in r.headers["Location"], url
