"""Operations on checklist items: validate, change (compare-and-set where two people may race), flush, record the
timeline, emit an event — never commit (the route or the job runner commits once).

Settings (``current_app.config``; defaults in brackets):
    COBUILD_VALUE_MAX [100000000]   the largest estimated value accepted, in whole yuan
    COBUILD_PHOTOS_MAX [3]          photos per progress note
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app import events
from app.areas.models import Area
from app.cobuild import events as _declared_events  # noqa: F401 — declares this domain's events
from app.cobuild.models import (
    CATEGORIES,
    EDITABLE_STATES,
    KINDS,
    OPEN_STATES,
    SIDES,
    ChecklistClaim,
    ChecklistItem,
    ItemProgress,
    ProjectLink,
)
from app.cobuild.policy import (
    claimable_org_ids,
    is_cobuild_overseer,
    is_community_staff_of,
    item_sides,
    sides_of,
)
from app.errors import DomainError
from app.extensions import db
from app.organisations.models import Pairing
from app.timeline.services import record
from app.timeutil import local_today, utcnow
from app.uploads.services import UploadError, store_image

TITLE_MAX = 80
DESCRIPTION_MAX = 2000
QUANTITY_MAX = 40
CONTACT_MAX = 40
NOTE_MAX = 1000
VALUE_MAX = 100_000_000
PHOTOS_MAX = 3
#: what a change to counts as a change of scope (needs both sides' agreement again)
SCOPE_FIELDS = ("title", "description", "category", "quantity", "value", "target_date", "responsible_side")


class CobuildError(DomainError):
    """A rule was broken; ``field`` names the form field (None: the whole form)."""


class AlreadyClaimed(CobuildError):
    pass


@dataclass
class ItemInput:
    title: str | None = ""
    description: str | None = ""
    category: str | None = "other"
    quantity: str | None = None
    value: int | None = None
    community_contact: str | None = None
    agency_contact: str | None = None
    responsible_side: str | None = "agency"
    target_date: date | None = None


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _line(text: str | None) -> str:
    return " ".join((text or "").split())


def validate_input(data: ItemInput, year: int) -> dict:
    """Every field at once: one CobuildError carrying every problem; else the cleaned values."""
    errors: dict = {}
    title = _line(data.title)
    description = _clean(data.description)
    quantity = _line(data.quantity)
    community_contact = _line(data.community_contact)
    agency_contact = _line(data.agency_contact)
    if not title:
        errors["title"] = _l("Enter a short title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _l("The title may be at most %(max)s characters.", max=TITLE_MAX)
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _l("The description may be at most %(max)s characters.", max=DESCRIPTION_MAX)
    if data.category not in CATEGORIES:
        errors["category"] = _l("Choose a category.")
    if len(quantity) > QUANTITY_MAX:
        errors["quantity"] = _l("The quantity may be at most %(max)s characters.", max=QUANTITY_MAX)
    if data.value is not None and not (0 <= data.value <= VALUE_MAX):
        errors["value"] = _l("Enter an estimated value from 0 to %(max)s yuan.", max=VALUE_MAX)
    for name, value in (("community_contact", community_contact), ("agency_contact", agency_contact)):
        if len(value) > CONTACT_MAX:
            errors[name] = _l("A name may be at most %(max)s characters.", max=CONTACT_MAX)
    if data.responsible_side not in SIDES:
        errors["responsible_side"] = _l("Choose which side is responsible.")
    if data.target_date is None:
        errors["target_date"] = _l("Enter the target date.")
    elif data.target_date.year != year:
        errors["target_date"] = _l("The target date must lie within the pairing's year %(year)s.", year=year)
    if errors:
        raise CobuildError.several(errors)
    return {"title": title, "description": description, "category": data.category, "quantity": quantity or None,
            "value": data.value, "community_contact": community_contact or None,
            "agency_contact": agency_contact or None, "responsible_side": data.responsible_side,
            "target_date": data.target_date}


def _side(actor, pairing, message=None) -> str:
    sides = sides_of(actor, pairing)
    if not sides:
        raise CobuildError(message or _l("Only the two sides of this pairing can do this."))
    return sides[0]


def _agree_values(side: str, actor, now) -> dict:
    return {f"{side}_agreed_by_id": actor.id, f"{side}_agreed_at": now}


def emit_item(name: str, actor, item: ChecklistItem, **data) -> None:
    """Emit a checklist event (declared in app/cobuild/events.py) with the fields every item event has: the pairing,
    the community (``area_id``) and the agency branch (``organisation_id``: the pairing's unless the caller names one,
    None while an open item waits for a claim)."""
    pairing = db.session.get(Pairing, item.pairing_id) if item.pairing_id is not None else None
    data.setdefault("organisation_id", pairing.organisation_id if pairing is not None else None)
    events.emit(name, actor=actor, subject=item, area_id=item.community_id, pairing_id=item.pairing_id,
                kind=item.kind, **data)


def new_item(actor, *, kind: str, community: Area, year: int, values: dict, pairing: Pairing | None = None,
              side: str | None = None, publication: str | None = None, action: str = "proposed") -> ChecklistItem:
    now = utcnow()
    street = community.parent if community.parent is not None and community.parent.level == "street" else None
    item = ChecklistItem(pairing_id=pairing.id if pairing else None, community_id=community.id,
                         street_id=street.id if street else None, year=year, kind=kind, state="proposed",
                         proposed_side=side, author_id=getattr(actor, "id", None), publication=publication,
                         published_at=now if publication else None, created_at=now, updated_at=now, **values)
    if side is not None:
        for key, value in _agree_values(side, actor, now).items():
            setattr(item, key, value)
    db.session.add(item)
    db.session.flush()
    record(item, action, actor=actor, to_state="proposed")
    return item


def propose(actor, pairing: Pairing, kind: str, data: ItemInput) -> ChecklistItem:
    """Either side proposes a need, a resource or a project; the proposer's side agrees by proposing."""
    side = _side(actor, pairing)
    if kind not in KINDS:
        raise CobuildError(_l("Choose needs, resources or projects."), "kind")
    values = validate_input(data, pairing.year)
    item = new_item(actor, kind=kind, community=pairing.community, year=pairing.year, values=values,
                     pairing=pairing, side=side)
    emit_item("checklist.proposed", actor, item, side=side, title=item.title)
    return item


def match(actor, pairing: Pairing, item_ids: list[int], data: ItemInput) -> ChecklistItem:
    """A project made of one or more needs and one or more resources of the same pairing."""
    side = _side(actor, pairing)
    errors: dict = {}
    try:
        values = validate_input(data, pairing.year)
    except CobuildError as e:
        errors.update(e.errors)
        values = {}
    ids = sorted({i for i in item_ids if i})
    items = list(db.session.scalars(select(ChecklistItem).where(ChecklistItem.id.in_(ids or [0])))) if ids else []
    linked = set(db.session.scalars(select(ProjectLink.item_id).where(ProjectLink.item_id.in_(ids or [0]))))
    if len(items) != len(ids) or any(i.pairing_id != pairing.id for i in items):
        errors["items"] = _l("Only needs and resources of this pairing can be matched.")
    elif not any(i.kind == "need" for i in items) or not any(i.kind == "resource" for i in items):
        errors["items"] = _l("Choose at least one need and one resource.")
    elif any(i.state == "cancelled" for i in items):
        errors["items"] = _l("A cancelled item cannot be matched.")
    elif linked:
        errors["items"] = _l("An item you chose is already part of a project.")
    if errors:
        raise CobuildError.several(errors)
    project = new_item(actor, kind="project", community=pairing.community, year=pairing.year, values=values,
                        pairing=pairing, side=side, action="matched")
    for i in items:
        db.session.add(ProjectLink(item_id=i.id, project_id=project.id))
    db.session.flush()
    _roll_up(project)
    emit_item("checklist.matched", actor, project, side=side, item_ids=tuple(ids), title=project.title)
    return project


def _move(item: ChecklistItem, from_states, to_state: str, **values) -> None:
    """Compare-and-set on the state: nobody changed it meanwhile, else a clear message."""
    result = db.session.execute(
        update(ChecklistItem).where(ChecklistItem.id == item.id, ChecklistItem.state.in_(tuple(from_states)))
        .values(state=to_state, updated_at=values.pop("updated_at", None) or utcnow(), **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(item)
        raise CobuildError(_l("This item has just changed (it is now: %(state)s). Please look again.",
                              state=item.state_label))
    db.session.refresh(item)


def agree(actor, item: ChecklistItem) -> bool:
    """The actor's side confirms. True when both sides now agree (the item is agreed, or back in progress)."""
    if item.pairing is None:
        raise CobuildError(_l("An open item is agreed by the agency's claim."))
    sides = [s for s in item_sides(actor, item)]
    if not sides:
        raise CobuildError(_l("Only the two sides of this pairing can agree."))
    if item.state != "proposed":
        raise CobuildError(_l("This item is not awaiting agreement (it is: %(state)s).", state=item.state_label))
    waiting = [s for s in sides if not item.agreed_by(s)]
    if not waiting:
        raise CobuildError(_l("Your side has already agreed. Now the other side is asked."))
    side = waiting[0]
    now = utcnow()
    column = getattr(ChecklistItem, f"{side}_agreed_at")
    result = db.session.execute(
        update(ChecklistItem).where(ChecklistItem.id == item.id, ChecklistItem.state == "proposed", column.is_(None))
        .values(updated_at=now, **_agree_values(side, actor, now)).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(item)
        raise CobuildError(_l("Your side has already agreed. Now the other side is asked."))
    db.session.refresh(item)
    record(item, "agreed", actor=actor, note=str(side_text(side)))
    emit_item("checklist.agreed", actor, item, side=side, title=item.title)
    return _complete_agreement(actor, item)


def side_text(side: str):
    from app.cobuild.models import side_label

    return side_label(side)


def _complete_agreement(actor, item: ChecklistItem) -> bool:
    """Both confirmations present: proposed → agreed (or in_progress when work was already reported). The condition
    is evaluated by the database, so two sides agreeing at the same instant complete it exactly once."""
    to_state = "in_progress" if item.progress > 0 else "agreed"
    result = db.session.execute(
        update(ChecklistItem).where(ChecklistItem.id == item.id, ChecklistItem.state == "proposed",
                                    ChecklistItem.community_agreed_at.is_not(None),
                                    ChecklistItem.agency_agreed_at.is_not(None))
        .values(state=to_state).execution_options(synchronize_session=False))
    db.session.refresh(item)
    if result.rowcount != 1:
        return False
    record(item, "agreement_complete", actor=actor, from_state="proposed", to_state=to_state)
    emit_item("checklist.agreement_complete", actor, item, title=item.title)
    if item.kind == "project":  # the agreement on a project covers the needs and resources matched into it
        for linked in linked_items(item):
            if linked.state != "proposed":
                continue
            now = utcnow()
            values = {}
            if linked.community_agreed_at is None:
                values.update(community_agreed_by_id=item.community_agreed_by_id, community_agreed_at=now)
            if linked.agency_agreed_at is None:
                values.update(agency_agreed_by_id=item.agency_agreed_by_id, agency_agreed_at=now)
            db.session.execute(update(ChecklistItem).where(ChecklistItem.id == linked.id)
                               .values(**values).execution_options(synchronize_session=False))
            db.session.refresh(linked)
            _complete_agreement(actor, linked)
    return True


def _fields(item: ChecklistItem) -> dict:
    return {k: getattr(item, k) for k in (*SCOPE_FIELDS, "community_contact", "agency_contact")}


def update_item(actor, item: ChecklistItem, data: ItemInput) -> bool:
    """Change an item; a change of scope or date resets both sides' agreement (the editor's side agrees again).
    False when nothing changed."""
    sides = item_sides(actor, item)
    if not sides:
        raise CobuildError(_l("Only the two sides of this pairing can change it."))
    if item.state not in EDITABLE_STATES:
        raise CobuildError(_l("This item can no longer be changed (it is: %(state)s).", state=item.state_label))
    values = validate_input(data, item.year)
    before = _fields(item)
    if all(before[k] == values[k] for k in values):
        return False
    scope_changed = any(before[k] != values[k] for k in SCOPE_FIELDS)
    had_agreement = item.community_agreed_at is not None or item.agency_agreed_at is not None
    now = utcnow()
    for key, value in values.items():
        setattr(item, key, value)
    item.updated_at = now
    from_state = item.state
    reset = scope_changed and had_agreement and item.pairing is not None
    if reset:
        item.community_agreed_at = item.community_agreed_by_id = None
        item.agency_agreed_at = item.agency_agreed_by_id = None
        for key, value in _agree_values(sides[0], actor, now).items():
            setattr(item, key, value)
        item.state = "proposed"
    db.session.flush()
    record(item, "changed" if reset else "edited", actor=actor, from_state=from_state, to_state=item.state)
    emit_item("checklist.changed", actor, item, before=before, after=_fields(item), agreement_reset=reset,
          side=sides[0], title=item.title)
    return True


def linked_items(project: ChecklistItem) -> list[ChecklistItem]:
    return list(db.session.scalars(
        select(ChecklistItem).join(ProjectLink, ProjectLink.item_id == ChecklistItem.id)
        .where(ProjectLink.project_id == project.id).order_by(ChecklistItem.kind, ChecklistItem.id)))


def has_links(project: ChecklistItem) -> bool:
    return project.kind == "project" and db.session.scalar(
        select(ProjectLink.item_id).where(ProjectLink.project_id == project.id).limit(1)) is not None


def _project_of(item: ChecklistItem) -> ChecklistItem | None:
    pid = db.session.scalar(select(ProjectLink.project_id).where(ProjectLink.item_id == item.id))
    return db.session.get(ChecklistItem, pid) if pid else None


def _roll_up(project: ChecklistItem, actor=None) -> None:
    """A project with linked items: its percent is the average of theirs (cancelled ones left out)."""
    avg = db.session.scalar(
        select(func.avg(ChecklistItem.progress)).join(ProjectLink, ProjectLink.item_id == ChecklistItem.id)
        .where(ProjectLink.project_id == project.id, ChecklistItem.state != "cancelled"))
    if avg is None:
        return
    percent = int(round(float(avg)))
    if percent != project.progress:
        project.progress = percent
        if project.state == "agreed" and percent > 0:
            project.state = "in_progress"
        project.updated_at = utcnow()
        db.session.flush()


def _check_percent(raw) -> int:
    try:
        percent = int(str(raw).strip())
    except (TypeError, ValueError):
        raise CobuildError(_l("Enter the progress as a whole number from 0 to 100."), "percent") from None
    if not 0 <= percent <= 100:
        raise CobuildError(_l("Enter the progress as a whole number from 0 to 100."), "percent")
    return percent


def post_progress(actor, item: ChecklistItem, percent, note: str | None,
                  photos: list[bytes] | tuple[bytes, ...] = ()) -> ItemProgress:
    errors: dict = {}
    text = _clean(note)
    if not text:
        errors["note"] = _l("Say in a sentence what was done.")
    elif len(text) > NOTE_MAX:
        errors["note"] = _l("Please keep it to %(n)s characters.", n=NOTE_MAX)
    try:
        value = _check_percent(percent)
    except CobuildError as e:
        errors.update(e.errors)
        value = None
    if len(photos) > PHOTOS_MAX:
        errors["photos"] = _l("At most %(n)s photos per progress note.", n=PHOTOS_MAX)
    if errors:
        raise CobuildError.several(errors)
    if item.state not in ("agreed", "in_progress"):
        raise CobuildError(_l("Progress can be reported only on an agreed item in progress (it is: %(state)s).",
                              state=item.state_label))
    if item.responsible_side not in item_sides(actor, item):
        raise CobuildError(_l("Only the responsible side reports progress on this item."))
    if has_links(item):
        raise CobuildError(_l("This project's progress comes from its matched needs and resources: "
                              "report progress on them."))
    before = item.state
    _move(item, ("agreed", "in_progress"), "in_progress", progress=value)
    entry = ItemProgress(item_id=item.id, author_id=actor.id, percent=value, note=text)
    db.session.add(entry)
    db.session.flush()
    for data in photos:
        try:
            store_image(None, owner=actor, subject=entry, data=data)
        except UploadError as e:
            raise CobuildError(e.message, "photos") from None
    record(item, "progress", actor=actor, from_state=before, to_state="in_progress", note=f"{value}% · {text}")
    project = _project_of(item)
    if project is not None:
        _roll_up(project, actor)
    emit_item("checklist.progress", actor, item, percent=value, progress_id=entry.id, title=item.title)
    return entry


def mark_done(actor, item: ChecklistItem, note: str | None) -> ChecklistItem:
    text = _clean(note)
    if not text:
        raise CobuildError(_l("Write a completion note: what was done, for whom."), "note")
    if len(text) > NOTE_MAX:
        raise CobuildError(_l("Please keep it to %(n)s characters.", n=NOTE_MAX), "note")
    if item.state not in ("agreed", "in_progress"):
        raise CobuildError(_l("Only an agreed item can be marked as done (it is: %(state)s).", state=item.state_label))
    if item.responsible_side not in item_sides(actor, item):
        raise CobuildError(_l("Only the responsible side marks this item as done."))
    _finish(actor, item, text)
    return item


def _finish(actor, item: ChecklistItem, text: str) -> None:
    now = utcnow()
    before = item.state
    _move(item, ("agreed", "in_progress"), "done", progress=100, completion_note=text, done_at=now, updated_at=now)
    record(item, "done", actor=actor, from_state=before, to_state="done", note=text)
    emit_item("checklist.done", actor, item, title=item.title)
    if item.kind == "project":  # finishing the project finishes its parts
        for linked in linked_items(item):
            if linked.state in ("agreed", "in_progress"):
                _finish(actor, linked, text)
    else:
        project = _project_of(item)
        if project is not None:
            _roll_up(project, actor)


def evaluate(actor, item: ChecklistItem, rating, comment: str | None) -> ChecklistItem:
    """The community scores a done item, once (1–5 stars and a comment)."""
    errors: dict = {}
    try:
        stars = int(str(rating).strip())
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        errors["rating"] = _l("Choose from 1 to 5 stars.")
    text = _clean(comment)
    if len(text) > NOTE_MAX:
        errors["comment"] = _l("Please keep it to %(n)s characters.", n=NOTE_MAX)
    if errors:
        raise CobuildError.several(errors)
    if "community" not in item_sides(actor, item):
        raise CobuildError(_l("Only the community evaluates the work."))
    if item.state == "evaluated":
        raise CobuildError(_l("This item was already evaluated."))
    if item.state != "done":
        raise CobuildError(_l("Only a done item can be evaluated (it is: %(state)s).", state=item.state_label))
    now = utcnow()
    result = db.session.execute(
        update(ChecklistItem).where(ChecklistItem.id == item.id, ChecklistItem.state == "done")
        .values(state="evaluated", rating=stars, evaluation=text or None, evaluated_by_id=actor.id,
                evaluated_at=now, updated_at=now).execution_options(synchronize_session=False))
    db.session.refresh(item)
    if result.rowcount != 1:
        raise CobuildError(_l("This item was already evaluated."))
    record(item, "evaluated", actor=actor, from_state="done", to_state="evaluated",
           note=f"{'★' * stars}{' · ' + text if text else ''}")
    emit_item("checklist.evaluated", actor, item, rating=stars, title=item.title)
    return item


def cancel(actor, item: ChecklistItem, reason: str | None) -> ChecklistItem:
    text = _clean(reason)
    if not text:
        raise CobuildError(_l("Say why it is cancelled; the other side sees the reason."), "reason")
    if len(text) > NOTE_MAX:
        raise CobuildError(_l("Please keep it to %(n)s characters.", n=NOTE_MAX), "reason")
    allowed = bool(item_sides(actor, item)) if not (item.pairing is None and item.publication == "city") \
        else is_cobuild_overseer(actor, item.community)
    if not allowed:
        raise CobuildError(_l("Only the two sides of this pairing can cancel it."))
    if item.state not in OPEN_STATES:
        raise CobuildError(_l("This item can no longer be cancelled (it is: %(state)s).", state=item.state_label))
    before = item.state
    _move(item, OPEN_STATES, "cancelled", cancel_reason=text)
    record(item, "cancelled", actor=actor, from_state=before, to_state="cancelled", note=text)
    project = _project_of(item)
    if project is not None:
        _roll_up(project, actor)
    emit_item("checklist.cancelled", actor, item, reason=text, title=item.title)
    return item


# ---------------------------------------------------------------- open needs and key projects


def publish_open_need(actor, community: Area | None, data: ItemInput) -> ChecklistItem:
    """A community publishes a need to every agency of its street; the community side agrees by publishing."""
    if community is None or community.level != "community" or not is_community_staff_of(actor, community):
        raise CobuildError(_l("Choose your community."), "community_id")
    year = data.target_date.year if data.target_date else local_today().year
    values = validate_input(data, max(year, local_today().year))
    item = new_item(actor, kind="need", community=community, year=values["target_date"].year, values=values,
                     side="community", publication="street", action="published")
    emit_item("checklist.published", actor, item, publication="street", title=item.title, street_id=item.street_id)
    return item


def publish_key_project(actor, community: Area | None, data: ItemInput) -> ChecklistItem:
    """A street or city admin publishes a key project (重点攻坚项目) for any agency in the city to claim."""
    if community is None or community.level != "community" or not is_cobuild_overseer(actor, community):
        raise CobuildError(_l("Choose a community in your reach."), "community_id")
    year = data.target_date.year if data.target_date else local_today().year
    values = validate_input(data, max(year, local_today().year))
    item = new_item(actor, kind="project", community=community, year=values["target_date"].year, values=values,
                     publication="city", action="published")
    emit_item("checklist.published", actor, item, publication="city", title=item.title, street_id=item.street_id)
    return item


def claim(actor, item: ChecklistItem, organisation_id: int | None) -> ChecklistClaim:
    """An agency claims an open need or key project: first claim wins (compare-and-set, then the partial unique
    index); the claim creates or extends the agency's pairing with the community for the item's year."""
    allowed = claimable_org_ids(actor, item)
    if organisation_id is None and len(allowed) == 1:
        organisation_id = allowed[0]
    if organisation_id not in allowed:
        if item.pairing_id is not None:
            raise AlreadyClaimed(_l("This item has just been claimed by another agency."))
        raise CobuildError(_l("Choose a branch you administer that may claim this item."))
    now = utcnow()
    # the first write: takes the row (PostgreSQL) or the database's write lock (SQLite) before anything else
    result = db.session.execute(
        update(ChecklistItem).where(ChecklistItem.id == item.id, ChecklistItem.pairing_id.is_(None),
                                    ChecklistItem.publication.is_not(None), ChecklistItem.state.in_(OPEN_STATES))
        .values(updated_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise AlreadyClaimed(_l("This item has just been claimed by another agency."))
    new_claim = ChecklistClaim(item_id=item.id, organisation_id=organisation_id, claimant_id=actor.id,
                               status="active", claimed_at=now)
    db.session.add(new_claim)
    try:
        db.session.flush()  # the partial unique index is the last line of defence; the route rolls back
    except IntegrityError:
        raise AlreadyClaimed(_l("This item has just been claimed by another agency.")) from None
    db.session.refresh(item)
    pairing, created = _pairing_for(organisation_id, item.community_id, item.year)
    if created:
        events.emit("pairing.created", actor=actor, subject=pairing, area_id=item.community_id,
                    organisation_id=organisation_id, community_id=item.community_id, year=item.year,
                    via="checklist_claim")
    item.pairing_id = pairing.id
    values = _agree_values("agency", actor, now)
    for key, value in values.items():
        setattr(item, key, value)
    db.session.flush()
    db.session.refresh(item)
    record(item, "claimed", actor=actor, note=new_claim.organisation.name)
    emit_item("checklist.claimed", actor, item, claim_id=new_claim.id, created_pairing=created, title=item.title)
    _complete_agreement(actor, item)
    return new_claim


def _pairing_for(organisation_id: int, community_id: int, year: int) -> tuple[Pairing, bool]:
    stmt = select(Pairing).where(Pairing.organisation_id == organisation_id, Pairing.community_id == community_id,
                                 Pairing.year == year)
    pairing = db.session.scalar(stmt)
    if pairing is not None:
        return pairing, False
    pairing = Pairing(organisation_id=organisation_id, community_id=community_id, year=year)
    try:
        with db.session.begin_nested():  # the same branch claiming two items at once: the unique constraint decides
            db.session.add(pairing)
            db.session.flush()
    except IntegrityError:
        return db.session.scalar(stmt), False
    return pairing, True


def claim_holder_name(item: ChecklistItem) -> str | None:
    claim_row = item.active_claim
    return claim_row.organisation.name if claim_row is not None else None
