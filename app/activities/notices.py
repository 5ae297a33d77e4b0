"""Who must hear of activity events: a member promoted from the waiting list, everyone signed up the day before,
and the organiser when the attendance list waits for attestation."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.activities.models import Activity, Signup
from app.activities.policy import can_view_activity
from app.extensions import db
from app.notifications.registry import RECIPIENTS_MAX, Notify, notice, subject_link


@subject_link("activity")
def activity_link(user, activity_id: int) -> str | None:
    activity = db.session.get(Activity, activity_id)
    if activity is None or not can_view_activity(user, activity):
        return None
    return url_for("activities.show", activity_id=activity.id)


@subject_link("activity_signup")
def signup_link(user, signup_id: int) -> str | None:
    signup = db.session.get(Signup, signup_id)
    return activity_link(user, signup.activity_id) if signup is not None else None


@notice("activity.promoted", _l("A place opened: you are now signed up for “%(title)s”."))
def promoted(event) -> Notify:
    activity = db.session.get(Activity, event.payload.activity_id)
    return Notify(to=[event.payload.user_id], params={"title": activity.title})


@notice("activity.reminder", _l("Tomorrow: “%(title)s” at %(place)s. Scan the code at the venue to check in."))
def reminder(event) -> Notify:
    activity: Activity = event.subject
    people = db.session.scalars(select(Signup.user_id).where(Signup.activity_id == activity.id,
                                                             Signup.status == "confirmed")
                                .order_by(Signup.id).limit(RECIPIENTS_MAX))
    return Notify(to=list(people), params={"title": activity.title, "place": activity.place})


@notice("activity.attest_due", _l("“%(title)s” is over: please check the attendance list and attest it."),
        current=lambda activity_id: bool(db.session.get(Activity, activity_id)
                                         and db.session.get(Activity, activity_id).attested_at is None))
def attest_due(event) -> Notify:
    activity: Activity = event.subject
    return Notify(to=[activity.organiser_id], params={"title": activity.title})
