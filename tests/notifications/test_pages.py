"""The bell, the list, opening one, mark all read — over HTTP, with the forbidden paths."""
from __future__ import annotations

import re

from sqlalchemy import delete, insert, select

from app.accounts.models import RoleAssignment
from app.extensions import db
from app.notifications.models import Notification
from app.timeutil import utcnow
from app.wishes import services as wishes
from app.wishes.models import Wish, WishClaim
from tests.notifications.conftest import notes_of
from tests.wishes.helpers import get_wish, make_wish, wish_input

BELL_RE = re.compile(r'<a class="bell[^"]*" href="/notifications/" aria-label="([^"]+)"[^>]*>.*?</a>', re.S)


def bell(response) -> tuple[str, str | None]:
    """(the bell's label, the count shown on it or None)."""
    html = response.get_data(as_text=True)
    match = BELL_RE.search(html)
    assert match, "no bell on the page"
    count = re.search(r'<span class="bell-count"[^>]*>([^<]+)</span>', match.group(0))
    return match.group(1), count.group(1) if count else None


def seed(user, n: int, *, event="wish.claimed", subject_type="wish", subject_id=1, read=False, **params):
    now = utcnow()
    db.session.execute(insert(Notification), [
        {"user_id": user.id, "event": event, "subject_type": subject_type, "subject_id": subject_id,
         "params": {"title": f"Wish {i}", "by": "A*", **params}, "created_at": now,
         "read_at": now if read else None}
        for i in range(n)])
    db.session.commit()


def test_no_bell_for_visitors(client):
    html = client.get("/").get_data(as_text=True)
    assert 'class="bell' not in html
    r = client.get("/notifications/")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


def test_the_bell_counts_and_drops_after_opening(client, city):
    wish_id = make_wish(city, "claimed")  # resident_a: published + claimed
    client.login("resident_a")
    label, count = bell(client.get("/"))
    assert count == "2" and label == "Notifications: 2 unread"

    claimed = next(n for n in notes_of(city.resident_a) if n.event == "wish.claimed")
    r = client.get(f"/notifications/{claimed.id}/open")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/wishes/{wish_id}")
    assert next(n for n in notes_of(city.resident_a) if n.id == claimed.id).read_at is not None
    label, count = bell(client.get("/"))
    assert count == "1" and label == "Notifications: 1 unread"
    # opening it again is harmless
    assert client.get(f"/notifications/{claimed.id}/open").status_code == 303
    assert bell(client.get("/"))[1] == "1"


def test_the_list_shows_newest_first_with_unread_highlighted(client, city):
    make_wish(city, "claimed")
    client.login("resident_a")
    html = client.get("/notifications/").get_data(as_text=True)
    claimed = html.index("was claimed by")
    approved = html.index("is approved and on the wish wall")
    assert claimed < approved  # newest first
    assert html.count('class="notice unread"') == 2
    first = notes_of(city.resident_a)[0]
    client.get(f"/notifications/{first.id}/open")
    html = client.get("/notifications/").get_data(as_text=True)
    assert html.count('class="notice unread"') == 1 and html.count('class="notice"') == 1


def test_another_users_notification_is_not_found(client, city):
    make_wish(city, "claimed")
    theirs = notes_of(city.resident_a)[0]
    client.login("resident_b")
    assert client.get(f"/notifications/{theirs.id}/open").status_code == 404
    assert client.get("/notifications/999999/open").status_code == 404
    assert client.get(f"/notifications/{2**31}/open").status_code == 404
    assert notes_of(city.resident_a)[0].read_at is None
    assert "was claimed" not in client.get("/notifications/").get_data(as_text=True)


def test_mark_all_read(client, city):
    seed(city.resident_a, 3)
    seed(city.resident_b, 2)
    client.login("resident_a")
    assert client.post("/notifications/read-all", csrf=False).status_code == 400  # CSRF token required
    assert bell(client.get("/"))[1] == "3"
    r = client.post("/notifications/read-all")
    assert r.status_code == 303 and r.headers["Location"].endswith("/notifications/")
    label, count = bell(client.get("/notifications/"))
    assert count is None and label == "Notifications: none unread"
    assert all(n.read_at is not None for n in notes_of(city.resident_a))
    assert all(n.read_at is None for n in notes_of(city.resident_b))  # nobody else's
    assert "Mark all as read" not in client.get("/notifications/").get_data(as_text=True)


def test_the_bell_caps_at_99_plus(client, city):
    seed(city.resident_a, 150)
    client.login("resident_a")
    label, count = bell(client.get("/"))
    assert count == "99+" and label == "Notifications: 99+ unread"


def test_pages_use_a_bounded_number_of_queries(client, city, queries, app, monkeypatch):
    seed(city.resident_a, 60)
    client.login("resident_a")
    monkeypatch.setitem(app.config, "NOTIFICATION_PAGE_SIZE", 5)
    with queries() as small:
        client.get("/notifications/")
    monkeypatch.setitem(app.config, "NOTIFICATION_PAGE_SIZE", 40)
    with queries() as large:
        r = client.get("/notifications/")
    assert r.get_data(as_text=True).count('class="notice unread"') == 40
    assert len(large) == len(small)
    counts = [s for s in large if "count(" in s.lower() and "notification" in s.lower()]
    assert len(counts) == 1  # the bell: one COUNT per page
    with queries() as home:
        client.get("/")
    assert len([s for s in home if "count(" in s.lower() and "notification" in s.lower()]) == 1  # bell + card


def test_load_more_pages_through_everything(client, city, app, monkeypatch):
    seed(city.resident_a, 7)
    client.login("resident_a")
    monkeypatch.setitem(app.config, "NOTIFICATION_PAGE_SIZE", 3)
    html = client.get("/notifications/").get_data(as_text=True)
    seen = html.count('class="notice unread"')
    nxt = re.search(r'href="(/notifications/\?after=[^"]+)" hx-get=', html).group(1).replace("&amp;", "&")
    while nxt:
        r = client.htmx_get(nxt)
        part = r.get_data(as_text=True)
        assert "<html" not in part
        seen += part.count('class="notice unread"')
        more = re.search(r'href="(/notifications/\?after=[^"]+)" hx-get=', part)
        nxt = more.group(1).replace("&amp;", "&") if more else None
    assert seen == 7
    # without JavaScript the link is a full page
    assert "<html" in client.get(re.search(r'href="(/notifications/\?after=[^"]+)"', html).group(1)
                                 .replace("&amp;", "&")).get_data(as_text=True)


def test_a_tampered_cursor_starts_from_the_top(client, city):
    seed(city.resident_a, 2)
    client.login("resident_a")
    assert client.get("/notifications/?after=not-a-cursor").status_code == 200


def test_text_in_the_readers_language(client, city):
    make_wish(city, "claimed")
    client.login("resident_a")
    en = client.get("/notifications/").get_data(as_text=True)
    assert "Your wish “A desk lamp” was claimed by" in en
    zh = client.get("/notifications/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "您的心愿“A desk lamp”已被" in zh and "认领" in zh
    assert "Your wish" not in zh
    assert "消息：2 条未读" in zh  # the bell's label


def test_issue_texts_show_level_and_category_in_the_readers_language(client, city, file_issue):
    from app.issues import services as issues

    issue = file_issue(city.resident_a, city.micro_a1)
    issues.escalate(issue, city.leader_a1, "Needs a ladder")
    issues.escalate(issue, city.grid_leader_a, "Budget")
    db.session.commit()
    client.login("staff_a")
    en = client.get("/notifications/").get_data(as_text=True)
    assert f"Issue #{issue.id} (Street light) was escalated to you (Community / village): Budget" in en
    zh = client.get("/notifications/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert f"诉求 #{issue.id}（路灯照明）已上报到您这一级（社区/村）：Budget" in zh


def test_home_card_lists_the_newest_unread_and_explains_when_empty(client, city):
    client.login("resident_a")
    html = client.get("/").get_data(as_text=True)
    assert "New for you" in html and "Nothing new." in html
    make_wish(city, "claimed")
    html = client.get("/").get_data(as_text=True)
    assert "New for you" in html and "was claimed by" in html
    assert re.search(r'href="/notifications/\d+/open"', html)


def test_a_deleted_subject_does_not_break_the_list_or_the_link(client, city):
    wish_id = make_wish(city, "claimed")
    seed(city.resident_a, 1, event="gone.event", subject_type="thing", subject_id=5)
    seed(city.resident_a, 1, event="wish.claimed", subject_type="wish", subject_id=2**31 - 1)
    claim_ids = select(WishClaim.id).where(WishClaim.wish_id == wish_id)
    from app.wishes.models import WishClaimMember

    db.session.execute(delete(WishClaimMember).where(WishClaimMember.claim_id.in_(claim_ids)))
    db.session.execute(delete(WishClaim).where(WishClaim.wish_id == wish_id))
    db.session.execute(delete(Wish).where(Wish.id == wish_id))
    db.session.commit()
    client.login("resident_a")
    r = client.get("/notifications/")
    assert r.status_code == 200
    assert "Something changed that concerns you." in r.get_data(as_text=True)
    for note in notes_of(city.resident_a):
        r = client.get(f"/notifications/{note.id}/open")
        assert r.status_code == 303 and r.headers["Location"].endswith("/notifications/")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "no longer exists or is no longer visible" in page
    assert bell(client.get("/"))[1] is None


def test_a_subject_no_longer_visible_is_not_opened(client, city):
    wish = wishes.post_wish(city.resident_a, wish_input())
    db.session.commit()
    wishes.withdraw(get_wish(wish.id), city.resident_a)
    db.session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == city.staff_a.id))
    db.session.commit()
    client.login("staff_a")
    (note,) = notes_of(city.staff_a)
    r = client.get(f"/notifications/{note.id}/open")
    assert r.status_code == 303 and r.headers["Location"].endswith("/notifications/")
    assert client.get(f"/wishes/{wish.id}").status_code == 404


def test_texts_typed_by_people_are_escaped(client, city):
    make_wish(city, "claimed", title="<b>lamp</b>")
    client.login("resident_a")
    for url in ("/notifications/", "/"):
        html = client.get(url).get_data(as_text=True)
        assert "“&lt;b&gt;lamp&lt;/b&gt;”" in html and "<b>lamp</b>" not in html
