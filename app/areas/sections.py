"""Parts of an area's overview that other domains add (pairings of a community, …), so that the area page never
imports another domain's forms or queries:

    @area_section(order=20)
    def pairings(area) -> str | None: ...   # the rendered part, or None where it does not apply to this person

Like the home cards (``app/web/home.py``): each part is one or two bounded queries, and renders its own template.
"""
from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

_sections: list[tuple[int, Callable]] = []


def area_section(order: int = 50) -> Callable:
    def register(fn: Callable) -> Callable:
        _sections.append((order, fn))
        _sections.sort(key=lambda pair: pair[0])
        return fn

    return register


def sections_for(area) -> list[Markup]:
    out = []
    for _, fn in _sections:
        part = fn(area)
        if part is not None:
            out.append(Markup(part))
    return out
