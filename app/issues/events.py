"""The issues domain's events and their payloads (see app/events.py). The subject is the issue (a category for
the configuration events); ``area_id`` is where the issue was reported, ``level`` the level handling it now."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.events import Payload, declare


@dataclass(frozen=True, kw_only=True)
class IssueEvent(Payload):
    required = Payload.required | {"area_id", "level"}

    level: str


@declare("issue.reported", system=True)  # an Open311 request may come without a person
@dataclass(frozen=True, kw_only=True)
class IssueReported(IssueEvent):
    required = IssueEvent.required | {"channel", "category", "handler_area_id"}

    channel: str
    category: str
    urgent: bool
    handler_area_id: int


@declare("issue.supported")
@dataclass(frozen=True, kw_only=True)
class IssueSupported(IssueEvent):
    supporters_count: int


@declare("issue.accepted", "issue.started")
@dataclass(frozen=True, kw_only=True)
class IssueChange(IssueEvent):
    """A state change (emitted as ``issue.<action>`` by the handling services); ``notify``: the residents who must
    hear of it."""

    required = IssueEvent.required | {"from_state", "to_state"}

    from_state: str
    to_state: str
    notify: tuple[int, ...]


@declare("issue.rejected")
@dataclass(frozen=True, kw_only=True)
class IssueRejected(IssueChange):
    reason: str


@declare("issue.resolved")
@dataclass(frozen=True, kw_only=True)
class IssueResolved(IssueChange):
    mediation: bool
    agreement_reached: bool


@declare("issue.duplicate")
@dataclass(frozen=True, kw_only=True)
class IssueDuplicate(IssueChange):
    original_id: int


@declare("issue.rated", "issue.revisit", "issue.reopened")
@dataclass(frozen=True, kw_only=True)
class IssueRated(IssueChange):
    """The resident's rating (``revisit``: recorded by staff on the phone); "unsatisfied" reopens the issue.
    ``resolved_by_id``: who resolved what is being rated (None if nobody is on record)."""

    rating: str
    revisit: bool
    resolved_by_id: int | None


@declare("issue.closed", system=True)
@dataclass(frozen=True, kw_only=True)
class IssueClosed(IssueChange):
    close_reason: str


#: the names ``_transition`` emits as ``f"issue.{action}"`` (checked by tests/test_events.py)
TRANSITIONS = ("issue.accepted", "issue.rejected", "issue.started", "issue.resolved", "issue.duplicate",
               "issue.rated", "issue.revisit", "issue.reopened")


@declare("issue.assigned", "issue.unassigned", system=True)
@dataclass(frozen=True, kw_only=True)
class IssueAssignment(IssueEvent):
    """Given to ``assignee_id``, or taken back (``reason``: "role_revoked", "deactivated"; None when assigned)."""

    required = IssueEvent.required | {"assignee_id"}

    assignee_id: int
    reason: str | None


@declare("issue.escalated", system=True)
@dataclass(frozen=True, kw_only=True)
class IssueEscalated(IssueEvent):
    """Moved up from ``from_level`` to ``to_level`` (= ``level``): by a person with a ``reason``, or by the job
    (``auto``) when the time ``limit`` ("accept" or "resolve") passed."""

    required = IssueEvent.required | {"from_level", "to_level", "handler_area_id"}

    from_level: str
    to_level: str
    handler_area_id: int
    auto: bool
    reason: str | None
    limit: str | None


@declare("issue.overdue", system=True)
@dataclass(frozen=True, kw_only=True)
class IssueOverdue(IssueEvent):
    """Past its time limit at the street level, where it cannot go higher."""

    limit: str
    due_at: datetime | None


@declare("issue.duplicate_linked")
@dataclass(frozen=True, kw_only=True)
class IssueLinked(IssueEvent):
    """The subject is the original issue; ``duplicate_id`` the report linked to it."""

    duplicate_id: int
    notify: tuple[int, ...]


@declare("issue.noted")
@dataclass(frozen=True, kw_only=True)
class IssueNoted(IssueEvent):
    public: bool


@declare("issue.category_created", "issue.category_updated")
@dataclass(frozen=True, kw_only=True)
class CategoryChange(Payload):
    """An issue category (city-wide: ``area_id`` None); ``before`` None when created."""

    required = Payload.required | {"code"}

    code: str
    before: dict | None
    after: dict
