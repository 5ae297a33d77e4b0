"""Every transition of a wish: validate, change with a compare-and-set update, flush, record the timeline, emit.

Services never commit; the route (or the job runner) commits once. Each state change is
``UPDATE wish SET state = :to … WHERE id = :id AND state IN (:from)`` and checks the row count, so two requests
(or two hosts running the jobs) can never both move the same wish — the second gets a clear WishError.

Settings (read with ``current_app.config.get``; defaults in brackets):
    WISH_VALUE_CAP [500]            the most a micro-wish may be worth, in whole yuan
    WISH_CLAIM_DAYS [14]            days a claimant has to fulfil before the claim is released automatically
    WISH_MAX_DAYS_AHEAD [180]       how far ahead the wanted-by date may be
    WISH_CATEGORIES [study, daily, care, health, employment, companionship, other]   category codes offered
    WISH_CATEGORY_LABELS [{}]       labels for codes a deployment adds ({"housing": "住房"}); known codes are translated
    WISH_PAGE_SIZE [PAGE_SIZE]      cards per wall page
    WISH_POST_LIMIT ["20 per day"]  wishes one account may post (a Flask-Limiter rate; refused forms do not count)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import events
from app.accounts.models import RoleAssignment, User
from app.accounts.scope import LEADER_ROLES, STAFF_ROLES, holds_area_role
from app.areas.models import Area
from app.errors import DomainError
from app.extensions import db
from app.timeline.services import record
from app.timeutil import local_today, utcnow
from app.uploads.services import UploadError, store_image
from app.wishes import events as wish_events
from app.wishes import queries
from app.wishes.models import Wish, WishClaim, WishClaimMember, categories
from app.wishes.policy import (
    can_claim_in_one_step,
    can_confirm_wish,
    claim_org_ids,
    claim_targets,
    is_party_member,
    is_wish_claimant,
    is_wish_owner,
    is_wish_staff,
)

TITLE_MAX = 60
DESCRIPTION_MAX = 1000
NOTE_MAX = 500
TEAM_MESSAGE = _l("Team members must be party members of the branch.")


class WishError(DomainError):
    """A problem the user caused; ``field`` names the form field to show it on (None: the whole form)."""


def _store_photo(data: bytes, *, owner, subject, field: str):
    """Store a checked photo; a failure while re-encoding is still the user's message, never a 500."""
    try:
        return store_image(None, owner=owner, subject=subject, data=data)
    except UploadError as e:
        raise WishError(e.message, field) from None


class AlreadyClaimed(WishError):
    """Someone else holds the wish; after rolling back, the route shows ``already_claimed_message(wish)``."""


class DuplicatePost(WishError):
    pass


def value_cap() -> int:
    return int(current_app.config.get("WISH_VALUE_CAP", 500))


def claim_days() -> int:
    return int(current_app.config.get("WISH_CLAIM_DAYS", 14))


def max_days_ahead() -> int:
    return int(current_app.config.get("WISH_MAX_DAYS_AHEAD", 180))


@dataclass
class WishInput:
    category: str
    title: str
    description: str
    value: int | None
    wanted_by: date | None


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def validate_input(data: WishInput) -> WishInput:
    """Check the whole form and report every problem at once (one WishError carrying all of them)."""
    errors: dict = {}
    if data.category not in categories():
        errors["category"] = _l("Choose a category from the list.")
    title = _clean(data.title)
    if not title:
        errors["title"] = _l("Give the wish a short title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _l("The title may be at most %(n)s characters.", n=TITLE_MAX)
    description = _clean(data.description)
    if not description:
        errors["description"] = _l("Describe the wish: what is needed and why.")
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = _l("The description may be at most %(n)s characters.", n=DESCRIPTION_MAX)
    cap = value_cap()
    if data.value is None or data.value < 0:
        errors["value"] = _l("Enter the estimated value in yuan (0 if it costs nothing).")
    elif data.value > cap:
        errors["value"] = _l("A micro-wish is worth at most ¥%(cap)s. For bigger needs, talk to your community "
                             "office.", cap=cap)
    today = local_today()
    if data.wanted_by is None:
        errors["wanted_by"] = _l("Choose the date by which the wish should come true.")
    elif data.wanted_by < today:
        errors["wanted_by"] = _l("The wanted-by date is in the past. Choose today or a later day.")
    elif data.wanted_by > today + timedelta(days=max_days_ahead()):
        errors["wanted_by"] = _l("The wanted-by date may be at most %(n)s days ahead.", n=max_days_ahead())
    if errors:
        raise WishError.several(errors)
    return WishInput(data.category, title, description, data.value, data.wanted_by)


def _community_and_street(area: Area) -> tuple[Area | None, Area | None]:
    return area.ancestor_at("community"), area.ancestor_at("street")


@dataclass
class Placement:
    """Whose wish it is and where it is placed, as checked by ``check_post``."""

    on_behalf: bool
    wisher: User | None
    area: Area
    community: Area
    street: Area | None
    subject_name: str | None
    subject_contact: str | None


def check_post(author: User, data: WishInput, *, wisher: User | None = None, area: Area | None = None,
               subject_name: str | None = None, subject_contact: str | None = None) -> tuple[WishInput, Placement]:
    """Everything ``post_wish`` checks, changing nothing: one WishError carrying every problem of the form."""
    errors: dict = {}
    try:
        data = validate_input(data)
    except WishError as e:
        errors.update(e.errors)

    def problem(message, field=None):
        errors.setdefault(field, message)

    on_behalf = wisher is not None or bool(_clean(subject_name))
    if on_behalf and wisher is not None and wisher.id == author.id:
        on_behalf, wisher = False, None
    if not on_behalf:
        wisher = author
        area = author.home_area
        subject_name = subject_contact = None
        if area is None:
            problem(_l("Your account has no home community yet. Ask your community office to set it."))
    elif wisher is not None:
        area = wisher.home_area
        subject_name = subject_contact = None
        if area is None:
            problem(_l("That resident has no home community on record."), "resident")
    else:
        subject_name = _clean(subject_name)[:20]
        subject_contact = _clean(subject_contact)[:80] or None
        if area is None or area.level not in ("community", "grid", "microgrid"):
            problem(_l("Choose where the resident lives."), "area_id")
            area = None
    if on_behalf and area is not None and not holds_area_role(author, STAFF_ROLES + LEADER_ROLES, area):
        problem(_l("You can only record wishes for residents of your own area."), "resident")
    community, street = _community_and_street(area) if area is not None else (None, None)
    if area is not None and community is None:
        problem(_l("The resident's home is not inside a community."))
    if errors:
        raise WishError.several(errors)
    return data, Placement(on_behalf, wisher, area, community, street, subject_name, subject_contact)


def parse_value(raw: str | None) -> int | None:
    """The estimated value as typed ("80", "¥80", "1,000"), in whole yuan; None when empty."""
    raw = (raw or "").strip().replace("¥", "").replace(",", "")
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        raise WishError(_l("Enter the estimated value as a number of yuan, e.g. 80."), "value") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise WishError(_l("Enter the estimated value as a number of yuan, e.g. 80."), "value")
    return int(round(number))


def parse_date(raw: str | None) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise WishError(_l("Enter the date as YYYY-MM-DD, e.g. %(example)s.",
                           example=(local_today() + timedelta(days=14)).isoformat()), "wanted_by") from None


@dataclass
class PostForm:
    """The post form as typed (text), and the micro-grid chosen for a resident without an account."""

    category: str | None
    title: str | None
    description: str | None
    value: str | None
    wanted_by: str | None
    resident: str | None = None
    subject_name: str | None = None
    subject_contact: str | None = None
    area: Area | None = None


def read_post(author: User, typed: PostForm, *, behalf: bool) -> dict:
    """The post form read into ``post_wish``'s arguments, checked as ``post_wish`` checks them. A value or a date that
    cannot be read, or a resident who cannot be found (``find_resident``), is reported together with every other
    problem of the form (one WishError), so the resident fixes them all in one go. ``behalf``: the author may
    record wishes for residents (``can_post_on_behalf``); otherwise the on-behalf fields are ignored."""
    parse_errors: dict = {}

    def parsed(parse, *args):
        try:
            return parse(*args)
        except WishError as e:
            parse_errors.update(e.errors)
            return None

    wisher = parsed(find_resident, author, typed.resident) if behalf else None
    area = typed.area if behalf and wisher is None and _clean(typed.subject_name) else None
    args = dict(
        data=WishInput(category=typed.category or "", title=typed.title or "", description=typed.description or "",
                       value=parsed(parse_value, typed.value), wanted_by=parsed(parse_date, typed.wanted_by)),
        wisher=wisher, area=area,
        subject_name=typed.subject_name if behalf else None,
        subject_contact=typed.subject_contact if behalf else None)
    try:
        check_post(author, **args)
    except WishError as e:
        raise WishError.several({**e.errors, **parse_errors}) from None
    if parse_errors:
        raise WishError.several(parse_errors)
    return args


def post_wish(author: User, data: WishInput, *, wisher: User | None = None, area: Area | None = None,
              subject_name: str | None = None, subject_contact: str | None = None,
              photo: bytes | None = None, post_key: str | None = None) -> Wish:
    """A resident posts for themself (wisher is None → the author), or staff / a leader records it on behalf of a
    resident (``wisher`` with an account, or ``subject_name`` + ``area`` for one without)."""
    data, place = check_post(author, data, wisher=wisher, area=area, subject_name=subject_name,
                             subject_contact=subject_contact)
    on_behalf, wisher, area = place.on_behalf, place.wisher, place.area
    now = utcnow()
    wish = Wish(area_id=area.id, community_id=place.community.id, street_id=place.street.id if place.street else None,
                wisher_id=wisher.id if wisher is not None else None, author_id=author.id, on_behalf=on_behalf,
                subject_name=place.subject_name if wisher is None and on_behalf else None,
                subject_contact=place.subject_contact if wisher is None and on_behalf else None,
                category=data.category, title=data.title, description=data.description, value=data.value,
                wanted_by=data.wanted_by, state="pending", post_key=post_key or None, created_at=now, updated_at=now)
    db.session.add(wish)
    try:
        db.session.flush()
    except IntegrityError:  # the same form submitted twice at once: the route rolls back and finds the first
        raise DuplicatePost(_l("This wish was already posted.")) from None
    if photo is not None:
        upload = _store_photo(photo, owner=author, subject=wish, field="photo")
        wish.photo_id = upload.id
    record(wish, "posted_on_behalf" if on_behalf else "posted", actor=author, to_state="pending",
           on_behalf_of=wisher if on_behalf else None, public=True)
    db.session.flush()
    events.emit("wish.posted", actor=author, subject=wish, area_id=wish.area_id, on_behalf=on_behalf,
                wisher_id=wish.wisher_id, from_state=None, to_state="pending")
    return wish


def _move(wish: Wish, from_states: tuple[str, ...], to_state: str, **values) -> None:
    """Compare-and-set: change the state only if nobody changed it meanwhile."""
    now = values.pop("updated_at", None) or utcnow()
    result = db.session.execute(
        update(Wish).where(Wish.id == wish.id, Wish.state.in_(from_states))
        .values(state=to_state, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(wish)
        raise WishError(_l("This wish has just changed (it is now: %(state)s). Please look again.",
                           state=wish.state_label))
    db.session.refresh(wish)


def _note(text: str | None, *, required: bool, field: str = "note", message=None) -> str | None:
    note = _clean(text)
    if required and not note:
        raise WishError(message or _l("Please write a short reason."), field)
    if len(note) > NOTE_MAX:
        raise WishError(_l("Please keep it to %(n)s characters.", n=NOTE_MAX), field)
    return note or None


def approve(wish: Wish, actor: User) -> Wish:
    if wish.state != "pending":
        raise WishError(_l("Only a wish awaiting review can be approved."))
    if wish.wanted_by < local_today():
        raise WishError(_l("The wanted-by date has passed; ask the resident to post the wish again."))
    _move(wish, ("pending",), "published", published_at=utcnow())
    record(wish, "approved", actor=actor, from_state="pending", to_state="published")
    events.emit("wish.published", actor=actor, subject=wish, area_id=wish.area_id, wisher_id=wish.wisher_id,
                from_state="pending", to_state="published")
    return wish


def reject(wish: Wish, actor: User, reason: str | None) -> Wish:
    reason = _note(reason, required=True, field="reason",
                   message=_l("Tell the resident why the wish is not approved."))
    if wish.state != "pending":
        raise WishError(_l("Only a wish awaiting review can be rejected."))
    _move(wish, ("pending",), "rejected", reject_reason=reason)
    record(wish, "rejected", actor=actor, from_state="pending", to_state="rejected", note=reason)
    events.emit("wish.rejected", actor=actor, subject=wish, area_id=wish.area_id, wisher_id=wish.wisher_id,
                from_state="pending", to_state="rejected", reason=reason)
    return wish


def withdraw(wish: Wish, actor: User) -> Wish:
    if not is_wish_owner(actor, wish):
        raise WishError(_l("Only the resident can withdraw this wish."))
    if wish.state not in ("pending", "published"):
        raise WishError(_l("A claimed wish cannot be withdrawn. Ask the claimant or your community office."))
    before = wish.state
    _move(wish, ("pending", "published"), "withdrawn")
    record(wish, "withdrawn", actor=actor, from_state=before, to_state="withdrawn")
    events.emit("wish.withdrawn", actor=actor, subject=wish, area_id=wish.area_id, wisher_id=wish.wisher_id,
                from_state=before, to_state="withdrawn")
    return wish


def already_claimed_message(wish: Wish):
    claim = db.session.scalar(select(WishClaim).where(WishClaim.wish_id == wish.id, WishClaim.status == "active"))
    if claim is not None:
        return _l("Already claimed by %(name)s. Thank you all the same — other wishes are still waiting.",
                  name=claim.public_name)
    return _l("This wish cannot be claimed now (it is: %(state)s).", state=wish.state_label)


def claim_target(actor: User, chosen: int | None) -> int | None:
    """For whom a claim is made when the form names the branch ``chosen`` (authorised by ``can_claim_for``) or
    none: a party member claims for themself (None), an admin of one branch for that branch; an admin of several
    branches must choose on the wish's page."""
    if chosen is not None:
        return chosen
    if not can_claim_in_one_step(actor):
        raise WishError(_l("Choose on the wish's page which of your branches claims it."))
    return claim_targets(actor)[0]


def claim(wish: Wish, actor: User, *, organisation_id: int | None = None,
          member_ids: list[int] | tuple[int, ...] = ()) -> WishClaim:
    """Claim for oneself (a member) or for a branch (its agency admin, naming team members). One winner only."""
    if is_wish_owner(actor, wish):
        raise WishError(_l("You cannot claim your own wish."))
    if organisation_id is not None:
        if organisation_id not in claim_org_ids(actor):
            raise WishError(_l("You can only claim for a branch you administer."))
        kind = "branch"
        members = sorted({int(m) for m in member_ids if int(m) != actor.id})
        if set(members) - queries.branch_member_ids(organisation_id, members):
            raise WishError(TEAM_MESSAGE, "members")
    else:
        if not is_party_member(actor):
            raise WishError(_l("Only party members can claim a wish for themselves."))
        kind, members = "member", []

    # lock the wish row (PostgreSQL: SELECT … FOR UPDATE; SQLite serialises writers), then compare-and-set
    locked = db.session.scalar(select(Wish).where(Wish.id == wish.id).with_for_update()
                               .execution_options(populate_existing=True))
    if locked is None:
        raise WishError(_l("This wish no longer exists."))
    if locked.state != "published":
        raise AlreadyClaimed(_l("This wish cannot be claimed now (it is: %(state)s).", state=locked.state_label))
    if locked.moderation is not None:
        raise AlreadyClaimed(_l("This wish is being reviewed after reports from residents and cannot be claimed now."))
    now = utcnow()
    result = db.session.execute(
        update(Wish).where(Wish.id == wish.id, Wish.state == "published", Wish.moderation.is_(None))
        .values(state="claimed", updated_at=now).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise AlreadyClaimed(_l("This wish has just been claimed by someone else."))
    new_claim = WishClaim(wish_id=wish.id, kind=kind, claimant_id=actor.id, organisation_id=organisation_id,
                          status="active", claimed_at=now, deadline_at=now + timedelta(days=claim_days()))
    new_claim.members = [WishClaimMember(user_id=m) for m in members]
    db.session.add(new_claim)
    try:
        db.session.flush()  # the partial unique index is the last line of defence; the route rolls back
    except IntegrityError:
        raise AlreadyClaimed(_l("This wish has just been claimed by someone else.")) from None
    db.session.refresh(wish)
    record(wish, "claimed", actor=actor, from_state="published", to_state="claimed",
           note=new_claim.organisation.name if new_claim.organisation else None)
    events.emit("wish.claimed", actor=actor, subject=wish, area_id=wish.area_id, wisher_id=wish.wisher_id,
                from_state="published", to_state="claimed", **wish_events.claim_fields(new_claim))
    return new_claim


def _active_claim(wish: Wish) -> WishClaim | None:
    return db.session.scalar(select(WishClaim).where(WishClaim.wish_id == wish.id, WishClaim.status == "active"))


def release(wish: Wish, actor: User | None, reason: str | None, *, automatic: bool = False,
            now: datetime | None = None) -> WishClaim:
    """Give a claimed wish back to the wall: by the claimant or staff (reason required), or by the job."""
    if automatic:
        note = reason
    else:
        note = _note(reason, required=True, field="reason",
                     message=_l("Please say why the claim is released; the resident will see it."))
        if not (is_wish_claimant(actor, wish) or is_wish_staff(actor, wish)):
            raise WishError(_l("Only the claimant or community staff can release this claim."))
    if wish.state != "claimed":
        raise WishError(_l("Only a claimed wish can be released."))
    return _release(wish, actor, note, "auto_released" if automatic else "released", now=now,
                    variant="auto" if automatic else None)


def _release(wish: Wish, actor: User | None, note: str | None, action: str, *, now: datetime | None = None,
             variant: str | None = None) -> WishClaim | None:
    now = now or utcnow()
    current = _active_claim(wish)
    _move(wish, ("claimed",), "published", updated_at=now)
    if current is not None:
        db.session.execute(
            update(WishClaim).where(WishClaim.id == current.id, WishClaim.status == "active")
            .values(status="released", released_at=now, released_by_id=getattr(actor, "id", None),
                    release_reason=note).execution_options(synchronize_session=False)
        )
        db.session.refresh(current)
    record(wish, action, actor=actor, from_state="claimed", to_state="published", note=note)
    db.session.expire(wish, ["active_claim"])
    events.emit("wish.released", actor=actor, subject=wish, area_id=wish.area_id, wisher_id=wish.wisher_id,
                from_state="claimed", to_state="published", **wish_events.claim_fields(current), variant=variant,
                reason=note)
    return current


def end_claims_of(person: User, actor: User | None, *, organisation_id: int | None = None,
                  deactivated: bool = False) -> int:
    """The role a claim rested on has ended (revoked, or the account deactivated): what the person held by it ends too.

    - A personal claim (a party member for themself) is released back to the wall once the person is no longer a
      party member anywhere, or is deactivated: the wish must not wait weeks for someone who cannot act. The
      timeline says why; the claimant and the resident's community see it.
    - A named team member leaves the teams of the branch's active claims (``organisation_id``; every branch when
      deactivated), recorded on the wish's internal timeline. The branch's claim itself stays with the branch.

    Returns how many wishes were touched. Called by the accounts events (subscribers.py); never commits.
    """
    touched = 0
    still_member = db.session.scalar(select(exists().where(
        RoleAssignment.user_id == person.id, RoleAssignment.role == "member")))  # not the per-request role cache
    if deactivated or not still_member:
        personal = list(db.session.scalars(
            select(Wish).join(WishClaim, WishClaim.wish_id == Wish.id)
            .where(WishClaim.claimant_id == person.id, WishClaim.status == "active",
                   WishClaim.organisation_id.is_(None), Wish.state.in_(("claimed", "fulfilled")))
            .order_by(Wish.id)))
        for wish in personal:
            if wish.state != "claimed":
                continue
            try:
                _release(wish, actor, None, "released_role_ended", variant="role_ended")
            except WishError:  # moved meanwhile (fulfilled, released): the compare-and-set changed nothing
                continue
            touched += 1
            # a fulfilled wish waits only for the resident's answer; the claim's work is done and stays credited
    team_rows = select(WishClaimMember).join(WishClaim, WishClaim.id == WishClaimMember.claim_id).where(
        WishClaimMember.user_id == person.id, WishClaim.status == "active")
    if not deactivated:
        team_rows = team_rows.where(WishClaim.organisation_id == organisation_id)
    for row in list(db.session.scalars(team_rows.options(selectinload(WishClaimMember.claim)))):
        wish = row.claim.wish
        db.session.delete(row)
        db.session.flush()
        db.session.expire(row.claim, ["members"])
        record(wish, "team_member_left", actor=actor, note=person.display_name, public=False)
        touched += 1
    return touched


def fulfil(wish: Wish, actor: User, note: str | None, photo: bytes | None = None) -> Wish:
    note = _note(note, required=True, message=_l("Tell the resident in a sentence what was done."))
    if not is_wish_claimant(actor, wish):
        raise WishError(_l("Only the claimant can mark this wish as fulfilled."))
    if wish.state != "claimed":
        raise WishError(_l("Only a claimed wish can be marked as fulfilled."))
    current = _active_claim(wish)
    now = utcnow()
    photo_id = None
    if photo is not None:
        photo_id = _store_photo(photo, owner=actor, subject=wish, field="photo").id
    _move(wish, ("claimed",), "fulfilled", fulfil_note=note, fulfil_photo_id=photo_id, updated_at=now)
    if current is not None:
        current.fulfilled_at = now
    record(wish, "fulfilled", actor=actor, from_state="claimed", to_state="fulfilled", note=note)
    events.emit("wish.fulfilled", actor=actor, subject=wish, area_id=wish.area_id, wisher_id=wish.wisher_id,
                from_state="claimed", to_state="fulfilled", **wish_events.claim_fields(current))
    return wish


def confirm(wish: Wish, actor: User, note: str | None) -> Wish:
    """The wisher (or staff on their behalf) confirms the wish came true; the thank-you note becomes the story."""
    note = _note(note, required=False)
    if wish.state != "fulfilled":
        raise WishError(_l("Only a fulfilled wish can be confirmed."))
    if not can_confirm_wish(actor, wish):
        raise WishError(_l("Only the resident (or community staff on their behalf) can confirm this wish."))
    current = _active_claim(wish)
    now = utcnow()
    _move(wish, ("fulfilled",), "completed", thanks_note=note, completed_at=now, updated_at=now)
    if current is not None:
        current.status = "done"
    on_behalf = None
    if not is_wish_owner(actor, wish):
        on_behalf = wish.wisher
    record(wish, "confirmed", actor=actor, from_state="fulfilled", to_state="completed", note=note,
           on_behalf_of=on_behalf)
    db.session.flush()
    db.session.expire(wish, ["active_claim"])
    events.emit("wish.completed", actor=actor, subject=wish, area_id=wish.area_id, wisher_id=wish.wisher_id,
                from_state="fulfilled", to_state="completed", **wish_events.claim_fields(current))
    return wish


def not_received(wish: Wish, actor: User, note: str | None) -> Wish:
    """The wisher says it did not arrive: back to claimed, with the note; the claimant gets a fresh deadline."""
    note = _note(note, required=True, message=_l("Please say what is missing, so the claimant can put it right."))
    if wish.state != "fulfilled":
        raise WishError(_l("Only a fulfilled wish can be reported as not received."))
    if not can_confirm_wish(actor, wish):
        raise WishError(_l("Only the resident (or community staff on their behalf) can answer for this wish."))
    current = _active_claim(wish)
    now = utcnow()
    _move(wish, ("fulfilled",), "claimed", updated_at=now)
    if current is not None:
        current.fulfilled_at = None
        current.deadline_at = max(current.deadline_at, now + timedelta(days=claim_days()))
    record(wish, "not_received", actor=actor, from_state="fulfilled", to_state="claimed", note=note)
    db.session.flush()
    events.emit("wish.not_received", actor=actor, subject=wish, area_id=wish.area_id, wisher_id=wish.wisher_id,
                from_state="fulfilled", to_state="claimed", **wish_events.claim_fields(current), note=note)
    return wish


def expire(wish: Wish, now: datetime | None = None) -> bool:
    """A published (or still pending) wish past its wanted-by date; False if someone moved it meanwhile."""
    before = wish.state
    result = db.session.execute(
        update(Wish).where(Wish.id == wish.id, Wish.state.in_(("pending", "published")))
        .values(state="expired", updated_at=now or utcnow()).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(wish)
    record(wish, "expired", actor=None, from_state=before, to_state="expired")
    events.emit("wish.expired", actor=None, subject=wish, area_id=wish.area_id, wisher_id=wish.wisher_id,
                from_state=before, to_state="expired")
    return True


def find_resident(author: User, query: str | None) -> User | None:
    """A resident by username or mobile, for recording a wish on their behalf — only one whose home lies in the
    area where ``author`` is staff or a leader. Whether an account exists elsewhere is not revealed: one message."""
    query = _clean(query)
    if not query:
        return None
    user = queries.resident_for(author, query)
    if user is None:
        raise WishError(_l("No resident with this username or mobile number in your area."), "resident")
    return user
