"""The role-aware home page is assembled from cards that each domain registers.

    @home_card(order=20)
    def wishes_to_review(user) -> HomeCard | None: ...

A card lists what this person must act on; a domain returns None when the card does not apply to the user.
Keep each card to one or two bounded queries.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.areas.services import lineages
from app.web.hooks import Hooks

_cards = Hooks()
#: ``@home_card(order=N)`` on a function ``(user) -> HomeCard | None``
home_card = _cards.register


@dataclass
class HomeCard:
    title: str
    url: str | None = None
    count: int | None = None
    #: (label, url, meta) rows, at most a handful
    items: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    #: what an empty card means, said plainly ("Nothing waits for your review.")
    empty_text: str | None = None
    action_label: str | None = None
    urgent: bool = False


def cards_for(user) -> list[HomeCard]:
    return _cards.results(user)


def place_names(user, roles) -> tuple[str | None, dict[int, str]]:
    """The full name of the user's home area and each role's ``scope_name``, with one query for all their lineages
    (instead of one per area)."""
    home = user.home_area
    areas = [a for a in [home, *(r.area for r in roles if r.organisation is None)] if a is not None]
    found = lineages(areas) if areas else {}
    scope_names = {}
    for r in roles:
        if r.organisation is not None:
            scope_names[r.id] = r.organisation.name
        elif r.area is not None:
            scope_names[r.id] = r.area.full_name("street", lineage=found[r.area.id]) or r.area.name
        else:
            scope_names[r.id] = ""
    return (home.full_name(lineage=found[home.id]) if home is not None else None), scope_names
