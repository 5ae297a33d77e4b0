"""The co-building checklist's events and their payloads (see app/events.py). The subject is the checklist item;
``area_id`` its community. Emitted through ``services.emit_item``, which fills the fields every item event has."""
from __future__ import annotations

from dataclasses import dataclass

from app.events import Payload, declare


@declare("checklist.agreement_complete", "checklist.done")
@dataclass(frozen=True, kw_only=True)
class ItemEvent(Payload):
    """``pairing_id`` / ``organisation_id``: the pairing and its agency branch, None for an open need or a key
    project nobody claimed yet; ``kind``: need, resource or project."""

    required = Payload.required | {"area_id", "kind", "title"}

    pairing_id: int | None
    organisation_id: int | None
    kind: str
    title: str


@declare("checklist.proposed", "checklist.imported", "checklist.agreed")
@dataclass(frozen=True, kw_only=True)
class ItemBySide(ItemEvent):
    """``side``: "community" or "agency", the side that acted."""

    required = ItemEvent.required | {"side"}

    side: str


@declare("checklist.matched")
@dataclass(frozen=True, kw_only=True)
class ItemMatched(ItemBySide):
    """A project made of the needs and resources ``item_ids``."""

    item_ids: tuple[int, ...]


@declare("checklist.changed")
@dataclass(frozen=True, kw_only=True)
class ItemChanged(ItemBySide):
    """``agreement_reset``: the change of scope or date asks the other side to agree again."""

    before: dict
    after: dict
    agreement_reset: bool


@declare("checklist.progress")
@dataclass(frozen=True, kw_only=True)
class ItemProgress(ItemEvent):
    percent: int
    progress_id: int


@declare("checklist.evaluated")
@dataclass(frozen=True, kw_only=True)
class ItemEvaluated(ItemEvent):
    rating: int


@declare("checklist.cancelled")
@dataclass(frozen=True, kw_only=True)
class ItemCancelled(ItemEvent):
    reason: str


@declare("checklist.published")
@dataclass(frozen=True, kw_only=True)
class ItemPublished(ItemEvent):
    """An open need for the street's agencies ("street") or a key project for all of them ("city")."""

    publication: str
    street_id: int | None


@declare("checklist.claimed")
@dataclass(frozen=True, kw_only=True)
class ItemClaimed(ItemEvent):
    """An agency branch (``organisation_id``) claimed a published item; ``created_pairing``: the claim made the
    pairing."""

    required = ItemEvent.required | {"organisation_id", "pairing_id", "claim_id"}

    claim_id: int
    created_pairing: bool


@declare("checklist.due_soon", "checklist.overdue", system=True)
@dataclass(frozen=True, kw_only=True)
class ItemDue(ItemEvent):
    """The target date ``day`` (ISO) is near, or has passed (by the job)."""

    day: str


@declare("checklist.unclaimed", system=True)
@dataclass(frozen=True, kw_only=True)
class ItemUnclaimed(ItemEvent):
    """An open need nobody claimed in ``days`` days (by the job); the street office hears of it."""

    days: int
    street_id: int | None
