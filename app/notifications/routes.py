"""The bell's pages: the list (newest first, keyset "load more"), open one (marks it read, goes to its subject),
mark all read. A notification is only ever reachable by its recipient: anyone else gets a 404."""
from __future__ import annotations

from types import SimpleNamespace

from flask import abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.notifications import bp, registry, services
from app.notifications.policy import can_open_notification
from app.web.htmx import notify, render_page
from app.web.pagination import keyset_page


def _page_size() -> int:
    return int(current_app.config.get("NOTIFICATION_PAGE_SIZE") or current_app.config.get("PAGE_SIZE", 20))


@bp.app_template_global("notification_bell")
def notification_bell():
    """For the top bar: the unread count (one capped COUNT per page) and what the bell says to a screen reader."""
    if not current_user.is_authenticated:
        return None
    try:
        n = services.unread_count(current_user)
    except SQLAlchemyError:  # an error page while the database is down still renders, without the count
        current_app.logger.warning("notification count unavailable", exc_info=True)
        n = 0
    label = services.count_label(n)
    aria = _("Notifications: %(n)s unread", n=label) if n else _("Notifications: none unread")
    return SimpleNamespace(count=n, label=label, aria=aria)


@bp.get("/")
@login_required
def index():
    page = keyset_page(db.session, services.list_statement(current_user), keys=services.LIST_KEYS,
                       cursor=request.args.get("after"), size=_page_size())
    items = [(n, registry.message_for(n.event, n.params)) for n in page.items]
    next_url = url_for("notifications.index", after=page.next_cursor) if page.has_more else None
    first_page = not request.args.get("after")
    return render_page("notifications/index.html", "notifications/_items.html", items=items, next_url=next_url,
                       first_page=first_page)


@bp.get("/<int:notification_id>/open", endpoint="open")
@login_required
def open_notification(notification_id: int):
    """Mark one of the user's own notifications read and go to what it is about. A GET, so links (the list, the
    home card) work without JavaScript; the only thing it ever changes is the reader's own "read" mark."""
    notification = services.find_own(current_user, notification_id)
    if not can_open_notification(current_user, notification):
        abort(404)
    services.mark_read(notification)
    target = registry.link_for(current_user, notification.subject_type, notification.subject_id)
    db.session.commit()
    if target is None:
        notify(_("That item no longer exists or is no longer visible to you."), "info")
        return redirect(url_for("notifications.index"), 303)
    return redirect(target, 303)


@bp.post("/read-all")
@login_required
def read_all():
    n = services.mark_all_read(current_user)
    db.session.commit()
    notify(_("All notifications are marked as read.") if n else _("There was nothing unread."))
    return redirect(url_for("notifications.index"), 303)
