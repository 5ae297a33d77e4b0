"""Who must hear of an issue's events, and what they are told (the bell; see app/notifications/registry.py).

The people who must act hear first: a new report reaches the people in whose queue it lands (the micro-grid leader
of that micro-grid; for grid work the grid leader and the community staff …), an escalation or an overdue flag the
people at the new level, an assignment the assignee. The resident hears of every answer to their report
(the ``notify`` list the services put on the event).
"""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.models import RoleAssignment, User
from app.accounts.scope import active_holders
from app.areas.models import Area, level_label
from app.extensions import db
from app.issues.events import IssueEscalated
from app.issues.models import HANDLER_ROLES, LEVEL_RANK, ROLE_TOP_LEVEL, Issue, shown_text
from app.issues.policy import can_view_issue
from app.issues.queries import QUEUE_LEVELS
from app.notifications.registry import RECIPIENTS_MAX, Notify, notice, state_in, subject_link


def _holders(area: Area, roles, limit: int) -> list:
    """(user id, area id) of active holders of ``roles`` on ``area`` or above it, nearest area first."""
    return db.session.execute(
        select(RoleAssignment.user_id, RoleAssignment.area_id)
        .join(User, User.id == RoleAssignment.user_id).join(Area, Area.id == RoleAssignment.area_id)
        .where(RoleAssignment.area_id.in_(area.ancestor_ids), RoleAssignment.role.in_(roles), User.active.is_(True))
        .order_by(func.length(Area.path).desc(), RoleAssignment.id).limit(limit)
    ).all()


def handler_ids(handler_area_id: int | None, level: str, limit: int = RECIPIENTS_MAX) -> list[int]:
    """The people in whose queue an issue at ``level`` on its handler area lands (``QUEUE_LEVELS``: the micro-grid
    leader of that micro-grid; the grid leader and the community staff for grid work …). When nobody holds such a
    role there (a micro-grid without a leader), the nearest people above who may act at that level; with nobody at
    all in the area's line, the city admins. At most three bounded queries."""
    area = db.session.get(Area, handler_area_id) if handler_area_id else None
    if area is None or level not in LEVEL_RANK:
        return []
    rows = _holders(area, [r for r, levels in QUEUE_LEVELS.items() if level in levels], limit)
    if rows:
        return [uid for uid, _area_id in rows]
    able = [r for r in HANDLER_ROLES if LEVEL_RANK[ROLE_TOP_LEVEL[r]] >= LEVEL_RANK[level]]
    rows = _holders(area, able, limit)
    if rows:
        return [uid for uid, area_id in rows if area_id == rows[0].area_id]
    # nobody in the area's line at all (a street without its admin): the city admins, whose queue holds the rest
    return active_holders("city_admin", limit=limit)


def _params(issue: Issue, **extra) -> dict:
    return {"n": issue.id, "category": issue.category.name, **extra}


def _show(params: dict) -> dict:
    """Stored codes become words in the reader's language: the category name, the level label."""
    out = dict(params)
    if out.get("category"):
        out["category"] = shown_text(out["category"])
    if out.get("level"):
        out["level"] = level_label(out["level"])
    return out


def _notify_list(event) -> list[int]:
    """The residents the service named on a state change (``IssueChange.notify`` / ``IssueLinked.notify``)."""
    return list(event.payload.notify)


@subject_link("issue")
def issue_link(user, issue_id: int) -> str | None:
    issue = db.session.get(Issue, issue_id)
    if issue is None or not can_view_issue(user, issue):
        return None
    return url_for("issues.show", issue_id=issue.id)


OPEN = ("reported", "accepted", "in_progress")


# -- to the people who must act ---------------------------------------------------------------------------------
@notice("issue.reported", _l("New issue #%(n)s to accept: %(category)s — %(title)s"), show=_show,
        current=state_in(Issue, "reported"))
def reported(event) -> Notify:
    issue = event.subject
    return Notify(to=handler_ids(issue.handler_area_id, issue.level), params=_params(issue, title=issue.title))


@notice("issue.assigned", _l("Issue #%(n)s (%(category)s) was assigned to you: %(title)s"), show=_show,
        current=state_in(Issue, *OPEN))
def assigned(event) -> Notify:
    issue = event.subject
    return Notify(to=[event.payload.assignee_id], params=_params(issue, title=issue.title))


@notice("issue.unassigned", _l("Issue #%(n)s (%(category)s) is back in your queue: the person it was assigned to no "
                               "longer handles it."), show=_show, current=state_in(Issue, *OPEN))
def unassigned(event) -> Notify:
    issue = event.subject
    return Notify(to=handler_ids(issue.handler_area_id, issue.level), params=_params(issue))


@notice("issue.escalated", _l("Issue #%(n)s (%(category)s) was escalated to you (%(level)s): %(reason)s"),
        show=_show, current=state_in(Issue, *OPEN),
        auto=_l("Issue #%(n)s (%(category)s) passed its time limit and was escalated to you (%(level)s)."))
def escalated(event) -> Notify:
    issue = event.subject
    payload: IssueEscalated = event.payload
    return Notify(to=handler_ids(payload.handler_area_id, payload.to_level),
                  params=_params(issue, level=payload.to_level, reason=payload.reason or ""),
                  variant="auto" if payload.auto else None)


@notice("issue.overdue", _l("Issue #%(n)s (%(category)s) is past its time limit (%(level)s). Please act now."),
        show=_show, current=state_in(Issue, *OPEN))
def overdue(event) -> Notify:
    issue = event.subject
    level = event.payload.level
    return Notify(to=handler_ids(issue.handler_area_id, level), params=_params(issue, level=level))


# -- to the resident --------------------------------------------------------------------------------------------
@notice("issue.accepted", _l("Your issue #%(n)s (%(category)s) was accepted and will be handled."), show=_show)
def accepted(event) -> Notify:
    return Notify(to=_notify_list(event), params=_params(event.subject))


@notice("issue.rejected", _l("Your issue #%(n)s (%(category)s) was not accepted: %(reason)s"), show=_show)
def rejected(event) -> Notify:
    return Notify(to=_notify_list(event), params=_params(event.subject, reason=event.payload.reason))


@notice("issue.resolved", _l("Your issue #%(n)s (%(category)s) is resolved. Please rate the result."), show=_show,
        current=state_in(Issue, "resolved"))
def resolved(event) -> Notify:
    return Notify(to=_notify_list(event), params=_params(event.subject))


@notice("issue.reopened", _l("Your issue #%(n)s (%(category)s) was reopened and is being worked on again."),
        show=_show,
        handlers=_l("Issue #%(n)s (%(category)s) was reopened: the resident is not satisfied. Please act on it "
                    "again."))
def reopened(event) -> list[Notify]:
    """The resident (when staff recorded their answer on the phone), and the people who must now act again."""
    issue = event.subject
    act = [issue.assignee_id] if issue.assignee_id else handler_ids(issue.handler_area_id, issue.level)
    return [Notify(to=_notify_list(event), params=_params(issue)),
            Notify(to=act, params=_params(issue), variant="handlers")]


@notice("issue.closed", _l("Your issue #%(n)s (%(category)s) was closed without a rating."), show=_show)
def closed(event) -> Notify:
    """Closed by the job after nobody rated it."""
    return Notify(to=_notify_list(event), params=_params(event.subject))


@notice("issue.duplicate_linked",
        _l("Report #%(dup)s was linked to your issue #%(n)s as the same problem."),
        mine=_l("Your report #%(dup)s is the same problem as issue #%(n)s; follow it there."))
def duplicate_linked(event) -> list[Notify]:
    original = event.subject
    duplicate_id = event.payload.duplicate_id
    duplicate = db.session.get(Issue, duplicate_id)
    dup_resident = duplicate.resident_id if duplicate is not None else None
    everyone = _notify_list(event)
    params = {"n": original.id, "dup": duplicate_id}
    return [Notify(to=[dup_resident] if dup_resident in everyone else [], params=params, variant="mine"),
            Notify(to=[i for i in everyone if i != dup_resident], params=params)]
