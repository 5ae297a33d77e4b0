"""The scenario library's events (see app/events.py): the catalogue changed (``area_id`` None, city-wide), or a
community started or stopped running a scenario (``area_id`` the community)."""
from __future__ import annotations

from dataclasses import dataclass

from app.events import Payload, declare


@declare("scenario.created", "scenario.updated")
@dataclass(frozen=True, kw_only=True)
class ScenarioChange(Payload):
    required = Payload.required | {"title", "dimension", "kind"}

    title: str
    dimension: str
    kind: str
    active: bool


@declare("scenario.adopted", "scenario.dropped")
@dataclass(frozen=True, kw_only=True)
class AdoptionChange(Payload):
    """The subject is the scenario; ``since`` the ISO day the community started (None when dropped)."""

    required = Payload.required | {"area_id", "scenario_id"}

    scenario_id: int
    since: str | None
    note: str | None
