"""Issue operations: validate, change, flush, record the timeline, emit events — never commit.

Every transition checks the state it starts from and is written as a compare-and-set on ``Issue.version``
(SQLAlchemy's version counter), so two people pressing "accept" at once give one winner and one clear message.
Photos are validated before anything changes.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import events
from app.accounts.models import User
from app.areas.models import Area
from app.errors import DomainError
from app.extensions import db
from app.issues import events as _declared_events  # noqa: F401 — declares this domain's events
from app.issues.models import (
    ACTIVE_STATES,
    CATEGORY_CODE,
    CHANNELS,
    DEFAULT_CATEGORIES,
    HANDLER_ROLES,
    LEVEL_RANK,
    LEVELS,
    RATINGS,
    RECORDED_CHANNELS,
    ROLE_TOP_LEVEL,
    Issue,
    IssueCategory,
    IssueRating,
    IssueSupporter,
    Mediation,
    msgid,
    next_level,
)
from app.issues.policy import can_report_in, handling_rank
from app.issues.queries import last_resolver_id, resident_for_recording
from app.moderation.models import publicly_listed
from app.timeline.services import record
from app.timeutil import utcnow
from app.uploads.services import UploadError, check_image, has_file, store_image


class IssueError(DomainError):
    """A problem the user can fix; ``message`` is shown in their language."""


def cfg(name: str, default):
    return current_app.config.get(name, default)


def description_max() -> int:
    return int(cfg("ISSUES_DESCRIPTION_MAX", 2000))


def max_photos() -> int:
    return int(cfg("ISSUES_MAX_PHOTOS", 3))


# -- categories -------------------------------------------------------------------------------------------
def ensure_default_categories() -> int:
    """Create the default categories that do not exist yet (by code). Returns how many were created.

    The migration inserts the defaults into a fresh production database; this is for the demo seeder and the
    tests (pages never insert rows on GET). Existing rows are never changed: a deployment's edits to limits or
    names survive. ``ISSUES_CATEGORY_LIMITS`` (code → [accept hours, resolve hours]) overrides the default limits
    for categories created here.
    """
    existing = set(db.session.scalars(select(IssueCategory.code)))
    limits = cfg("ISSUES_CATEGORY_LIMITS", {}) or {}
    created = 0
    for order, (code, name, desc, accept, resolve, level, urgent, mediation, public, icon) in enumerate(
            DEFAULT_CATEGORIES):
        if code in existing:
            continue
        if code in limits:
            accept, resolve = (int(v) for v in limits[code])
        db.session.add(IssueCategory(
            code=code, name=msgid(name), description=msgid(desc), accept_hours=accept, resolve_hours=resolve,
            default_level=level, urgent=urgent, requires_mediation=mediation, public=public, active=True,
            sort_order=(order + 1) * 10, icon=icon))
        created += 1
    if created:
        db.session.flush()
    return created


def active_categories() -> list[IssueCategory]:
    return list(db.session.scalars(
        select(IssueCategory).where(IssueCategory.active.is_(True)).order_by(IssueCategory.sort_order,
                                                                            IssueCategory.id)))


def category_by_code(code: str | None) -> IssueCategory | None:
    if not code:
        return None
    return db.session.scalar(select(IssueCategory).where(IssueCategory.code == code))


# -- levels and deadlines ---------------------------------------------------------------------------------
def level_for(category: IssueCategory, area: Area) -> str:
    """The category's default level, but never below the place's own level (a report on a whole grid is grid work)."""
    area_rank = LEVEL_RANK.get(area.level, LEVEL_RANK["street"])
    return LEVELS[max(LEVEL_RANK[category.default_level], area_rank)]


def handler_area_for(area: Area, level: str) -> Area:
    target = area.ancestor_at(level)
    return target if target is not None else area


def _due(state: str, accept_due_at: datetime | None, resolve_due_at: datetime | None) -> datetime | None:
    """The deadline that currently matters for ``state`` (see app/issues/models.py)."""
    if state == "reported":
        return accept_due_at
    if state in ("accepted", "in_progress"):
        return resolve_due_at
    return None


def _set_due(issue: Issue, now: datetime) -> None:
    issue.due_at = _due(issue.state, issue.accept_due_at, issue.resolve_due_at)


def _level_changes(issue: Issue, level: str, now: datetime) -> tuple[dict, Area]:
    """The columns that change when the issue is put at ``level``: the level, whose patch it is
    (``handler_area_id``), and the time limit of its state renewed when it has already passed (a new level gets a
    fresh window). Returns (column values, handler area)."""
    handler_area = handler_area_for(issue.area, level)
    category = issue.category
    accept_due_at, resolve_due_at = issue.accept_due_at, issue.resolve_due_at
    if issue.state == "reported" and (accept_due_at is None or accept_due_at <= now):
        accept_due_at = now + timedelta(hours=category.accept_hours)
    if issue.state in ("accepted", "in_progress") and (resolve_due_at is None or resolve_due_at <= now):
        resolve_due_at = now + timedelta(hours=category.resolve_hours)
    values = {"level": level, "handler_area_id": handler_area.id, "accept_due_at": accept_due_at,
              "resolve_due_at": resolve_due_at, "due_at": _due(issue.state, accept_due_at, resolve_due_at)}
    return values, handler_area


def _set_level(issue: Issue, level: str, now: datetime) -> None:
    """Put the issue at ``level`` — the one place where level, handler area and due window change together
    (report, escalation by a person; the overdue job writes the same ``_level_changes`` as a compare-and-set)."""
    values, handler_area = _level_changes(issue, level, now)
    issue.handler_area = handler_area
    for name, value in values.items():
        setattr(issue, name, value)


def _record(subject, action: str, *, at: datetime | None = None, **kw):
    """Timeline entry stamped with the operation's time (so back-dated demo data and jobs read right)."""
    entry = record(subject, action, **kw)
    if at is not None:
        entry.at = at
    return entry


def _notify_ids(issue: Issue, *extra) -> list[int]:
    ids = [issue.resident_id, *[getattr(u, "id", u) for u in extra]]
    return sorted({i for i in ids if i})


def _flush(issue: Issue) -> None:
    """Flush the compare-and-set; a concurrent change by someone else becomes a clear message."""
    try:
        db.session.flush()
    except StaleDataError:
        # the route rolls back (services never end the transaction)
        raise IssueError(_l("Someone else changed this issue a moment ago. Reload the page and try again.")) \
            from None


def _clean_text(value: str | None, *, required: bool = False, max_len: int | None = None, message=None,
                field: str | None = None) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise IssueError(message or _l("This field is required."), field)
    limit = max_len or description_max()
    if len(text) > limit:
        raise IssueError(_l("Please keep it to %(n)s characters.", n=limit), field)
    return text or None


def _check_photos(photos) -> list[tuple]:
    files = [p for p in (photos or ()) if has_file(p)]
    if len(files) > max_photos():
        raise IssueError(_l("At most %(n)s photos.", n=max_photos()), "photos")
    checked = []
    for f in files:
        try:
            checked.append((f, check_image(f)))
        except UploadError as e:
            raise IssueError(e.message, "photos") from None
    return checked


def _store_photo(f, data: bytes, *, owner, subject, field: str):
    """Store a checked photo; a failure while re-encoding is still the user's message, never a 500."""
    try:
        return store_image(f, owner=owner, subject=subject, data=data)
    except UploadError as e:
        raise IssueError(e.message, field) from None


# -- reporting --------------------------------------------------------------------------------------------
def report_issue(*, reporter, category, description, area, address=None, lat=None, lon=None, channel="web",
                 anonymous=False, photos=(), on_behalf_of=None, reporter_name=None, reporter_phone=None,
                 reporter_email=None, external_id=None, now: datetime | None = None) -> Issue:
    """File a new issue. ``reporter`` is the acting account (None for an API report); for 代录 the resident is
    ``on_behalf_of`` (an account) or ``reporter_name`` / ``reporter_phone`` (no account)."""
    now = now or utcnow()
    if channel not in CHANNELS:
        raise IssueError(_l("Unknown channel."), "channel")
    # what a reporter can get wrong is reported all at once, so the form is fixed in one go
    errors: dict = {}
    if category is None or not getattr(category, "active", False):
        errors["category"] = _l("Choose what kind of problem it is.")
    if area is None:
        errors["area_id"] = _l("Choose where the problem is.")
    elif area.level == "city":
        errors["area_id"] = _l("Choose a place within a street or community.")
    elif reporter is not None and not can_report_in(reporter, area):
        errors["area_id"] = _l("You can report problems in your own community or in the areas you look after.")
    text = (description or "").strip()
    if not text and channel == "sentinel" and "category" not in errors:
        text = category.label  # the sentinel's one-tap report: the category says it all
    try:
        text = _clean_text(text, required=True, message=_l("Describe the problem in a few words."),
                           field="description")
    except IssueError as e:
        errors.update(e.errors)
    if errors:
        raise IssueError.several(errors)
    address = _clean_text(address, max_len=200, field="address")
    for value, low, high in ((lat, -90, 90), (lon, -180, 180)):
        if value is not None and not (isinstance(value, (int, float)) and low <= value <= high):
            raise IssueError(_l("The position is not valid."), "lat")
    if (lat is None) != (lon is None):
        raise IssueError(_l("The position is not valid."), "lat")
    if on_behalf_of is not None and reporter is not None and on_behalf_of.id == reporter.id:
        on_behalf_of = None
    reporter_name = _clean_text(reporter_name, max_len=40, field="reporter_name")
    reporter_phone = _clean_text(reporter_phone, max_len=20, field="reporter_phone")
    reporter_email = _clean_text(reporter_email, max_len=120, field="reporter_email")
    checked = _check_photos(photos)

    level = level_for(category, area)
    issue = Issue(
        category=category, description=text, address=address, lat=lat, lon=lon, area=area, state="reported",
        channel=channel, reporter_id=getattr(reporter, "id", None),
        on_behalf_of_id=getattr(on_behalf_of, "id", None),
        anonymous=bool(anonymous), reporter_name=reporter_name, reporter_phone=reporter_phone,
        reporter_email=reporter_email, external_id=external_id, created_at=now, updated_at=now,
        accept_due_at=now + timedelta(hours=category.accept_hours),
        resolve_due_at=now + timedelta(hours=category.resolve_hours),
    )
    _set_level(issue, level, now)
    db.session.add(issue)
    db.session.flush()
    for f, data in checked:
        _store_photo(f, data, owner=reporter, subject=issue, field="photos")
    _record(issue, "recorded" if on_behalf_of is not None or channel in RECORDED_CHANNELS else "reported",
            actor=reporter, to_state="reported", to_level=level, on_behalf_of=on_behalf_of, at=now)
    events.emit("issue.reported", actor=reporter, subject=issue, area_id=issue.area_id, level=level,
                channel=channel, category=category.code, urgent=bool(category.urgent),
                handler_area_id=issue.handler_area_id)
    return issue


def resident_to_record_for(recorder, mobile: str | None, name: str | None) -> User | None:
    """代录: the registered resident a report is recorded for (by mobile number, only among those living where the
    recorder handles issues), or None for a resident without an account, who must then be named. Anyone unknown or
    living elsewhere gets the same message, so the form never tells whether a number has an account in the city."""
    if (mobile or "").strip():
        resident = resident_for_recording(recorder, mobile)
        if resident is None:
            raise IssueError(_l("No resident with that mobile number lives in the areas you look after; "
                                "enter their name and phone instead."), "resident_mobile")
        return resident
    if not (name or "").strip():
        raise IssueError(_l("Name the resident you are recording this for."), "resident_name")
    return None


def similar_open_issues(category, area, *, exclude_id: int | None = None, limit: int | None = None) -> list[Issue]:
    """Open issues of the same category in the same grid (or the place itself when it is higher)."""
    if category is None or area is None or not category.public:
        return []  # private categories (neighbour disputes) are never suggested to other residents
    scope = area.ancestor_at("grid") if area.level == "microgrid" else area
    scope = scope or area
    stmt = (select(Issue).join(Area, Issue.area_id == Area.id)
            .where(Issue.category_id == category.id, Issue.state.in_(ACTIVE_STATES),
                   Area.in_subtree(scope.path), publicly_listed(Issue))
            .order_by(Issue.supporters_count.desc(), Issue.created_at.desc())
            .limit(limit or int(cfg("ISSUES_SIMILAR_LIMIT", 5))))
    if exclude_id:
        stmt = stmt.where(Issue.id != exclude_id)
    return list(db.session.scalars(stmt))


def support(issue: Issue, user) -> bool:
    """"+1 / me too". Returns False when this person had already said so (nothing changes)."""
    if issue.state not in ACTIVE_STATES:
        raise IssueError(_l("This issue is no longer open."))
    if user.id in (issue.reporter_id, issue.on_behalf_of_id):
        raise IssueError(_l("You reported this issue yourself."))
    already = db.session.scalar(select(IssueSupporter.id).where(IssueSupporter.issue_id == issue.id,
                                                                IssueSupporter.user_id == user.id))
    if already:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(IssueSupporter(issue_id=issue.id, user_id=user.id))
    except IntegrityError:
        return False  # a second tap at the same instant
    db.session.execute(update(Issue).where(Issue.id == issue.id)
                       .values(supporters_count=Issue.supporters_count + 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(issue)
    record(issue, "supported", actor=user, public=False)
    events.emit("issue.supported", actor=user, subject=issue, area_id=issue.area_id, level=issue.level,
                supporters_count=issue.supporters_count)
    return True


def has_supported(issue: Issue, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(IssueSupporter.id).where(IssueSupporter.issue_id == issue.id,
                                                             IssueSupporter.user_id == user.id)) is not None


# -- handling ---------------------------------------------------------------------------------------------
def _require_state(issue: Issue, *states: str) -> None:
    if issue.state not in states:
        raise IssueError(_l("This issue is now “%(state)s”; that step is no longer possible.",
                            state=issue.state_label))


def _transition(issue: Issue, actor, action: str, to_state: str, *, note=None, public=True, now=None,
                **event_data) -> None:
    now = now or utcnow()
    from_state = issue.state
    issue.state = to_state
    issue.updated_at = now
    _set_due(issue, now)
    _flush(issue)
    _record(issue, action, actor=actor, from_state=from_state, to_state=to_state, note=note, public=public, at=now)
    events.emit(f"issue.{action}", actor=actor, subject=issue, area_id=issue.area_id, from_state=from_state,
                to_state=to_state, level=issue.level, notify=tuple(_notify_ids(issue)), **event_data)


def accept(issue: Issue, actor, note: str | None = None, now: datetime | None = None) -> None:
    _require_state(issue, "reported")
    note = _clean_text(note, field="note")
    now = now or utcnow()
    issue.accepted_at = now
    _transition(issue, actor, "accepted", "accepted", note=note, now=now)


def reject(issue: Issue, actor, reason: str | None, now: datetime | None = None) -> None:
    _require_state(issue, "reported")
    reason = _clean_text(reason, required=True, message=_l("Give the reason the report is not accepted."),
                         field="reason")
    issue.reject_reason = reason
    issue.closed_at = now or utcnow()
    _transition(issue, actor, "rejected", "rejected", note=reason, now=now, reason=reason)


def start(issue: Issue, actor, note: str | None = None, now: datetime | None = None) -> None:
    _require_state(issue, "accepted")
    note = _clean_text(note, field="note")
    _transition(issue, actor, "started", "in_progress", note=note, now=now)


def assignable_people(issue: Issue, actor=None) -> list[tuple[User, str]]:
    """People who may be asked to act: holders of a handling role on the issue's area or above who can act at
    its current level (assigning never changes the level: lowering it is not allowed, raising it is escalation,
    with a reason), and no higher than the ``actor`` may act themselves. Returns (user, level) with each
    person's highest level here — all of them: they hold roles on the issue's few ancestors only, and a list cut
    short would leave someone who handles this place out of the choice without a word."""
    from app.accounts.models import RoleAssignment

    lowest = LEVEL_RANK[issue.level]
    highest = max(handling_rank(actor, issue.area), lowest) if actor is not None else LEVEL_RANK["street"]
    ids = issue.area.ancestor_ids
    rows = db.session.execute(
        select(User, RoleAssignment.role).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.area_id.in_(ids), RoleAssignment.role.in_(HANDLER_ROLES), User.active.is_(True))
        .order_by(User.display_name, User.id)
    ).all()
    best: dict[int, tuple[User, str]] = {}
    for user, role in rows:
        level = ROLE_TOP_LEVEL[role]
        if not lowest <= LEVEL_RANK[level] <= highest:
            continue
        if user.id not in best or LEVEL_RANK[level] > LEVEL_RANK[best[user.id][1]]:
            best[user.id] = (user, level)
    return list(best.values())


def assign(issue: Issue, actor, assignee: User | None, note: str | None = None,
           now: datetime | None = None) -> None:
    """Ask one person to act. The level stays (only escalation raises it, with a reason; nothing lowers it), so the
    assignee must be able to act at the current level."""
    _require_state(issue, *ACTIVE_STATES)
    if assignee is None:
        raise IssueError(_l("Choose the person who should act."), "assignee_id")
    people = {u.id for u, _level in assignable_people(issue, actor)}
    if assignee.id not in people:
        raise IssueError(_l("That person does not handle issues in this area at this level."), "assignee_id")
    note = _clean_text(note, field="note")
    now = now or utcnow()
    issue.assignee_id = assignee.id
    issue.updated_at = now
    _flush(issue)
    _record(issue, "assigned", at=now, actor=actor, note=(assignee.display_name + (" — " + note if note else "")),
            public=False)
    events.emit("issue.assigned", actor=actor, subject=issue, area_id=issue.area_id, assignee_id=assignee.id,
                level=issue.level, reason=None)


def release_assignments(person: User, actor, reason: str, now: datetime | None = None) -> list[int]:
    """End the open assignments of ``person`` that their roles no longer justify (all of them once the account is
    deactivated): the issue goes back to the queue of its level, recorded on its timeline. The roles are read
    from the database (what was just revoked is gone), never from the request's cache. Each change is a
    compare-and-set on the assignee, so a concurrent change elsewhere on the issue simply wins. Returns the ids."""
    from app.accounts.models import RoleAssignment
    from app.issues.policy import rank_from

    now = now or utcnow()
    issues = list(db.session.scalars(select(Issue).where(Issue.assignee_id == person.id,
                                                         Issue.state.in_(ACTIVE_STATES)).order_by(Issue.id)))
    if not issues:
        return []
    roles = [] if not person.active else list(db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.user_id == person.id)))
    released = []
    for issue in issues:
        if rank_from(roles, issue.area) >= LEVEL_RANK[issue.level]:
            continue  # another role still covers it
        result = db.session.execute(
            update(Issue).where(Issue.id == issue.id, Issue.assignee_id == person.id)
            .values(assignee_id=None, updated_at=now, version=Issue.version + 1)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            continue
        db.session.refresh(issue)
        _record(issue, f"unassigned_{reason}", actor=actor, public=False, at=now, note=person.display_name)
        events.emit("issue.unassigned", actor=actor, subject=issue, area_id=issue.area_id, assignee_id=person.id,
                    reason=reason, level=issue.level)
        released.append(issue.id)
    return released


def _mediation_fields(mediation: dict | None) -> dict:
    m = mediation or {}
    parties = _clean_text(m.get("parties"), required=True, max_len=1000, field="parties",
                          message=_l("A neighbour dispute needs its mediation record: name the parties."))
    mediator = _clean_text(m.get("mediator"), required=True, max_len=80, field="mediator",
                           message=_l("A neighbour dispute needs its mediation record: name the mediator."))
    reached = bool(m.get("agreement_reached"))
    text = _clean_text(m.get("agreement_text"), field="agreement_text")
    if reached and not text:
        raise IssueError(_l("Write down what the parties agreed."), "agreement_text")
    return {"parties": parties, "mediator": mediator, "agreement_reached": reached, "agreement_text": text}


def resolve(issue: Issue, actor, note: str | None, *, photo=None, mediation: dict | None = None,
            now: datetime | None = None) -> None:
    """办结: a resolution note is required; neighbour disputes also need their mediation record."""
    _require_state(issue, "accepted", "in_progress")
    note = _clean_text(note, required=True, message=_l("Write what was done (the resolution note)."),
                       field="note")
    fields = _mediation_fields(mediation) if issue.category.requires_mediation else None
    checked = _check_photos([photo] if photo is not None else [])
    now = now or utcnow()
    issue.resolution_note = note
    issue.resolved_at = now
    issue.resolve_count = (issue.resolve_count or 0) + 1
    if checked:
        f, data = checked[0]
        upload = _store_photo(f, data, owner=actor, subject=issue, field="photo")
        issue.resolution_photo_id = upload.id
    if fields is not None:
        db.session.add(Mediation(issue_id=issue.id, recorded_by_id=getattr(actor, "id", None), **fields))
    _transition(issue, actor, "resolved", "resolved", note=note, now=now,
                mediation=bool(fields), agreement_reached=bool(fields and fields["agreement_reached"]))


def escalate(issue: Issue, actor, reason: str | None, *, now: datetime | None = None) -> None:
    """Move the issue one level up; the new level's people must act (the assignee is cleared)."""
    _require_state(issue, *ACTIVE_STATES)
    target = next_level(issue.level)
    if target is None:
        raise IssueError(_l("This issue is already at street level; it cannot be escalated further."), "reason")
    reason = _clean_text(reason, required=True, message=_l("Give the reason for escalating."), field="reason")
    now = now or utcnow()
    from_level = issue.level
    _set_level(issue, target, now)
    issue.assignee_id = None
    issue.escalation_count = (issue.escalation_count or 0) + 1
    issue.updated_at = now
    _flush(issue)
    _record(issue, "escalated", actor=actor, from_level=from_level, to_level=target, note=reason, at=now)
    events.emit("issue.escalated", actor=actor, subject=issue, area_id=issue.area_id, from_level=from_level,
                to_level=target, level=issue.level, handler_area_id=issue.handler_area_id, auto=False, reason=reason,
                limit=None)


def mark_duplicate(issue: Issue, actor, original: Issue | None, note: str | None = None,
                   now: datetime | None = None) -> None:
    _require_state(issue, *ACTIVE_STATES)
    if original is None or original.id == issue.id:
        raise IssueError(_l("Enter the number of the original issue."), "original_id")
    if original.state in ("rejected", "duplicate"):
        raise IssueError(_l("The original must be a live issue, not a rejected report or another duplicate."),
                         "original_id")
    if handling_rank(actor, original.area) < 0:
        raise IssueError(_l("The original issue is not in an area you look after."), "original_id")
    note = _clean_text(note, field="note")
    now = now or utcnow()
    issue.duplicate_of_id = original.id
    issue.closed_at = now
    _transition(issue, actor, "duplicate", "duplicate", note=note, now=now, original_id=original.id)
    _record(original, "duplicate_linked", actor=actor, note=f"#{issue.id}", public=False, at=now)
    events.emit("issue.duplicate_linked", actor=actor, subject=original, area_id=original.area_id,
                level=original.level, duplicate_id=issue.id,
                notify=tuple(_notify_ids(original, *_notify_ids(issue))))


def add_note(issue: Issue, actor, note: str | None, public: bool = False) -> None:
    note = _clean_text(note, required=True, message=_l("Write the note."), field="note")
    record(issue, "note", actor=actor, note=note, public=bool(public))
    issue.updated_at = utcnow()
    _flush(issue)
    events.emit("issue.noted", actor=actor, subject=issue, area_id=issue.area_id, level=issue.level,
                public=bool(public))


# -- feedback ---------------------------------------------------------------------------------------------
def _rate(issue: Issue, *, value: str, comment: str | None, rater, recorded_by, revisit: bool,
          now: datetime | None) -> IssueRating:
    if issue.state != "resolved":
        raise IssueError(_l("This issue is not waiting for a rating (it was rated already or is not resolved)."))
    if value not in RATINGS:
        raise IssueError(_l("Choose how satisfied you are."), "value")
    comment = _clean_text(comment, field="comment")
    if value == "unsatisfied" and not comment:
        raise IssueError(_l("Tell us what is still wrong, so it can be put right."), "comment")
    now = now or utcnow()
    round_ = max(issue.resolve_count, 1)
    # the issue's compare-and-set comes first: of two ratings (or a rating and any other change) at once, the loser
    # stops there with nothing written — no savepoint, whose release on SQLite would keep a rating of a request
    # that then fails
    actor = recorded_by or rater
    resolved_by_id = last_resolver_id(issue.id)
    if value == "unsatisfied":
        # reopens at the same level with a fresh resolve window; the comment goes on the timeline
        issue.resolve_due_at = now + timedelta(hours=issue.category.resolve_hours)
        issue.resolved_at = None
        _transition(issue, actor, "reopened", "in_progress", note=comment, now=now, rating=value,
                    revisit=revisit, resolved_by_id=resolved_by_id)
    else:
        issue.closed_at = now
        issue.close_reason = "rated"
        _transition(issue, actor, "revisit" if revisit else "rated", "closed", note=comment, now=now,
                    rating=value, revisit=revisit, resolved_by_id=resolved_by_id)
    rating = IssueRating(issue_id=issue.id, round=round_, value=value, comment=comment,
                         rater_id=getattr(rater, "id", None), recorded_by_id=getattr(recorded_by, "id", None),
                         revisit=revisit, created_at=now)
    db.session.add(rating)
    try:
        db.session.flush()
    except IntegrityError:  # the unique (issue, round) still stands behind the compare-and-set; the route rolls back
        raise IssueError(_l("This issue is not waiting for a rating (it was rated already or is not resolved).")) \
            from None
    return rating


def rate(issue: Issue, user, value: str, comment: str | None = None, now: datetime | None = None) -> IssueRating:
    if issue.resident_id is None or user is None or user.id != issue.resident_id:
        raise IssueError(_l("Only the resident who reported the issue can rate it."))
    return _rate(issue, value=value, comment=comment, rater=user, recorded_by=None, revisit=False, now=now)


def record_revisit(issue: Issue, staff, value: str, comment: str | None = None,
                   now: datetime | None = None) -> IssueRating:
    """回访: the resident answered on the phone; staff records it."""
    return _rate(issue, value=value, comment=comment, rater=issue.resident, recorded_by=staff, revisit=True,
                 now=now)


def ratings_for(issue: Issue) -> list[IssueRating]:
    return list(db.session.scalars(select(IssueRating).where(IssueRating.issue_id == issue.id)
                                   .order_by(IssueRating.round)))


def mediation_for(issue: Issue) -> Mediation | None:
    return db.session.scalar(select(Mediation).where(Mediation.issue_id == issue.id)
                             .order_by(Mediation.created_at.desc()).limit(1))


# -- scheduled work (called by app/issues/jobs.py) -----------------------------------------------------------
def escalate_overdue(now: datetime, batch: int | None = None) -> list[str]:
    """Escalate every active issue whose current limit has passed, one level, once per breach.

    Each change is ``UPDATE … WHERE id = :id AND version = :v AND due_at = :due``: when two hosts run at once
    only one update matches; the other host skips the row. The new level gets a fresh window (the same
    ``_level_changes`` as ``_set_level``), so the same breach is never escalated twice; at street level the breach
    is recorded once (``breach_handled_due_at``).
    """
    batch = batch or int(cfg("ISSUES_JOB_BATCH", 500))
    rows = list(db.session.scalars(
        select(Issue).where(Issue.state.in_(ACTIVE_STATES), Issue.due_at.is_not(None), Issue.due_at < now,
                            or_(Issue.breach_handled_due_at.is_(None), Issue.breach_handled_due_at != Issue.due_at))
        .order_by(Issue.due_at, Issue.id).limit(batch)))
    changes = []
    for issue in rows:
        due, version, from_level = issue.due_at, issue.version, issue.level
        target = next_level(from_level)
        kind = "accept" if issue.state == "reported" else "resolve"
        if target is None:
            values = {"breach_handled_due_at": due}
        else:
            values, _area = _level_changes(issue, target, now)
            values.update(assignee_id=None, escalation_count=Issue.escalation_count + 1, updated_at=now)
        result = db.session.execute(
            update(Issue).where(Issue.id == issue.id, Issue.version == version, Issue.due_at == due,
                                Issue.state == issue.state)
            .values(version=Issue.version + 1, **values).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            continue  # another host (or a person) got there first
        db.session.refresh(issue)
        if target is None:
            _record(issue, "overdue", note=kind, public=False, at=now)
            events.emit("issue.overdue", actor=None, subject=issue, area_id=issue.area_id, level=from_level,
                        limit=kind, due_at=due)
            changes.append(f"issue {issue.id}: {kind} limit passed at street level (flagged)")
        else:
            _record(issue, "auto_escalated", from_level=from_level, to_level=target, note=None, at=now)
            events.emit("issue.escalated", actor=None, subject=issue, area_id=issue.area_id, from_level=from_level,
                        to_level=target, level=issue.level, handler_area_id=issue.handler_area_id, auto=True,
                        limit=kind, reason=None)
            changes.append(f"issue {issue.id}: {kind} limit passed, escalated {from_level} → {target}")
    return changes


def auto_close(now: datetime, batch: int | None = None) -> list[str]:
    """Close resolved issues nobody rated within ISSUES_AUTO_CLOSE_DAYS ("closed without rating")."""
    batch = batch or int(cfg("ISSUES_JOB_BATCH", 500))
    cutoff = now - timedelta(days=float(cfg("ISSUES_AUTO_CLOSE_DAYS", 7)))
    rows = list(db.session.execute(
        select(Issue.id, Issue.version, Issue.area_id).where(Issue.state == "resolved", Issue.resolved_at < cutoff)
        .order_by(Issue.resolved_at, Issue.id).limit(batch)).all())
    changes = []
    for issue_id, version, area_id in rows:
        result = db.session.execute(
            update(Issue).where(Issue.id == issue_id, Issue.version == version, Issue.state == "resolved")
            .values(state="closed", close_reason="no_rating", closed_at=now, updated_at=now, due_at=None,
                    version=Issue.version + 1)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            continue
        issue = db.session.get(Issue, issue_id)
        db.session.refresh(issue)
        _record(issue, "auto_closed", from_state="resolved", to_state="closed", at=now)
        events.emit("issue.closed", actor=None, subject=issue, area_id=area_id, level=issue.level,
                    from_state="resolved", to_state="closed", notify=tuple(_notify_ids(issue)),
                    close_reason="no_rating")
        changes.append(f"issue {issue_id}: closed without rating")
    return changes


# -- configuration --------------------------------------------------------------------------------------------
CATEGORY_NAME_MAX = 80
CATEGORY_DESCRIPTION_MAX = 300
CATEGORY_ICON_MAX = 8
MAX_HOURS = 24 * 365


def _category_hours(accept_hours, resolve_hours) -> tuple[int, int]:
    hours = []
    for raw in (accept_hours, resolve_hours):
        text = str(raw if raw is not None else "").strip()
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else 0
        if not 1 <= value <= MAX_HOURS:
            raise IssueError(_l("Time limits are whole hours between 1 and 8760."), "hours")
        hours.append(value)
    if hours[0] > hours[1]:
        raise IssueError(_l("The acceptance limit cannot be longer than the resolution limit."), "hours")
    return hours[0], hours[1]


def _one_line(raw) -> str:
    return " ".join(str(raw or "").split())


def _category_name(raw, current: IssueCategory | None = None) -> str:
    """The name to store. Unchanged — the stored name or what is shown for it (a default's translation) — keeps the
    stored one, so a default category's name stays a msgid, translated for everyone."""
    name = _one_line(raw)
    if current is not None and name in (_one_line(current.name), _one_line(current.label)):
        return current.name
    if not name:
        raise IssueError(_l("Give the category a name."), "name")
    if len(name) > CATEGORY_NAME_MAX:
        raise IssueError(_l("The name may be at most %(n)s characters long.", n=CATEGORY_NAME_MAX), "name")
    return name


def _category_description(raw, current: IssueCategory | None = None) -> str:
    text = _one_line(raw)
    if current is not None and text in (_one_line(current.description), _one_line(current.description_label)):
        return current.description
    if len(text) > CATEGORY_DESCRIPTION_MAX:
        raise IssueError(_l("The description may be at most %(n)s characters long.", n=CATEGORY_DESCRIPTION_MAX),
                         "description")
    return text


def _category_level(default_level) -> str:
    if default_level not in LEVELS:
        raise IssueError(_l("Choose a handling level."), "default_level")
    return default_level


def _category_fields(category: IssueCategory) -> dict:
    return {k: getattr(category, k) for k in (
        "code", "name", "description", "accept_hours", "resolve_hours", "default_level", "urgent",
        "requires_mediation", "public", "active", "icon")}


def create_category(actor, *, code, name, description="", accept_hours, resolve_hours, default_level: str,
                    urgent: bool = False, requires_mediation: bool = False, public: bool = True, active: bool = True,
                    icon: str | None = None) -> IssueCategory:
    """A new kind of problem (city configuration). Its name and description are stored and shown as typed; it is
    offered when reporting (and through Open311, when public) once active. Every problem is reported at once."""
    errors: dict = {}
    code = str(code or "").strip()
    if not CATEGORY_CODE.match(code):
        errors["code"] = _l("The code may use only lowercase letters a–z, digits and underscores, starts with a "
                            "letter and is at most 40 characters long.")
    elif db.session.scalar(select(IssueCategory.id).where(IssueCategory.code == code)) is not None:
        errors["code"] = _l("The code %(code)s is already used by another category.", code=code)
    values: dict = {}
    checks = {"name": (_category_name, name), "description": (_category_description, description),
              "hours": (lambda raw: _category_hours(*raw), (accept_hours, resolve_hours)),
              "default_level": (_category_level, default_level)}
    for key, (check, raw) in checks.items():
        try:
            values[key] = check(raw)
        except IssueError as e:
            errors.update(e.errors)
    icon = "".join(str(icon or "").split())  # no spaces inside an icon
    if len(icon) > CATEGORY_ICON_MAX:
        errors["icon"] = _l("The icon is a single character or emoji.")
    if errors:
        raise IssueError.several(errors)
    last = db.session.scalar(select(func.max(IssueCategory.sort_order))) or 0
    category = IssueCategory(
        code=code, name=values["name"], description=values["description"], accept_hours=values["hours"][0],
        resolve_hours=values["hours"][1], default_level=values["default_level"], urgent=bool(urgent),
        requires_mediation=bool(requires_mediation), public=bool(public), active=bool(active), icon=icon,
        sort_order=last + 10)
    try:
        with db.session.begin_nested():
            db.session.add(category)
    except IntegrityError:  # the same code added at the same instant
        raise IssueError(_l("The code %(code)s is already used by another category.", code=code), "code") from None
    events.emit("issue.category_created", actor=actor, subject=category, area_id=None, code=category.code,
                before=None, after=_category_fields(category))
    return category


def update_category(category: IssueCategory, actor, *, accept_hours, resolve_hours, default_level: str,
                    urgent: bool, active: bool, public: bool, name: str | None = None,
                    description: str | None = None) -> None:
    """City configuration of a category's time limits and default level (applies to new reports), and its name and
    description (``None``: unchanged). A new name is stored and shown as typed."""
    hours = _category_hours(accept_hours, resolve_hours)
    default_level = _category_level(default_level)
    new_name = _category_name(name, category) if name is not None else category.name
    new_description = _category_description(description, category) if description is not None \
        else category.description
    before = _category_fields(category)
    category.accept_hours, category.resolve_hours = hours
    category.default_level = default_level
    category.urgent, category.active, category.public = bool(urgent), bool(active), bool(public)
    category.name, category.description = new_name, new_description
    db.session.flush()
    events.emit("issue.category_updated", actor=actor, subject=category, area_id=None, code=category.code,
                before=before,
                after=_category_fields(category))
