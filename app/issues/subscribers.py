"""What other domains' events mean for issues.

An assignment never outlives the role that justified it: when a handling role is revoked, or the account is
deactivated, the person's open assignments that nothing else still covers go back to the queue of their level,
recorded on each issue's timeline (the policy also requires the role on every check resting on an assignment).
"""
from __future__ import annotations

from app import events
from app.accounts.events import RoleChange
from app.issues import services as s
from app.issues.models import ROLE_TOP_LEVEL


@events.on("account.role_revoked")
def role_revoked(event) -> None:
    payload: RoleChange = event.payload
    if payload.role in ROLE_TOP_LEVEL:  # a handling role (or the city admin's)
        s.release_assignments(event.subject, event.actor, "role_revoked")


@events.on("account.deactivated")
def deactivated(event) -> None:
    s.release_assignments(event.subject, event.actor, "deactivated")
