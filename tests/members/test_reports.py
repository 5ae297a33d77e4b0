"""Reporting (三报到三服务): one active residence, staff of another community cannot confirm, the branch sees only
its members, a confirmed report becomes the home area, refusals need a reason, bad places are refused."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.extensions import db
from app.jobs import run_all
from app.members.models import MemberReport
from app.timeutil import utcnow


def _report(client, area, **extra):
    data = {"area_id": str(area.id), "address": "Building 3, flat 502", "services": ["policy", "volunteering"],
            "availability": "evenings", **extra}
    return client.post("/members/report", data=data)


def _rows(user_id):
    db.session.expire_all()
    return list(db.session.scalars(select(MemberReport).where(MemberReport.user_id == user_id)
                                   .order_by(MemberReport.id)))


def test_report_confirm_sets_home_and_moving_ends_the_old_one(make_client, city):
    member, staff, staff_b = make_client(), make_client(), make_client()
    member.login("member_a")
    staff.login("staff_a")
    staff_b.login("staff_b")
    assert _report(member, city.micro_a1).status_code == 303
    row = _rows(city.member_a.id)[0]
    assert staff_b.post(f"/members/reports/{row.id}/confirm").status_code == 404  # another community's staff
    assert staff.post(f"/members/reports/{row.id}/confirm").status_code == 303
    db.session.expire_all()
    assert db.session.get(User, city.member_a.id).home_area_id == city.micro_a1.id
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "member.home_area_set")) == 1
    # moving: report anew (to community B); the old residence ends when staff there confirm
    assert _report(member, city.micro_b1).status_code == 303
    new = _rows(city.member_a.id)[-1]
    assert staff_b.post(f"/members/reports/{new.id}/confirm").status_code == 303
    states = [r.state for r in _rows(city.member_a.id)]
    assert states == ["ended", "confirmed"]


def test_the_database_allows_one_confirmed_residence(city):
    for _ in range(2):
        db.session.add(MemberReport(user_id=city.member_a.id, area_id=city.micro_a1.id, community_id=city.comm_a.id,
                                    address="x", state="confirmed"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_bad_input_is_refused_with_nothing_changed(make_client, city):
    member = make_client()
    member.login("member_a")
    r = member.post("/members/report", data={"area_id": "999999", "address": "x", "services": ["policy"]})
    assert r.status_code == 200 and "Please choose the micro-grid" in r.get_data(as_text=True)
    r = _report(member, city.comm_a)  # a community, not a micro-grid
    assert "Please choose the micro-grid" in r.get_data(as_text=True)
    r = _report(member, city.micro_a1, services=["bogus"])
    assert "at least one service" in r.get_data(as_text=True)
    assert _rows(city.member_a.id) == []
    resident = make_client()
    resident.login("resident_a")
    assert resident.get("/members/report").status_code == 403


def test_refusal_needs_a_reason(make_client, city):
    member, staff = make_client(), make_client()
    member.login("member_a")
    staff.login("staff_a")
    _report(member, city.micro_a1)
    row = _rows(city.member_a.id)[0]
    r = staff.htmx_post(f"/members/reports/{row.id}/refuse", data={"refuse-reason": " "})
    assert "Please give the reason" in r.get_data(as_text=True)
    assert _rows(city.member_a.id)[0].state == "pending"
    staff.post(f"/members/reports/{row.id}/refuse", data={"refuse-reason": "Not in this community"})
    assert _rows(city.member_a.id)[0].state == "refused"


def test_the_branch_sees_only_its_members(make_client, city):
    for name, area in (("member_a", city.micro_a1), ("member_b", city.micro_b1)):
        c = make_client()
        c.login(name)
        _report(c, area)
    admin = make_client()
    admin.login("agency_a")
    body = admin.get("/members/branch").get_data(as_text=True)
    assert "member_a" in body and "member_b" not in body
    staff = make_client()
    staff.login("staff_a")
    body = staff.get("/members/reports").get_data(as_text=True)
    assert "member_a" in body and "member_b" not in body


def test_half_yearly_recheck_asks_once(make_client, city):
    row = MemberReport(user_id=city.member_a.id, area_id=city.micro_a1.id, community_id=city.comm_a.id,
                       address="x", state="confirmed", checked_at=utcnow() - timedelta(days=200))
    db.session.add(row)
    db.session.commit()
    run_all()
    run_all()
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "member.recheck_due")) == 1
    member = make_client()
    member.login("member_a")
    assert "still live here" in member.get("/members/report").get_data(as_text=True)
    assert member.post(f"/members/report/{row.id}/affirm").status_code == 303
    assert _rows(city.member_a.id)[0].recheck_asked_at is None
