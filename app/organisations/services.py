from __future__ import annotations

from app.areas.models import Area
from app.extensions import db
from app.organisations.models import ORG_KINDS, Organisation, Pairing


class OrganisationError(ValueError):
    pass


def create_organisation(name: str, kind: str, area: Area | None = None, **extra) -> Organisation:
    if kind not in ORG_KINDS:
        raise OrganisationError(f"unknown organisation kind {kind!r}")
    org = Organisation(name=name, kind=kind, area=area, **extra)
    db.session.add(org)
    db.session.flush()
    return org


def pair(organisation: Organisation, community: Area, year: int) -> Pairing:
    if organisation.kind != "agency":
        raise OrganisationError("only an agency branch is paired with a community")
    if community.level != "community":
        raise OrganisationError("a pairing is with a community")
    pairing = Pairing(organisation=organisation, community=community, year=year)
    db.session.add(pairing)
    db.session.flush()
    return pairing
