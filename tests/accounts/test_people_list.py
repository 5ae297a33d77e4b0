"""/users/: who may open it, whom each role sees, search and role filter, masking, keyset pages, bounded queries."""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from tests.factories import make_user

FORBIDDEN = ["gridlead_a", "leader_a1", "member_a", "resident_a", "rider"]


def names_on(body: str) -> set[str]:
    return set(re.findall(r'<h3><a href="/users/\d+">([^<]+)</a></h3>', body))


@pytest.mark.parametrize("username", FORBIDDEN)
def test_people_pages_are_for_people_admins_only(client, city, username):
    client.login(username)
    assert client.get("/users/").status_code == 403
    assert client.get("/users/new").status_code == 403
    assert client.get(f"/users/{city.resident_a.id}").status_code == 403
    assert client.post(f"/users/{city.resident_a.id}/password").status_code == 403
    assert client.post(f"/users/{city.resident_a.id}/deactivate").status_code == 403
    me = client.get("/me").get_data(as_text=True)
    assert 'href="/users/"' not in me


def test_anonymous_is_sent_to_sign_in(client, city):
    r = client.get("/users/")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


def test_city_admin_sees_everyone(client, city):
    client.login("admin")
    names = names_on(client.get("/users/").get_data(as_text=True))
    assert {"staff_a", "staff_b", "王小明", "张三", "agency_b", "rider", "admin"} <= names


def test_street_admin_sees_their_street_only(client, city):
    client.login("street_a")
    names = names_on(client.get("/users/").get_data(as_text=True))
    assert {"staff_a", "gridlead_a", "leader_a1", "member_a", "王小明", "李四", "rider"} <= names
    assert not names & {"staff_b", "member_b", "张三", "agency_a", "admin"}
    assert client.get(f"/users/{city.resident_b.id}").status_code == 404
    assert client.get(f"/users/{city.staff_b.id}").status_code == 404


def test_community_staff_sees_their_community_only(client, city):
    client.login("staff_a")
    names = names_on(client.get("/users/").get_data(as_text=True))
    assert {"gridlead_a", "leader_a1", "leader_a2", "member_a", "王小明", "李四"} <= names
    # the sentinel holds the role on the street, above the community; street B is somebody else's
    assert not names & {"rider", "street_a", "staff_b", "张三", "member_b"}
    assert client.get(f"/users/{city.sentinel.id}").status_code == 404
    assert client.get(f"/users/{city.resident_b.id}").status_code == 404


def test_agency_admin_sees_the_members_of_their_branch_only(client, city):
    client.login("agency_a")
    names = names_on(client.get("/users/").get_data(as_text=True))
    assert names == {"agency_a", "member_a"}
    assert client.get(f"/users/{city.member_b.id}").status_code == 404
    assert client.get(f"/users/{city.resident_a.id}").status_code == 404


def test_mobile_numbers_are_masked_in_the_list(client, city):
    city.resident_a.mobile = "13912345678"
    db.session.commit()
    client.login("staff_a")
    body = client.get("/users/").get_data(as_text=True)
    assert "13912345678" not in body and "139****5678" in body


def test_search_by_name_username_and_exact_mobile(client, city):
    city.resident_a.mobile = "13912345678"
    db.session.commit()
    client.login("staff_a")
    assert names_on(client.get("/users/?q=小明").get_data(as_text=True)) == {"王小明"}
    assert names_on(client.get("/users/?q=RESIDENT_A2").get_data(as_text=True)) == {"李四"}
    assert names_on(client.get("/users/?q=13912345678").get_data(as_text=True)) == {"王小明"}
    # a number is found by all its digits, never by a part of them
    body = client.get("/users/?q=1391234").get_data(as_text=True)
    assert names_on(body) == set() and "Nobody matches this search." in body
    # a street B resident stays invisible, however exactly they are searched for
    city.resident_b.mobile = "13987654321"
    db.session.commit()
    assert names_on(client.get("/users/?q=13987654321").get_data(as_text=True)) == set()
    assert names_on(client.get("/users/?q=%25").get_data(as_text=True)) == set()  # LIKE wildcards are literal


def test_role_filter(client, city):
    client.login("street_a")
    body = client.get("/users/?role=microgrid_leader").get_data(as_text=True)
    assert names_on(body) == {"leader_a1", "leader_a2"}
    assert names_on(client.get("/users/?role=sentinel").get_data(as_text=True)) == {"rider"}
    # an unknown role is no filter at all
    assert "王小明" in names_on(client.get("/users/?role=overlord").get_data(as_text=True))


def _many(city, n: int) -> None:
    for i in range(n):
        make_user(f"extra{i:03d}", home=city.micro_a3, name=f"居民{i:03d}")
    db.session.commit()


def test_keyset_pages_with_load_more_and_a_plain_next_link(app, client, city, monkeypatch):
    _many(city, 12)
    monkeypatch.setitem(app.config, "PEOPLE_PAGE_SIZE", 5)
    client.login("street_a")
    seen: list[str] = []
    url = "/users/?role=&q="
    body = client.get(url).get_data(as_text=True)
    assert "<html" in body
    for _ in range(10):
        seen += sorted(names_on(body), reverse=True)
        match = re.search(r'class="btn btn-ghost" href="([^"]+)" hx-get="([^"]+)"', body)
        if not match:
            break
        assert match.group(1) == match.group(2)  # without JavaScript the same URL is a plain link
        url = match.group(1).replace("&amp;", "&")
        fragment = client.htmx_get(url).get_data(as_text=True)
        assert "<html" not in fragment
        body = client.get(url).get_data(as_text=True)  # the plain next page: a full page
        assert "<html" in body and names_on(body) == names_on(fragment)
    assert len(seen) == len(set(seen))
    assert {f"居民{i:03d}" for i in range(12)} <= set(seen)


def test_a_tampered_cursor_starts_again(client, city):
    client.login("staff_a")
    for cursor in ("zzz", "WzEsMl0", "Wzk5OTk5OTk5OTk5OTk5OTldXQ"):
        assert client.get(f"/users/?after={cursor}").status_code == 200


def test_the_number_of_queries_does_not_grow_with_the_page(app, client, city, queries, monkeypatch):
    _many(city, 30)
    for i, user in enumerate([city.resident_a, city.resident_a2]):
        user.display_name = f"居民X{i}"
    db.session.commit()
    client.login("street_a")
    counts = {}
    for size in (3, 25):
        monkeypatch.setitem(app.config, "PEOPLE_PAGE_SIZE", size)
        client.get("/users/")  # warm up (the session, the role cache)
        with queries() as statements:
            r = client.get("/users/")
        assert r.status_code == 200
        assert len(names_on(r.get_data(as_text=True))) == size
        counts[size] = len(statements)
    assert counts[3] == counts[25], counts
    assert counts[25] <= 12, counts


def test_me_links_to_people_for_people_admins(client, city):
    for username in ("admin", "street_a", "staff_a", "agency_a"):
        client.login(username)
        assert 'href="/users/"' in client.get("/me").get_data(as_text=True), username
        assert "People and roles" in client.get("/").get_data(as_text=True), username
        client.logout()
    client.login("resident_a")
    assert "People and roles" not in client.get("/").get_data(as_text=True)


def test_the_list_speaks_chinese(client, city):
    client.login("staff_a")
    body = client.get("/users/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "人员管理" in body and "新建账号" in body and "查找" in body
