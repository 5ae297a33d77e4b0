"""Operations on the area tree."""
from __future__ import annotations

from collections import Counter

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app import events
from app.accounts.models import User
from app.areas import events as _declared_events  # noqa: F401 — declares this domain's events
from app.areas.models import LEVEL_DEPTH, LEVELS, STAFFING_LABELS, STAFFING_POSTS, STAFFING_QUOTA, Area, StaffingPost
from app.errors import DomainError
from app.extensions import db
from app.web.params import parse_id

NAME_MAX = 80  # Area.name
CODE_MAX = 32  # Area.code
PERSON_MAX = 40  # StaffingPost.name
LOGIN_MAX = 64


class AreaError(DomainError):
    """A tree rule or a form value was refused; the message is the user's (field: the form field)."""


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


def lineages(areas) -> dict[int, list[Area]]:
    """area id → its areas from the root down (itself included), for many areas in one query."""
    areas = list(areas)
    ids = {i for area in areas for i in area.ancestor_ids}
    by_id = {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_(ids)))} if ids else {}
    return {area.id: [by_id[i] for i in area.ancestor_ids if i in by_id] for area in areas}


def full_names(areas, from_level: str = "street") -> dict[int, str]:
    """area id → "Community · Grid · Micro-grid" (from ``from_level`` down) for many areas, in one query for all
    their lineages — for lists and choices where ``Area.full_name`` would cost a query per row."""
    start = LEVEL_DEPTH[from_level]
    areas = list(areas)
    found = lineages(areas)
    return {area.id: " · ".join(a.name for a in found[area.id] if a.depth >= start) or area.name for area in areas}


def full_names_by_path(paths: dict[int, str], from_level: str = "street") -> dict[int, str]:
    """area id → its full name, as ``full_names``, for areas known only by id and path (rows, not loaded areas): one
    query for their lineages, which hold the areas themselves."""
    start = LEVEL_DEPTH[from_level]
    lines = {aid: [int(p) for p in path.strip("/").split("/") if p] for aid, path in paths.items()}
    ids = {i for line in lines.values() for i in line}
    by_id = {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_(ids)))} if ids else {}
    return {aid: " · ".join(by_id[i].name for i in line if i in by_id and by_id[i].depth >= start)
            or (by_id[aid].name if aid in by_id else "") for aid, line in lines.items()}


def incomplete_teams(area_scope_clause, limit: int = 2000) -> list[tuple[int, str]]:
    """(id, path) of the micro-grids (the first ``limit`` in ``area_scope_clause``, by grid) whose "1+1+3" team is
    incomplete — one query counting each micro-grid's posts (the same rule as ``staffing_status``)."""
    micro = (select(Area.id, Area.parent_id, Area.path).where(Area.level == "microgrid", area_scope_clause)
             .order_by(Area.parent_id, Area.id).limit(limit).subquery())
    counts = [func.count(StaffingPost.id).filter(StaffingPost.post == post).label(post) for post in STAFFING_QUOTA]
    rows = db.session.execute(
        select(micro.c.id, micro.c.path, *counts).outerjoin(StaffingPost, StaffingPost.area_id == micro.c.id)
        .group_by(micro.c.id, micro.c.parent_id, micro.c.path).order_by(micro.c.parent_id, micro.c.id)).all()
    return [(row.id, row.path) for row in rows
            if not all(getattr(row, post) >= quota for post, quota in STAFFING_QUOTA.items())]


#: at most this many places in one list of the picker; a level with more offers a text filter by name, and the
#: list says how many it shows of how many (nothing is cut without a word)
PICKER_MAX = 500
QUERY_MAX = 40


def _children_stmt(parent_id: int | None, level: str, columns=(Area,)):
    stmt = select(*columns).where(Area.level == level)
    if parent_id is not None:
        stmt = stmt.where(Area.parent_id == parent_id)
    return stmt


def children_of(parent_id: int | None, level: str, *, query: str = "", limit: int = PICKER_MAX) -> list:
    """The places of ``level`` under ``parent_id`` as plain ``(id, name)`` rows — a picker's list, read on every
    page that filters by place, needs no more (and building hundreds of ``Area`` objects was a tenth of the wish
    wall's time)."""
    # siblings in the order they were set up (一组, 二组, 三组 …), which is how a street office lists them;
    # sorting by name would give 一组, 三组, 二组
    stmt = _children_stmt(parent_id, level, (Area.id, Area.name))
    if query:
        stmt = stmt.where(func.lower(Area.name).contains(query.lower(), autoescape=True))
    return db.session.execute(stmt.order_by(Area.id).limit(limit)).all()


def _level_row(parent_id: int | None, level: str, chosen: int | None, query: str) -> dict:
    """One list of the picker: up to PICKER_MAX children in set-up order; beyond that a filter by name narrows the
    list, and the chosen place stays in it whatever the filter (a chosen place that is not a child is dropped)."""
    options = children_of(parent_id, level, limit=PICKER_MAX + 1)
    big = len(options) > PICKER_MAX
    total = len(options)
    if big:
        counted = _children_stmt(parent_id, level, (Area.id,)).subquery()
        total = db.session.scalar(select(func.count()).select_from(counted))
        options = children_of(parent_id, level, query=query) if query else options[:PICKER_MAX]
    if chosen is not None and chosen not in {a.id for a in options}:
        area = db.session.get(Area, chosen) if big else None
        if area is not None and area.level == level and (parent_id is None or area.parent_id == parent_id):
            options = [area] + options
        else:
            chosen = None
    return {"level": level, "options": options, "chosen": chosen, "big": big, "query": query if big else "",
            "total": total, "shown": len(options)}


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


def picker_state(selected: dict[str, int | None], queries: dict[str, str] | None = None,
                 levels: tuple[str, ...] = PICKER_LEVELS) -> list[dict]:
    """Select boxes for the cascading area picker: each level lists the children of the level above.

    ``selected`` maps level → chosen id (the micro-grid is the form's ``area_id``). A choice that is not a child
    of the level above is dropped, so a forged id cannot slip through. ``queries`` maps level → the text typed in
    the filter a level with more than PICKER_MAX places offers (``<level>_q`` in the form). ``levels`` stops the
    cascade early (the wish wall filters by street and community only).
    """
    queries = queries or {}
    rows = []
    parent_id = None
    parent_ok = True
    for level in levels:
        if parent_ok:
            row = _level_row(parent_id, level, selected.get(level), queries.get(level, ""))
        else:
            row = {"level": level, "options": [], "chosen": None, "big": False, "query": "", "total": 0, "shown": 0}
        row["name"] = "area_id" if level == "microgrid" else level
        row["filter_name"] = f"{level}_q"
        rows.append(row)
        parent_id = row["chosen"]
        parent_ok = parent_id is not None
    return rows


def picker_queries(values) -> dict[str, str]:
    """The filters typed in the picker's long lists (``street_q`` … ``microgrid_q``), trimmed."""
    return {level: clean_text(values.get(f"{level}_q"))[:QUERY_MAX] for level in PICKER_LEVELS
            if values.get(f"{level}_q")}


def picker_from_values(values, area: Area | None = None, levels: tuple[str, ...] = PICKER_LEVELS) -> list[dict]:
    """Build the picker from submitted values, or from an existing micro-grid (its ancestors pre-selected)."""
    if area is not None and area.level == "microgrid":
        selected = {a.level: a.id for a in area.lineage()}
        selected["microgrid"] = area.id
    else:
        selected = {level: parse_id(values.get("area_id" if level == "microgrid" else level))
                    for level in PICKER_LEVELS}
    return picker_state(selected, picker_queries(values), levels)


# ---------------------------------------------------------------- setting up the territory
# Each operation validates everything first, changes, flushes and emits an event (the audit log subscribes); the
# route commits once. A refusal is an AreaError carrying every problem of the form, and nothing has changed.


def clean_text(raw: str | None) -> str:
    """Trim and collapse runs of white space (a name typed with a double space is the same name)."""
    return " ".join((raw or "").split())


def _lock(area: Area) -> None:
    """Serialise changes below ``area`` (new children, its "1+1+3" posts), so that two people — or one double tap —
    cannot both pass the "not taken yet" check. PostgreSQL: the row lock; SQLite: take the write lock now (writers
    queue behind it with the busy timeout) so the check below reads what the other writer committed."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Area.__table__).where(Area.__table__.c.id == area.id)
                           .values(name=Area.__table__.c.name))
    else:
        db.session.execute(select(Area.id).where(Area.id == area.id).with_for_update())


def _check_name_and_code(name: str, code: str, *, parent: Area | None, exclude_id: int | None = None) -> dict:
    errors: dict = {}
    if not name:
        errors["name"] = _l("Enter a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("A name may be at most %(max)s characters.", max=NAME_MAX)
    elif parent is not None:
        stmt = select(Area.id).where(Area.parent_id == parent.id, func.lower(Area.name) == name.lower())
        if exclude_id is not None:
            stmt = stmt.where(Area.id != exclude_id)
        if db.session.scalar(stmt.limit(1)) is not None:
            errors["name"] = _l("%(parent)s already has an area called “%(name)s”. Choose another name.",
                                parent=parent.name, name=name)
    if code:
        if len(code) > CODE_MAX:
            errors["code"] = _l("A code may be at most %(max)s characters.", max=CODE_MAX)
        elif " " in code:
            errors["code"] = _l("A code has no spaces.")
        else:
            stmt = select(Area.id).where(Area.code == code)
            if exclude_id is not None:
                stmt = stmt.where(Area.id != exclude_id)
            if db.session.scalar(stmt.limit(1)) is not None:
                errors["code"] = _l("The code %(code)s is already used by another area.", code=code)
    return errors


def add_child_area(actor, parent: Area, name: str | None, code: str | None = None) -> Area:
    """A new area of the next level under ``parent`` (a community under a street, a grid under a community …)."""
    depth = parent.depth + 1
    if depth >= len(LEVELS):
        raise AreaError(_l("A micro-grid has no smaller areas."))
    level = LEVELS[depth]
    name, code = clean_text(name), clean_text(code)
    _lock(parent)
    errors = _check_name_and_code(name, code, parent=parent)
    if errors:
        raise AreaError.several(errors)
    try:
        with db.session.begin_nested():  # the same code sent at the same instant: the database decides, no 500
            area = create_area(name, level, parent, code=code or None)
    except IntegrityError:
        raise AreaError(_l("The code %(code)s is already used by another area.", code=code), "code") from None
    events.emit("area.created", actor=actor, subject=area, area_id=area.id, parent_id=parent.id, level=level,
                area_name=name, code=code or None)
    return area


def rename_area(actor, area: Area, name: str | None, code: str | None = None) -> bool:
    """Change an area's name (and code). False if nothing changed."""
    name, code = clean_text(name), clean_text(code)
    if area.parent is not None:
        _lock(area.parent)
    errors = _check_name_and_code(name, code, parent=area.parent, exclude_id=area.id)
    if errors:
        raise AreaError.several(errors)
    before = {"name": area.name, "code": area.code}
    if before == {"name": name, "code": code or None}:
        return False
    area.name, area.code = name, code or None
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise AreaError(_l("The code %(code)s is already used by another area.", code=code), "code") from None
    events.emit("area.renamed", actor=actor, subject=area, area_id=area.id, before=before,
                after={"name": area.name, "code": area.code})
    return True


def staffing_posts(area: Area) -> list[StaffingPost]:
    """The people of a micro-grid's "1+1+3" team, by post (backbone, liaison, volunteers) in the order added."""
    order = {post: i for i, post in enumerate(STAFFING_POSTS)}
    rows = list(db.session.scalars(select(StaffingPost).where(StaffingPost.area_id == area.id)
                                   .order_by(StaffingPost.id).limit(100)))
    return sorted(rows, key=lambda p: order.get(p.post, 9))


def find_account(area: Area, login: str | None) -> User | None:
    """An active account by username or mobile whose home lies in the micro-grid's community (its neighbours may
    serve too). Anyone else — unknown, or living elsewhere — gets the same message: the form never tells whether
    a number has an account somewhere in the city."""
    login = clean_text(login)
    if not login:
        return None
    community = area.ancestor_at("community") or area
    user = None
    if len(login) <= LOGIN_MAX:
        user = db.session.scalar(
            select(User).join(Area, User.home_area_id == Area.id)
            .where(or_(User.username.in_({login, login.lower()}), User.mobile == login), User.active.is_(True),
                   Area.in_subtree(community.path)).limit(1))
    if user is None:
        raise AreaError(_l("No account with this username or mobile number lives in %(community)s. Leave the "
                           "field empty to add the person by name only.", community=community.name), "account")
    return user


def add_staffing_post(actor, area: Area, post: str | None, name: str | None, login: str | None = None
                      ) -> StaffingPost:
    """Put a person on one of the micro-grid's posts: one party backbone, one liaison, three volunteers."""
    if area.level != "microgrid":
        raise AreaError(_l("Only a micro-grid has a \"1+1+3\" team."))
    errors: dict = {}
    name = clean_text(name)
    if post not in STAFFING_POSTS:
        errors["post"] = _l("Choose a post.")
    if len(name) > PERSON_MAX:
        errors["name"] = _l("A name may be at most %(max)s characters.", max=PERSON_MAX)
    user = None
    try:
        user = find_account(area, login)
    except AreaError as e:
        errors.update(e.errors)
    if not name and user is not None:
        name = clean_text(user.display_name)[:PERSON_MAX]
    if not name and "name" not in errors:
        errors["name"] = _l("Enter the person's name, or their account.")
    if errors:
        raise AreaError.several(errors)
    _lock(area)
    team = staffing_posts(area)
    current = [p for p in team if p.post == post]
    if user is not None and any(p.user_id == user.id for p in team):
        held = next(p for p in team if p.user_id == user.id)
        raise AreaError(_l("%(name)s is already on this team as %(post)s.", name=name, post=held.post_label),
                        "account")
    if any(p.name.lower() == name.lower() for p in current):
        raise AreaError(_l("%(name)s is already on this post.", name=name), "name")
    if len(current) >= STAFFING_QUOTA[post]:
        raise AreaError(_l("This micro-grid already has %(n)s × %(post)s. Remove someone from the post first.",
                           n=STAFFING_QUOTA[post], post=STAFFING_LABELS[post]), "post")
    row = StaffingPost(area_id=area.id, post=post, name=name, user_id=user.id if user else None)
    db.session.add(row)
    db.session.flush()
    events.emit("area.staffing_added", actor=actor, subject=area, area_id=area.id, post=post, person=name,
                user_id=user.id if user else None, staffing_post_id=row.id)
    return row


def remove_staffing_post(actor, area: Area, row: StaffingPost) -> None:
    if row.area_id != area.id:
        raise AreaError(_l("This person is not on this micro-grid's team."))
    data = {"post": row.post, "person": row.name, "user_id": row.user_id, "staffing_post_id": row.id}
    db.session.delete(row)
    db.session.flush()
    events.emit("area.staffing_removed", actor=actor, subject=area, area_id=area.id, **data)
