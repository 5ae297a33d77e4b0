"""Operations on the area tree."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from app.areas.models import LEVEL_DEPTH, LEVELS, STAFFING_QUOTA, Area, StaffingPost
from app.extensions import db
from app.web.params import parse_id


class AreaError(ValueError):
    pass


def create_area(name: str, level: str, parent: Area | None = None, code: str | None = None,
                households: int | None = None) -> Area:
    if level not in LEVELS:
        raise AreaError(f"unknown level {level!r}")
    if parent is None and level != "city":
        raise AreaError("only a city has no parent")
    if parent is not None and LEVEL_DEPTH[level] != parent.depth + 1:
        raise AreaError(f"a {level} cannot sit under a {parent.level}")
    area = Area(name=name, level=level, parent=parent, code=code, households=households)
    db.session.add(area)
    db.session.flush()  # the id is part of the path
    area.path = (parent.path if parent else "/") + f"{area.id}/"
    db.session.flush()
    return area


def children_of(parent_id: int | None, level: str) -> list[Area]:
    # siblings in the order they were set up (一组, 二组, 三组 …), which is how a street office lists them;
    # sorting by name would give 一组, 三组, 二组
    stmt = select(Area).where(Area.level == level).order_by(Area.id)
    if parent_id is not None:
        stmt = stmt.where(Area.parent_id == parent_id)
    return list(db.session.scalars(stmt.limit(500)))


def staffing_status(area_ids: list[int]) -> dict[int, dict]:
    """For each micro-grid: counts per post and whether "1+1+3" is complete — one query for all."""
    rows = db.session.execute(
        select(StaffingPost.area_id, StaffingPost.post, func.count())
        .where(StaffingPost.area_id.in_(area_ids))
        .group_by(StaffingPost.area_id, StaffingPost.post)
    ).all()
    counts: dict[int, Counter] = {aid: Counter() for aid in area_ids}
    for area_id, post, n in rows:
        counts[area_id][post] = n
    return {
        aid: {
            "counts": dict(c),
            "missing": {p: q - c.get(p, 0) for p, q in STAFFING_QUOTA.items() if c.get(p, 0) < q},
            "complete": all(c.get(p, 0) >= q for p, q in STAFFING_QUOTA.items()),
        }
        for aid, c in counts.items()
    }


PICKER_LEVELS = ("street", "community", "grid", "microgrid")


def picker_state(selected: dict[str, int | None]) -> list[dict]:
    """Select boxes for the cascading area picker: each level lists the children of the level above.

    ``selected`` maps level → chosen id (the micro-grid is the form's ``area_id``). A choice that is not a child
    of the level above is dropped, so a forged id cannot slip through.
    """
    rows = []
    parent_id = None
    parent_ok = True
    for level in PICKER_LEVELS:
        options = children_of(parent_id, level) if parent_ok else []
        chosen = selected.get(level)
        if chosen not in {a.id for a in options}:
            chosen = None
        rows.append({"level": level, "name": "area_id" if level == "microgrid" else level,
                     "options": options, "chosen": chosen})
        parent_id = chosen
        parent_ok = chosen is not None
    return rows


def picker_from_values(values, area: Area | None = None) -> list[dict]:
    """Build the picker from submitted values, or from an existing micro-grid (its ancestors pre-selected)."""
    if area is not None and area.level == "microgrid":
        selected = {a.level: a.id for a in area.lineage()}
        selected["microgrid"] = area.id
    else:
        selected = {level: parse_id(values.get("area_id" if level == "microgrid" else level))
                    for level in PICKER_LEVELS}
    return picker_state(selected)
