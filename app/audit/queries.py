"""The audit log page: entries within the reader's reach, filtered by person, object, action, area and local days,
newest first, paged by keyset. Each filter has an index ending in (at, id): ix_audit_entry_at_id (everything),
ix_audit_entry_action_at_id, ix_audit_entry_area_at_id, ix_audit_entry_actor_at, ix_audit_entry_subject."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app import events
from app.accounts.models import User
from app.accounts.scope import area_scope
from app.areas.models import Area
from app.areas.services import picker_queries, picker_state
from app.audit.models import AuditEntry
from app.audit.policy import READER_ROLES, can_read_audit_of_area
from app.extensions import db
from app.timeutil import local_date_to_utc
from app.web.pagination import Page, keyset_page
from app.web.params import parse_id

KEYS = [(AuditEntry.at, "desc"), (AuditEntry.id, "desc")]
#: dates are years 1900–2999 (the local day's start in UTC must exist)
MIN_YEAR, MAX_YEAR = 1900, 2999
PLACE_LEVELS = ("street", "community")
_ACTION = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]*)?$")


def subject_types() -> list[str]:
    """Every kind of object an entry may name: the tables (an event's subject is a row)."""
    return sorted(db.Model.metadata.tables)


def action_choices() -> list[tuple[str, list[str]]]:
    """The declared events, by domain prefix: the filter offers "wish." (all of them) and each name."""
    groups: dict[str, list[str]] = {}
    for name in sorted(events.declared()):
        groups.setdefault(name.split(".", 1)[0] + ".", []).append(name)
    return sorted(groups.items())


@dataclass
class Filters:
    person: str = ""
    subject_type: str = ""
    subject_id: int | None = None
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    area: Area | None = None
    places: list = field(default_factory=list)
    #: field name → message, for values that could not be used (the rest of the filter still applies)
    errors: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args, user) -> "Filters":
        f = cls()
        f.raw = {k: (args.get(k) or "").strip() for k in ("person", "type", "object", "action", "date_from",
                                                          "date_to")}
        f.person = f.raw["person"][:60]
        kind = f.raw["type"]
        if kind:
            if kind in subject_types():
                f.subject_type = kind
            else:
                f.errors["type"] = _l("There is no kind of object called “%(value)s”.", value=kind[:40])
        if f.raw["object"]:
            f.subject_id = parse_id(f.raw["object"])
            if f.subject_id is None:
                f.errors["object"] = _l("An object number is a whole number, such as 42.")
        action = f.raw["action"]
        if action:
            declared = events.declared()
            if not _ACTION.match(action) or not (action in declared or (
                    action.endswith(".") and any(n.startswith(action) for n in declared))):
                f.errors["action"] = _l("There is no action called “%(value)s”.", value=action[:40])
            else:
                f.action = action
        for name in ("date_from", "date_to"):
            raw = f.raw[name]
            if not raw:
                continue
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                day = None
            if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
                f.errors[name] = _l("“%(value)s” is not a date. Write a day as 2026-11-30.", value=raw[:40])
            else:
                setattr(f, name, day)
        if f.date_from and f.date_to and f.date_from > f.date_to:
            f.errors["date_to"] = _l("The last day comes before the first day.")
            f.date_to = None
        street_id, community_id = parse_id(args.get("street")), parse_id(args.get("community"))
        f.places = picker_state({"street": street_id, "community": community_id}, picker_queries(args), PLACE_LEVELS)
        chosen = f.places[1]["chosen"] or f.places[0]["chosen"]
        if chosen is not None:
            area = db.session.get(Area, chosen)
            if area is not None and can_read_audit_of_area(user, area):
                f.area = area
            else:
                f.errors["area"] = _l("That area is outside your reach: you read the log of your own street only.")
        return f

    def clauses(self) -> list:
        out = []
        if self.person:
            people = select(User.id).where(or_(User.username == self.person, User.display_name == self.person))
            out.append(AuditEntry.actor_id.in_(people))
        if self.subject_type:
            out.append(AuditEntry.subject_type == self.subject_type)
        if self.subject_id is not None:
            out.append(AuditEntry.subject_id == self.subject_id)
        if self.action:
            if self.action.endswith("."):
                out.append(AuditEntry.action.in_([n for n in sorted(events.declared()) if n.startswith(self.action)]))
            else:
                out.append(AuditEntry.action == self.action)
        if self.date_from:
            out.append(AuditEntry.at >= local_date_to_utc(self.date_from))
        if self.date_to:
            out.append(AuditEntry.at <= local_date_to_utc(self.date_to, end_of_day=True))
        if self.area is not None:
            out.append(AuditEntry.area_id.in_(select(Area.id).where(Area.in_subtree(self.area.path))))
        return out

    def args(self) -> dict:
        """The filters in use, for the next page's and the export's links."""
        out = {"person": self.person, "type": self.subject_type, "action": self.action,
               "object": self.subject_id or "", "date_from": self.date_from.isoformat() if self.date_from else "",
               "date_to": self.date_to.isoformat() if self.date_to else ""}
        if self.area is not None:
            out["street"] = self.places[0]["chosen"] or ""
            out["community"] = self.places[1]["chosen"] or ""
        return {k: v for k, v in out.items() if v}


def statement(user, filters: Filters):
    return select(AuditEntry).where(area_scope(user, AuditEntry.area_id, READER_ROLES), *filters.clauses())


def page(user, filters: Filters, *, cursor: str | None, size: int) -> Page:
    stmt = statement(user, filters).options(selectinload(AuditEntry.actor), selectinload(AuditEntry.area))
    return keyset_page(db.session, stmt, keys=KEYS, cursor=cursor, size=size)


def count(user, filters: Filters) -> int:
    return db.session.scalar(statement(user, filters).with_only_columns(func.count(AuditEntry.id)).order_by(None))


def export_rows(user, filters: Filters, limit: int) -> list[AuditEntry]:
    """Every matching entry, newest first (the caller checked ``count`` ≤ ``limit``)."""
    stmt = (statement(user, filters).options(selectinload(AuditEntry.actor), selectinload(AuditEntry.area))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))
