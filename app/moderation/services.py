"""Flag, hide, restore, remove. Every change is flushed here and told as an event; the route commits once."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app import events
from app.errors import DomainError
from app.extensions import db
from app.moderation import events as moderation_events  # noqa: F401  (declares the payloads)
from app.moderation.models import HIDDEN, OPEN_CASE_STATES, REMOVED, Flag, ModerationCase
from app.moderation.subjects import Kind, is_author, kind_for
from app.timeutil import utcnow

REASON_MAX = 500
DEFAULT_THRESHOLD = 3


class ModerationError(DomainError):
    pass


def threshold() -> int:
    """How many flags hide a thing pending review (MODERATION_FLAG_THRESHOLD, at least 1)."""
    try:
        return max(1, int(current_app.config.get("MODERATION_FLAG_THRESHOLD", DEFAULT_THRESHOLD)))
    except (TypeError, ValueError):
        return DEFAULT_THRESHOLD


def clean_reason(raw: str | None, *, message) -> str:
    reason = " ".join((raw or "").split())
    if not reason:
        raise ModerationError(message, "reason")
    if len(reason) > REASON_MAX:
        raise ModerationError(_l("The reason may be at most %(max)d characters.", max=REASON_MAX), "reason")
    return reason


def open_case(kind: Kind, subject_id: int) -> ModerationCase | None:
    return db.session.scalar(select(ModerationCase).where(
        ModerationCase.subject_type == kind.name, ModerationCase.subject_id == subject_id,
        ModerationCase.state.in_(OPEN_CASE_STATES)))


def has_flagged(user, subject) -> bool:
    found = db.session.scalar(select(Flag.id).where(
        Flag.subject_type == kind_for(subject).name, Flag.subject_id == subject.id, Flag.user_id == user.id))
    return found is not None


def _case_for(kind: Kind, subject) -> ModerationCase:
    """The subject's open case, or a new one; two first flags at once meet at the unique index and share one."""
    case = open_case(kind, subject.id)
    if case is not None:
        return case
    try:
        with db.session.begin_nested():
            case = ModerationCase(subject_type=kind.name, subject_id=subject.id, area_id=subject.area_id,
                                  author_id=(kind.author_ids(subject) or (None,))[0], state="flagged", flag_count=0,
                                  opened_at=utcnow())
            db.session.add(case)
    except IntegrityError:
        case = open_case(kind, subject.id)
        if case is None:
            raise
    return case


def _payload(kind: Kind, subject, case: ModerationCase) -> dict:
    return {"area_id": subject.area_id, "case_id": case.id, "kind": kind.name,
            "author_ids": tuple(kind.author_ids(subject))}


def flag(subject, user, reason: str | None) -> Flag:
    """Report ``subject``. The flag that reaches the threshold hides it — exactly once, however many arrive
    together (the count is raised in the database, and only one request moves the case from flagged to hidden)."""
    kind = kind_for(subject)
    if subject.moderation == HIDDEN:
        raise ModerationError(_l("This is already hidden while staff review it. Thank you."))
    if subject.moderation == REMOVED:
        raise ModerationError(_l("Moderators have already removed this."))
    if not kind.is_public(subject):
        raise ModerationError(_l("Only content shown to the public can be reported."))
    if is_author(user, subject):
        raise ModerationError(_l("You cannot report your own post."))
    if has_flagged(user, subject):
        raise ModerationError(_l("You have already reported this. Staff of its area will look at it."))
    reason = clean_reason(reason, message=_l("Say briefly what is wrong with it."))
    case = _case_for(kind, subject)
    try:
        with db.session.begin_nested():
            item = Flag(subject_type=kind.name, subject_id=subject.id, case_id=case.id, user_id=user.id,
                        reason=reason, created_at=utcnow())
            db.session.add(item)
    except IntegrityError:  # the same person, twice at the same instant
        raise ModerationError(_l("You have already reported this. Staff of its area will look at it.")) from None
    count = db.session.execute(
        update(ModerationCase).where(ModerationCase.id == case.id)
        .values(flag_count=ModerationCase.flag_count + 1).returning(ModerationCase.flag_count)
        .execution_options(synchronize_session=False)).scalar_one()
    events.emit("moderation.flagged", actor=user, subject=subject, **_payload(kind, subject, case),
                flag_id=item.id, reason=reason, flag_count=count)
    limit = threshold()
    if count >= limit:
        hidden = db.session.execute(
            update(ModerationCase).where(ModerationCase.id == case.id, ModerationCase.state == "flagged")
            .values(state="hidden", hidden_at=utcnow()).execution_options(synchronize_session=False)).rowcount
        if hidden == 1:
            subject.moderation = HIDDEN
            db.session.flush()
            events.emit("moderation.hidden", actor=user, subject=subject, **_payload(kind, subject, case),
                        flag_count=count, threshold=limit)
    db.session.expire(case)
    return item


def _decide(subject, user, reason: str | None, to_state: str) -> tuple[Kind, ModerationCase, str]:
    kind = kind_for(subject)
    case = open_case(kind, subject.id)
    if subject.moderation != HIDDEN or case is None or case.state != "hidden":
        raise ModerationError(_l("This is no longer waiting for review: someone decided already."))
    reason = clean_reason(reason, message=_l("Give the reason for your decision; the author reads it."))
    done = db.session.execute(
        update(ModerationCase).where(ModerationCase.id == case.id, ModerationCase.state == "hidden")
        .values(state=to_state, decided_at=utcnow(), decided_by_id=user.id, reason=reason)
        .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise ModerationError(_l("This is no longer waiting for review: someone decided already."))
    db.session.expire(case)
    return kind, case, reason


def restore(subject, user, reason: str | None) -> ModerationCase:
    """Staff of the area show it again as it was."""
    kind, case, reason = _decide(subject, user, reason, "restored")
    subject.moderation = None
    db.session.flush()
    events.emit("moderation.restored", actor=user, subject=subject, **_payload(kind, subject, case), reason=reason)
    return case


def removed_text(field: str, reason: str, *, first: bool) -> str:
    """What the public reads in place of removed text, in the portal's own language (it is stored)."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        if first:
            return _("Removed by moderators")
        return _("Removed by moderators: %(reason)s", reason=reason)


def remove(subject, user, reason: str | None) -> ModerationCase:
    """Staff of the area remove its public text: the original goes to the case and the audit trail, the public
    reads "removed by moderators" and the reason."""
    kind, case, reason = _decide(subject, user, reason, "removed")
    original = {f: getattr(subject, f) for f in kind.fields if getattr(subject, f)}
    for i, f in enumerate(kind.fields):
        if getattr(subject, f):
            setattr(subject, f, removed_text(f, reason, first=(i == 0 and len(kind.fields) > 1)))
    subject.moderation = REMOVED
    db.session.execute(update(ModerationCase).where(ModerationCase.id == case.id).values(original=original)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    events.emit("moderation.removed", actor=user, subject=subject, **_payload(kind, subject, case), reason=reason,
                original=original)
    return case
