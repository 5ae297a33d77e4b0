"""/audit/: city admins read everything, a street office its street's areas only; filters by person, object,
action, area and local days; refused filter values are told, never a 500; keyset pages; the export."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from openpyxl import load_workbook

from app.audit.models import AuditEntry
from app.extensions import db
from app.timeutil import local_today, utcnow


def as_user(make_client, username):
    c = make_client()
    if username:
        c.login(username)
    return c


def body(r) -> str:
    return unescape(r.get_data(as_text=True))


@pytest.fixture
def entries(city):
    """A few entries in both streets and one city-wide, a minute apart (newest last)."""
    base = utcnow() - timedelta(hours=1)
    rows = [
        AuditEntry(at=base, actor_id=city.staff_a.id, action="wish.published", subject_type="wish", subject_id=501,
                   area_id=city.micro_a1.id, details={"to_state": "published", "marker": "alpha"}),
        AuditEntry(at=base + timedelta(minutes=1), actor_id=city.staff_b.id, action="wish.rejected",
                   subject_type="wish", subject_id=502, area_id=city.micro_b1.id,
                   details={"reason": "Not a wish", "marker": "bravo"}),
        AuditEntry(at=base + timedelta(minutes=2), actor_id=city.staff_a.id, action="issue.accepted",
                   subject_type="issue", subject_id=503, area_id=city.comm_a.id,
                   details={"reporter_phone": "13812345678", "note": "Call 13812345678 or a.b@example.org",
                            "marker": "charlie"}),
        AuditEntry(at=base + timedelta(minutes=3), actor_id=city.admin.id, action="issue.category_created",
                   subject_type="issue_category", subject_id=504, area_id=None, details={"marker": "delta"},
                   ip="10.1.2.3"),
        AuditEntry(at=base - timedelta(days=40), actor_id=city.staff_a.id, action="wish.published",
                   subject_type="wish", subject_id=505, area_id=city.micro_a2.id, details={"marker": "echo"}),
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def markers(html: str) -> set[str]:
    return set(re.findall(r"\b(alpha|bravo|charlie|delta|echo)\b", html))


def test_city_admin_reads_everything_a_street_office_its_own_areas(make_client, city, entries):
    admin = body(as_user(make_client, "admin").get("/audit/"))
    assert {"alpha", "bravo", "charlie", "delta", "echo"} <= markers(admin)
    street = body(as_user(make_client, "street_a").get("/audit/"))
    assert markers(street) == {"alpha", "charlie", "echo"}


def test_who_may_not_read_it_gets_403_and_no_link(make_client, city, entries):
    for username in ("staff_a", "resident_a", "gridlead_a"):
        c = as_user(make_client, username)
        assert c.get("/audit/").status_code == 403
        assert c.get("/audit/export.xlsx").status_code == 403
        assert 'href="/audit/"' not in body(c.get("/"))
    assert as_user(make_client, None).get("/audit/").status_code == 302
    assert 'href="/audit/"' in body(as_user(make_client, "admin").get("/"))
    assert 'href="/audit/"' in body(as_user(make_client, "street_a").get("/"))


def test_filters_by_person_object_action_area_and_days(make_client, city, entries):
    admin = as_user(make_client, "admin")
    assert markers(body(admin.get("/audit/?person=staff_b"))) == {"bravo"}
    assert markers(body(admin.get("/audit/?type=issue&object=503"))) == {"charlie"}
    assert markers(body(admin.get("/audit/?type=wish"))) >= {"alpha", "bravo", "echo"}
    assert "charlie" not in markers(body(admin.get("/audit/?type=wish")))
    assert markers(body(admin.get("/audit/?action=wish.published"))) >= {"alpha", "echo"}
    assert "bravo" not in markers(body(admin.get("/audit/?action=wish.published")))
    assert {"alpha", "bravo", "echo"} <= markers(body(admin.get("/audit/?action=wish.")))
    assert markers(body(admin.get("/audit/?action=issue."))) >= {"charlie", "delta"}
    today = local_today().isoformat()
    recent = markers(body(admin.get(f"/audit/?date_from={today}&date_to={today}")))
    assert "echo" not in recent and {"alpha", "charlie"} <= recent
    old = (local_today() - timedelta(days=40)).isoformat()
    assert markers(body(admin.get(f"/audit/?date_from={old}&date_to={old}"))) == {"echo"}
    assert markers(body(admin.get(f"/audit/?street={city.street_b.id}"))) == {"bravo"}
    assert markers(body(admin.get(f"/audit/?street={city.street_a.id}&community={city.comm_a.id}"))) == {
        "alpha", "charlie", "echo"}


@pytest.mark.parametrize("query, message", [
    ("date_from=yesterday", "“yesterday” is not a date. Write a day as 2026-11-30."),
    ("date_to=2026-13-45", "“2026-13-45” is not a date."),
    ("date_from=0001-01-01", "“0001-01-01” is not a date."),
    ("object=abc", "An object number is a whole number"),
    ("object=99999999999", "An object number is a whole number"),
    ("type=nonsense", "There is no kind of object called “nonsense”."),
    ("action=drop%20table", "There is no action called"),
])
def test_a_value_that_cannot_be_used_is_told_and_ignored(make_client, city, entries, query, message):
    page = as_user(make_client, "street_a").get(f"/audit/?{query}")
    assert page.status_code == 200
    html = body(page)
    assert message in html and 'role="alert"' in html
    assert markers(html) == {"alpha", "charlie", "echo"}  # the rest of the filter (none) still applies, in scope


def test_an_area_outside_the_street_offices_reach_is_refused(make_client, city, entries):
    c = as_user(make_client, "street_a")
    html = body(c.get(f"/audit/?street={city.street_b.id}"))
    assert "That area is outside your reach" in html
    assert "bravo" not in markers(html) and markers(html) == {"alpha", "charlie", "echo"}
    html = body(c.get(f"/audit/?street={city.street_b.id}&community={city.comm_b.id}"))
    assert "That area is outside your reach" in html and "bravo" not in markers(html)
    # the export refuses it too, with the message on the list
    r = c.get(f"/audit/export.xlsx?street={city.street_b.id}")
    assert r.status_code == 303
    assert "Correct the filter first; nothing was exported." in body(c.get(r.headers["Location"]))


def test_personal_data_is_masked_for_a_street_office(make_client, city, entries):
    street = body(as_user(make_client, "street_a").get("/audit/?type=issue&object=503"))
    assert "13812345678" not in street and "138******78" in street and "a***@example.org" in street
    admin = body(as_user(make_client, "admin").get("/audit/"))
    assert "13812345678" in admin and "10.1.2.3" in admin


def test_keyset_pages_in_a_bounded_number_of_statements(app, monkeypatch, make_client, city, queries):
    base = utcnow() - timedelta(hours=2)
    db.session.add_all([AuditEntry(at=base + timedelta(seconds=i), actor_id=city.staff_a.id, action="wish.published",
                                   subject_type="wish", subject_id=1000 + i, area_id=city.micro_a1.id,
                                   details={"n": f"row{i:03d}"}) for i in range(45)])
    db.session.commit()
    c = as_user(make_client, "street_a")
    counts = {}
    for size in (2, 15):
        monkeypatch.setitem(app.config, "AUDIT_PAGE_SIZE", size)
        c.get("/audit/?action=wish.")
        with queries() as statements:
            html = body(c.get("/audit/?action=wish."))
        counts[size] = len(statements)
        assert html.count('class="card audit-entry"') == size
    assert counts[2] == counts[15], counts
    monkeypatch.setitem(app.config, "AUDIT_PAGE_SIZE", 10)
    url, seen = "/audit/?action=wish.published", []
    while url:
        html = body(c.htmx_get(url))
        seen += re.findall(r"row(\d{3})", html)
        m = re.search(r'<div class="load-more" id="load-more">\s*<a class="btn btn-ghost" href="([^"]+)"', html)
        url = m.group(1) if m else None
    assert sorted(set(seen)) == [f"{i:03d}" for i in range(45)]


def test_export_holds_the_filtered_entries_masked_for_the_street_office(make_client, city, entries):
    c = as_user(make_client, "street_a")
    r = c.get("/audit/export.xlsx?action=issue.")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(r.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and issue 503 (the city-wide category change is outside the street)
    assert rows[1][2] == "issue.accepted" and rows[1][4] == 503
    assert "13812345678" not in str(rows[1]) and "138******78" in str(rows[1])
    csv_text = as_user(make_client, "admin").get("/audit/export.csv?person=admin").get_data(as_text=True)
    assert "issue.category_created" in csv_text and "10.1.2.3" in csv_text and "wish.published" not in csv_text


def test_an_export_larger_than_the_limit_says_so_instead_of_cutting(app, monkeypatch, make_client, city, entries):
    monkeypatch.setitem(app.config, "AUDIT_EXPORT_MAX", 2)
    c = as_user(make_client, "street_a")
    r = c.get("/audit/export.xlsx")
    assert r.status_code == 303
    page = body(c.get(r.headers["Location"]))
    assert re.search(r"\d+ entries match; one export holds at most 2\. Narrow the filter", page)
    assert c.get("/audit/export.csv?action=issue.").status_code == 200
