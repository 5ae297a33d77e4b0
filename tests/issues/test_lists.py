"""Lists: my reports, my queue (overdue first), area lists with filters and keyset pages, the public list;
bounded SQL per page; home cards."""
from __future__ import annotations

import re
from datetime import timedelta

from app.extensions import db
from app.issues import services as s
from app.timeutil import utcnow


def ids_on(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/issues/(\d+)"', page)]


def make_many(city, cats, n, *, area=None, code="street_light", reporter=None, start=None):
    start = start or utcnow() - timedelta(hours=n + 1)
    out = []
    for k in range(n):
        out.append(s.report_issue(reporter=reporter or city.resident_a, category=cats[code],
                                  description=f"Issue number {k}", area=area or city.micro_a1,
                                  now=start + timedelta(minutes=k)))
    db.session.commit()
    return out


def test_queue_overdue_first_and_scoped(client, city, cats):
    calm = s.report_issue(reporter=city.resident_a, category=cats["noise"], description="Calm one",
                          area=city.micro_a1)
    late = s.report_issue(reporter=city.resident_a, category=cats["street_light"], description="Late one",
                          area=city.micro_a1, now=utcnow() - timedelta(days=2))
    elsewhere = s.report_issue(reporter=city.resident_a2, category=cats["noise"], description="Other micro-grid",
                               area=city.micro_a2)
    db.session.commit()
    client.login("leader_a1")
    page = client.get("/issues/").get_data(as_text=True)  # a leader lands on the queue
    ids = ids_on(page)
    assert ids[:2] == [late.id, calm.id] and elsewhere.id not in ids
    assert "Overdue" in page
    client.logout()
    client.login("staff_b")
    assert ids_on(client.get("/issues/?view=queue").get_data(as_text=True)) == []
    assert ids_on(client.get("/issues/?view=area").get_data(as_text=True)) == []


def test_area_list_filters(client, city, cats):
    a = s.report_issue(reporter=city.resident_a, category=cats["noise"], description="Noise at night",
                       area=city.micro_a1, now=utcnow() - timedelta(days=8))
    b = s.report_issue(reporter=city.sentinel, category=cats["facilities"], description="Hazard",
                       area=city.micro_a2, channel="sentinel")
    c = s.report_issue(reporter=city.resident_b, category=cats["noise"], description="Other community",
                       area=city.micro_b1)
    s.accept(a, city.leader_a1)
    db.session.commit()
    client.login("staff_a")
    assert set(ids_on(client.get("/issues/?view=area").get_data(as_text=True))) == {a.id, b.id}
    assert c.id not in ids_on(client.get("/issues/?view=area").get_data(as_text=True))
    checks = {
        "state=accepted": {a.id}, "level=grid": {b.id}, "category=noise": {a.id}, "channel=sentinel": {b.id},
        "overdue=1": {a.id}, f"date_from={(utcnow() - timedelta(days=1)).date().isoformat()}": {b.id},
        f"date_to={(utcnow() - timedelta(days=2)).date().isoformat()}": {a.id},
        "date_from=garbage": {a.id, b.id}, "state=bogus": {a.id, b.id},
    }
    for query, expected in checks.items():
        r = client.get(f"/issues/?view=area&{query}")
        assert r.status_code == 200
        assert set(ids_on(r.get_data(as_text=True))) == expected, query
    assert "was not understood" in client.get("/issues/?view=area&date_from=garbage").get_data(as_text=True)
    # htmx filter returns the list fragment only
    r = client.htmx_get("/issues/?view=area&state=accepted")
    assert "<html" not in r.get_data(as_text=True) and ids_on(r.get_data(as_text=True)) == [a.id]


def test_area_list_is_for_handlers(client, city, cats):
    client.login("resident_a")
    assert client.get("/issues/?view=area").status_code == 403
    assert client.get("/issues/?view=queue").status_code == 403
    client.logout()
    r = client.get("/issues/?view=mine")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    assert client.get("/issues/?view=nonsense").status_code == 404


def test_keyset_pages_and_load_more(app, client, city, cats, monkeypatch):
    monkeypatch.setitem(app.config, "ISSUES_PAGE_SIZE", 5)
    made = make_many(city, cats, 12)
    client.login("staff_a")
    page = client.get("/issues/?view=area&category=street_light").get_data(as_text=True)
    first = ids_on(page)
    assert first == [i.id for i in reversed(made)][:5]
    more = re.search(r'href="(/issues/\?[^"]*after=[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "category=street_light" in more
    r = client.htmx_get(more)
    second = ids_on(r.get_data(as_text=True))
    assert second == [i.id for i in reversed(made)][5:10] and "<html" not in r.get_data(as_text=True)
    # without JavaScript the same link is a full page
    assert "<html" in client.get(more).get_data(as_text=True)
    # a tampered cursor starts again from the first page
    assert ids_on(client.get("/issues/?view=area&after=!!!").get_data(as_text=True))[:5] == first


def test_bounded_sql_per_list_page(app, client, city, cats, queries):
    """The number of statements for a page does not grow with the number of rows on it."""
    client.login("staff_a")
    client.get("/issues/?view=area")  # warm up (categories, session)

    def statements(view):
        with queries() as stmts:
            assert client.get(f"/issues/?view={view}").status_code == 200
        return len(stmts)

    make_many(city, cats, 2, reporter=city.resident_a)
    small = {v: statements(v) for v in ("area", "queue", "mine", "public")}
    make_many(city, cats, 18, reporter=city.resident_a, area=city.micro_a2)
    make_many(city, cats, 5, reporter=city.resident_a2, area=city.micro_a1, code="noise")
    big = {v: statements(v) for v in ("area", "queue", "mine", "public")}
    assert big == small, (small, big)
    assert max(big.values()) <= 20


def test_public_list_masks_reporters_and_hides_private_categories(client, city, cats):
    s.report_issue(reporter=city.resident_a, category=cats["street_light"], description="Dark corner",
                   area=city.micro_a1)
    s.report_issue(reporter=city.resident_a, category=cats["neighbour_dispute"], description="Dispute upstairs",
                   area=city.micro_a1)
    done = s.report_issue(reporter=city.resident_a, category=cats["noise"], description="Solved noise",
                          area=city.micro_a1)
    s.accept(done, city.leader_a1)
    s.resolve(done, city.leader_a1, "ok")
    db.session.commit()
    page = client.get("/issues/").get_data(as_text=True)  # anonymous: the public list
    assert "Dark corner" in page and "Dispute upstairs" not in page and "Solved noise" not in page
    assert "王*" in page and "王小明" not in page
    client.login("resident_a")
    mine = client.get("/issues/").get_data(as_text=True)  # residents land on their reports
    assert "Dispute upstairs" in mine and "Solved noise" in mine


def test_home_cards(client, city, cats):
    late = s.report_issue(reporter=city.resident_a, category=cats["street_light"], description="Late lamp",
                          area=city.micro_a1, now=utcnow() - timedelta(days=2))
    done = s.report_issue(reporter=city.resident_a, category=cats["noise"], description="Loud bar",
                          area=city.micro_a1)
    s.accept(done, city.leader_a1)
    s.resolve(done, city.leader_a1, "ok")
    db.session.commit()
    client.login("leader_a1")
    page = client.get("/").get_data(as_text=True)
    assert "Issues for you to handle" in page and "1 overdue" in page and f"/issues/{late.id}" in page
    client.logout()
    client.login("resident_a")
    page = client.get("/").get_data(as_text=True)
    assert "Please rate how your report was solved" in page and f"/issues/{done.id}#rate" in page
    client.logout()
    client.login("rider")
    assert "/issues/quick" in client.get("/").get_data(as_text=True)


def test_rating_card_counts_all_waiting_issues(client, city, cats):
    """The card lists 5 but counts them all (a count query, not the length of the shown rows)."""
    for n in range(7):
        issue = s.report_issue(reporter=city.resident_a, category=cats["noise"], description=f"Noise {n}",
                               area=city.micro_a1)
        s.accept(issue, city.leader_a1)
        s.resolve(issue, city.leader_a1, "ok")
    db.session.commit()
    client.login("resident_a")
    page = client.get("/").get_data(as_text=True)
    card = page.split("Please rate how your report was solved", 1)[1].split("</section>", 1)[0]
    assert '<span class="count">7</span>' in card
    assert card.count("#rate") == 5


def test_tampered_cursors_never_500(app, client, city, cats):
    make_many(city, cats, 3)
    client.login("staff_a")
    for cursor in ("W3siZHQiOiIyMDI2LTAxLTAxVDAwOjAwOjAwIn0sMTAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMF0",  # huge id
                   "WyJ4IiwxXQ",  # a string where a time belongs
                   "%%%", "W10"):
        for view in ("area", "queue", "mine", "public"):
            r = client.get(f"/issues/?view={view}&after={cursor}")
            assert r.status_code == 200, (view, cursor)


def test_dates_outside_sane_years_are_a_filter_message_not_a_500(client, city, file_issue):
    """0001-01-01 in the local zone starts before year 1 in UTC (OverflowError); only years 1900–2999 are used."""
    issue = file_issue(city.resident_a, city.micro_a1)
    client.login("staff_a")
    for view in ("area", "queue"):
        for query in ("date_from=0001-01-01", "date_to=0001-01-01", "date_from=9999-12-31", "date_to=9999-12-31",
                      "date_from=1899-12-31", "date_to=3000-01-01", "date_from=0001-01-01&date_to=9999-12-31"):
            r = client.get(f"/issues/?view={view}&{query}")
            assert r.status_code == 200, (view, query)
            page = r.get_data(as_text=True)
            assert "with a year from 1900 to 2999" in page, query
            assert (issue.id in ids_on(page)) == (view == "area"), query  # the bad date is ignored
            frag = client.htmx_get(f"/issues/?view={view}&{query}")
            assert frag.status_code == 200 and "<html" not in frag.get_data(as_text=True)
    # the edges of the sane range still filter
    for query in ("date_from=1900-01-01", "date_to=2999-12-31"):
        page = client.get(f"/issues/?view=area&{query}").get_data(as_text=True)
        assert "was not understood" not in page and issue.id in ids_on(page), query


def rows_on(page: str) -> dict[int, str]:
    """Each row's HTML by its issue's id."""
    return {int(re.search(r'href="/issues/(\d+)"', chunk).group(1)): chunk
            for chunk in page.split('<article class="issue-item')[1:]}


def test_rows_show_what_the_issue_says_of_itself(app, client, city, cats):
    """A row is built from plain columns: it names the resident, the assignee, the labels and the "me too" count
    exactly as the issue's own properties do."""
    from markupsafe import escape

    from app.issues.models import Issue

    own = s.report_issue(reporter=city.resident_a, category=cats["street_light"], description="Mine  and\nlong " * 5,
                         area=city.micro_a1)
    hidden = s.report_issue(reporter=city.resident_a2, category=cats["street_light"], description="Hidden",
                            area=city.micro_a2, anonymous=True)
    behalf = s.report_issue(reporter=city.leader_a1, category=cats["street_light"], description="For a neighbour",
                            area=city.micro_a1, channel="visit", on_behalf_of=city.resident_a)
    no_account = s.report_issue(reporter=city.leader_a1, category=cats["street_light"], description="By phone",
                                area=city.micro_a1, channel="phone", reporter_name="赵大妈",
                                reporter_phone="13800000000")
    s.accept(own, city.leader_a1)
    s.assign(own, city.leader_a1, city.leader_a1)
    s.support(own, city.resident_b)
    db.session.commit()
    issues = [own, hidden, behalf, no_account]

    public = rows_on(client.get("/issues/?view=public").get_data(as_text=True))
    client.login("staff_a")
    area = rows_on(client.get("/issues/?view=area").get_data(as_text=True))
    with app.test_request_context("/", headers={"Accept-Language": "en"}):  # the client's language
        for issue in issues:
            issue = db.session.get(Issue, issue.id)
            row = public[issue.id]
            assert f"<span>{escape(issue.public_reporter_name())}</span>" in row
            assert f">{escape(issue.state_label)}</span>" in row and escape(issue.title) in row
            assert f"<span>{escape(issue.area.name)}</span>" in row
            assert f"<span>{escape(issue.channel_label)}</span>" in area[issue.id]
    assert "1 said “me too”" in public[own.id] and "said “me too”" not in public[hidden.id]
    assert f"Assigned to {escape(city.leader_a1.display_name)}" in area[own.id]
    assert "Assigned to" not in area[hidden.id]


def test_a_list_built_once_per_shape_follows_values_and_roles(client, city, cats):
    """The lists reuse one statement per shape (view, filters in use, the viewer's roles): another value of the same
    filter, another viewer with the same roles' shape, a role given or taken each give their own right answer."""
    from app.accounts.models import RoleAssignment

    a = s.report_issue(reporter=city.resident_a, category=cats["noise"], description="Noise", area=city.micro_a1)
    b = s.report_issue(reporter=city.resident_a, category=cats["facilities"], description="Hazard",
                       area=city.micro_a2)
    c = s.report_issue(reporter=city.resident_b, category=cats["noise"], description="Other community",
                       area=city.micro_b1)
    s.accept(a, city.leader_a1)
    db.session.commit()
    client.login("staff_a")
    assert set(ids_on(client.get("/issues/?view=area&state=accepted").get_data(as_text=True))) == {a.id}
    assert set(ids_on(client.get("/issues/?view=area&state=reported").get_data(as_text=True))) == {b.id}
    assert set(ids_on(client.get("/issues/?view=area&category=facilities").get_data(as_text=True))) == {b.id}
    assert set(ids_on(client.get(f"/issues/?view=area&area={city.micro_a1.id}").get_data(as_text=True))) == {a.id}
    assert set(ids_on(client.get(f"/issues/?view=area&area={city.micro_a2.id}").get_data(as_text=True))) == {b.id}
    client.logout()
    client.login("staff_b")  # the same shape of roles, another community
    assert set(ids_on(client.get("/issues/?view=area&state=reported").get_data(as_text=True))) == {c.id}
    # staff_b is given community A as well: the list widens at once; taken away, it narrows again
    role = RoleAssignment(user_id=city.staff_b.id, role="community_staff", area_id=city.comm_a.id)
    db.session.add(role)
    db.session.commit()
    assert set(ids_on(client.get("/issues/?view=area&state=reported").get_data(as_text=True))) == {b.id, c.id}
    db.session.delete(role)
    db.session.commit()
    assert set(ids_on(client.get("/issues/?view=area&state=reported").get_data(as_text=True))) == {c.id}
