"""Checklist items for tests, made through the services (as the pages would)."""
from __future__ import annotations

from datetime import date

from app.cobuild import services
from app.cobuild.services import ItemInput
from app.extensions import db
from app.timeutil import local_today


def item_input(title="Meals for the elderly", side="agency", **kw) -> ItemInput:
    year = local_today().year
    return ItemInput(title=title, description=kw.pop("description", "twice a week"), category="elderly",
                     quantity="20", value=kw.pop("value", 1000), community_contact="Chen", agency_contact="Zhao",
                     responsible_side=side, target_date=kw.pop("target_date", date(year, 12, 31)), **kw)


def form(title="Meals for the elderly", **kw) -> dict:
    data = {"title": title, "description": "twice a week", "category": "elderly", "quantity": "20",
            "value": "1000", "community_contact": "Chen", "agency_contact": "Zhao", "responsible_side": "agency",
            "target_date": f"{local_today().year}-12-31"}
    data.update(kw)
    return data


def agreed_item(city, kind="project", **kw):
    item = services.propose(city.staff_a, city.pairing_a, kind, item_input(**kw))
    services.agree(city.agency_admin_a, item)
    db.session.commit()
    return item.id


def refused(client, url, data=None, **kw):
    """A refused plain form on an item's page: a 303 back to the item's page at the action (``#act-<action>``);
    returns that page, which shows the refusal once."""
    r = client.post(url, data, **kw)
    assert r.status_code == 303, (r.status_code, r.get_data(as_text=True)[:300])
    page, _, anchor = r.headers["Location"].partition("#")
    action = url.rstrip("/").rsplit("/", 1)[1]
    assert page.endswith(url.rsplit("/", 1)[0]) and anchor == f"act-{action}", r.headers["Location"]
    return client.get(page)
