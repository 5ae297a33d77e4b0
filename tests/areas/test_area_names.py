"""Lists of places say whose "一组" it is, and naming many places costs one query, not one per place."""
from __future__ import annotations

from app.areas.services import create_area, full_names
from app.extensions import db


def _more_microgrids(city, n: int) -> None:
    for i in range(n):
        create_area(f"组{i}", "microgrid", city.grid_a)
    db.session.commit()


def test_full_names_name_many_places_in_one_query(city, queries):
    places = [city.micro_a1, city.micro_a3, city.micro_b1]
    [place.path for place in places]  # loaded before counting
    with queries() as statements:
        names = full_names(places, "community")
    assert len(statements) == 1
    assert names[city.micro_a1.id] == "Community A · Grid A · Micro A1"
    assert names[city.micro_b1.id] == "Community B · Grid B · Micro B1"
    assert full_names([]) == {}


def test_the_on_behalf_choice_of_the_wish_form_costs_the_same_for_many_places(make_client, city, queries):
    c = make_client()
    c.login("staff_a")
    c.get("/wishes/new")  # warm: the session, the token
    with queries() as few:
        page = c.get("/wishes/new").get_data(as_text=True)
    # the place is chosen in the cascading lists, opened at the community this person works in
    assert 'id="area-picker"' in page and f'<option value="{city.grid_a.id}">Grid A</option>' in page
    _more_microgrids(city, 12)
    with queries() as many:
        c.get("/wishes/new")
    assert len(many) == len(few), (len(few), len(many))


def test_the_sentinels_place_list_says_whose_micro_grid_it_is(make_client, city):
    from app.issues import services as issues

    issues.ensure_default_categories()
    db.session.commit()
    c = make_client()
    c.login("rider")
    page = c.get("/issues/quick").get_data(as_text=True)
    assert '<optgroup label="Community A">' in page and ">Community A · Grid A · Micro A1</option>" in page
    assert '<optgroup label="Community A2">' in page and ">Community A2 · Grid A2 · Micro A3</option>" in page
