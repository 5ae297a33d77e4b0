"""The points domain's events and their payloads (see app/events.py)."""
from __future__ import annotations

from dataclasses import dataclass

from app.events import Payload, declare


@declare("points.awarded", system=True)  # follows the event that earned them, which a job may have emitted
@dataclass(frozen=True, kw_only=True)
class PointsAwarded(Payload):
    """New ledger entries for one source event (one event however many entries, so a person hears of it once):
    the subject is the first new entry; ``user_ids`` and ``points`` are aligned (a person's net change);
    ``area_id`` the source's community."""

    required = Payload.required | {"rule_code", "source_type", "source_id"}

    rule_code: str
    source_type: str
    source_id: int
    cause: str
    user_ids: tuple[int, ...]
    points: tuple[int, ...]
    organisation_ids: tuple[int, ...]


@declare("points.rule_updated")
@dataclass(frozen=True, kw_only=True)
class RuleUpdated(Payload):
    """A city admin changed a rule (city-wide: ``area_id`` None)."""

    required = Payload.required | {"code"}

    code: str
    before: dict
    after: dict


@declare("points.period_closed", system=True)
@dataclass(frozen=True, kw_only=True)
class PeriodClosed(Payload):
    """A month or year ended: its board for the community or street (``area_id``) is final and awaits the staff's
    commendation list (the subject is the draft commendation)."""

    required = Payload.required | {"area_id", "period", "period_start"}

    period: str
    period_start: str


@declare("points.commendation_published")
@dataclass(frozen=True, kw_only=True)
class CommendationPublished(PeriodClosed):
    user_ids: tuple[int, ...]
