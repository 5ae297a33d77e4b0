"""Who may do what with member reports — pure functions for routes (403/404) and templates (absent buttons)."""
from __future__ import annotations

from app.accounts.scope import STAFF_ROLES, assignments, holds_area_role, holds_org_role, is_city_admin


def _authed(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def member_branches(user) -> list[int]:
    """The branches in which ``user`` is a party member."""
    if not _authed(user):
        return []
    return [a.organisation_id for a in assignments(user) if a.role == "member" and a.organisation_id]


def can_report(user) -> bool:
    """A party member (a ``member`` role of a branch) reports to the community they live in."""
    return bool(member_branches(user))


def is_report_staff(user, report) -> bool:
    """Staff of the community reported to (or its street, or a city admin)."""
    return _authed(user) and holds_area_role(user, STAFF_ROLES, report.community)


def is_report_branch_admin(user, report) -> bool:
    return _authed(user) and holds_org_role(user, "agency_admin", report.organisation_id)


def can_view_report(user, report) -> bool:
    return _authed(user) and (report.user_id == user.id or is_report_staff(user, report)
                              or is_report_branch_admin(user, report))


def can_decide_report(user, report) -> bool:
    return report.state == "pending" and is_report_staff(user, report)


def can_affirm_report(user, report) -> bool:
    """The member says the residence still holds (the half-yearly check)."""
    return _authed(user) and report.user_id == user.id and report.state == "confirmed"


def can_review_reports(user) -> bool:
    return _authed(user) and (is_city_admin(user) or any(a.role in STAFF_ROLES for a in assignments(user)))


def can_view_branch_reports(user) -> bool:
    return _authed(user) and any(a.role == "agency_admin" for a in assignments(user))
