"""Points: the rules, the append-only ledger, the cached balances, rule editing and commendations.

Only the subscribers (``app/points/subscribers.py``) award points, from other domains' events; nothing else in the
application writes the ledger, and nothing here updates or deletes an entry. Every write is race-safe the same
way: the insert runs in a savepoint and the database's unique keys decide (``uq_point_entry_award``,
``uq_point_entry_branch_award``, ``point_entry.reverses_id``) — the loser gets ``None``, never an error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app import events
from app.accounts.models import RoleAssignment
from app.areas.models import LEVEL_DEPTH, Area
from app.errors import DomainError
from app.extensions import db
from app.points import events as _events  # noqa: F401  (declares the events emitted here)
from app.points.models import (
    DEFAULT_RULES,
    ENTRY_POINTS_MAX,
    RULE_POINTS_MAX,
    Commendation,
    CommendationEntry,
    PointBalance,
    PointEntry,
    PointRule,
)
from app.timeutil import local_date_to_utc, utcnow


class PointsError(DomainError):
    pass


# -- the rules ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleSpec:
    code: str
    label: str
    unit: str
    points: int


#: every rule a subscriber applies, with its default name and points (seeded by ``ensure_rules``)
RULES: tuple[RuleSpec, ...] = tuple(RuleSpec(*row) for row in DEFAULT_RULES)
RULE_CODES = tuple(r.code for r in RULES)

#: what each rule's label means, for the rules page (the label itself is the admin's own text)
RULE_HELP = {
    "attendance_hour": _l("Per hour of service the organiser attested at an activity (by the minute)."),
    "wish_claimant": _l("To the party member or branch admin who claimed a wish, when the resident confirms it."),
    "wish_team_member": _l("To each member of the claiming team of a completed wish."),
    "checklist_done": _l("To the paired branch, when an item it was responsible for is done."),
    "sentinel_accepted": _l("To the sentinel whose report was accepted."),
    "issue_resolved_satisfied": _l("To the grid or micro-grid leader who resolved an issue the resident rated "
                                   "satisfied."),
    "station_help": _l("To the helper who took a station's help-at-the-door or errand request, when the resident "
                       "confirms it was done."),
}
UNIT_LABELS = {"event": _l("points each time"), "hour": _l("points per hour")}


def ensure_rules() -> list[PointRule]:
    """Insert the rules that do not exist yet (idempotent; two at once: the unique code decides)."""
    have = set(db.session.scalars(select(PointRule.code)))
    for spec in RULES:
        if spec.code in have:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(PointRule(code=spec.code, label=spec.label, unit=spec.unit, points=spec.points))
        except IntegrityError:
            pass
    return list(db.session.scalars(select(PointRule).order_by(PointRule.id)))


def rule_for(code: str, *, active_only: bool = True) -> PointRule | None:
    stmt = select(PointRule).where(PointRule.code == code)
    if active_only:
        stmt = stmt.where(PointRule.active.is_(True))
    return db.session.scalar(stmt)


_WHOLE = re.compile(r"^[+-]?\d{1,9}$")


def parse_points(raw) -> int:
    """A rule's points from a form: a whole number within the bounds, else a clear refusal."""
    text = ("" if raw is None else str(raw)).strip()
    if not text:
        raise PointsError(_l("Enter the points, a whole number."), "points")
    if not _WHOLE.match(text):
        if re.match(r"^[+-]?\d*[.,]\d*$", text):
            raise PointsError(_l("Points are whole numbers; %(value)s has a fraction.", value=text[:20]), "points")
        raise PointsError(_l("Enter the points as a whole number, such as 10."), "points")
    value = int(text)
    if value < 0:
        raise PointsError(_l("A rule awards points; it cannot take them away (no negative points)."), "points")
    if value > RULE_POINTS_MAX:
        raise PointsError(_l("At most %(max)s points per rule.", max=RULE_POINTS_MAX), "points")
    return value


LABEL_MAX = 80


def update_rule(rule: PointRule, actor, *, label, points, active: bool) -> PointRule:
    """A city admin changes a rule: it applies to what happens from now on (the ledger is never recomputed)."""
    errors = {}
    text = " ".join(str(label or "").split())
    if not text:
        errors["label"] = _l("Give the rule a name.")
    elif len(text) > LABEL_MAX:
        errors["label"] = _l("Please keep the name to %(n)s characters.", n=LABEL_MAX)
    try:
        value = parse_points(points)
    except PointsError as error:
        errors["points"] = error.message
        value = None
    if errors:
        raise PointsError.several(errors)
    before = {"label": rule.label, "points": rule.points, "active": rule.active}
    rule.label, rule.points, rule.active = text, value, bool(active)
    rule.updated_at = utcnow()
    rule.updated_by_id = actor.id
    db.session.flush()
    events.emit("points.rule_updated", actor=actor, subject=rule, area_id=None, code=rule.code, before=before,
                after={"label": rule.label, "points": rule.points, "active": rule.active})
    return rule


# -- the ledger ----------------------------------------------------------------------------------------------
def places(area_id: int | None) -> tuple[int | None, int | None]:
    """(community id, street id) of an area at or below a community, from its path."""
    if area_id is None:
        return None, None
    area = db.session.get(Area, area_id)
    if area is None:
        return None, None
    ids = area.ancestor_ids
    community = ids[LEVEL_DEPTH["community"]] if len(ids) > LEVEL_DEPTH["community"] else None
    street = ids[LEVEL_DEPTH["street"]] if len(ids) > LEVEL_DEPTH["street"] else None
    return community, street


def member_branch(user_id: int, prefer: int | None = None) -> int | None:
    """The branch a party member belongs to now: ``prefer`` when they are a member of it, else their first."""
    orgs = list(db.session.scalars(
        select(RoleAssignment.organisation_id)
        .where(RoleAssignment.user_id == user_id, RoleAssignment.role == "member",
               RoleAssignment.organisation_id.is_not(None))
        .order_by(RoleAssignment.id).limit(20)))
    if prefer is not None and prefer in orgs:
        return prefer
    return orgs[0] if orgs else None


def hour_points(rule: PointRule, minutes: int) -> int:
    """Points per hour prorated by the minute, rounded half up."""
    return min((max(minutes, 0) * rule.points + 30) // 60, ENTRY_POINTS_MAX)


def _bump(user_id: int | None, delta: int) -> None:
    """Add ``delta`` to the person's cached balance: one atomic UPDATE, or the first row (two at once: the primary
    key decides and the loser updates)."""
    if user_id is None or delta == 0:
        return
    now = utcnow()
    stmt = (update(PointBalance).where(PointBalance.user_id == user_id)
            .values(points=PointBalance.points + delta, updated_at=now)
            .execution_options(synchronize_session=False))
    if db.session.execute(stmt).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(PointBalance(user_id=user_id, points=delta, updated_at=now))
    except IntegrityError:
        db.session.execute(stmt)


def _insert(entry: PointEntry) -> PointEntry | None:
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:  # the same award (or reversal) is there already: replayed, or a concurrent twin
        return None
    _bump(entry.user_id, entry.points)
    return entry


def award(rule: PointRule, *, cause: str, source_type: str, source_id: int, points: int,
          user_id: int | None = None, organisation_id: int | None = None, area_id: int | None = None,
          quantity: int | None = None, generation: int = 1, occurred_at: datetime | None = None
          ) -> PointEntry | None:
    """One award of ``rule`` for a source; None when there is nothing to award or it was awarded already."""
    if points == 0 or (user_id is None and organisation_id is None):
        return None
    community_id, street_id = places(area_id)
    now = utcnow()
    return _insert(PointEntry(
        user_id=user_id, organisation_id=organisation_id, rule_id=rule.id, points=points, quantity=quantity,
        generation=generation, source_type=source_type, source_id=source_id, event=cause,
        community_id=community_id, street_id=street_id, occurred_at=occurred_at or now, created_at=now))


def reverse(entry: PointEntry, *, cause: str, occurred_at: datetime | None = None) -> PointEntry | None:
    """The reversal of an award: the same holder, places and source, the negated points. None when it was
    reversed already (a correction replayed, or two at once)."""
    if entry.reverses_id is not None:
        raise ValueError("a reversal is never reversed; award again instead")
    now = utcnow()
    return _insert(PointEntry(
        user_id=entry.user_id, organisation_id=entry.organisation_id, rule_id=entry.rule_id, points=-entry.points,
        quantity=None, generation=None, source_type=entry.source_type, source_id=entry.source_id, event=cause,
        community_id=entry.community_id, street_id=entry.street_id, occurred_at=occurred_at or now,
        created_at=now, reverses_id=entry.id))


def awards_for(rule: PointRule, source_type: str, source_id: int, user_id: int) -> list[PointEntry]:
    """A person's awards of a rule for a source, latest generation first."""
    return list(db.session.scalars(
        select(PointEntry).where(PointEntry.rule_id == rule.id, PointEntry.source_type == source_type,
                                 PointEntry.source_id == source_id, PointEntry.user_id == user_id,
                                 PointEntry.generation.is_not(None))
        .order_by(PointEntry.generation.desc()).limit(1)))


def is_reversed(entry: PointEntry) -> bool:
    return db.session.scalar(select(PointEntry.id).where(PointEntry.reverses_id == entry.id)) is not None


def correct_hours(rule: PointRule, *, cause: str, source_type: str, source_id: int, user_id: int,
                  organisation_id: int | None, area_id: int | None, minutes: int, previous_minutes: int,
                  occurred_at: datetime | None = None) -> list[PointEntry]:
    """An attested time was corrected: reverse the award for ``previous_minutes`` and award for ``minutes``.

    Idempotent: when the live award already counts ``minutes`` nothing happens; a stale correction (the live award
    counts neither time) changes nothing either. With no award at all (the rule was off at attestation, or it gave
    no points) the new time is awarded."""
    made: list[PointEntry] = []
    latest = next(iter(awards_for(rule, source_type, source_id, user_id)), None)
    live = latest if latest is not None and not is_reversed(latest) else None
    counted = live.quantity if live is not None else (0 if latest is not None else None)
    if counted is not None:
        if counted == minutes or counted != previous_minutes:
            return made
    if live is not None:
        undone = reverse(live, cause=cause, occurred_at=occurred_at)
        if undone is None:  # a concurrent correction reversed it first
            return made
        made.append(undone)
    entry = award(rule, cause=cause, source_type=source_type, source_id=source_id,
                  points=hour_points(rule, minutes), user_id=user_id, organisation_id=organisation_id,
                  area_id=area_id, quantity=minutes, generation=(latest.generation + 1) if latest else 1,
                  occurred_at=occurred_at)
    if entry is not None:
        made.append(entry)
    return made


def announce(made: list[PointEntry], *, rule: PointRule, cause: str, actor, source_type: str, source_id: int,
             area_id: int | None) -> None:
    """One ``points.awarded`` for the entries one event made (a person hears of it once, however many)."""
    made = [e for e in made if e is not None]
    if not made:
        return
    per_user: dict[int, int] = {}
    orgs: list[int] = []
    for entry in made:
        if entry.user_id is not None:
            per_user[entry.user_id] = per_user.get(entry.user_id, 0) + entry.points
        elif entry.organisation_id not in orgs:
            orgs.append(entry.organisation_id)
    community_id, _street = places(area_id)
    events.emit("points.awarded", actor=actor, subject=made[0], area_id=community_id or area_id,
                rule_code=rule.code, source_type=source_type, source_id=source_id, cause=cause,
                user_ids=tuple(per_user), points=tuple(per_user.values()), organisation_ids=tuple(orgs))


# -- the balance check ---------------------------------------------------------------------------------------
def ledger_sum(user_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(PointEntry.points), 0))
                                 .where(PointEntry.user_id == user_id)) or 0)


def balance_of(user_id: int) -> int:
    return int(db.session.scalar(select(PointBalance.points).where(PointBalance.user_id == user_id)) or 0)


def check_balances(limit: int = 500) -> list[tuple[int, int, int]]:
    """(user id, cached, ledger) for every person whose cached balance differs from the ledger's sum — one grouped
    query each way (an empty list: all is well)."""
    ledger = select(PointEntry.user_id.label("user_id"), func.sum(PointEntry.points).label("total")) \
        .where(PointEntry.user_id.is_not(None)).group_by(PointEntry.user_id).subquery()
    cached = {uid: pts for uid, pts in db.session.execute(select(PointBalance.user_id, PointBalance.points))}
    bad = []
    for uid, total in db.session.execute(select(ledger.c.user_id, ledger.c.total)):
        if cached.pop(uid, 0) != int(total):
            bad.append((uid, balance_of(uid), int(total)))
    bad.extend((uid, pts, 0) for uid, pts in cached.items() if pts != 0)
    return sorted(bad)[:limit]


# -- periods and commendations -------------------------------------------------------------------------------
PERIODS = ("month", "year")
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "year"
    start: date

    @property
    def end(self) -> date:
        if self.kind == "year":
            return date(self.start.year + 1, 1, 1)
        y, m = self.start.year, self.start.month
        return date(y + (m == 12), m % 12 + 1, 1)

    @property
    def key(self) -> str:
        return f"{self.start:%Y}" if self.kind == "year" else f"{self.start:%Y-%m}"

    def previous(self) -> Period:
        if self.kind == "year":
            return Period("year", date(self.start.year - 1, 1, 1))
        y, m = self.start.year, self.start.month
        return Period("month", date(y - (m == 1), (m - 2) % 12 + 1, 1))

    def utc_range(self) -> tuple[datetime, datetime]:
        return local_date_to_utc(self.start), local_date_to_utc(self.end)

    @classmethod
    def containing(cls, day: date, kind: str = "month") -> Period:
        return cls(kind, date(day.year, 1, 1) if kind == "year" else date(day.year, day.month, 1))

    @classmethod
    def parse(cls, text: str | None) -> Period | None:
        """"2026-11" (a month) or "2026" (a year); None for anything else."""
        match = _PERIOD.match((text or "").strip())
        if not match:
            return None
        year = int(match.group(1))
        if not 2000 <= year <= 2100:
            return None
        if match.group(2) is None:
            return cls("year", date(year, 1, 1))
        month = int(match.group(2))
        return cls("month", date(year, month, 1)) if 1 <= month <= 12 else None


TOP_MAX = 100


def open_commendation(area: Area, period: Period) -> Commendation:
    """The commendation of a community or street for a period (created when missing; two at once: the unique key
    decides and both get the same row)."""
    found = db.session.scalar(select(Commendation).where(
        Commendation.area_id == area.id, Commendation.period == period.kind,
        Commendation.period_start == period.start))
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            found = Commendation(area_id=area.id, period=period.kind, period_start=period.start, state="open")
            db.session.add(found)
        return found
    except IntegrityError:
        return db.session.scalar(select(Commendation).where(
            Commendation.area_id == area.id, Commendation.period == period.kind,
            Commendation.period_start == period.start))


def publish_commendation(commendation: Commendation, actor, *, title, top, picked: list[int],
                         board_rows: list) -> Commendation:
    """Fix the list from the board: the top ``top`` rows, or the people ``picked`` (ids shown on the board).
    ``board_rows`` is the board of the commendation's place and period (``queries.board``) in its order."""
    if commendation.state == "published":
        raise PointsError(_l("This commendation list was published already."))
    if commendation.period_end_local > _today():
        raise PointsError(_l("A commendation is published once its period has ended."))
    text = " ".join(str(title or "").split())
    if len(text) > LABEL_MAX:
        raise PointsError(_l("Please keep the title to %(n)s characters.", n=LABEL_MAX), "title")
    rows = [r for r in board_rows if r.points > 0]
    if picked:
        on_board = {r.holder_id for r in rows}
        if any(uid not in on_board for uid in picked):
            raise PointsError(_l("Choose people from this period's board."), "picked")
        chosen = [r for r in rows if r.holder_id in set(picked)]
    else:
        text_top = str(top or "").strip()
        if not text_top.isdigit() or not 1 <= int(text_top) <= TOP_MAX:
            raise PointsError(_l("Choose how many to commend: a whole number from 1 to %(max)s.", max=TOP_MAX),
                              "top")
        chosen = rows[:int(text_top)]
    if not chosen:
        raise PointsError(_l("Nobody earned points in this period; there is nobody to commend."))
    now = utcnow()
    changed = db.session.execute(
        update(Commendation).where(Commendation.id == commendation.id, Commendation.state == "open")
        .values(state="published", published_at=now, published_by_id=actor.id, title=text)
        .execution_options(synchronize_session=False)).rowcount
    if not changed:  # published by someone else at the same instant
        raise PointsError(_l("This commendation list was published already."))
    db.session.refresh(commendation)
    for row in chosen:
        db.session.add(CommendationEntry(commendation_id=commendation.id, user_id=row.holder_id, rank=row.rank,
                                         points=row.points))
    db.session.flush()
    events.emit("points.commendation_published", actor=actor, subject=commendation, area_id=commendation.area_id,
                period=commendation.period, period_start=commendation.period_start.isoformat(),
                user_ids=tuple(r.holder_id for r in chosen))
    return commendation


def _today() -> date:
    from app.timeutil import local_today
    return local_today()


def close_periods(now: datetime, areas: list[Area]) -> list[str]:
    """For each community and street with points in the month (or year) that just ended, the draft commendation
    and one ``points.period_closed`` (idempotent: only when the draft is new)."""
    from app.timeutil import to_local
    today = to_local(now).date()
    changes = []
    for kind in PERIODS:
        period = Period.containing(today, kind).previous()
        start, end = period.utc_range()
        for area in areas:
            column = PointEntry.community_id if area.level == "community" else PointEntry.street_id
            had = db.session.scalar(select(PointEntry.id).where(column == area.id, PointEntry.occurred_at >= start,
                                                                PointEntry.occurred_at < end).limit(1))
            if had is None:
                continue
            exists = db.session.scalar(select(Commendation.id).where(
                Commendation.area_id == area.id, Commendation.period == kind,
                Commendation.period_start == period.start))
            if exists is not None:
                continue
            draft = open_commendation(area, period)
            db.session.flush()
            events.emit("points.period_closed", actor=None, subject=draft, area_id=area.id, period=kind,
                        period_start=period.start.isoformat())
            changes.append(f"{area.name}: the {kind} {period.key} closed; commendation {draft.id} awaits the staff")
    return changes
