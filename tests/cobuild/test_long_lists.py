"""An item's progress notes are read a page at a time: the 101st note (beyond the old cut at 100) is reachable by
"Load more", and a page costs the same number of queries whatever its size."""
from __future__ import annotations

import re
from datetime import timedelta

from app.cobuild.models import ItemProgress
from app.extensions import db
from app.timeutil import utcnow
from tests.cobuild.helpers import agreed_item


def next_link(html: str) -> str | None:
    found = re.search(r'id="progress-more">\s*<a class="btn btn-ghost" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def notes(city, n: int) -> int:
    item_id = agreed_item(city)
    start = utcnow() - timedelta(days=1)
    db.session.add_all([ItemProgress(item_id=item_id, author_id=city.agency_admin_a.id, percent=i % 101,
                                     note=f"Note {i:03d}", created_at=start + timedelta(minutes=i))
                        for i in range(1, n + 1)])
    db.session.commit()
    return item_id


def test_the_101st_progress_note_is_reachable(app, client, city):
    item_id = notes(city, 101)
    client.login("agency_a")
    app.config["COBUILD_PROGRESS_PAGE_SIZE"] = 40
    try:
        pages = [client.get(f"/cobuild/items/{item_id}").get_data(as_text=True)]
        while (nxt := next_link(pages[-1])) is not None:
            pages.append(client.htmx_get(nxt).get_data(as_text=True))
    finally:
        app.config.pop("COBUILD_PROGRESS_PAGE_SIZE")
    assert len(pages) == 3 and "<html" not in pages[-1]
    assert "Note 101" in pages[0] and "Note 001" in pages[-1]  # newest first; the oldest on the last page
    assert sum(len(re.findall(r"<p>Note \d{3}</p>", p)) for p in pages) == 101


def test_a_page_of_notes_costs_the_same_queries_whatever_its_size(app, client, city, queries):
    item_id = notes(city, 40)
    client.login("agency_a")
    counts = {}
    for size in (5, 30):
        app.config["COBUILD_PROGRESS_PAGE_SIZE"] = size
        try:
            nxt = next_link(client.get(f"/cobuild/items/{item_id}").get_data(as_text=True))
            with queries() as statements:
                frag = client.htmx_get(nxt).get_data(as_text=True)
        finally:
            app.config.pop("COBUILD_PROGRESS_PAGE_SIZE")
        counts[size] = len(statements)
        assert len(re.findall(r"<p>Note \d{3}</p>", frag)) == min(size, 40 - size)
    assert counts[5] == counts[30]
