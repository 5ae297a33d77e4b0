"""The accounts domain's events and their payloads (see app/events.py). The subject is the person's account;
``area_id`` is their home area (None for staff without one)."""
from __future__ import annotations

from dataclasses import dataclass

from app.events import Payload, declare


@declare("account.registered", "account.password_changed", "account.password_reset", "account.deactivated",
         "account.reactivated")
@declare("account.created", system=True)  # by the command line and the demo seeder, too (no actor then)
@dataclass(frozen=True, kw_only=True)
class AccountEvent(Payload):
    pass


@declare("account.role_granted", "account.role_revoked", system=True)
@dataclass(frozen=True, kw_only=True)
class RoleChange(AccountEvent):
    """A role given or taken: held on the area ``area_id`` or for the organisation ``organisation_id`` (one of them,
    or neither for a city-wide role); ``assignment_id`` is the role assignment's row."""

    required = AccountEvent.required | {"role", "assignment_id"}

    role: str
    organisation_id: int | None
    assignment_id: int
