"""Organisations: the list (scoped, filtered, paged, bounded), adding and editing, people and the contact phone."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.extensions import db
from app.organisations.models import Organisation
from app.organisations.services import create_organisation
from tests.factories import make_user


def text(response) -> str:
    return response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")


def org_ids_on(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/organisations/(\d+)"', html)]


def count_orgs() -> int:
    return db.session.scalar(select(func.count()).select_from(Organisation))


# ---------------------------------------------------------------- list


@pytest.mark.parametrize("who", ["admin", "street_a", "staff_a", "staff_b"])
def test_staff_see_every_organisation(make_client, city, who):
    c = make_client()
    c.login(who)
    page = text(c.get("/organisations/"))
    assert "Agency A branch" in page and "Agency B branch" in page


def test_agency_admin_sees_only_their_own(client, city):
    client.login("agency_a")
    page = text(client.get("/organisations/"))
    assert "Agency A branch" in page and "Agency B branch" not in page
    assert 'name="kind"' not in page  # no filters for a list of one
    assert client.get(f"/organisations/{city.agency_a.id}").status_code == 200
    assert client.get(f"/organisations/{city.agency_b.id}").status_code == 404
    assert client.get("/organisations/new").status_code == 403


@pytest.mark.parametrize("who", ["member_a", "resident_a", "leader_a1", "gridlead_a", "rider"])
def test_others_may_not_open_organisations(make_client, city, who):
    c = make_client()
    c.login(who)
    assert c.get("/organisations/").status_code == 403
    assert c.get(f"/organisations/{city.agency_a.id}").status_code == 404
    assert c.get("/organisations/new").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, city):
    assert client.get("/organisations/").status_code == 302
    assert client.get(f"/organisations/{city.agency_a.id}").status_code == 302


def test_filter_by_kind_and_search_by_name(client, city):
    create_organisation("梧桐红马甲志愿服务队", "volunteer_team", city.comm_a)
    create_organisation("澄川物业有限公司党支部", "enterprise", city.street_a)
    create_organisation("100% Service Association", "association", city.street_b)
    db.session.commit()
    client.login("staff_a")
    page = text(client.get("/organisations/?kind=volunteer_team"))
    assert "梧桐红马甲" in page and "Agency A branch" not in page and "澄川物业" not in page
    page = text(client.get("/organisations/?q=党支部"))
    assert "澄川物业" in page and "梧桐" not in page
    page = text(client.get("/organisations/?q=agency&kind=agency"))  # case-insensitive
    assert "Agency A branch" in page and "Agency B branch" in page and "梧桐" not in page
    page = text(client.get("/organisations/?q=%25"))  # a literal %, not a wildcard
    assert "100% Service" in page and "Agency A branch" not in page
    page = text(client.get("/organisations/?q=nothing-like-this"))
    assert "No organisation matches." in page
    page = text(client.get("/organisations/?kind=planet&q=" + "x" * 5000))  # nonsense is ignored or cut, no 500
    assert "No organisation matches." in page
    # htmx applies the filters in place: the list fragment, not the whole page
    fragment = text(client.htmx_get("/organisations/?kind=enterprise"))
    assert "<html" not in fragment and "澄川物业" in fragment and 'id="org-list-wrap"' in fragment


def test_pages_with_load_more(app, client, city, monkeypatch):
    for i in range(23):
        create_organisation(f"Team {i:02d}", "volunteer_team", city.comm_a)
    db.session.commit()
    monkeypatch.setitem(app.config, "ORGANISATION_PAGE_SIZE", 10)
    client.login("admin")
    page = text(client.get("/organisations/"))
    first = org_ids_on(page)
    assert len(first) == 10
    more = re.search(r'href="(/organisations/\?after=[^"]+)"', page).group(1).replace("&amp;", "&")
    r = client.htmx_get(more)
    second = org_ids_on(text(r))
    assert len(second) == 10 and not set(first) & set(second) and "<html" not in text(r)
    assert "<html" in text(client.get(more))  # without JavaScript: a full next page
    third_url = re.search(r'href="(/organisations/\?after=[^"]+)"', text(r)).group(1).replace("&amp;", "&")
    third = org_ids_on(text(client.htmx_get(third_url)))
    assert len(first + second + third) == 25 == len(set(first + second + third))
    names = [db.session.get(Organisation, i).name for i in first + second + third]
    assert names == sorted(names)
    # a filter travels with the cursor
    page = text(client.get("/organisations/?kind=volunteer_team"))
    assert "kind=volunteer_team" in re.search(r'href="(/organisations/\?[^"]*after=[^"]+)"', page).group(1)
    # a tampered cursor starts again from the first page
    assert org_ids_on(text(client.get("/organisations/?after=!!!"))) == first
    assert org_ids_on(text(client.get("/organisations/?after=WzEsMl0"))) == first  # [1,2]: wrong types


def test_bounded_sql_per_list_page(app, client, city, queries):
    client.login("staff_a")
    client.get("/organisations/")

    def statements() -> int:
        with queries() as stmts:
            assert client.get("/organisations/").status_code == 200
        return len(stmts)

    small = statements()
    for i in range(18):
        create_organisation(f"Volunteer team {i}", "volunteer_team", [city.comm_a, city.comm_b, city.street_a][i % 3])
    db.session.commit()
    big = statements()
    assert big == small and big <= 12, (small, big)


def test_the_kind_filter_uses_the_index(city):
    from sqlalchemy import text as sql

    stmt = select(Organisation.id).where(Organisation.kind == "agency").order_by(Organisation.name)
    compiled = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(str(row[-1]) for row in db.session.execute(sql("EXPLAIN QUERY PLAN " + compiled)))
    else:
        db.session.execute(sql("SET LOCAL enable_seqscan = off"))
        plan = " ".join(row[0] for row in db.session.execute(sql("EXPLAIN " + compiled)))
    assert "ix_organisation_kind_name" in plan, plan


# ---------------------------------------------------------------- adding


def test_city_admin_adds_an_organisation(client, city):
    client.login("admin")
    page = text(client.get("/organisations/new"))
    assert 'name="csrf_token"' in page and f'selected value="{city.city.id}"' in page
    r = client.post("/organisations/new", {"name": " 市教育局 机关党支部 ", "kind": "agency", "area_id": city.city.id,
                                           "contact_name": "钱伟", "contact_phone": "0510-86012345"})
    assert r.status_code == 303
    org = db.session.scalar(select(Organisation).where(Organisation.name == "市教育局 机关党支部"))
    assert (org.kind, org.area_id, org.contact_phone) == ("agency", city.city.id, "0510-86012345")
    assert r.headers["Location"].endswith(f"/organisations/{org.id}")
    assert "市教育局 机关党支部 was added." in text(client.get(r.headers["Location"]))
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.created"))
    assert audit.subject_id == org.id and audit.actor_id == city.admin.id


def test_street_admin_adds_within_their_street_only(client, city):
    client.login("street_a")
    page = text(client.get("/organisations/new"))
    assert f'selected value="{city.street_a.id}"' in page and f'value="{city.comm_a.id}"' in page
    assert f'value="{city.street_b.id}"' not in page and f'value="{city.city.id}"' not in page
    r = client.post("/organisations/new", {"name": "梧桐红马甲志愿服务队", "kind": "volunteer_team",
                                           "area_id": city.comm_a.id})
    assert r.status_code == 303
    before = count_orgs()
    for area_id in (city.comm_b.id, city.city.id, city.micro_a1.id, 2**40, "x"):  # outside their reach, or nonsense
        r = client.post("/organisations/new", {"name": f"Elsewhere {area_id}", "kind": "enterprise",
                                               "area_id": area_id})
        assert r.status_code == 200 and "Choose where the organisation sits." in text(r), area_id
    assert count_orgs() == before


def test_community_staff_may_not_add(client, city):
    client.login("staff_a")
    assert client.get("/organisations/new").status_code == 403
    assert client.post("/organisations/new", {"name": "X", "kind": "agency", "area_id": city.comm_a.id}
                       ).status_code == 403
    assert "/organisations/new" not in text(client.get("/organisations/"))


def test_bad_input_is_refused_with_every_message(client, city):
    client.login("admin")
    before = count_orgs()
    r = client.post("/organisations/new", {"name": "", "kind": "club", "area_id": "", "contact_phone": "call me",
                                           "contact_name": "x" * 41})
    page = text(r)
    assert r.status_code == 200
    for message in ("Enter the organisation's name.", "Choose the kind of organisation.",
                    "Choose where the organisation sits.", "Enter a phone number of digits",
                    "A name may be at most 40 characters."):
        assert message in page, message
    r = client.post("/organisations/new", {"name": "agency a BRANCH", "kind": "agency", "area_id": city.city.id})
    assert r.status_code == 200 and "An organisation called “agency a BRANCH” already exists." in text(r)
    r = client.post("/organisations/new", {"name": "n" * 121, "kind": "agency", "area_id": city.city.id})
    assert r.status_code == 200 and "at most 120 characters" in text(r)
    assert count_orgs() == before


def test_double_submit_adds_one_organisation(client, city):
    client.login("admin")
    data = {"name": "Double Tap Team", "kind": "volunteer_team", "area_id": city.comm_a.id}
    assert client.post("/organisations/new", data).status_code == 303
    second = client.post("/organisations/new", data)
    assert second.status_code == 200 and "already exists" in text(second)
    assert db.session.scalar(select(func.count()).select_from(Organisation)
                             .where(Organisation.name == "Double Tap Team")) == 1


# ---------------------------------------------------------------- the organisation's page


def test_page_shows_people_pairings_and_masks_the_phone(client, make_client, city):
    city.agency_a.contact_name, city.agency_a.contact_phone = "赵强", "13800001234"
    db.session.commit()
    client.login("staff_a")
    page = text(client.get(f"/organisations/{city.agency_a.id}"))
    assert "138****1234" in page and "13800001234" not in page and "赵强" in page
    assert "agency_a" in page and "member_a" in page  # display names of the people with roles
    assert "Agency branch administrator" in page and "Party member in service" in page
    assert "Community A" in page  # its pairing
    assert "/edit" not in page and 'name="community_id"' not in page and "/remove" not in page
    for who in ("admin", "agency_a"):
        c = make_client()
        c.login(who)
        assert 'href="tel:13800001234"' in text(c.get(f"/organisations/{city.agency_a.id}"))
    other = make_client()
    other.login("agency_b")
    assert other.get(f"/organisations/{city.agency_a.id}").status_code == 404
    assert client.get("/organisations/99999999999999").status_code == 404


def test_edit(client, make_client, city):
    team = create_organisation("Street A team", "volunteer_team", city.comm_a)
    db.session.commit()
    client.login("street_a")
    page = text(client.get(f"/organisations/{team.id}"))
    assert f'action="/organisations/{team.id}/edit"' in page
    r = client.post(f"/organisations/{team.id}/edit", {
        "edit-name": "Street A red vests", "edit-kind": "volunteer_team", "edit-area_id": city.comm_a2.id,
        "edit-contact_phone": "13900001111"})
    assert r.status_code == 303
    db.session.refresh(team)
    assert (team.name, team.area_id, team.contact_phone) == ("Street A red vests", city.comm_a2.id, "13900001111")
    # a city-level agency is the city's to edit; nor may a street admin move a team out of their street
    assert "/edit" not in text(client.get(f"/organisations/{city.agency_a.id}"))
    assert client.post(f"/organisations/{city.agency_a.id}/edit", {"edit-name": "X"}).status_code == 403
    r = client.post(f"/organisations/{team.id}/edit", {"edit-name": "Street A red vests", "edit-kind": "volunteer_team",
                                                       "edit-area_id": city.comm_b.id}, follow_redirects=True)
    assert r.status_code == 200 and "Choose where the organisation sits." in text(r)
    assert '<details class="action" id="edit" open>' in text(r)  # sent back to the page, the form open at its message
    db.session.refresh(team)
    assert team.area_id == city.comm_a2.id
    staff = make_client()
    staff.login("staff_a")
    assert staff.post(f"/organisations/{team.id}/edit", {"edit-name": "X"}).status_code == 403
    agency = make_client()
    agency.login("agency_a")
    assert agency.post(f"/organisations/{city.agency_a.id}/edit", {"edit-name": "X"}).status_code == 403
    admin = make_client()
    admin.login("admin")
    # the name of another organisation, and an agency with pairings turned into something else, are refused
    r = admin.post(f"/organisations/{team.id}/edit", {"edit-name": "Agency B branch", "edit-kind": "volunteer_team",
                                                      "edit-area_id": city.comm_a2.id}, follow_redirects=True)
    assert r.status_code == 200 and "already exists" in text(r)
    r = admin.post(f"/organisations/{city.agency_a.id}/edit", {
        "edit-name": "Agency A branch", "edit-kind": "enterprise", "edit-area_id": city.city.id}, follow_redirects=True)
    assert r.status_code == 200 and "has pairings, so it stays an agency branch" in text(r)
    db.session.refresh(city.agency_a)
    assert city.agency_a.kind == "agency"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "organisation.updated")) == 1


def test_people_link_to_account_pages_only_when_that_page_exists(app, make_client, city):
    exists = any(e in app.view_functions for e in ("accounts.person", "accounts.user_detail"))
    for who, linked in (("admin", exists), ("agency_a", exists), ("staff_a", False), ("street_a", False)):
        c = make_client()
        c.login(who)
        page = text(c.get(f"/organisations/{city.agency_a.id}"))
        assert (f'href="/users/{city.member_a.id}"' in page) is linked, who


def test_organisations_linked_from_the_area_overview(make_client, city):
    for who, area, shown in [("staff_a", city.comm_a, True), ("street_a", city.street_a, True),
                             ("leader_a1", city.micro_a1, False)]:
        c = make_client()
        c.login(who)
        assert ('href="/organisations/"' in text(c.get(f"/areas/{area.id}"))) is shown, who


def test_an_agency_admin_of_two_branches_sees_both(client, city):
    make_user("twohats", roles=[("agency_admin", city.agency_a), ("agency_admin", city.agency_b)])
    db.session.commit()
    client.login("twohats")
    page = text(client.get("/organisations/"))
    assert "Agency A branch" in page and "Agency B branch" in page


def test_agency_admin_finds_their_organisation_from_home(make_client, city):
    agency = make_client()
    agency.login("agency_a")
    home = text(agency.get("/"))
    assert "Your organisation" in home and f'href="/organisations/{city.agency_a.id}"' in home
    assert "Communities paired in" in home and f'href="/organisations/{city.agency_b.id}"' not in home
    for who in ("staff_a", "resident_a", "member_a"):
        c = make_client()
        c.login(who)
        assert "Your organisation" not in text(c.get("/")), who
