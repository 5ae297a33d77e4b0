"""Setting up the territory from the area overview: child areas, names, "1+1+3" teams — who may, and what is refused."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.areas.models import Area, StaffingPost
from app.areas.policy import can_add_child_area, can_edit_area, can_manage_staffing
from app.audit.models import AuditEntry
from app.extensions import db


def children(parent) -> list[str]:
    return list(db.session.scalars(select(Area.name).where(Area.parent_id == parent.id).order_by(Area.id)))


def team(area) -> list[tuple[str, str]]:
    return [(p.post, p.name) for p in db.session.scalars(
        select(StaffingPost).where(StaffingPost.area_id == area.id).order_by(StaffingPost.id))]


def text(response) -> str:
    return response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")


# ---------------------------------------------------------------- policy


def test_policy_reach(city):
    # city admin: anything, the city included
    assert can_edit_area(city.admin, city.city) and can_add_child_area(city.admin, city.city)
    # street admin: within the street, not the street itself
    assert can_add_child_area(city.street_admin_a, city.street_a)
    assert can_edit_area(city.street_admin_a, city.comm_a) and can_edit_area(city.street_admin_a, city.micro_a3)
    assert not can_edit_area(city.street_admin_a, city.street_a)
    assert not can_add_child_area(city.street_admin_a, city.street_b)
    assert not can_edit_area(city.street_admin_a, city.comm_b)
    assert can_manage_staffing(city.street_admin_a, city.micro_a3)
    # community staff: grids and micro-grids of their community only
    assert can_add_child_area(city.staff_a, city.comm_a) and can_add_child_area(city.staff_a, city.grid_a)
    assert can_edit_area(city.staff_a, city.grid_a) and can_edit_area(city.staff_a, city.micro_a1)
    assert not can_edit_area(city.staff_a, city.comm_a)
    assert not can_add_child_area(city.staff_a, city.street_a)
    assert not can_add_child_area(city.staff_a, city.comm_b) and not can_edit_area(city.staff_a, city.grid_b)
    assert not can_add_child_area(city.staff_a, city.comm_a2)
    assert can_manage_staffing(city.staff_a, city.micro_a1) and not can_manage_staffing(city.staff_a, city.micro_b1)
    assert not can_manage_staffing(city.staff_a, city.grid_a)  # only micro-grids have teams
    # a micro-grid has no children; leaders, residents and agency admins set up nothing
    assert not can_add_child_area(city.admin, city.micro_a1)
    for user in (city.grid_leader_a, city.leader_a1, city.resident_a, city.agency_admin_a, city.sentinel):
        assert not can_add_child_area(user, city.grid_a) and not can_edit_area(user, city.micro_a1)
        assert not can_manage_staffing(user, city.micro_a1)


# ---------------------------------------------------------------- child areas


def test_staff_add_a_grid_and_a_micro_grid(client, city):
    client.login("staff_a")
    page = text(client.get(f"/areas/{city.comm_a.id}"))
    assert f'action="/areas/{city.comm_a.id}/children"' in page and "Add a Grid" in page
    r = client.post(f"/areas/{city.comm_a.id}/children", {"child-name": "  Grid  Two ", "child-code": "G-2"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/areas/{city.comm_a.id}")
    grid = db.session.scalar(select(Area).where(Area.name == "Grid Two"))
    assert grid.level == "grid" and grid.parent_id == city.comm_a.id and grid.code == "G-2"
    assert grid.path == city.comm_a.path + f"{grid.id}/"
    assert "Grid Two was added." in text(client.get(f"/areas/{city.comm_a.id}"))
    r = client.post(f"/areas/{grid.id}/children", {"child-name": "一组"})
    assert r.status_code == 303
    assert children(grid) == ["一组"]
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "area.created",
                                                       AuditEntry.subject_id == grid.id))
    assert audit is not None and audit.actor_id == city.staff_a.id and audit.area_id == grid.id


def test_new_areas_come_last_in_set_up_order(client, city):
    client.login("street_a")
    for name in ("二社区", "三社区", "十社区"):
        assert client.post(f"/areas/{city.street_a.id}/children", {"child-name": name}).status_code == 303
    assert children(city.street_a) == ["Community A", "Community A2", "二社区", "三社区", "十社区"]
    client.get(f"/areas/{city.street_a.id}")  # shows the three "was added" messages
    page = text(client.get(f"/areas/{city.street_a.id}"))
    positions = [page.index(n) for n in ("Community A2", "二社区", "三社区", "十社区")]
    assert positions == sorted(positions)


def test_duplicate_and_bad_names_are_refused(client, city):
    client.login("staff_a")
    before = db.session.scalar(select(func.count()).select_from(Area))
    for name, message in [("Grid A", "Community A already has an area called “Grid A”"),
                          ("grid a", "already has an area called"),
                          ("", "Enter a name."),
                          ("x" * 81, "at most 80 characters")]:
        r = client.post(f"/areas/{city.comm_a.id}/children", {"child-name": name}, follow_redirects=True)
        assert r.status_code == 200 and message in text(r), name
        assert 'aria-invalid="true"' in text(r)
    r = client.post(f"/areas/{city.comm_a.id}/children", {"child-name": "Grid 9", "child-code": "has space"},
                    follow_redirects=True)
    assert r.status_code == 200 and "A code has no spaces." in text(r)
    city.grid_b.code = "TAKEN"
    db.session.commit()
    r = client.post(f"/areas/{city.comm_a.id}/children", {"child-name": "Grid 9", "child-code": "TAKEN"},
                    follow_redirects=True)
    assert r.status_code == 200 and "The code TAKEN is already used by another area." in text(r)
    assert db.session.scalar(select(func.count()).select_from(Area)) == before
    # the same name under another parent is fine
    assert client.post(f"/areas/{city.grid_a.id}/children", {"child-name": "Grid A"}).status_code == 303


def test_double_submit_adds_one_area(client, city):
    client.login("staff_a")
    first = client.post(f"/areas/{city.grid_a.id}/children", {"child-name": "三组"})
    second = client.post(f"/areas/{city.grid_a.id}/children", {"child-name": "三组"}, follow_redirects=True)
    assert first.status_code == 303 and second.status_code == 200
    assert "already has an area called “三组”" in text(second)
    assert children(city.grid_a).count("三组") == 1


def test_simultaneous_adds_of_one_name_give_one_area(race, make_client, city):
    n = 6
    url = f"/areas/{city.grid_a.id}/children"
    clients = []
    for _ in range(n):
        c = make_client()
        c.login("staff_a")
        c.token()
        clients.append(c)
    results = race(n, lambda i: clients[i].post(url, {"child-name": "四组"}).status_code)
    assert results == [303] * n, results  # one added; the others sent back to the page with the reason
    assert children(city.grid_a).count("四组") == 1


def test_who_may_add_areas(client, make_client, city):
    staff = client
    staff.login("staff_a")
    # community B is not theirs: not even visible
    assert staff.post(f"/areas/{city.comm_b.id}/children", {"child-name": "X"}).status_code == 404
    assert staff.post(f"/areas/{city.street_a.id}/children", {"child-name": "X"}).status_code == 404
    # a micro-grid has no smaller areas
    assert staff.post(f"/areas/{city.micro_a1.id}/children", {"child-name": "X"}).status_code == 403
    assert "/children" not in text(staff.get(f"/areas/{city.micro_a1.id}"))
    street = make_client()
    street.login("street_a")
    assert street.post(f"/areas/{city.street_a.id}/children", {"child-name": "New community"}).status_code == 303
    assert street.post(f"/areas/{city.street_b.id}/children", {"child-name": "X"}).status_code == 404
    leader = make_client()
    leader.login("gridlead_a")
    page = text(leader.get(f"/areas/{city.grid_a.id}"))
    assert "/children" not in page and "/rename" not in page
    assert leader.post(f"/areas/{city.grid_a.id}/children", {"child-name": "X"}).status_code == 403
    resident = make_client()
    resident.login("resident_a")
    assert resident.post(f"/areas/{city.grid_a.id}/children", {"child-name": "X"}).status_code == 404
    anonymous = make_client()
    assert anonymous.post(f"/areas/{city.grid_a.id}/children", {"child-name": "X"}).status_code == 302
    assert "X" not in children(city.grid_a) and children(city.street_a)[-1] == "New community"


def test_forms_need_a_csrf_token_and_huge_ids_are_not_found(client, city):
    client.login("admin")
    r = client.post(f"/areas/{city.comm_a.id}/children", {"child-name": "X"}, csrf=False)
    assert r.status_code == 400
    assert client.post("/areas/99999999999999999999/children", {"child-name": "X"}).status_code == 404
    assert client.post(f"/areas/{2**31}/rename", {"rename-name": "X"}).status_code == 404
    assert client.post(f"/areas/{city.micro_a1.id}/staffing/{2**40}/remove").status_code == 404


# ---------------------------------------------------------------- renaming


def test_rename(client, make_client, city):
    client.login("staff_a")
    assert "/rename" not in text(client.get(f"/areas/{city.comm_a.id}"))  # not their own community
    assert client.post(f"/areas/{city.comm_a.id}/rename", {"rename-name": "Mine"}).status_code == 403
    page = text(client.get(f"/areas/{city.grid_a.id}"))
    assert f'action="/areas/{city.grid_a.id}/rename"' in page and 'value="Grid A"' in page
    r = client.post(f"/areas/{city.grid_a.id}/rename", {"rename-name": "东片", "rename-code": "E1"})
    assert r.status_code == 303
    db.session.refresh(city.grid_a)
    assert (city.grid_a.name, city.grid_a.code) == ("东片", "E1")
    assert client.post(f"/areas/{city.grid_a.id}/rename", {"rename-name": "东片", "rename-code": "E1"}
                       ).status_code == 303  # nothing changed: still fine
    assert "Nothing was changed." in text(client.get(f"/areas/{city.grid_a.id}"))
    # two micro-grids of one grid cannot share a name
    r = client.post(f"/areas/{city.micro_a2.id}/rename", {"rename-name": "Micro A1"}, follow_redirects=True)
    assert r.status_code == 200 and "Grid A already has" not in text(r) and "东片 already has an area called" in text(r)
    assert db.session.get(Area, city.micro_a2.id).name == "Micro A2"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "area.renamed")
                             ) == 1
    street = make_client()
    street.login("street_a")
    assert street.post(f"/areas/{city.street_a.id}/rename", {"rename-name": "Mine"}).status_code == 403
    assert street.post(f"/areas/{city.comm_a.id}/rename", {"rename-name": "社区甲"}).status_code == 303
    admin = make_client()
    admin.login("admin")
    assert admin.post(f"/areas/{city.street_a.id}/rename", {"rename-name": "甲街道"}).status_code == 303
    assert admin.post(f"/areas/{city.city.id}/rename", {"rename-name": "澄川市"}).status_code == 303
    assert [a.name for a in db.session.get(Area, city.micro_a1.id).lineage()][:3] == ["澄川市", "甲街道", "社区甲"]


# ---------------------------------------------------------------- "1+1+3"


def test_team_of_one_plus_one_plus_three(client, city):
    client.login("staff_a")
    url = f"/areas/{city.micro_a1.id}"
    page = text(client.get(url))
    assert "1+1+3 incomplete" in page and f'action="{url}/staffing"' in page
    for post, name in [("backbone", "王书记"), ("liaison", "李联络"), ("volunteer", "张一"), ("volunteer", "张二")]:
        r = client.post(f"{url}/staffing", {"staff-post": post, "staff-name": name})
        assert r.status_code == 303 and r.headers["Location"].endswith(url)
    page = text(client.get(url))
    assert "1+1+3 incomplete" in page and "Missing: Volunteer × 1" in page and "王书记" in page
    assert "1+1+3 incomplete" in text(client.get(f"/areas/{city.grid_a.id}"))
    assert client.post(f"{url}/staffing", {"staff-post": "volunteer", "staff-name": "张三"}).status_code == 303
    page = text(client.get(url))
    assert "1+1+3 complete" in page and "1+1+3 incomplete" not in page
    grid_page = text(client.get(f"/areas/{city.grid_a.id}"))
    assert grid_page.index("Micro A1") < grid_page.index("1+1+3 complete") < grid_page.index("Micro A2")
    # the posts are full: a sixth person is refused with the reason
    r = client.post(f"{url}/staffing", {"staff-post": "liaison", "staff-name": "赵六"}, follow_redirects=True)
    assert r.status_code == 200 and "already has 1 × Liaison" in text(r)
    r = client.post(f"{url}/staffing", {"staff-post": "volunteer", "staff-name": "赵六"}, follow_redirects=True)
    assert r.status_code == 200 and "already has 3 × Volunteer" in text(r)
    assert len(team(city.micro_a1)) == 5
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "area.staffing_added")) == 5
    # removing one makes it incomplete again
    liaison = db.session.scalar(select(StaffingPost.id).where(StaffingPost.area_id == city.micro_a1.id,
                                                              StaffingPost.post == "liaison"))
    r = client.post(f"{url}/staffing/{liaison}/remove")
    assert r.status_code == 303
    assert "李联络 is no longer Liaison here." in text(client.get(url))
    assert "Missing: Liaison × 1" in text(client.get(url))
    again = client.post(f"{url}/staffing/{liaison}/remove")  # a double tap
    assert again.status_code == 303 and "already removed" in text(client.get(url))


def test_team_member_linked_to_an_account_in_the_community(client, city):
    client.login("staff_a")
    url = f"/areas/{city.micro_a1.id}/staffing"
    r = client.post(url, {"staff-post": "backbone", "staff-account": "RESIDENT_A2"})
    assert r.status_code == 303  # lives in micro-grid A2 of the same community; username ignores case
    row = db.session.scalar(select(StaffingPost).where(StaffingPost.area_id == city.micro_a1.id))
    assert (row.user_id, row.name) == (city.resident_a2.id, "李四")  # the name comes from the account
    r = client.post(url, {"staff-post": "liaison", "staff-name": "王小明", "staff-account": city.resident_a.mobile})
    assert r.status_code == 303
    # the same account twice on one team is refused
    r = client.post(url, {"staff-post": "volunteer", "staff-account": "resident_a2"}, follow_redirects=True)
    assert r.status_code == 200 and "李四 is already on this team as Party backbone." in text(r)
    # someone living in another community is not found — and the form does not tell whether they exist
    for login in ("resident_b", city.resident_b.mobile, "nobody_here"):
        r = client.post(url, {"staff-post": "volunteer", "staff-name": "Z", "staff-account": login},
                        follow_redirects=True)
        assert r.status_code == 200 and "No account with this username or mobile number lives in Community A" in text(r)
    assert len(team(city.micro_a1)) == 2
    assert "has an account" in text(client.get(f"/areas/{city.micro_a1.id}"))


def test_bad_team_input_changes_nothing(client, city):
    client.login("staff_a")
    url = f"/areas/{city.micro_a1.id}/staffing"
    for data, message in [({"staff-post": "boss", "staff-name": "A"}, "Choose a post."),
                          ({"staff-post": "volunteer", "staff-name": ""}, "Enter the person's name, or their account."),
                          ({"staff-post": "volunteer", "staff-name": "x" * 41}, "at most 40 characters"),
                          ({"staff-post": "volunteer", "staff-account": "y" * 500}, "No account with this")]:
        r = client.post(url, data, follow_redirects=True)
        assert r.status_code == 200 and message in text(r), data
    assert client.post(url, {"staff-post": "volunteer", "staff-name": "张一"}).status_code == 303
    r = client.post(url, {"staff-post": "volunteer", "staff-name": "张一"}, follow_redirects=True)  # a double tap
    assert r.status_code == 200 and "张一 is already on this post." in text(r)
    assert team(city.micro_a1) == [("volunteer", "张一")]


@pytest.mark.parametrize("who,status", [("staff_b", 404), ("leader_a1", 403), ("gridlead_a", 403),
                                        ("resident_a", 404), ("agency_a", 404)])
def test_who_may_not_change_a_team(make_client, city, who, status):
    row = StaffingPost(area_id=city.micro_a1.id, post="volunteer", name="张一")
    db.session.add(row)
    db.session.commit()
    c = make_client()
    c.login(who)
    url = f"/areas/{city.micro_a1.id}"
    assert c.post(f"{url}/staffing", {"staff-post": "backbone", "staff-name": "X"}).status_code == status
    assert c.post(f"{url}/staffing/{row.id}/remove").status_code == status
    if status == 403:  # sees the team, but no form and no remove button
        page = text(c.get(url))
        assert "张一" in page and "/staffing" not in page
    assert team(city.micro_a1) == [("volunteer", "张一")]


def test_a_post_of_another_micro_grid_is_not_removed_through_this_one(client, city):
    other = StaffingPost(area_id=city.micro_a2.id, post="volunteer", name="别组")
    db.session.add(other)
    db.session.commit()
    client.login("staff_a")
    assert client.post(f"/areas/{city.micro_a1.id}/staffing/{other.id}/remove").status_code == 404
    assert team(city.micro_a2) == [("volunteer", "别组")]


def test_street_admin_keeps_teams_in_their_street(make_client, city):
    c = make_client()
    c.login("street_a")
    assert c.post(f"/areas/{city.micro_a3.id}/staffing", {"staff-post": "backbone", "staff-name": "甲"}
                  ).status_code == 303
    assert c.post(f"/areas/{city.micro_b1.id}/staffing", {"staff-post": "backbone", "staff-name": "乙"}
                  ).status_code == 404
    assert team(city.micro_b1) == []


def test_overview_in_chinese(client, city):
    client.login("staff_a")
    page = client.get(f"/areas/{city.micro_a1.id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "党员骨干" in page and "联络员" in page and "志愿者" in page and "添加" in page
