"""A notification is its recipient's alone: nobody else may open it, mark it or learn that it exists (404)."""
from __future__ import annotations


def can_open_notification(user, notification) -> bool:
    return (user is not None and getattr(user, "is_authenticated", False) and notification is not None
            and notification.user_id == user.id)
