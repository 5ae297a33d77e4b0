"""Parts of an area's overview that other domains add (pairings of a community, …), so that the area page never
imports another domain's forms or queries:

    @area_section(order=20)
    def pairings(area) -> str | None: ...   # the rendered part, or None where it does not apply to this person

Like the home cards (``app/web/home.py``): each part is one or two bounded queries, and renders its own template.
"""
from __future__ import annotations

from markupsafe import Markup

from app.web.hooks import Hooks

_sections = Hooks()
#: ``@area_section(order=N)`` on a function ``(area) -> str | None``
area_section = _sections.register


def sections_for(area) -> list[Markup]:
    return [Markup(part) for part in _sections.results(area)]
