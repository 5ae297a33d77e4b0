"""The catalogue (paged by name), how many communities run each scenario, and what one community runs."""
from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.scope import STAFF_ROLES, is_city_admin, role_areas
from app.areas.models import Area
from app.areas.services import picker_queries, picker_state
from app.extensions import db
from app.scenarios.models import Scenario, ScenarioAdoption
from app.web.pagination import keyset_page
from app.web.params import parse_id

KEYS = [(Scenario.active, "desc"), (Scenario.name, "asc"), (Scenario.id, "asc")]


def catalogue_page(cursor: str | None, size: int, *, active_only: bool = False):
    stmt = select(Scenario)
    if active_only:
        stmt = stmt.where(Scenario.active.is_(True))
    return keyset_page(db.session, stmt, keys=KEYS, cursor=cursor, size=size)


def adoption_counts(scenario_ids: list[int], within: Area | None = None) -> dict[int, int]:
    """scenario id → communities running it (within ``within``'s subtree, or the whole city) — one statement."""
    if not scenario_ids:
        return {}
    stmt = (select(ScenarioAdoption.scenario_id, func.count(ScenarioAdoption.id))
            .where(ScenarioAdoption.scenario_id.in_(scenario_ids)).group_by(ScenarioAdoption.scenario_id))
    if within is not None and within.level != "city":
        stmt = stmt.join(Area, Area.id == ScenarioAdoption.community_id).where(Area.in_subtree(within.path))
    return dict(db.session.execute(stmt).all())


def adoptions_of(community: Area, scenario_ids: list[int]) -> dict[int, ScenarioAdoption]:
    if not scenario_ids:
        return {}
    return {a.scenario_id: a for a in db.session.scalars(
        select(ScenarioAdoption).where(ScenarioAdoption.community_id == community.id,
                                       ScenarioAdoption.scenario_id.in_(scenario_ids)))}


def community_count() -> int:
    return db.session.scalar(select(func.count(Area.id)).where(Area.level == "community")) or 0


def my_communities(user) -> list[Area]:
    """The communities the user may mark adoption for, when they are few enough to list (a community's staff: one;
    a street admin: the street's). A city admin picks in ``community_picker`` instead."""
    if is_city_admin(user):
        return []
    out = []
    for area in role_areas(user, STAFF_ROLES):
        if area.level == "community":
            out.append(area)
        elif area.level == "street":
            out += list(db.session.scalars(select(Area).where(Area.parent_id == area.id,
                                                              Area.level == "community").order_by(Area.name)))
    return out


#: the levels of the community picker
PICKER_LEVELS = ("street", "community")


def community_picker(user, community: Area | None, values) -> list[dict] | None:
    """For a city admin, whose reach is every community (too many for tabs): the street → community lists of the
    area picker, the shown community chosen in them. None for everyone else (their communities are the tabs)."""
    if not is_city_admin(user):
        return None
    if community is not None:
        selected = {"street": community.parent_id, "community": community.id}
    else:
        selected = {"street": parse_id(values.get("street")), "community": None}
    return picker_state(selected, picker_queries(values), PICKER_LEVELS)


def runs(community: Area) -> list[ScenarioAdoption]:
    return list(db.session.scalars(select(ScenarioAdoption).join(Scenario)
                                   .where(ScenarioAdoption.community_id == community.id)
                                   .order_by(Scenario.name)))
