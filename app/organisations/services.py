"""Operations on organisations and pairings (结对): validate, change, flush, emit — the route commits once."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import events
from app.areas.models import Area
from app.errors import DomainError
from app.extensions import db
from app.organisations import events as _declared_events  # noqa: F401 — declares this domain's events
from app.organisations.models import ORG_KINDS, Organisation, Pairing
from app.timeutil import local_today

NAME_MAX = 120  # Organisation.name
CONTACT_NAME_MAX = 40
PHONE_MAX = 20
#: a mobile or landline number as people write it: 13800138000, 0510-86012345, +86 138 0013 8000
PHONE_RE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
#: the levels an organisation sits at (agencies: the city or a street; enterprises and teams: a street or community)
ORG_AREA_LEVELS = ("city", "street", "community")
FIRST_YEAR = 2000


class OrganisationError(DomainError):
    """A rule was broken; the message is the user's (field: the form field)."""


def create_organisation(name: str, kind: str, area: Area | None = None, **extra) -> Organisation:
    """Create without the form's checks (demo seeder, factories)."""
    if kind not in ORG_KINDS:
        raise OrganisationError(f"unknown organisation kind {kind!r}")
    org = Organisation(name=name, kind=kind, area=area, **extra)
    db.session.add(org)
    db.session.flush()
    return org


def pair(organisation: Organisation, community: Area, year: int) -> Pairing:
    """Create a pairing without the form's checks (demo seeder, factories)."""
    if organisation.kind != "agency":
        raise OrganisationError("only an agency branch is paired with a community")
    if community.level != "community":
        raise OrganisationError("a pairing is with a community")
    pairing = Pairing(organisation=organisation, community=community, year=year)
    db.session.add(pairing)
    db.session.flush()
    return pairing


# ---------------------------------------------------------------- organisations


def clean_text(raw: str | None) -> str:
    return " ".join((raw or "").split())


@dataclass
class OrganisationInput:
    name: str | None
    kind: str | None
    area: Area | None
    contact_name: str | None = None
    contact_phone: str | None = None


def _validate(data: OrganisationInput, *, exclude_id: int | None = None) -> dict:
    """Every value of the form, cleaned; raises one OrganisationError carrying every problem."""
    errors: dict = {}
    name = clean_text(data.name)
    contact_name = clean_text(data.contact_name)
    phone = clean_text(data.contact_phone)
    if not name:
        errors["name"] = _l("Enter the organisation's name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("A name may be at most %(max)s characters.", max=NAME_MAX)
    else:
        stmt = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
        if exclude_id is not None:
            stmt = stmt.where(Organisation.id != exclude_id)
        if db.session.scalar(stmt.limit(1)) is not None:
            errors["name"] = _l("An organisation called “%(name)s” already exists.", name=name)
    if data.kind not in ORG_KINDS:
        errors["kind"] = _l("Choose the kind of organisation.")
    if data.area is None or data.area.level not in ORG_AREA_LEVELS:
        errors["area_id"] = _l("Choose where the organisation sits.")
    if len(contact_name) > CONTACT_NAME_MAX:
        errors["contact_name"] = _l("A name may be at most %(max)s characters.", max=CONTACT_NAME_MAX)
    if phone and (len(phone) > PHONE_MAX or not PHONE_RE.match(phone)):
        errors["contact_phone"] = _l("Enter a phone number of digits, e.g. 13800138000 or 0510-86012345.")
    if errors:
        raise OrganisationError.several(errors)
    return {"name": name, "kind": data.kind, "area_id": data.area.id, "contact_name": contact_name or None,
            "contact_phone": phone or None}


def _fields(org: Organisation) -> dict:
    return {"name": org.name, "kind": org.kind, "area_id": org.area_id, "contact_name": org.contact_name,
            "contact_phone": org.contact_phone}


def _flush_name_checked(name: str) -> None:
    try:
        with db.session.begin_nested():  # the same name sent twice at once: the database decides, no 500
            db.session.flush()
    except IntegrityError:
        raise OrganisationError(_l("An organisation called “%(name)s” already exists.", name=name), "name") from None


def add_organisation(actor, data: OrganisationInput) -> Organisation:
    values = _validate(data)
    org = Organisation(**values)
    db.session.add(org)
    _flush_name_checked(values["name"])
    events.emit("organisation.created", actor=actor, subject=org, area_id=org.area_id, organisation_id=org.id,
                before=None, after=_fields(org))
    return org


def update_organisation(actor, org: Organisation, data: OrganisationInput) -> bool:
    """Change the organisation's details; False if nothing changed."""
    values = _validate(data, exclude_id=org.id)
    if org.kind == "agency" and values["kind"] != "agency" and has_pairings(org):
        raise OrganisationError(_l("This agency branch has pairings, so it stays an agency branch."), "kind")
    before = _fields(org)
    if before == values:
        return False
    for key, value in values.items():
        setattr(org, key, value)
    org.area = data.area
    _flush_name_checked(values["name"])
    events.emit("organisation.updated", actor=actor, subject=org, area_id=org.area_id, organisation_id=org.id,
                before=before,
                after=_fields(org))
    return True


def has_pairings(org: Organisation) -> bool:
    return db.session.scalar(select(Pairing.id).where(Pairing.organisation_id == org.id).limit(1)) is not None


# ---------------------------------------------------------------- pairings


def year_range() -> tuple[int, int]:
    """Years a pairing may be made for: from FIRST_YEAR to next year (a pairing is often agreed in December)."""
    return FIRST_YEAR, local_today().year + 1


def parse_year(raw) -> int | None:
    """The year from a form value, or None if it is not a year in ``year_range()``."""
    text = clean_text(str(raw) if raw is not None else "")
    if not text.isascii() or not text.isdigit() or len(text) != 4:
        return None
    year = int(text)
    low, high = year_range()
    return year if low <= year <= high else None


def _duplicate_message(org: Organisation, community: Area, year: int):
    return _l("%(organisation)s is already paired with %(community)s for %(year)s.",
              organisation=org.name, community=community.name, year=year)


def create_pairing(actor, org: Organisation | None, community: Area | None, year) -> Pairing:
    """结对: an agency branch with a community for one year (one pairing per agency, community and year)."""
    errors: dict = {}
    if org is None or org.kind != "agency":
        errors["organisation_id"] = _l("Choose an agency party branch.")
    if community is None or community.level != "community":
        errors["community_id"] = _l("Choose a community.")
    parsed = parse_year(year)
    if parsed is None:
        low, high = year_range()
        errors["year"] = _l("Enter a year from %(low)s to %(high)s.", low=low, high=high)
    if errors:
        raise OrganisationError.several(errors)
    exists = db.session.scalar(select(Pairing.id).where(
        Pairing.organisation_id == org.id, Pairing.community_id == community.id, Pairing.year == parsed))
    if exists is not None:
        raise OrganisationError(_duplicate_message(org, community, parsed), "community_id")
    pairing = Pairing(organisation_id=org.id, community_id=community.id, year=parsed)
    try:
        with db.session.begin_nested():  # a double tap: the unique constraint decides, the loser gets the message
            db.session.add(pairing)
            db.session.flush()
    except IntegrityError:
        raise OrganisationError(_duplicate_message(org, community, parsed), "community_id") from None
    events.emit("pairing.created", actor=actor, subject=pairing, area_id=community.id, organisation_id=org.id,
                community_id=community.id, year=parsed)
    return pairing


#: functions ``(pairing) -> int`` counting data that depends on a pairing (the co-building checklist registers one
#: with ``@pairing_dependents``); a pairing with dependent data is not removed
_DEPENDENT_COUNTERS: list[Callable[[Pairing], int]] = []


def pairing_dependents(counter: Callable[[Pairing], int]) -> Callable[[Pairing], int]:
    _DEPENDENT_COUNTERS.append(counter)
    return counter


def can_be_removed(pairing: Pairing) -> bool:
    return not any(counter(pairing) for counter in _DEPENDENT_COUNTERS)


def remove_pairing(actor, pairing: Pairing) -> None:
    if not can_be_removed(pairing):
        raise OrganisationError(_l("This pairing already has co-building work recorded, so it stays."))
    data = {"organisation_id": pairing.organisation_id, "community_id": pairing.community_id, "year": pairing.year,
            "area_id": pairing.community_id}
    db.session.delete(pairing)
    db.session.flush()
    events.emit("pairing.removed", actor=actor, subject=pairing, **data)
