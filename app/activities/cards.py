"""Home-page cards: an organiser's lists waiting for attestation; my coming activities."""
from __future__ import annotations

from flask import url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from app.activities import queries
from app.activities.models import signup_status_label
from app.timeutil import utcnow
from app.web.home import HomeCard, home_card


@home_card(order=45)
def lists_to_attest(user) -> HomeCard | None:
    if not getattr(user, "is_authenticated", False):
        return None
    count, rows = queries.to_attest(user, utcnow())
    if not count:
        return None
    return HomeCard(title=_("Attendance lists to attest"), url=url_for("activities.index"), count=count,
                    items=[(a.title, url_for("activities.show", activity_id=a.id) + "#act-attest",
                            format_datetime(a.ends_at, "short")) for a in rows], urgent=True)


@home_card(order=46)
def my_activities(user) -> HomeCard | None:
    if not getattr(user, "is_authenticated", False):
        return None
    rows = queries.upcoming_for(user.id, utcnow())
    if not rows:
        return None
    return HomeCard(title=_("My coming activities"), url=url_for("activities.index"),
                    items=[(a.title, url_for("activities.show", activity_id=a.id),
                            f"{format_datetime(a.starts_at, 'short')} · {signup_status_label(a.status)}")
                           for a in rows],
                    action_label=_("All activities"))
