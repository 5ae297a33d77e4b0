"""The area filter of the issue lists: narrows to an area's subtree, never beyond the viewer's own scope; a bad or
out-of-reach area is told on the page and ignored; the next page and the form keep it."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.issues import services as s
from app.timeutil import utcnow


def ids_on(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/issues/(\d+)"', page)]


@pytest.fixture
def spread(city, cats):
    """One issue in each of Community A, Community A2 (both Street A) and Community B (Street B)."""
    start = utcnow() - timedelta(hours=5)
    made = {}
    places = (("a", city.micro_a1, city.resident_a), ("a2", city.micro_a3, city.street_admin_a),
              ("b", city.micro_b1, city.resident_b))
    for n, (key, area, who) in enumerate(places):
        made[key] = s.report_issue(reporter=who, category=cats["street_light"], description=f"Lamp {key}",
                                   area=area, now=start + timedelta(minutes=n))
    db.session.commit()
    return made


def test_the_area_filter_narrows_to_the_subtree(client, city, spread):
    client.login("street_a")
    everything = set(ids_on(client.get("/issues/?view=area").get_data(as_text=True)))
    assert everything == {spread["a"].id, spread["a2"].id}
    for area, expected in ((city.comm_a, {spread["a"].id}), (city.comm_a2, {spread["a2"].id}),
                           (city.grid_a, {spread["a"].id}), (city.micro_a1, {spread["a"].id}),
                           (city.micro_a2, set()), (city.street_a, everything)):
        r = client.get(f"/issues/?view=area&area={area.id}")
        assert r.status_code == 200
        page = r.get_data(as_text=True)
        assert set(ids_on(page)) == expected, area.name
        assert 'role="alert"' not in page
    # the queue narrows the same way (street_a's queue holds street-level work only: none here)
    assert client.get(f"/issues/?view=queue&area={city.comm_a.id}").status_code == 200


def test_the_page_names_the_area_and_offers_to_clear_it(client, city, spread):
    client.login("street_a")
    page = client.get(f"/issues/?view=area&area={city.comm_a.id}&state=reported").get_data(as_text=True)
    assert "Only issues in Community A" in page
    # the form sends the area on with the other filters (unticking it clears it)
    assert f'name="area" value="{city.comm_a.id}" checked' in page
    clear = re.search(r'<a href="([^"]*)">Show all my areas</a>', page).group(1).replace("&amp;", "&")
    assert "area=" not in clear and "state=reported" in clear
    assert set(ids_on(client.get(clear).get_data(as_text=True))) == {spread["a"].id, spread["a2"].id}
    # the htmx answer of the filter form carries the same
    frag = client.htmx_get(f"/issues/?view=area&area={city.comm_a.id}").get_data(as_text=True)
    assert "<html" not in frag and "Only issues in Community A" in frag and ids_on(frag) == [spread["a"].id]


@pytest.mark.parametrize("who, area_key", [
    ("staff_a", "comm_b"),      # another street's community
    ("staff_a", "street_a"),    # above the viewer's own community: it would not widen the list, and is refused
    ("staff_a", "comm_a2"),     # a sibling community
    ("leader_a1", "micro_a2"),  # the next micro-grid
])
def test_an_area_out_of_reach_is_told_and_the_list_keeps_the_viewers_scope(client, city, spread, who, area_key):
    client.login(who)
    plain = ids_on(client.get("/issues/?view=area").get_data(as_text=True))
    r = client.get(f"/issues/?view=area&area={getattr(city, area_key).id}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "not one where you handle issues" in page and 'role="alert"' in page
    assert ids_on(page) == plain  # nothing beyond the viewer's own list, nothing taken away
    assert spread["b"].id not in ids_on(page)
    assert getattr(city, area_key).name not in page.split('role="alert"', 1)[1].split("</p>", 1)[0]


def test_an_unknown_area_reads_like_one_out_of_reach(client, city, spread):
    client.login("staff_a")
    page = client.get("/issues/?view=area&area=999999").get_data(as_text=True)
    assert "not one where you handle issues" in page
    assert ids_on(page) == [spread["a"].id]


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "1.5", "99999999999999999999", "%C2%B2", "2147483648"])
def test_an_area_that_is_not_a_number_is_ignored_with_a_message(client, city, spread, raw):
    client.login("street_a")
    r = client.get(f"/issues/?view=area&area={raw}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "is not a number and is ignored" in page
    assert set(ids_on(page)) == {spread["a"].id, spread["a2"].id}
    assert client.get(f"/issues/?view=queue&area={raw}").status_code == 200


def test_the_next_page_keeps_the_area(app, client, city, cats, monkeypatch):
    monkeypatch.setitem(app.config, "ISSUES_PAGE_SIZE", 2)
    start = utcnow() - timedelta(hours=10)
    in_a = [s.report_issue(reporter=city.resident_a, category=cats["noise"], description=f"Noise {k}",
                           area=city.micro_a1, now=start + timedelta(minutes=2 * k)) for k in range(3)]
    for k in range(3):  # newer ones in the sibling community, which must not show up on any page
        s.report_issue(reporter=city.street_admin_a, category=cats["noise"], description=f"Elsewhere {k}",
                       area=city.micro_a3, now=start + timedelta(hours=1, minutes=k))
    db.session.commit()
    client.login("street_a")
    page = client.get(f"/issues/?view=area&area={city.comm_a.id}").get_data(as_text=True)
    assert ids_on(page) == [in_a[2].id, in_a[1].id]
    more = re.search(r'href="(/issues/\?[^"]*after=[^"]+)"', page).group(1).replace("&amp;", "&")
    assert f"area={city.comm_a.id}" in more
    assert ids_on(client.htmx_get(more).get_data(as_text=True)) == [in_a[0].id]


def test_the_area_filter_adds_no_statement_per_row(client, city, cats, queries):
    client.login("street_a")
    url = f"/issues/?view=area&area={city.comm_a.id}"
    client.get(url)

    def statements():
        with queries() as stmts:
            assert client.get(url).status_code == 200
        return len(stmts)

    s.report_issue(reporter=city.resident_a, category=cats["noise"], description="One", area=city.micro_a1)
    db.session.commit()
    small = statements()
    for k in range(8):
        s.report_issue(reporter=city.resident_a2, category=cats["noise"], description=f"More {k}",
                       area=city.micro_a2)
    db.session.commit()
    assert statements() == small
