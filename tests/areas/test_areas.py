"""The area tree, scoped roles and the area overview page."""
import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.scope import area_scope, holds_area_role, holds_org_role, is_city_admin
from app.areas.models import Area, StaffingPost
from app.areas.policy import can_manage_area, can_view_area
from app.areas.services import AreaError, create_area, staffing_status
from app.extensions import db


def test_paths_and_subtree(city):
    ids = [city.city.id, city.street_a.id, city.comm_a.id, city.grid_a.id, city.micro_a1.id]
    assert city.micro_a1.path == "/" + "/".join(map(str, ids)) + "/"
    names = set(db.session.scalars(select(Area.name).where(Area.in_subtree(city.comm_a.path))))
    assert names == {"Community A", "Grid A", "Micro A1", "Micro A2"}
    assert city.micro_a1.is_within(city.street_a) and not city.micro_a1.is_within(city.street_b)
    assert [a.name for a in city.micro_a1.lineage()] == ["Test City", "Street A", "Community A", "Grid A", "Micro A1"]
    assert city.micro_a1.ancestor_at("community") == city.comm_a


def test_path_prefix_does_not_leak_into_sibling_ids(city):
    """/1/2/ must not match /1/23/: paths end with a slash."""
    siblings = [create_area(f"S{i}", "street", city.city) for i in range(12)]
    db.session.flush()
    ids = set(db.session.scalars(select(Area.id).where(Area.in_subtree(siblings[0].path))))
    assert ids == {siblings[0].id}


def test_tree_rules(city):
    with pytest.raises(AreaError):
        create_area("bad", "microgrid", city.comm_a)
    with pytest.raises(AreaError):
        create_area("bad", "street")
    with pytest.raises(AreaError):
        create_area("bad", "planet", city.city)


def test_level_labels_configurable(app, city, monkeypatch):
    from flask_babel import force_locale

    with force_locale("en"):
        assert city.grid_a.level_label == "Grid"
    with force_locale("zh_CN"):
        assert city.grid_a.level_label == "网格"
        monkeypatch.setitem(app.config, "AREA_LEVEL_LABELS", {"grid": "片", "microgrid": "组"})
        assert city.grid_a.level_label == "片" and city.micro_a1.level_label == "组"


def test_one_plus_one_plus_three(city):
    for post, name in [("backbone", "A"), ("liaison", "B"), ("volunteer", "C"), ("volunteer", "D")]:
        db.session.add(StaffingPost(area_id=city.micro_a1.id, post=post, name=name))
    db.session.flush()
    status = staffing_status([city.micro_a1.id, city.micro_a2.id])
    assert not status[city.micro_a1.id]["complete"]
    assert status[city.micro_a1.id]["missing"] == {"volunteer": 1}
    db.session.add(StaffingPost(area_id=city.micro_a1.id, post="volunteer", name="E"))
    db.session.flush()
    status = staffing_status([city.micro_a1.id, city.micro_a2.id])
    assert status[city.micro_a1.id]["complete"]
    assert status[city.micro_a2.id]["missing"] == {"backbone": 1, "liaison": 1, "volunteer": 3}


def test_roles_reach_their_subtree_only(city):
    assert holds_area_role(city.staff_a, "community_staff", city.micro_a2)
    assert not holds_area_role(city.staff_a, "community_staff", city.micro_b1)
    assert not holds_area_role(city.staff_a, "community_staff", city.street_a)  # not upwards
    assert holds_area_role(city.street_admin_a, "street_admin", city.micro_a3)
    assert holds_area_role(city.admin, "community_staff", city.micro_b1)  # city admin: everywhere
    assert is_city_admin(city.admin) and not is_city_admin(city.staff_a)
    assert holds_org_role(city.agency_admin_a, "agency_admin", city.agency_a.id)
    assert not holds_org_role(city.agency_admin_a, "agency_admin", city.agency_b.id)
    assert can_manage_area(city.staff_a, city.micro_a1) and not can_manage_area(city.staff_b, city.micro_a1)
    assert can_view_area(city.leader_a1, city.micro_a1) and not can_view_area(city.leader_a1, city.micro_a2)


def test_area_scope_filters_queries(city):
    def visible(user):
        return set(db.session.scalars(
            select(User.username).where(area_scope(user, User.home_area_id, ("community_staff", "street_admin")))
        ))

    assert "resident_a" in visible(city.staff_a) and "resident_b" not in visible(city.staff_a)
    assert "resident_b" in visible(city.staff_b) and "resident_a" not in visible(city.staff_b)
    assert visible(city.resident_a) == set()
    assert {"resident_a", "resident_b"} <= visible(city.admin)


def test_area_overview_scoped(client, make_client, city):
    client.login("staff_a")
    r = client.get(f"/areas/{city.comm_a.id}")
    assert r.status_code == 200 and "Grid A" in r.get_data(as_text=True)
    assert client.get(f"/areas/{city.comm_b.id}").status_code == 404
    assert client.get(f"/areas/{city.micro_b1.id}").status_code == 404
    assert client.get("/areas/999999").status_code == 404
    # the home page links only to areas the user may open
    home = client.get("/").get_data(as_text=True)
    assert f"/areas/{city.comm_a.id}" in home and f"/areas/{city.comm_b.id}" not in home
    leader = make_client()
    leader.login("leader_a1")
    assert leader.get(f"/areas/{city.micro_a1.id}").status_code == 200
    assert leader.get(f"/areas/{city.micro_a2.id}").status_code == 404
    resident = make_client()
    resident.login("resident_a")
    assert resident.get(f"/areas/{city.micro_a1.id}").status_code == 404
    assert "/areas/" not in resident.get("/").get_data(as_text=True)
    anonymous = make_client()
    assert anonymous.get(f"/areas/{city.comm_a.id}").status_code == 302


def test_home_lists_staffing_gaps_for_staff_only(client, make_client, city):
    client.login("staff_a")
    html = client.get("/").get_data(as_text=True)
    assert '"1+1+3" teams incomplete' in html.replace("&#34;", '"') and "Micro A1" in html
    resident = make_client()
    resident.login("resident_a")
    assert "1+1+3" not in resident.get("/").get_data(as_text=True)


def test_subtree_query_uses_the_path_index(city):
    """The range form of the prefix query is an index range scan (LIKE would not be on SQLite)."""
    from sqlalchemy import text

    stmt = select(Area.id).where(Area.in_subtree(city.comm_a.path))
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(str(row[-1]) for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
        assert "ix_area_path" in plan and "SCAN area" not in plan.replace("USING", ""), plan
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(row[0] for row in db.session.execute(text("EXPLAIN " + sql)))
        assert "ix_area_path" in plan, plan


def test_siblings_are_listed_in_the_order_they_were_set_up(client, city):
    """一组, 二组, 三组 — not 一组, 三组, 二组 as sorting by name would give; the same in the picker and overview."""
    for name in ("一组", "二组", "三组", "十一组"):
        create_area(name, "microgrid", city.grid_b)
    db.session.commit()
    page = client.htmx_get(f"/areas/picker?street={city.street_b.id}&community={city.comm_b.id}"
                           f"&grid={city.grid_b.id}").get_data(as_text=True)
    positions = [page.index(f">{name}<") for name in ("Micro B1", "一组", "二组", "三组", "十一组")]
    assert positions == sorted(positions)
    client.login("staff_b")
    page = client.get(f"/areas/{city.grid_b.id}").get_data(as_text=True)
    positions = [page.index(name) for name in ("一组", "二组", "三组", "十一组")]
    assert positions == sorted(positions)
