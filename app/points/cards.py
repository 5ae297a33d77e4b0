"""Home-page cards: the commendation lists that wait for this person (staff of a community or a street)."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from app.points import queries
from app.web.home import HomeCard, home_card


@home_card(order=70)
def commendations_to_publish(user) -> HomeCard | None:
    if not getattr(user, "is_authenticated", False):
        return None
    count, rows = queries.open_commendations(user)
    if not count:
        return None
    return HomeCard(
        title=_("Commendation lists to publish"), url=url_for("points.board"), count=count,
        items=[(f"{area_name} · {c.period_key}",
                url_for("points.board", scope=area_level, id=c.area_id, period=c.period_key), None)
               for c, area_name, area_level, _n in rows],
        action_label=_("Open the points board"), urgent=True,
    )
