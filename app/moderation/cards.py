"""Home-page card for staff: things hidden pending their review."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from app.moderation import queries
from app.moderation.policy import can_review_moderation
from app.web.home import HomeCard, home_card


@home_card(order=25)
def awaiting_review(user) -> HomeCard | None:
    if not can_review_moderation(user):
        return None
    count = queries.queue_count(user)
    if not count:
        return None
    return HomeCard(title=_("%(n)s items awaiting review", n=count), url=url_for("moderation.queue"), count=count,
                    action_label=_("Review reported content"), urgent=True)
