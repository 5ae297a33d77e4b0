"""Who must hear of a member report: staff when one waits; the member when it is confirmed or refused, and when
the half-yearly check is due."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.accounts.scope import active_holders
from app.extensions import db
from app.members.models import MemberReport
from app.members.policy import can_view_report
from app.notifications.registry import RECIPIENTS_MAX, Notify, notice, state_in, subject_link


@subject_link("member_report")
def report_link(user, report_id: int) -> str | None:
    row = db.session.get(MemberReport, report_id)
    if row is None or not can_view_report(user, row):
        return None
    return url_for("members.report") if row.user_id == user.id else url_for("members.reports",
                                                                             state=row.state)


def _name(event) -> dict:
    row: MemberReport = event.subject
    return {"name": row.user.display_name if row.user else "", "community": row.community.name}


@notice("member.reported", _l("%(name)s reported to %(community)s as a party member. Please confirm."),
        current=state_in(MemberReport, "pending"))
def reported(event) -> Notify:
    return Notify(to=active_holders("community_staff", event.payload.area_id, limit=RECIPIENTS_MAX),
                  params=_name(event))


@notice("member.confirmed", _l("Your report to %(community)s is confirmed. Welcome to serving at home."))
def confirmed(event) -> Notify:
    return Notify(to=[event.payload.user_id], params=_name(event))


@notice("member.refused", _l("Your report to %(community)s was refused: %(reason)s"))
def refused(event) -> Notify:
    return Notify(to=[event.payload.user_id], params={**_name(event), "reason": event.payload.reason})


@notice("member.recheck_due", _l("Half a year has passed: do you still live in %(community)s? Please confirm."),
        current=lambda report_id: bool(db.session.get(MemberReport, report_id)
                                       and db.session.get(MemberReport, report_id).recheck_due))
def recheck_due(event) -> Notify:
    return Notify(to=[event.payload.user_id], params=_name(event))
