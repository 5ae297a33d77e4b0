"""Domain events.

Services emit an event after they have changed and flushed the database; cross-cutting parts (audit log,
later points and notifications) subscribe. Subscribers run synchronously in the same transaction, so the
request still commits once and a failure rolls everything back together.

    from app import events
    events.emit("wish.claimed", actor=user, subject=wish, area_id=wish.area_id, claim_id=claim.id)

    @events.on("wish.claimed")
    def award(event): ...
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from blinker import Namespace

_signals = Namespace()
#: fired for every event, whatever its name — the audit log listens here
any_event = _signals.signal("any")


@dataclass(frozen=True)
class DomainEvent:
    name: str
    actor: Any  # a User or None for system jobs
    subject: Any  # the changed object (has __tablename__ and id)
    data: dict = field(default_factory=dict)

    @property
    def subject_type(self) -> str | None:
        return getattr(self.subject, "__tablename__", None)

    @property
    def subject_id(self) -> int | None:
        return getattr(self.subject, "id", None)


def signal(name: str):
    return _signals.signal(name)


def emit(name: str, *, actor: Any, subject: Any, **data: Any) -> DomainEvent:
    event = DomainEvent(name=name, actor=actor, subject=subject, data=data)
    signal(name).send(event)
    any_event.send(event)
    return event


def on(name: str) -> Callable:
    """Decorator: subscribe a function to one event name (strong reference, lives as long as the module)."""

    def register(fn: Callable) -> Callable:
        signal(name).connect(fn, weak=False)
        return fn

    return register


def on_any(fn: Callable) -> Callable:
    any_event.connect(fn, weak=False)
    return fn
