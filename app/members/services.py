"""Operations on member reports (三报到三服务): report, confirm, refuse, affirm the residence half-yearly.

On confirmation the reported micro-grid becomes the account's home area (a member is a resident of one place
only), recorded by an event the audit log keeps; an older confirmed residence ends (moving means reporting anew).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app import events
from app.accounts.models import User
from app.areas.models import Area
from app.errors import DomainError
from app.extensions import db
from app.members import events as member_events  # noqa: F401 — the payloads are declared there
from app.members.models import MemberReport
from app.members.models import services as service_codes
from app.members.policy import member_branches
from app.timeutil import utcnow

ADDRESS_MAX = 120
AVAILABILITY_MAX = 120
REASON_MAX = 300


class ReportError(DomainError):
    pass


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _fields(report: MemberReport) -> dict:
    return {"area_id": report.community_id, "user_id": report.user_id, "organisation_id": report.organisation_id,
            "microgrid_id": report.area_id, "to_state": report.state}


def report(member: User, area: Area | None, address: str | None, chosen: list[str] | None,
           availability: str | None, now: datetime | None = None) -> MemberReport:
    """Report to the community of ``area`` (a micro-grid). A report still waiting is replaced by this one."""
    now = now or utcnow()
    branches = member_branches(member)
    errors: dict = {}
    if not branches:
        errors[None] = _l("Only party members of a branch report to a community.")
    if area is None or area.level != "microgrid":
        errors["area_id"] = _l("Please choose the micro-grid where you live.")
    address = _clean(address)
    if not address:
        errors["address"] = _l("Please give your address (building and flat).")
    elif len(address) > ADDRESS_MAX:
        errors["address"] = _l("The address may be at most %(n)d characters.", n=ADDRESS_MAX)
    known = service_codes()
    picked = [c for c in known if c in set(chosen or [])]
    if not picked or len(picked) != len(set(chosen or [])):
        errors["services"] = _l("Please choose at least one service you offer.")
    availability = _clean(availability)
    if len(availability) > AVAILABILITY_MAX:
        errors["availability"] = _l("Please keep it to %(n)d characters.", n=AVAILABILITY_MAX)
    if errors:
        raise ReportError.several(errors)
    community = area.ancestor_at("community")
    db.session.execute(update(MemberReport).where(MemberReport.user_id == member.id, MemberReport.state == "pending")
                       .values(state="replaced", ended_at=now).execution_options(synchronize_session=False))
    row = MemberReport(user_id=member.id, organisation_id=branches[0], area_id=area.id, community_id=community.id,
                       address=address, service_codes=",".join(picked), availability=availability,
                       state="pending", created_at=now)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:  # the same form twice at once
        raise ReportError(_l("Your report was just sent; please look at it below.")) from None
    events.emit("member.reported", actor=member, subject=row, **_fields(row))
    return row


def _decide(row: MemberReport, to_state: str, actor: User, now: datetime, **values) -> None:
    result = db.session.execute(update(MemberReport).where(MemberReport.id == row.id, MemberReport.state == "pending")
                                .values(state=to_state, decided_at=now, decided_by_id=actor.id, **values)
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(row)
        raise ReportError(_l("This report has already been decided (it is: %(state)s).", state=row.state_label))
    db.session.refresh(row)


def confirm(row: MemberReport, actor: User, now: datetime | None = None) -> MemberReport:
    now = now or utcnow()
    db.session.execute(update(MemberReport).where(MemberReport.user_id == row.user_id,
                                                  MemberReport.state == "confirmed", MemberReport.id != row.id)
                       .values(state="ended", ended_at=now).execution_options(synchronize_session=False))
    _decide(row, "confirmed", actor, now, checked_at=now, recheck_asked_at=None)
    member = db.session.get(User, row.user_id)
    previous = member.home_area_id
    member.home_area_id = row.area_id
    db.session.flush()
    events.emit("member.confirmed", actor=actor, subject=row, **_fields(row))
    events.emit("member.home_area_set", actor=actor, subject=row, previous_area_id=previous, **_fields(row))
    return row


def refuse(row: MemberReport, actor: User, reason: str | None, now: datetime | None = None) -> MemberReport:
    now = now or utcnow()
    note = _clean(reason)
    if not note:
        raise ReportError(_l("Please give the reason; the member sees it."), "reason")
    if len(note) > REASON_MAX:
        raise ReportError(_l("Please keep the reason to %(n)d characters.", n=REASON_MAX), "reason")
    _decide(row, "refused", actor, now, reason=note)
    events.emit("member.refused", actor=actor, subject=row, reason=note, **_fields(row))
    return row


def affirm(row: MemberReport, member: User, now: datetime | None = None) -> MemberReport:
    """The member says the residence still holds: the next check is half a year from now."""
    now = now or utcnow()
    if row.state != "confirmed":
        raise ReportError(_l("Only a confirmed residence can be confirmed again."))
    row.checked_at, row.recheck_asked_at = now, None
    db.session.flush()
    events.emit("member.still_there", actor=member, subject=row, **_fields(row))
    return row


def ask_recheck(row: MemberReport, now: datetime) -> bool:
    """Compare-and-set: ask once per half year (the job)."""
    result = db.session.execute(update(MemberReport).where(
        MemberReport.id == row.id, MemberReport.state == "confirmed", MemberReport.recheck_asked_at.is_(None))
        .values(recheck_asked_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    db.session.refresh(row)
    events.emit("member.recheck_due", actor=None, subject=row, **_fields(row))
    return True


def find_pending(user_id: int) -> MemberReport | None:
    return db.session.scalar(select(MemberReport).where(MemberReport.user_id == user_id,
                                                        MemberReport.state == "pending"))
