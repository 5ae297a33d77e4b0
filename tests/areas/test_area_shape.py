"""The area overview in the one shape: a refused set-up form goes back to the overview (303) with its message by
its field and what was typed; htmx gets the page again (200); other domains add their parts through
``app.areas.sections`` (the area package never imports them)."""
from __future__ import annotations

import pathlib
import re

from sqlalchemy import func, select

from app.areas.models import Area
from app.extensions import db


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_refused_plain_form_goes_back_to_the_overview_with_its_message_and_input(client, city):
    client.login("staff_a")
    before = db.session.scalar(select(func.count()).select_from(Area))
    r = client.post(f"/areas/{city.comm_a.id}/children", {"child-name": "Grid 9", "child-code": "has space"})
    assert r.status_code == 303 and r.location.endswith(f"/areas/{city.comm_a.id}#add-child")
    page = text(client.get(r.location))
    assert "A code has no spaces." in page and 'value="has space"' in page and 'value="Grid 9"' in page
    assert '<details class="action" id="add-child" open>' in page  # the form is open at its message
    assert db.session.scalar(select(func.count()).select_from(Area)) == before
    again = text(client.get(f"/areas/{city.comm_a.id}"))  # shown once
    assert "A code has no spaces." not in again and 'value="has space"' not in again


def test_a_refused_htmx_form_gets_the_overview_again(client, city):
    client.login("staff_a")
    r = client.htmx_post(f"/areas/{city.micro_a2.id}/rename", {"rename-name": "Micro A1"})
    assert r.status_code == 200 and "already has an area called" in text(r)
    assert db.session.get(Area, city.micro_a2.id).name == "Micro A2"


def test_a_refused_staffing_form_keeps_the_chosen_post(client, city):
    client.login("staff_a")
    url = f"/areas/{city.micro_a1.id}"
    r = client.post(f"{url}/staffing", {"staff-post": "liaison", "staff-name": ""})
    assert r.status_code == 303 and r.location.endswith(f"{url}#staffing-form")
    page = text(client.get(r.location))
    assert "name, or their account." in page
    assert re.search(r'<option selected value="liaison">|<option value="liaison" selected>', page)


def test_the_rename_that_changes_nothing_is_told_as_information(client, city):
    client.login("staff_a")
    r = client.post(f"/areas/{city.grid_a.id}/rename", {"rename-name": city.grid_a.name}, follow_redirects=True)
    assert r.status_code == 200 and "Nothing was changed." in text(r)


def test_a_communitys_pairings_are_a_section_added_by_organisations(client, city):
    client.login("staff_a")
    page = text(client.get(f"/areas/{city.comm_a.id}"))
    assert 'id="pairings"' in page and "Agency A branch" in page
    assert 'id="pairings"' not in text(client.get(f"/areas/{city.grid_a.id}"))  # a grid has none
    areas = pathlib.Path(__file__).resolve().parents[2] / "app" / "areas"
    for source in areas.glob("*.py"):
        assert "app.organisations" not in source.read_text(), source.name
