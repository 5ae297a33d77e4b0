"""What each domain says, to whom, about its own events — registered in the domain's ``notices.py``.

    from app.notifications.registry import Notify, notice, subject_link

    @notice("wish.claimed", _l("Your wish “%(title)s” was claimed by %(by)s."))
    def claimed(event) -> Notify:
        return Notify(to=[event.payload.wisher_id], params={"title": event.subject.title, "by": ...})

    @subject_link("wish")
    def wish_link(user, wish_id) -> str | None:
        ...  # the URL if the wish still exists and ``user`` may see it, else None

A notice function returns the people who must hear of the event (user ids, or one or more ``Notify``); the actor
is always left out. Messages are lazy-gettext templates with ``%(name)s`` params, rendered when the reader looks,
in the reader's language; ``variant`` picks another message registered for the same event (keyword arguments of
``@notice``). ``show(params)`` may turn stored values into display text (a level code into its label).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.extensions import db

#: longest string param kept (a title, a reason): the row stays small, the page stays short
PARAMS_MAX = 120
#: a notice never reaches more people than this (recipient queries are bounded too)
RECIPIENTS_MAX = 50
VARIANT = "_v"


@dataclass
class Notify:
    to: Iterable[int | None]
    params: dict = field(default_factory=dict)
    variant: str | None = None


@dataclass
class Notice:
    event: str
    recipients: Callable[[Any], Any]
    messages: dict[str, Any]
    show: Callable[[dict], dict] | None = None
    #: ``current(subject_id) -> bool``: whether what the message asks for is still to do (a wish still pending
    #: review); used to file away notices of a history made all at once, such as the demo city's
    current: Callable[[int], bool] | None = None


_notices: dict[str, Notice] = {}
_links: dict[str, Callable[[Any, int], str | None]] = {}


def notice(event: str, message, *, show: Callable[[dict], dict] | None = None,
           current: Callable[[int], bool] | None = None, **variants) -> Callable:
    """Decorator: ``fn(event)`` returns who must hear of ``event`` (ids, a Notify, or a list of Notify)."""

    def register(fn: Callable) -> Callable:
        _notices[event] = Notice(event=event, recipients=fn, messages={"": message, **variants}, show=show,
                                 current=current)
        return fn

    return register


def subject_link(subject_type: str) -> Callable:
    """Decorator: ``fn(user, subject_id)`` returns the subject's URL when it exists and the user may see it."""

    def register(fn: Callable) -> Callable:
        _links[subject_type] = fn
        return fn

    return register


def state_in(model, *states: str) -> Callable[[int], bool]:
    """A ``current`` check for ``@notice``: the subject (a row of ``model``) is still in one of ``states``."""
    def current(subject_id: int) -> bool:
        return db.session.scalar(select(model.state).where(model.id == subject_id)) in states

    return current


def notice_for(event: str) -> Notice | None:
    return _notices.get(event)


def events() -> list[str]:
    return sorted(_notices)


def link_for(user, subject_type: str | None, subject_id: int | None) -> str | None:
    fn = _links.get(subject_type or "")
    if fn is None or subject_id is None:
        return None
    return fn(user, subject_id)


def _short(value):
    if isinstance(value, str):
        value = " ".join(value.split())
        return value if len(value) <= PARAMS_MAX else value[: PARAMS_MAX - 1] + "…"
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return _short(str(value))


def deliveries(event) -> list[tuple[int, dict]]:
    """(user id, params) for each person who must hear of ``event``; never its actor, each person once."""
    spec = _notices.get(event.name)
    if spec is None or event.subject_id is None:
        return []
    result = spec.recipients(event)
    if result is None:
        return []
    if isinstance(result, Notify):
        batches = [result]
    elif isinstance(result, (list, tuple)) and result and all(isinstance(r, Notify) for r in result):
        batches = list(result)
    else:
        batches = [Notify(to=result)]
    actor_id = getattr(event.actor, "id", None)
    seen: set[int] = {actor_id} if actor_id is not None else set()
    out: list[tuple[int, dict]] = []
    for batch in batches:
        params = {str(k): _short(v) for k, v in (batch.params or {}).items()}
        if batch.variant:
            params[VARIANT] = batch.variant
        for uid in batch.to:
            if uid is None or uid in seen or len(out) >= RECIPIENTS_MAX:
                continue
            seen.add(uid)
            out.append((int(uid), params))
    return out


class _Params(dict):
    """A missing param shows as nothing rather than failing the page."""

    def __missing__(self, key):
        return ""


def message_for(event: str, params: dict | None) -> str:
    """The text of one notification in the current request's language."""
    from flask_babel import gettext

    params = dict(params or {})
    spec = _notices.get(event)
    if spec is None:
        return gettext("Something changed that concerns you.")
    template = spec.messages.get(params.pop(VARIANT, None) or "") or spec.messages[""]
    if spec.show is not None:
        try:
            params = spec.show(params)
        except Exception:  # noqa: BLE001 — a display helper must never break the page
            pass
    try:
        return str(template) % _Params(params)
    except (TypeError, ValueError, KeyError):
        # a translation whose placeholders do not fit: the English text still reads right
        source = getattr(template, "_args", None)
        if source and isinstance(source[0], str):
            try:
                return source[0] % _Params(params)
            except (TypeError, ValueError, KeyError):
                pass
        return gettext("Something changed that concerns you.")
