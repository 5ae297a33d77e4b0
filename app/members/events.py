"""The members domain's events and their payloads (see app/events.py). The subject is the ``MemberReport``;
``area_id`` is the community reported to; ``organisation_id`` the member's branch."""
from __future__ import annotations

from dataclasses import dataclass

from app.events import Payload, declare


@declare("member.reported", "member.confirmed", "member.still_there")
@dataclass(frozen=True, kw_only=True)
class ReportChange(Payload):
    required = Payload.required | {"area_id", "user_id", "to_state"}

    user_id: int
    organisation_id: int | None
    microgrid_id: int
    to_state: str


@declare("member.refused")
@dataclass(frozen=True, kw_only=True)
class ReportRefused(ReportChange):
    reason: str


@declare("member.home_area_set")
@dataclass(frozen=True, kw_only=True)
class HomeAreaSet(ReportChange):
    """A confirmed report made the reported micro-grid the account's home area (``User.home_area``)."""

    previous_area_id: int | None


@declare("member.recheck_due", system=True)
@dataclass(frozen=True, kw_only=True)
class RecheckDue(ReportChange):
    """Half a year after the last check: the member is asked whether the residence still holds."""
