"""The areas domain's events and their payloads (see app/events.py). The subject is the area, ``area_id`` its id."""
from __future__ import annotations

from dataclasses import dataclass

from app.events import Payload, declare


@dataclass(frozen=True, kw_only=True)
class AreaEvent(Payload):
    required = Payload.required | {"area_id"}


@declare("area.created")
@dataclass(frozen=True, kw_only=True)
class AreaCreated(AreaEvent):
    required = AreaEvent.required | {"parent_id", "level", "area_name"}

    parent_id: int
    level: str
    area_name: str
    code: str | None


@declare("area.renamed")
@dataclass(frozen=True, kw_only=True)
class AreaRenamed(AreaEvent):
    before: dict
    after: dict


@declare("area.staffing_added", "area.staffing_removed")
@dataclass(frozen=True, kw_only=True)
class StaffingChange(AreaEvent):
    """A person on (or off) a micro-grid's "1+1+3" team; ``user_id`` when they have an account."""

    required = AreaEvent.required | {"post", "person", "staffing_post_id"}

    post: str
    person: str
    user_id: int | None
    staffing_post_id: int
