"""Factories for areas, organisations and users. Password for every factory user: demo12345."""
from __future__ import annotations

from types import SimpleNamespace

from app.accounts.services import create_user, grant_role
from app.areas.services import create_area
from app.extensions import db
from app.organisations.services import create_organisation, pair
from app.timeutil import local_today

PASSWORD = "demo12345"
_seq = {"n": 0}


def next_mobile() -> str:
    _seq["n"] += 1
    return f"137{_seq['n']:08d}"


def make_user(username: str, *, home=None, roles=(), name: str | None = None, mobile: str | None = None):
    user = create_user(username=username, display_name=name or username, password=PASSWORD,
                       mobile=mobile or next_mobile(), home_area=home)
    for role, scope in roles:
        if role in ("agency_admin", "member"):
            grant_role(user, role, organisation=scope)
        else:
            grant_role(user, role, area=scope)
    return user


def build_city() -> SimpleNamespace:
    """city ─ street_a ─ comm_a ─ grid_a ─ micro_a1, micro_a2
                       └ comm_a2 ─ grid_a2 ─ micro_a3
             └ street_b ─ comm_b ─ grid_b ─ micro_b1"""
    c = SimpleNamespace()
    c.city = create_area("Test City", "city")
    c.street_a = create_area("Street A", "street", c.city)
    c.street_b = create_area("Street B", "street", c.city)
    c.comm_a = create_area("Community A", "community", c.street_a)
    c.comm_a2 = create_area("Community A2", "community", c.street_a)
    c.comm_b = create_area("Community B", "community", c.street_b)
    c.grid_a = create_area("Grid A", "grid", c.comm_a)
    c.grid_a2 = create_area("Grid A2", "grid", c.comm_a2)
    c.grid_b = create_area("Grid B", "grid", c.comm_b)
    c.micro_a1 = create_area("Micro A1", "microgrid", c.grid_a)
    c.micro_a2 = create_area("Micro A2", "microgrid", c.grid_a)
    c.micro_a3 = create_area("Micro A3", "microgrid", c.grid_a2)
    c.micro_b1 = create_area("Micro B1", "microgrid", c.grid_b)

    c.agency_a = create_organisation("Agency A branch", "agency", c.city)
    c.agency_b = create_organisation("Agency B branch", "agency", c.city)
    c.pairing_a = pair(c.agency_a, c.comm_a, local_today().year)
    c.pairing_b = pair(c.agency_b, c.comm_b, local_today().year)

    c.admin = make_user("admin", roles=[("city_admin", None)])
    c.street_admin_a = make_user("street_a", roles=[("street_admin", c.street_a)])
    c.staff_a = make_user("staff_a", home=c.micro_a1, roles=[("community_staff", c.comm_a)])
    c.staff_b = make_user("staff_b", home=c.micro_b1, roles=[("community_staff", c.comm_b)])
    c.grid_leader_a = make_user("gridlead_a", home=c.micro_a1, roles=[("grid_leader", c.grid_a)])
    c.leader_a1 = make_user("leader_a1", home=c.micro_a1, roles=[("microgrid_leader", c.micro_a1)])
    c.leader_a2 = make_user("leader_a2", home=c.micro_a2, roles=[("microgrid_leader", c.micro_a2)])
    c.agency_admin_a = make_user("agency_a", roles=[("agency_admin", c.agency_a)])
    c.agency_admin_b = make_user("agency_b", roles=[("agency_admin", c.agency_b)])
    c.member_a = make_user("member_a", home=c.micro_a2, roles=[("member", c.agency_a)])
    c.member_b = make_user("member_b", home=c.micro_b1, roles=[("member", c.agency_b)])
    c.resident_a = make_user("resident_a", home=c.micro_a1, name="王小明")
    c.resident_a2 = make_user("resident_a2", home=c.micro_a2, name="李四")
    c.resident_b = make_user("resident_b", home=c.micro_b1, name="张三")
    c.sentinel = make_user("rider", roles=[("sentinel", c.street_a)])
    db.session.commit()
    return c
