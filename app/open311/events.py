"""The Open311 adapter's events and their payloads (see app/events.py). API keys are city-wide: ``area_id`` None."""
from __future__ import annotations

from dataclasses import dataclass

from app.events import Payload, declare


@declare("open311.key_issued", "open311.key_revoked")
@dataclass(frozen=True, kw_only=True)
class ApiKeyChange(Payload):
    """Never the key itself: its name and the prefix shown to tell keys apart."""

    required = Payload.required | {"key_name", "key_prefix", "default_area_id"}

    key_name: str
    key_prefix: str
    owner: str | None
    organisation_id: int | None
    default_area_id: int
