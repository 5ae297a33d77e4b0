"""The wishes domain's events and their payloads (see app/events.py)."""
from __future__ import annotations

from dataclasses import dataclass

from app.events import Payload, declare


@dataclass(frozen=True, kw_only=True)
class WishChange(Payload):
    """Every wish event: a state change of one wish in its community, for its resident (None: a resident without an
    account)."""

    required = Payload.required | {"area_id", "to_state"}

    wisher_id: int | None
    from_state: str | None
    to_state: str


declare("wish.published", "wish.withdrawn")(WishChange)
declare("wish.expired", system=True)(WishChange)


@declare("wish.posted")
@dataclass(frozen=True, kw_only=True)
class WishPosted(WishChange):
    on_behalf: bool


@declare("wish.rejected")
@dataclass(frozen=True, kw_only=True)
class WishRejected(WishChange):
    reason: str


@declare("wish.claimed", "wish.fulfilled", "wish.completed")
@dataclass(frozen=True, kw_only=True)
class ClaimChange(WishChange):
    """A step of the claim: who holds it — a party member for themself (``organisation_id`` None) or an agency
    branch with its named team (``member_ids``). All None/() when the claim is gone (never in practice)."""

    claim_id: int | None
    claimant_id: int | None
    organisation_id: int | None
    member_ids: tuple[int, ...]


@declare("wish.released", system=True)
@dataclass(frozen=True, kw_only=True)
class ClaimReleased(ClaimChange):
    """``variant``: None (by the claimant or staff, with a ``reason``), "auto" (the claim deadline passed, by the
    job) or "role_ended" (the claimant's party-member role ended)."""

    variant: str | None
    reason: str | None


@declare("wish.not_received")
@dataclass(frozen=True, kw_only=True)
class ClaimNotReceived(ClaimChange):
    note: str


def claim_fields(claim) -> dict:
    """The ``ClaimChange`` fields of a ``WishClaim`` (or of none)."""
    if claim is None:
        return {"claim_id": None, "claimant_id": None, "organisation_id": None, "member_ids": ()}
    return {"claim_id": claim.id, "claimant_id": claim.claimant_id, "organisation_id": claim.organisation_id,
            "member_ids": tuple(sorted(claim.member_ids))}
