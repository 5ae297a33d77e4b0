"""Home-page card: the newest unread notifications (what changed for you, what waits for you)."""
from __future__ import annotations

from flask import url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from app.notifications import registry, services
from app.web.home import HomeCard, home_card

SHOWN = 3  # whole sentences: three keep the card short on a phone; the rest are one tap away


@home_card(order=5)
def unread_notifications(user) -> HomeCard | None:
    if not getattr(user, "is_authenticated", False):
        return None
    count = services.unread_count(user)  # the same (cached) count as the bell: no second query
    rows = services.newest_unread(user, SHOWN) if count else []
    return HomeCard(
        title=_("New for you"), url=url_for("notifications.index"),
        count=services.count_label(count) if count else 0,  # "99+" like the bell
        items=[(registry.message_for(n.event, n.params), url_for("notifications.open", notification_id=n.id),
                format_datetime(n.created_at, "MM-dd HH:mm")) for n in rows],
        empty_text=_("Nothing new. When your wish is claimed, your report is answered or something waits for you, "
                     "you are told here and on the bell at the top."),
        action_label=_("All notifications"), urgent=bool(count),
    )
