"""Two flags at the same instant at threshold − 1 hide the thing exactly once; the review queue pages in a bounded
number of statements."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.extensions import db
from app.moderation.models import Flag, ModerationCase
from app.timeutil import utcnow
from app.wishes.models import Wish
from tests.factories import make_user
from tests.moderation.conftest import as_user, body, case_of, flag_with, wish
from tests.wishes.helpers import make_wish


def test_two_flags_at_once_at_threshold_minus_one_hide_it_once(race, make_client, city):
    wid = make_wish(city, "published", title="Race lamp")
    flag_with([city.resident_b, city.member_a], wish(wid))  # threshold 3: one more hides it
    people = [make_user(f"flagger{i}", home=city.micro_a2) for i in range(2)]
    db.session.commit()
    clients = []
    for user in people:
        c = make_client()
        c.login(user.username)
        c.token()
        clients.append(c)

    results = race(2, lambda i: clients[i].post(f"/moderation/wish/{wid}/flag", {"reason": f"Rude {i}"}).status_code)
    assert results == [303, 303], results
    db.session.expire_all()
    assert wish(wid).moderation == "hidden"
    case = case_of("wish", wid)
    assert case.state == "hidden" and case.flag_count == 4
    assert db.session.scalar(select(func.count()).select_from(Flag).where(Flag.subject_id == wid)) == 4
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "moderation.hidden", AuditEntry.subject_id == wid)) == 1
    assert db.session.scalar(select(func.count()).select_from(ModerationCase).where(
        ModerationCase.subject_id == wid, ModerationCase.subject_type == "wish")) == 1


def test_the_same_person_twice_at_once_gives_one_flag(race, make_client, city):
    wid = make_wish(city, "published", title="Double tap")
    c = make_client()
    c.login("resident_b")
    c.token()
    results = race(2, lambda i: c.post(f"/moderation/wish/{wid}/flag", {"reason": "Spam"}).status_code)
    assert results == [303, 303], results
    assert db.session.scalar(select(func.count()).select_from(Flag).where(Flag.subject_id == wid)) == 1
    assert case_of("wish", wid).flag_count == 1


def hidden_wishes(city, n):
    """``n`` wishes of community A, hidden pending review a minute apart (oldest first)."""
    base = utcnow() - timedelta(days=1)
    ids = []
    for i in range(n):
        w = Wish(area_id=city.micro_a1.id, community_id=city.comm_a.id, street_id=city.street_a.id,
                 wisher_id=city.resident_a.id, author_id=city.resident_a.id, category="study",
                 title=f"Hidden {i:03d}", description="d", value=1, wanted_by=base.date() + timedelta(days=30),
                 state="published", published_at=base, created_at=base, updated_at=base, moderation="hidden")
        db.session.add(w)
        db.session.flush()
        case = ModerationCase(subject_type="wish", subject_id=w.id, area_id=w.area_id, author_id=w.wisher_id,
                              state="hidden", flag_count=3, opened_at=base, hidden_at=base + timedelta(minutes=i))
        db.session.add(case)
        db.session.flush()
        for who in (city.resident_b, city.member_a, city.resident_a2):
            db.session.add(Flag(subject_type="wish", subject_id=w.id, case_id=case.id, user_id=who.id,
                                reason=f"reason {i}"))
        ids.append(w.id)
    db.session.commit()
    return ids


def test_the_review_queue_pages_in_a_bounded_number_of_statements(app, monkeypatch, make_client, city, queries):
    hidden_wishes(city, 25)
    staff = as_user(make_client, "staff_a")
    counts = {}
    for size in (2, 12):
        monkeypatch.setitem(app.config, "MODERATION_PAGE_SIZE", size)
        staff.get("/moderation/")
        with queries() as statements:
            page = body(staff.get("/moderation/"))
        counts[size] = len(statements)
        assert page.count('class="card" id="case-') == size
    assert counts[2] == counts[12], counts
    # the 25th is reachable through "load more"
    monkeypatch.setitem(app.config, "MODERATION_PAGE_SIZE", 10)
    url, seen = "/moderation/", []
    while url:
        html = body(staff.htmx_get(url))
        seen += re.findall(r"Hidden (\d{3})", html)
        m = re.search(r'<div class="load-more" id="load-more">\s*<a class="btn btn-ghost" href="([^"]+)"', html)
        url = m.group(1).replace("&amp;", "&") if m else None
    assert sorted(set(seen)) == [f"{i:03d}" for i in range(25)]
    # staff of another community see none of them
    assert "Hidden 000" not in body(as_user(make_client, "staff_b").get("/moderation/"))
