"""Home-page cards: the handler's queue (overdue count), the resident's issues awaiting their rating."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from app.accounts.scope import scope_key
from app.extensions import db
from app.issues.models import Issue
from app.issues.policy import is_issue_handler, is_sentinel
from app.issues.queries import queue_clause
from app.timeutil import utcnow
from app.web.home import HomeCard, home_card
from app.web.pagination import count_and_first


@home_card(order=30)
def my_issue_queue(user) -> HomeCard | None:
    if not is_issue_handler(user):
        return None
    now = utcnow()
    # the first five, how many in all and how many overdue: one statement (two windows over the whole queue)
    def build():
        overdue_over_all = func.count().filter(Issue.due_at < bindparam("now")).over().label("overdue")
        return select(Issue, overdue_over_all).where(queue_clause(user))

    total, rows = count_and_first(db.session, build, order_by=(Issue.due_at, Issue.id), limit=5,
                                  shape=("issues.queue_card", scope_key(user)), params={"now": now})
    overdue = rows[0].overdue if rows else 0
    return HomeCard(
        title=_("Issues for you to handle"),
        url=url_for("issues.index", view="queue"),
        count=total,
        items=[(f"#{i.id} {i.category.label} · {i.title}", url_for("issues.show", issue_id=i.id),
                _("Overdue") if i.is_overdue(now) else i.state_label) for i, *_counts in rows],
        empty_text=_("No issue waits for you."),
        action_label=(_("%(n)s overdue — open the queue", n=overdue) if overdue else _("Open the queue")),
        urgent=bool(overdue),
    )


@home_card(order=31)
def awaiting_my_rating(user) -> HomeCard | None:
    if not getattr(user, "is_authenticated", False):
        return None
    count, rows = count_and_first(
        db.session, lambda: select(Issue).where(Issue.resident_is(bindparam("me"), Issue.state == "resolved")),
        order_by=(Issue.resolved_at.desc(), Issue.id.desc()), limit=5, shape=("issues.to_rate",),
        params={"me": user.id})
    if not rows:
        if is_sentinel(user):
            return HomeCard(title=_("Quick report"), url=url_for("issues.quick"),
                            empty_text=_("Seen a hazard on your route? Photo, place, one tap."),
                            action_label=_("Quick report"))
        return None
    return HomeCard(
        title=_("Please rate how your report was solved"),
        url=url_for("issues.show", issue_id=rows[0].Issue.id),
        count=count,
        items=[(f"#{i.id} {i.category.label} · {i.title}", url_for("issues.show", issue_id=i.id) + "#rate",
                _("Resolved")) for i, _n in rows],
        urgent=True,
    )
