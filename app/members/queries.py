"""Every list and lookup query of the members domain: my reports, the community's queue, the branch's members
and each one's attested service this year."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounts.models import RoleAssignment, User
from app.accounts.scope import STAFF_ROLES, area_scope, org_ids
from app.activities.models import Activity, Attendance
from app.extensions import db
from app.members.models import MemberReport
from app.timeutil import local_date_to_utc, local_today
from app.web.pagination import Page, keyset_page

#: staff's queue and the branch's list, oldest first (ix_member_report_community / ix_member_report_org)
QUEUE_KEYS = [(MemberReport.created_at, "asc"), (MemberReport.id, "asc")]
RECHECK_AFTER_DAYS = 182


def report_options():
    return (selectinload(MemberReport.user), selectinload(MemberReport.area), selectinload(MemberReport.community),
            selectinload(MemberReport.organisation))


def my_reports(user_id: int, limit: int = 10) -> list[MemberReport]:
    return list(db.session.scalars(select(MemberReport).where(MemberReport.user_id == user_id)
                                   .order_by(MemberReport.created_at.desc(), MemberReport.id.desc()).limit(limit)
                                   .options(*report_options())))


def community_page(user, state: str, *, cursor: str | None, size: int) -> Page:
    """Reports to the communities where ``user`` is staff, in one state."""
    stmt = select(MemberReport).where(MemberReport.state == state,
                                      area_scope(user, MemberReport.community_id, STAFF_ROLES))
    return keyset_page(db.session, stmt.options(*report_options()), keys=QUEUE_KEYS, cursor=cursor, size=size)


def pending_count(user) -> int:
    return db.session.scalar(select(func.count(MemberReport.id)).where(
        MemberReport.state == "pending", area_scope(user, MemberReport.community_id, STAFF_ROLES))) or 0


def branch_page(user, *, cursor: str | None, size: int) -> Page:
    """Members of the branches ``user`` administers, with their current report (confirmed or waiting)."""
    stmt = select(MemberReport).where(MemberReport.organisation_id.in_(org_ids(user, "agency_admin") or [0]),
                                      MemberReport.state.in_(("pending", "confirmed")))
    return keyset_page(db.session, stmt.options(*report_options()), keys=QUEUE_KEYS, cursor=cursor, size=size)


def unreported_members(user, limit: int = 50) -> list[User]:
    """Members of the user's branches without a confirmed or waiting report."""
    branches = org_ids(user, "agency_admin") or [0]
    reported = select(MemberReport.user_id).where(MemberReport.state.in_(("pending", "confirmed")))
    return list(db.session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == "member", RoleAssignment.organisation_id.in_(branches),
               User.id.not_in(reported)).order_by(User.display_name, User.id).distinct().limit(limit)))


def minutes_this_year(user_ids: list[int]) -> dict[int, int]:
    """Attested service minutes this (local) year per person — the hours count only once attested."""
    if not user_ids:
        return {}
    start = local_date_to_utc(local_today().replace(month=1, day=1))
    rows = db.session.execute(
        select(Attendance.user_id, func.coalesce(func.sum(Attendance.minutes), 0))
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(Attendance.user_id.in_(user_ids), Activity.attested_at.is_not(None), Activity.starts_at >= start)
        .group_by(Attendance.user_id))
    return {uid: int(m) for uid, m in rows}


def recheck_candidates(now: datetime, limit: int) -> list[MemberReport]:
    from datetime import timedelta

    return list(db.session.scalars(select(MemberReport).where(
        MemberReport.state == "confirmed", MemberReport.recheck_asked_at.is_(None),
        MemberReport.checked_at < now - timedelta(days=RECHECK_AFTER_DAYS))
        .order_by(MemberReport.checked_at, MemberReport.id).limit(limit)))
