"""Reading notifications: the bell's count, a page of the list, marking read. Never commits (routes do)."""
from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import bindparam, func, select, update

from app.extensions import db
from app.notifications.models import Notification
from app.timeutil import utcnow
from app.web.pagination import shaped

#: the bell counts at most this many (shown as "99+"), so the count stays one short index range scan
COUNT_CAP = 100
LIST_KEYS = [(Notification.created_at, "desc"), (Notification.id, "desc")]


def unread_count(user) -> int:
    """Unread notifications of ``user``, counted up to COUNT_CAP — one query per request (cached on ``g``)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    cache = g.setdefault("_unread_notifications", {}) if has_request_context() else {}
    if user.id not in cache:
        def build():
            capped = (select(Notification.id).where(Notification.user_id == bindparam("me"),
                                                    Notification.read_at.is_(None)).limit(COUNT_CAP).subquery())
            return select(func.count()).select_from(capped)

        cache[user.id] = db.session.scalar(shaped(("notifications.unread",), build), {"me": user.id}) or 0
    return cache[user.id]


def count_label(n: int) -> str:
    return f"{COUNT_CAP - 1}+" if n >= COUNT_CAP else str(n)


def forget_count(user) -> None:
    if has_request_context():
        g.get("_unread_notifications", {}).pop(getattr(user, "id", None), None)


def list_statement(user, *, unread_only: bool = False):
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt


def newest_unread(user, limit: int) -> list[Notification]:
    return list(db.session.scalars(
        list_statement(user, unread_only=True)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def find_own(user, notification_id: int) -> Notification | None:
    """The user's own notification, or None (whether someone else's exists is not revealed)."""
    return db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user.id))


def mark_read(notification: Notification) -> bool:
    """Compare-and-set: True if this call marked it (it was unread)."""
    result = db.session.execute(
        update(Notification).where(Notification.id == notification.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.session.expire(notification, ["read_at"])
    return result.rowcount == 1


def mark_all_read(user) -> int:
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    forget_count(user)
    return result.rowcount or 0
