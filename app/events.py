"""Domain events, each with a declared payload.

Services emit an event after they have changed and flushed the database; cross-cutting parts (the audit log,
notifications, later points and the dashboard) subscribe. Subscribers run synchronously in the same transaction,
so the request still commits once and a failure rolls everything back together.

Every event name is declared once, with the dataclass of its payload, in ``app/<domain>/events.py``:

    @events.declare("wish.claimed", "wish.released")
    @dataclass(frozen=True, kw_only=True)
    class ClaimChange(WishChange):
        claim_id: int | None
        member_ids: tuple[int, ...]

The service passes the payload's own fields; ``emit`` fills ``subject_id``, ``actor_id`` and ``at`` and refuses
an undeclared name, a missing or unknown field, a value of the wrong type, or ``None`` where the payload says the
field is required — with ``EventError``, because that is a programming error, never a user's:

    events.emit("wish.claimed", actor=user, subject=wish, area_id=wish.area_id, claim_id=claim.id, …)

Subscribers read the payload's attributes:

    @events.on("wish.claimed")
    def award(event: events.DomainEvent) -> None:
        for uid in event.payload.member_ids: ...
"""
from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from blinker import Namespace

from app.timeutil import utcnow

_signals = Namespace()
#: fired for every event, whatever its name — the audit log and the notifications listen here
any_event = _signals.signal("any")


class EventError(TypeError):
    """An event emitted or declared wrongly: a bug in the code, never something a user did."""


@dataclass(frozen=True, kw_only=True)
class Payload:
    """What every event carries. ``area_id`` is the area (community, micro-grid …) the subject belongs to, None for
    city-wide things (an issue category, an API key); ``at`` is naive UTC. Subclasses add the event's own fields and
    name in ``required`` the fields that are never None for them."""

    #: fields that must not be None (checked by ``emit``)
    required: ClassVar[frozenset[str]] = frozenset({"subject_id"})
    #: fields ``emit`` fills itself
    filled: ClassVar[frozenset[str]] = frozenset({"subject_id", "actor_id", "at"})

    subject_id: int | None
    actor_id: int | None
    area_id: int | None
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def own_fields(cls) -> tuple[str, ...]:
        """The fields a service passes to ``emit`` for an event with this payload."""
        return tuple(f.name for f in dataclasses.fields(cls) if f.name not in cls.filled)


@dataclass(frozen=True)
class Declaration:
    name: str
    payload: type[Payload]
    #: may be emitted without a person acting (a scheduled job, the command line, the demo seeder)
    system: bool = False


_declared: dict[str, Declaration] = {}


def declare(*names: str, system: bool = False) -> Callable[[type[Payload]], type[Payload]]:
    """Class decorator: ``names`` are emitted with this payload (a name is declared once, in its domain)."""

    def register(cls: type[Payload]) -> type[Payload]:
        # a subclass without its own @dataclass would look like one while its new fields are not fields
        if not (isinstance(cls, type) and issubclass(cls, Payload) and "__dataclass_params__" in vars(cls)):
            raise EventError(f"{cls!r} is not a Payload dataclass (decorate it with @dataclass)")
        if not (cls.__dataclass_params__.frozen and all(f.kw_only for f in dataclasses.fields(cls))):
            raise EventError(f"{cls.__name__} must be a frozen, keyword-only dataclass")
        unknown = cls.required - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise EventError(f"{cls.__name__}.required names no field: {sorted(unknown)}")
        _hints(cls)  # every annotation resolves now, not at the first emit
        for name in names:
            known = _declared.get(name)
            if known is not None and known.payload is not cls:
                raise EventError(f"event {name!r} is declared twice ({known.payload.__name__}, {cls.__name__})")
            _declared[name] = Declaration(name, cls, system)
        return cls

    return register


def declaration(name: str) -> Declaration | None:
    return _declared.get(name)


def declared() -> dict[str, Declaration]:
    return dict(_declared)


_hint_cache: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _hint_cache.get(cls)
    if hints is None:
        hints = typing.get_type_hints(cls)  # each class's annotations in its own module's names
        _hint_cache[cls] = hints
    return hints


def _conforms(value: Any, hint: Any) -> bool:
    """A small runtime check of the annotations payloads use: classes, ``X | None``, ``tuple[X, ...]``,
    ``dict[...]``, ``Literal``."""
    if hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, h) for h in typing.get_args(hint))
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_conforms(v, args[0]) for v in value)
        return len(args) == len(value) and all(_conforms(v, a) for v, a in zip(value, args, strict=True))
    if origin is dict:
        return isinstance(value, dict)
    if hint is type(None):
        return value is None
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def build(name: str, *, actor: Any, subject: Any, fields: Mapping[str, Any]) -> Payload:
    """The payload of ``name`` from the service's fields, checked against its declaration."""
    decl = _declared.get(name)
    if decl is None:
        raise EventError(f"event {name!r} is not declared (declare it in its domain's events.py)")
    cls = decl.payload
    own = set(cls.own_fields())
    given = set(fields)
    unknown = given - own
    missing = {f.name for f in dataclasses.fields(cls) if f.name in own - given
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    if unknown or missing:
        raise EventError(f"event {name!r} ({cls.__name__}): "
                         + "; ".join(part for part in (f"unknown fields {sorted(unknown)}" if unknown else "",
                                                      f"missing fields {sorted(missing)}" if missing else "")
                                     if part))
    actor_id = getattr(actor, "id", None)
    if actor_id is None and not decl.system:
        raise EventError(f"event {name!r} needs an actor (declare it with system=True if a job emits it)")
    payload = cls(subject_id=getattr(subject, "id", None), actor_id=actor_id, at=utcnow(), **fields)
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        value = getattr(payload, f.name)
        if value is None and f.name in cls.required:
            raise EventError(f"event {name!r}: {f.name} is required, got None")
        if not _conforms(value, hints[f.name]):
            raise EventError(f"event {name!r}: {f.name}={value!r} is not {hints[f.name]}")
    return payload


@dataclass(frozen=True)
class DomainEvent:
    name: str
    actor: Any  # a User or None for system jobs
    subject: Any  # the changed object (has __tablename__ and id)
    payload: Payload

    @property
    def subject_type(self) -> str | None:
        return getattr(self.subject, "__tablename__", None)

    @property
    def subject_id(self) -> int | None:
        return self.payload.subject_id


def signal(name: str):
    return _signals.signal(name)


def emit(name: str, *, actor: Any, subject: Any, **fields: Any) -> DomainEvent:
    """Build the declared payload of ``name`` (see ``build``) and tell every subscriber."""
    event = DomainEvent(name=name, actor=actor, subject=subject,
                        payload=build(name, actor=actor, subject=subject, fields=fields))
    signal(name).send(event)
    any_event.send(event)
    return event


def on(name: str) -> Callable:
    """Decorator: subscribe a function to one event name (strong reference, lives as long as the module). The
    declaring domain may be imported after the subscriber, so the name is checked by tests/test_events.py."""

    def register(fn: Callable) -> Callable:
        _subscribed.add(name)
        signal(name).connect(fn, weak=False)
        return fn

    return register


_subscribed: set[str] = set()


def subscribed() -> set[str]:
    """Every name passed to ``on`` (the test checks each is declared)."""
    return set(_subscribed)


def on_any(fn: Callable) -> Callable:
    any_event.connect(fn, weak=False)
    return fn
