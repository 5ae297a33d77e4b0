"""Home-page cards: requests waiting for a helper (the queue holders), requests I took, requests done for me to
confirm and rate, my coming bookings."""
from __future__ import annotations

from flask import url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from app.stations import queries
from app.timeutil import utcnow
from app.web.home import HomeCard, home_card


def _authed(user) -> bool:
    return getattr(user, "is_authenticated", False)


def _queue_url(count: int, rows, state: str) -> str:
    """The station's queue when every request the card counts is at one station (whoever may take or took a request
    there is one of its helpers, who may open its queue), else the list of stations to choose from."""
    stations = {r.station_id for r, _service in rows}
    if len(stations) == 1 and count == len(rows):
        return url_for("stations.queue", station_id=stations.pop(), state=state)
    return url_for("stations.index")


@home_card(order=47)
def requests_to_take(user) -> HomeCard | None:
    if not _authed(user):
        return None
    count, rows = queries.takeable(user, utcnow())
    if not count:
        return None
    return HomeCard(title=_("Station requests waiting for a helper"), url=_queue_url(count, rows, "open"), count=count,
                    items=[(f"{service} · {r.title}", url_for("stations.request_show", request_id=r.id),
                            _("by %(t)s", t=format_datetime(r.due_at, "short"))) for r, service in rows], urgent=True)


@home_card(order=48)
def requests_taken(user) -> HomeCard | None:
    if not _authed(user):
        return None
    now = utcnow()
    count, rows = queries.taken_by(user, now)
    if not count:
        return None
    return HomeCard(title=_("Station requests you took"), url=_queue_url(count, rows, "taken"), count=count,
                    items=[(f"{service} · {r.title}", url_for("stations.request_show", request_id=r.id),
                            _("Overdue") if r.due_at < now else _("by %(t)s", t=format_datetime(r.due_at, "short")))
                           for r, service in rows], urgent=any(r.due_at < now for r, _service in rows))


@home_card(order=49)
def requests_to_confirm(user) -> HomeCard | None:
    if not _authed(user):
        return None
    count, rows = queries.to_confirm(user, utcnow())
    if not count:
        return None
    return HomeCard(title=_("Please confirm and rate"), url=url_for("stations.mine"), count=count,
                    items=[(service, url_for("stations.request_show", request_id=r.id) + "#act-confirm",
                            None) for r, service in rows], urgent=True)


@home_card(order=50)
def my_bookings(user) -> HomeCard | None:
    if not _authed(user):
        return None
    count, rows = queries.coming_bookings(user, utcnow())
    if not count:
        return None
    return HomeCard(title=_("My station bookings"), url=url_for("stations.mine"), count=count,
                    items=[(f"{b.service_name} · {b.station_name}", url_for("stations.mine") + f"#booking-{b.id}",
                            format_datetime(b.starts_at, "short")) for b in rows],
                    action_label=_("My bookings and requests"))
