"""The organisations domain's events and their payloads (see app/events.py)."""
from __future__ import annotations

from dataclasses import dataclass

from app.events import Payload, declare


@declare("organisation.created", "organisation.updated")
@dataclass(frozen=True, kw_only=True)
class OrganisationChange(Payload):
    """``area_id``: where the organisation sits (None for a city-wide one); ``before`` None when created."""

    required = Payload.required | {"organisation_id"}

    organisation_id: int
    before: dict | None
    after: dict


@declare("pairing.created", "pairing.removed")
@dataclass(frozen=True, kw_only=True)
class PairingChange(Payload):
    """结对: an agency branch with a community for a year; ``area_id`` is the community. ``via``: "checklist_claim"
    when an agency's claim of an open need made it, else None."""

    required = Payload.required | {"area_id", "organisation_id", "community_id", "year"}

    organisation_id: int
    community_id: int
    year: int
    via: str | None = None
