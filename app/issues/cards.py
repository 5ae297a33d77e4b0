"""Home-page cards: the handler's queue (overdue count), the resident's issues awaiting their rating."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.issues.models import Issue
from app.issues.policy import is_issue_handler, is_sentinel
from app.issues.queries import mine_clause, queue_clause
from app.timeutil import utcnow
from app.web.home import HomeCard, home_card


@home_card(order=30)
def my_issue_queue(user) -> HomeCard | None:
    if not is_issue_handler(user):
        return None
    clause = queue_clause(user)
    rows = list(db.session.scalars(select(Issue).where(clause).order_by(Issue.due_at, Issue.id).limit(5)))
    now = utcnow()
    total, overdue = db.session.execute(
        select(db.func.count(), db.func.count().filter(Issue.due_at < now)).select_from(Issue).where(clause)).one()
    return HomeCard(
        title=_("Issues for you to handle"),
        url=url_for("issues.index", view="queue"),
        count=total,
        items=[(f"#{i.id} {i.category.label} · {i.title}", url_for("issues.show", issue_id=i.id),
                _("Overdue") if i.is_overdue(now) else i.state_label) for i in rows],
        empty_text=_("No issue waits for you."),
        action_label=(_("%(n)s overdue — open the queue", n=overdue) if overdue else _("Open the queue")),
        urgent=bool(overdue),
    )


@home_card(order=31)
def awaiting_my_rating(user) -> HomeCard | None:
    if not getattr(user, "is_authenticated", False):
        return None
    waiting = (mine_clause(user, Issue.state == "resolved"),)
    rows = list(db.session.scalars(select(Issue).where(*waiting)
                                   .order_by(Issue.resolved_at.desc(), Issue.id.desc()).limit(5)))
    if not rows:
        if is_sentinel(user):
            return HomeCard(title=_("Quick report"), url=url_for("issues.quick"),
                            empty_text=_("Seen a hazard on your route? Photo, place, one tap."),
                            action_label=_("Quick report"))
        return None
    return HomeCard(
        title=_("Please rate how your report was solved"),
        url=url_for("issues.show", issue_id=rows[0].id),
        count=db.session.scalar(select(db.func.count()).select_from(Issue).where(*waiting)),
        items=[(f"#{i.id} {i.category.label} · {i.title}", url_for("issues.show", issue_id=i.id) + "#rate",
                _("Resolved")) for i in rows],
        urgent=True,
    )
