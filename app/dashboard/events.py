"""The dashboard's own event: the city changed the weights of the evaluation index (audited)."""
from __future__ import annotations

from dataclasses import dataclass

from app.events import Payload, declare


@declare("dashboard.weights_set")
@dataclass(frozen=True, kw_only=True)
class WeightsSet(Payload):
    """``before`` / ``after``: dimension → whole per cent."""

    before: dict
    after: dict
