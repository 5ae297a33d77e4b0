"""The author of a flagged thing hears when it is hidden pending review and of the staff's decision."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.moderation.subjects import kind_of
from app.notifications.registry import Notify, notice


def _title(event) -> str:
    """The thing's title as the author wrote it (after a removal, from the original kept in the payload)."""
    kind = kind_of(event.payload.kind)
    original = getattr(event.payload, "original", None) or {}
    if kind is not None and original:
        text = " ".join(str(original.get(kind.fields[0]) or next(iter(original.values()))).split())
        return text if len(text) <= 40 else text[:39] + "…"
    return kind.title(event.subject) if kind is not None else ""


@notice("moderation.hidden", _l("Your post “%(title)s” is hidden while staff review reports about it."))
def hidden(event) -> Notify:
    return Notify(to=event.payload.author_ids, params={"title": _title(event)})


@notice("moderation.restored", _l("Your post “%(title)s” is shown again: %(reason)s"))
def restored(event) -> Notify:
    return Notify(to=event.payload.author_ids, params={"title": _title(event), "reason": event.payload.reason})


@notice("moderation.removed", _l("Moderators removed your post “%(title)s”: %(reason)s"))
def removed(event) -> Notify:
    return Notify(to=event.payload.author_ids, params={"title": _title(event), "reason": event.payload.reason})
