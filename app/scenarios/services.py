"""Keeping the scenario catalogue and the communities' adoptions."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import events
from app.errors import DomainError
from app.extensions import db
from app.scenarios import events as _events  # noqa: F401 — declares this domain's events
from app.scenarios.models import DIMENSIONS, KINDS, Scenario, ScenarioAdoption
from app.timeutil import local_today

NAME_MAX = 60
DESCRIPTION_MAX = 300
NOTE_MAX = 200


def _one_line(raw) -> str:
    return " ".join(str(raw or "").split())


def _check(name, dimension, kind, description, current: Scenario | None = None) -> tuple[str, str, str, str]:
    errors = {}
    name = _one_line(name)
    description = _one_line(description)
    if not name:
        errors["name"] = _l("Give the scenario a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("At most %(n)s characters.", n=NAME_MAX)
    else:
        clash = db.session.scalar(select(Scenario.id).where(func.lower(Scenario.name) == name.lower()))
        if clash is not None and (current is None or clash != current.id):
            errors["name"] = _l("The catalogue already has a scenario of this name.")
    if dimension not in DIMENSIONS:
        errors["dimension"] = _l("Choose one of the four dimensions.")
    if kind not in KINDS:
        errors["kind"] = _l("Choose common or community-specific.")
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _l("At most %(n)s characters.", n=DESCRIPTION_MAX)
    if errors:
        raise DomainError.several(errors)
    return name, dimension, kind, description


def _fields(scenario: Scenario) -> dict:
    return {"area_id": None, "title": scenario.name, "dimension": scenario.dimension, "kind": scenario.kind,
            "active": scenario.active}


def create_scenario(actor, *, name, dimension, kind, description="") -> Scenario:
    name, dimension, kind, description = _check(name, dimension, kind, description)
    scenario = Scenario(name=name, dimension=dimension, kind=kind, description=description)
    db.session.add(scenario)
    db.session.flush()
    events.emit("scenario.created", actor=actor, subject=scenario, **_fields(scenario))
    return scenario


def update_scenario(scenario: Scenario, actor, *, name, dimension, kind, description="", active=True) -> bool:
    name, dimension, kind, description = _check(name, dimension, kind, description, scenario)
    new = (name, dimension, kind, description, bool(active))
    if new == (scenario.name, scenario.dimension, scenario.kind, scenario.description, scenario.active):
        return False
    scenario.name, scenario.dimension, scenario.kind, scenario.description, scenario.active = new
    db.session.flush()
    events.emit("scenario.updated", actor=actor, subject=scenario, **_fields(scenario))
    return True


def _parse_since(raw) -> date:
    raw = (raw or "").strip()
    if not raw:
        return local_today()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise DomainError(_l("“%(value)s” is not a date; write it as YYYY-MM-DD.", value=raw[:20]), "since") from None
    if day.year < 2000 or day > local_today():
        raise DomainError(_l("Choose a day between 2000 and today."), "since")
    return day


def adopt(scenario: Scenario, community, actor, *, since=None, note="") -> ScenarioAdoption:
    """Record that ``community`` runs ``scenario`` (or correct its day and note)."""
    if not scenario.active:
        raise DomainError(_l("This scenario was taken out of the catalogue."), "scenario")
    day = _parse_since(since)
    note = _one_line(note)
    if len(note) > NOTE_MAX:
        raise DomainError(_l("At most %(n)s characters.", n=NOTE_MAX), "note")
    adoption = db.session.scalar(select(ScenarioAdoption).where(ScenarioAdoption.scenario_id == scenario.id,
                                                                ScenarioAdoption.community_id == community.id))
    if adoption is None:
        adoption = ScenarioAdoption(scenario_id=scenario.id, community_id=community.id, since=day, note=note,
                                    recorded_by_id=actor.id)
        db.session.add(adoption)
    else:
        adoption.since, adoption.note, adoption.recorded_by_id = day, note, actor.id
    db.session.flush()
    events.emit("scenario.adopted", actor=actor, subject=scenario, area_id=community.id, scenario_id=scenario.id,
                since=day.isoformat(), note=note or None)
    return adoption


def drop(scenario: Scenario, community, actor) -> bool:
    adoption = db.session.scalar(select(ScenarioAdoption).where(ScenarioAdoption.scenario_id == scenario.id,
                                                                ScenarioAdoption.community_id == community.id))
    if adoption is None:
        return False
    db.session.delete(adoption)
    db.session.flush()
    events.emit("scenario.dropped", actor=actor, subject=scenario, area_id=community.id, scenario_id=scenario.id,
                since=None, note=None)
    return True
