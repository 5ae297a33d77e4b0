"""A level of the area picker with more places than one list holds: nothing is cut without a word, and the place
beyond the list's length is reachable (by the filter on the level's name, and kept when it is the one chosen)."""
from __future__ import annotations

import re

from app.areas.models import Area
from app.areas.services import PICKER_MAX
from app.extensions import db


def many_children(parent: Area, level: str, n: int, prefix: str) -> list[Area]:
    """``n`` children of ``parent`` named "<prefix> 1" … in set-up order, in a few statements."""
    rows = [Area(name=f"{prefix} {i}", level=level, parent=parent) for i in range(1, n + 1)]
    db.session.add_all(rows)
    db.session.flush()
    for a in rows:
        a.path = f"{parent.path}{a.id}/"
    db.session.commit()
    return rows


def options(html: str, select_id: str) -> list[str]:
    block = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert block, f"no select {select_id}"
    return re.findall(r'<option value="(\d+)"', block.group(1))


def test_a_grid_with_more_micro_grids_than_a_list_holds_says_so_and_filters(client, city):
    extra = many_children(city.grid_b, "microgrid", PICKER_MAX + 1, "Building")
    last = extra[-1]  # the 502nd micro-grid of the grid (Micro B1 is the first)
    base = f"/areas/picker?street={city.street_b.id}&community={city.comm_b.id}&grid={city.grid_b.id}"

    html = client.get(base).get_data(as_text=True)
    shown = options(html, "picker-microgrid")
    assert len(shown) == PICKER_MAX and str(last.id) not in shown
    assert f"Showing the first {PICKER_MAX} of {PICKER_MAX + 2} places" in html
    assert 'name="microgrid_q"' in html

    html = client.htmx_get(f"{base}&microgrid_q=Building+{PICKER_MAX + 1}").get_data(as_text=True)
    assert options(html, "picker-microgrid") == [str(last.id)]
    assert f"1 of {PICKER_MAX + 2} places match" in html

    # chosen, it stays chosen (and listed) without the filter, so a form re-rendered keeps it
    html = client.get(f"{base}&area_id={last.id}").get_data(as_text=True)
    assert f'<option value="{last.id}" selected>' in html


def test_a_chosen_place_that_is_not_a_child_is_still_dropped_in_a_long_list(client, city):
    many_children(city.grid_b, "microgrid", PICKER_MAX + 1, "Building")
    base = f"/areas/picker?street={city.street_b.id}&community={city.comm_b.id}&grid={city.grid_b.id}"
    html = client.get(f"{base}&area_id={city.micro_a1.id}").get_data(as_text=True)
    assert f'value="{city.micro_a1.id}"' not in html


def test_a_short_list_has_no_filter(client, city):
    html = client.get(f"/areas/picker?street={city.street_a.id}").get_data(as_text=True)
    assert "_q" not in html and "Showing the first" not in html
    assert options(html, "picker-community") == [str(city.comm_a.id), str(city.comm_a2.id)]
