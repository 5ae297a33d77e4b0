"""Home-page cards: reports waiting for staff; a member's report (to send, waiting, or to confirm again)."""
from __future__ import annotations

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.scope import STAFF_ROLES, area_scope, roles_key
from app.extensions import db
from app.members.models import MemberReport
from app.members.policy import can_report, can_review_reports
from app.web.home import HomeCard, home_card
from app.web.pagination import count_and_first

SHOWN = 5


@home_card(order=40)
def reports_to_confirm(user) -> HomeCard | None:
    if not can_review_reports(user):
        return None
    count, oldest = count_and_first(
        db.session, lambda: select(MemberReport.id, MemberReport.created_at, User.display_name)
        .join(User, User.id == MemberReport.user_id)
        .where(MemberReport.state == "pending", area_scope(user, MemberReport.community_id, STAFF_ROLES)),
        order_by=(MemberReport.created_at, MemberReport.id), limit=SHOWN,
        shape=("members.to_confirm", roles_key(user)))
    return HomeCard(title=_("Party members who reported"), url=url_for("members.reports"), count=count,
                    items=[(r.display_name, url_for("members.reports") + f"#report-{r.id}",
                            format_date(r.created_at)) for r in oldest],
                    empty_text=_("No report is waiting for you."), action_label=_("Open the reports"),
                    urgent=bool(count))


@home_card(order=41)
def my_report(user) -> HomeCard | None:
    if not can_report(user):
        return None
    row = db.session.scalar(select(MemberReport).where(MemberReport.user_id == user.id,
                                                       MemberReport.state.in_(("pending", "confirmed", "refused")))
                            .order_by(MemberReport.created_at.desc(), MemberReport.id.desc()).limit(1))
    if row is None or row.state == "refused":
        return HomeCard(title=_("Report to your community"), url=url_for("members.report"),
                        empty_text=_("Tell the community where you live which services you offer."),
                        action_label=_("Report now"), urgent=True)
    if row.state == "pending":
        return HomeCard(title=_("Report to your community"), url=url_for("members.report"),
                        items=[(row.community.name, url_for("members.report"), row.state_label)])
    if row.recheck_due:
        return HomeCard(title=_("Do you still live here?"), url=url_for("members.report"),
                        items=[(row.community.name, url_for("members.report"), _("Please confirm"))], urgent=True)
    return None
