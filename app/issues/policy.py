"""Who may see and do what with an issue. Pure functions, used by routes and templates (absent buttons) alike.

Handling rule: a person may act on an issue when they hold a handling role on the issue's area (or an ancestor)
whose level is at least the issue's current level — the micro-grid leader at micro-grid level, the grid leader
up to grid level, community staff up to community level, the street up to street level. Supervisors can
always step in below their level; nobody acts above theirs (that is what escalation is for).
"""
from __future__ import annotations

from app.accounts.scope import STAFF_ROLES, assignments, holds_area_role, is_city_admin, role_areas
from app.issues.models import (
    ACTIVE_STATES,
    HANDLER_ROLES,
    LEVEL_RANK,
    ROLE_TOP_LEVEL,
    next_level,
)


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def rank_from(roles, area) -> int:
    """The highest level rank (0 micro-grid … 3 street) that the role assignments ``roles`` give on ``area``;
    -1 for none."""
    if area is None:
        return -1
    best = -1
    for a in roles:
        if a.role == "city_admin":
            best = max(best, LEVEL_RANK["street"])
        elif a.role in HANDLER_ROLES and a.area is not None and area.path.startswith(a.area.path):
            best = max(best, LEVEL_RANK[ROLE_TOP_LEVEL[a.role]])
    return best


def handling_rank(user, area) -> int:
    """The highest level rank (0 micro-grid … 3 street) at which ``user`` may act on ``area``; -1 for none."""
    if not _authenticated(user) or area is None:
        return -1
    return rank_from(assignments(user), area)


def is_entitled_assignee(user, issue) -> bool:
    """The person the issue is assigned to, *and* still holding the role that made them assignable: a handling role
    on the issue's area reaching its level. An assignment asks someone to act; it never outlives the role behind
    it (revoking the role or deactivating the account also hands the issue back to the queue — subscribers.py)."""
    return (_authenticated(user) and issue.assignee_id == user.id
            and handling_rank(user, issue.area) >= LEVEL_RANK[issue.level])


def can_list_issues_in(user, area) -> bool:
    """May narrow the area list to ``area``: holds a handling role on it or above it (a city admin: anywhere). The
    list stays within the viewer's own scope whatever the area; this only decides whether the narrowing is offered
    or refused with a message."""
    return _authenticated(user) and area is not None and holds_area_role(user, HANDLER_ROLES, area)


def is_issue_handler(user) -> bool:
    """Holds a handling role anywhere (sees area lists and a queue)."""
    if not _authenticated(user):
        return False
    return is_city_admin(user) or any(a.role in HANDLER_ROLES for a in assignments(user))


def is_sentinel(user) -> bool:
    return _authenticated(user) and any(a.role == "sentinel" for a in assignments(user))


def is_issue_reporter(user, issue) -> bool:
    """The resident the issue is for (``Issue.resident_id``): for 代录 the resident, never the recorder."""
    return _authenticated(user) and issue.resident_id is not None and user.id == issue.resident_id


def is_issue_recorder(user, issue) -> bool:
    """The leader or staff member who recorded the issue for a resident (sees it, does not rate it)."""
    return _authenticated(user) and issue.is_recorded and issue.reporter_id == user.id


def can_view_issue_internal(user, issue) -> bool:
    """Handlers of the issue's area (any level), and the assignee while they hold their role: full names, the
    reporter's mobile, internal notes."""
    if not _authenticated(user):
        return False
    if is_entitled_assignee(user, issue):
        return True
    return holds_area_role(user, HANDLER_ROLES, issue.area)


def is_issue_staff(user, issue) -> bool:
    """Staff of the issue's community or street office (or a city admin): they moderate what is shown of it."""
    return _authenticated(user) and holds_area_role(user, STAFF_ROLES, issue.area)


def can_view_issue(user, issue) -> bool:
    if is_issue_reporter(user, issue) or is_issue_recorder(user, issue) or can_view_issue_internal(user, issue):
        return True
    # the public sees public categories, except reports that were not accepted
    return bool(issue.category.public) and issue.state != "rejected"


def _acts_at_level(user, issue) -> bool:
    """The assignee (while they hold their role), or a handler whose rank on the issue's area reaches the issue's
    current level."""
    if not _authenticated(user):
        return False
    if is_entitled_assignee(user, issue):
        return True
    return handling_rank(user, issue.area) >= LEVEL_RANK[issue.level]


def can_handle_issue(user, issue) -> bool:
    return issue.state in ACTIVE_STATES and _acts_at_level(user, issue)


def can_accept_issue(user, issue) -> bool:
    return issue.state == "reported" and can_handle_issue(user, issue)


def can_reject_issue(user, issue) -> bool:
    return issue.state == "reported" and can_handle_issue(user, issue)


def can_assign_issue(user, issue) -> bool:
    return can_handle_issue(user, issue)


def can_start_issue(user, issue) -> bool:
    return issue.state == "accepted" and can_handle_issue(user, issue)


def can_resolve_issue(user, issue) -> bool:
    return issue.state in ("accepted", "in_progress") and can_handle_issue(user, issue)


def can_escalate_issue(user, issue) -> bool:
    return next_level(issue.level) is not None and can_handle_issue(user, issue)


def can_mark_duplicate(user, issue) -> bool:
    return can_handle_issue(user, issue)


def can_rate_issue(user, issue) -> bool:
    """Only the resident the issue is for rates it, once per resolution."""
    return (issue.state == "resolved" and _authenticated(user) and issue.resident_id is not None
            and user.id == issue.resident_id)


def can_record_revisit(user, issue) -> bool:
    """回访: a handler at the issue's level (the same rank as handling it) records the resident's answer given on
    the phone — a micro-grid leader cannot close a street-level issue."""
    return issue.state == "resolved" and _acts_at_level(user, issue)


def can_add_issue_note(user, issue) -> bool:
    return can_view_issue_internal(user, issue)


def can_support_issue(user, issue) -> bool:
    """"+1 / me too" by a neighbour (not the reporter, not the people handling it), while it is open."""
    return (_authenticated(user) and issue.state in ACTIVE_STATES and not is_issue_reporter(user, issue)
            and not is_issue_recorder(user, issue)
            and can_view_issue(user, issue) and handling_rank(user, issue.area) < 0)


def can_report_issue(user) -> bool:
    """Anyone signed in with a home area or an area role may report."""
    if not _authenticated(user):
        return False
    return user.home_area_id is not None or is_city_admin(user) or any(
        a.area_id is not None for a in assignments(user))


#: the roles whose holders send quick reports (流动哨兵 and the people on the ground), each in the micro-grids of the
#: areas where they hold one of them
QUICK_REPORT_ROLES = ("sentinel", "microgrid_leader", "grid_leader", "community_staff", "street_admin")


def can_quick_report(user) -> bool:
    """The one-screen quick report: sentinels, and handlers who use it on their rounds."""
    return is_sentinel(user) or is_issue_handler(user)


def quick_report_roots(user) -> list:
    """The areas whose micro-grids ``user`` may quick-report in (a city administrator reports with the full form)."""
    if not _authenticated(user):
        return []
    return role_areas(user, QUICK_REPORT_ROLES)


def can_quick_report_in(user, area) -> bool:
    """A quick report names a micro-grid within an area where the person holds a quick-report role."""
    if area is None or area.level != "microgrid":
        return False
    return any(area.is_within(root) for root in quick_report_roots(user))


def can_record_for_resident(user) -> bool:
    """Leaders and staff record reports collected offline (visit, phone, WeChat group) — 代录."""
    return is_issue_handler(user)


def can_report_in(user, area) -> bool:
    """The place must lie in the reporter's reach: their home community, or an area where they hold a role."""
    if not _authenticated(user) or area is None or area.level == "city":
        return False
    if is_city_admin(user):
        return True
    if user.home_area is not None:
        home = user.home_area
        community = home.ancestor_at("community") or home  # a home on a street (no community) reaches that street
        if area.is_within(community):
            return True
    return any(a.area is not None and area.path.startswith(a.area.path) for a in assignments(user))


def can_see_reporter(user, issue) -> bool:
    """Whether the issue's page may name who reported it: when the reporter chose to hide their name, only the
    resident themselves and the people handling it see it; for everyone else the reporter's own timeline entries
    show no name at all (queries.timeline)."""
    return not issue.anonymous or is_issue_reporter(user, issue) or can_view_issue_internal(user, issue)


def can_manage_issue_categories(user) -> bool:
    """Categories, time limits and default levels are city configuration."""
    return _authenticated(user) and is_city_admin(user)
