"""Who may flag and who decides. Who is staff of a thing's area is answered by the policy of the domain that owns
it (wishes, issues), through ``subjects.KINDS``."""
from __future__ import annotations

from app.accounts.scope import STAFF_ROLES, assignments
from app.moderation import subjects
from app.moderation.models import HIDDEN, REMOVED

REVIEW_ROLES = STAFF_ROLES


def _authed(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_moderation_staff(user, subject) -> bool:
    return _authed(user) and subjects.kind_for(subject).is_staff(user, subject)


def can_flag(user, subject) -> bool:
    """A signed-in person may report public content that is shown as usual (the service says why not otherwise:
    one's own post, a second report)."""
    return _authed(user) and subject.moderation is None and subjects.kind_for(subject).is_public(subject)


def can_decide(user, subject) -> bool:
    """Staff of the thing's area restore or remove it while it is hidden pending review."""
    return subject.moderation == HIDDEN and is_moderation_staff(user, subject)


def sees_hidden(user, subject) -> bool:
    """The author and staff of the area still see a hidden thing (marked); everyone else sees that it is hidden."""
    return subjects.is_author(user, subject) or is_moderation_staff(user, subject)


def is_hidden_by_moderation(user, subject) -> bool:
    return subject.moderation == HIDDEN and not sees_hidden(user, subject)


def is_removed_by_moderators(subject) -> bool:
    return subject.moderation == REMOVED


def can_review_moderation(user) -> bool:
    """Opens the review queue: staff of an area, and city admins."""
    return _authed(user) and any(a.role in REVIEW_ROLES + ("city_admin",) for a in assignments(user))
