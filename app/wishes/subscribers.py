"""What the wishes domain does when an account changes elsewhere: a claim rests on a role, so it ends with it."""
from __future__ import annotations

from app import events
from app.accounts.events import RoleChange
from app.wishes import services

#: roles a claim (or a place in a claiming team) rests on
CLAIM_ROLES = ("member",)


@events.on("account.role_revoked")
def role_revoked(event: events.DomainEvent) -> None:
    """A party-member role ended: the person's personal claims go back to the wall once they are a member nowhere,
    and they leave the teams of that branch's claims. (An agency admin's branch claims belong to the branch and
    stay; the policy stops the former admin acting on them.)"""
    payload: RoleChange = event.payload
    if payload.role not in CLAIM_ROLES:
        return
    services.end_claims_of(event.subject, event.actor, organisation_id=payload.organisation_id)


@events.on("account.deactivated")
def deactivated(event: events.DomainEvent) -> None:
    services.end_claims_of(event.subject, event.actor, deactivated=True)
