"""Who hears of points: a person when points arrive (one notice per event that earned them, however many entries
it made); the staff of a community or street when a period closed and its commendation list awaits them; the
people commended when the list is published."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.accounts.scope import active_holders
from app.extensions import db
from app.notifications.registry import RECIPIENTS_MAX, Notify, notice, state_in, subject_link
from app.points.models import DEFAULT_LABELS, Commendation, PointEntry
from app.points.policy import can_view_commendation


@subject_link("point_entry")
def entry_link(user, entry_id: int) -> str | None:
    entry = db.session.get(PointEntry, entry_id)
    if entry is None or user is None or not getattr(user, "is_authenticated", False):
        return None
    return url_for("points.index")


@subject_link("commendation")
def commendation_link(user, commendation_id: int) -> str | None:
    commendation = db.session.get(Commendation, commendation_id)
    if commendation is None or not can_view_commendation(user, commendation):
        return None
    return url_for("points.commendation", commendation_id=commendation.id)


def _shown(params: dict) -> dict:
    """A default rule name in the reader's language."""
    label = params.get("rule")
    return {**params, "rule": gettext(label) if label in DEFAULT_LABELS else label}


@notice("points.awarded", _l("You received %(points)s points (%(rule)s)."), show=_shown,
        reversed=_l("Your points were corrected by %(points)s (%(rule)s)."))
def awarded(event) -> list[Notify]:
    """One notice per person per event: their net change."""
    p = event.payload
    label = event.subject.rule.label if event.subject is not None else p.rule_code
    out = []
    for uid, points in zip(p.user_ids, p.points, strict=True):
        if points == 0:
            continue
        out.append(Notify(to=[uid], params={"points": f"{points:+d}" if points < 0 else str(points), "rule": label},
                          variant="reversed" if points < 0 or p.cause.endswith(".corrected") else None))
    return out


def _staff(area_id: int) -> list[int]:
    from app.areas.models import Area
    area = db.session.get(Area, area_id)
    if area is None:
        return []
    roles = ("community_staff",) if area.level == "community" else ("street_admin",)
    return [uid for role in roles for uid in active_holders(role, area.id, limit=RECIPIENTS_MAX)]


@notice("points.period_closed", _l("The points board for %(period)s has closed: publish its commendation list."),
        current=state_in(Commendation, "open"))
def period_closed(event) -> Notify:
    return Notify(to=_staff(event.payload.area_id), params={"period": event.subject.period_key})


@notice("points.commendation_published", _l("You were commended on the points board for %(period)s."))
def commendation_published(event) -> Notify:
    return Notify(to=list(event.payload.user_ids)[:RECIPIENTS_MAX], params={"period": event.subject.period_key})
