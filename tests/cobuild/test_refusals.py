"""A refused action on an item's page takes the one shape every domain has: a plain form goes back to the item's
page (303) at the action, the message by its field and the text typed shown once; htmx gets the page part again
(200) with the refusal marked for the focus. A late claim on an item another agency took goes to the open list."""
from __future__ import annotations

from app.cobuild import services
from app.cobuild.models import ChecklistItem
from app.extensions import db
from app.organisations.services import create_organisation
from tests.cobuild.helpers import agreed_item, item_input
from tests.factories import make_user


def _item(item_id) -> ChecklistItem:
    db.session.expire_all()
    return db.session.get(ChecklistItem, item_id)


def test_a_refused_completion_note_goes_back_to_its_form_once(client, city):
    iid = agreed_item(city)
    client.login("agency_a")
    r = client.post(f"/cobuild/items/{iid}/done", {"done-note": "  "})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/cobuild/items/{iid}#act-done")
    page = client.get(f"/cobuild/items/{iid}").get_data(as_text=True)
    assert page.count("Write a completion note") == 2  # at the form, and under its field
    assert 'id="act-done"' in page and 'data-focus-error' in page and 'aria-invalid="true"' in page
    again = client.get(f"/cobuild/items/{iid}").get_data(as_text=True)
    assert "Write a completion note" not in again  # shown once
    assert _item(iid).state == "agreed"


def test_a_refused_evaluation_keeps_the_comment_and_htmx_gets_the_part(client, city):
    iid = agreed_item(city)
    services.mark_done(city.agency_admin_a, _item(iid), "served 40 people")
    db.session.commit()
    client.login("staff_a")
    r = client.post(f"/cobuild/items/{iid}/evaluate", {"evaluate-rating": "", "evaluate-comment": "Warm meals"})
    assert r.status_code == 303 and r.headers["Location"].endswith("#act-evaluate")
    page = client.get(f"/cobuild/items/{iid}").get_data(as_text=True)
    assert "Choose from 1 to 5 stars." in page and "Warm meals</textarea>" in page
    assert "Choose from 1 to 5 stars." not in client.get(f"/cobuild/items/{iid}").get_data(as_text=True)
    r = client.htmx_post(f"/cobuild/items/{iid}/evaluate", {"evaluate-rating": "0", "evaluate-comment": "Warm"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="item-detail"' in body
    assert "<html" not in body and 'id="act-evaluate"' in body and "Choose from 1 to 5 stars." in body
    assert "Warm</textarea>" in body
    assert _item(iid).state == "done" and _item(iid).rating is None


def test_a_refused_cancellation_by_htmx_and_by_a_plain_form(client, city):
    iid = agreed_item(city)
    client.login("staff_a")
    r = client.htmx_post(f"/cobuild/items/{iid}/cancel", {"cancel-reason": ""})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Say why it is cancelled" in body and 'role="alert"' in body
    r = client.post(f"/cobuild/items/{iid}/cancel", {"cancel-reason": "x" * 1001})
    assert r.status_code == 200  # too long for the session: shown in place, nothing typed lost
    body = r.get_data(as_text=True)
    assert "Please keep it to 1000 characters." in body and "x" * 1001 in body
    assert _item(iid).state == "agreed"


def test_a_late_claim_goes_to_the_open_list_with_its_message_once(make_client, city):
    need = services.publish_open_need(city.staff_a, city.comm_a, item_input("Handrails"))
    db.session.commit()
    a = make_client()
    a.login("agency_a")
    page = a.get(f"/cobuild/items/{need.id}").get_data(as_text=True)
    assert f'action="/cobuild/items/{need.id}/claim"' in page  # the tab Agency A has open
    local = create_organisation("Street A tax office branch", "agency", city.street_a)
    make_user("local_admin", roles=[("agency_admin", local)])
    db.session.commit()
    first = make_client()
    first.login("local_admin")
    assert first.post(f"/cobuild/items/{need.id}/claim").status_code == 303
    r = a.post(f"/cobuild/items/{need.id}/claim")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/cobuild/open?claim={need.id}#act-claim")
    listing = a.get(f"/cobuild/open?claim={need.id}").get_data(as_text=True)
    assert "just been claimed by another agency" in listing and 'id="act-claim"' in listing
    assert "just been claimed" not in a.get(f"/cobuild/open?claim={need.id}").get_data(as_text=True)
    assert a.get(f"/cobuild/items/{need.id}").status_code == 404  # no longer this agency's to see
