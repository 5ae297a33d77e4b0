"""The moderation domain's events. The subject of each is the flagged thing itself (a wish, an issue), so its audit
entries sit with the thing's own history; ``case_id`` names the moderation case."""
from __future__ import annotations

from dataclasses import dataclass

from app.events import Payload, declare


@dataclass(frozen=True, kw_only=True)
class CaseChange(Payload):
    required = Payload.required | {"case_id", "kind"}

    case_id: int
    #: "wish" or "issue"
    kind: str
    #: who wrote the flagged text (told of a decision)
    author_ids: tuple[int, ...]


@declare("moderation.flagged")
@dataclass(frozen=True, kw_only=True)
class Flagged(CaseChange):
    flag_id: int
    reason: str
    flag_count: int


@declare("moderation.hidden")
@dataclass(frozen=True, kw_only=True)
class Hidden(CaseChange):
    flag_count: int
    threshold: int


@declare("moderation.restored")
@dataclass(frozen=True, kw_only=True)
class Restored(CaseChange):
    reason: str


@declare("moderation.removed")
@dataclass(frozen=True, kw_only=True)
class Removed(CaseChange):
    reason: str
    #: the public text as it was (field → text): kept in the audit trail
    original: dict[str, str]
