"""The organisation holding a key is one list up to ORG_CHOICE_MAX organisations; with more, it is named in a text
field — every organisation can hold a key (the list used to stop at 500 without a word)."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.open311 import queries as q
from app.open311.models import ApiKey
from app.organisations.models import Organisation
from tests.open311.test_keys import issue_via_page


def _organisations(n: int) -> list[Organisation]:
    rows = [Organisation(name=f"Unit {i:04d}", kind="enterprise") for i in range(n)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_the_last_of_many_organisations_holds_a_key(client, city):
    last = _organisations(max(q.ORG_CHOICE_MAX, 500) + 1)[-1]  # "Unit 0500" sorts after every other name
    client.login("admin")
    page = client.get("/open311/keys").get_data(as_text=True)
    assert 'name="organisation_id"' not in page and 'name="organisation_name"' in page
    r = issue_via_page(client, city, organisation_name=f"  {last.name} ")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(select(ApiKey)).organisation_id == last.id


def test_an_unknown_organisation_name_is_a_message_at_the_field(client, city):
    _organisations(q.ORG_CHOICE_MAX + 1)
    client.login("admin")
    r = issue_via_page(client, city, organisation_name="Nobody Ltd")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert re.search(r'<div role="alert" data-focus-error><p class="error" id="organisation_name-error">'
                     r'No organisation has that name', page)
    assert 'value="Nobody Ltd"' in page and 'value="Street app"' in page  # what was typed is kept
    assert db.session.scalar(select(ApiKey)) is None


def test_no_name_means_no_organisation(client, city):
    _organisations(q.ORG_CHOICE_MAX + 1)
    client.login("admin")
    assert issue_via_page(client, city, organisation_name="").status_code == 200
    assert db.session.scalar(select(ApiKey)).organisation_id is None


def test_a_few_organisations_stay_one_list(client, city):
    client.login("admin")
    page = client.get("/open311/keys").get_data(as_text=True)
    assert 'name="organisation_id"' in page and 'name="organisation_name"' not in page
    assert f'>{city.agency_a.name}</option>' in page
