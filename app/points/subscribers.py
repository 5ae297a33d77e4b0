"""The only place points are awarded: the rules applied to other domains' events.

Wishes, issues, cobuild and activities never import points; each subscriber reads the event's payload (and, where
the payload does not say it, the subject's own attributes) and writes the ledger through ``services``. Every award
names its source (``source_type`` + ``source_id``), so an event replayed finds its award there and adds nothing.

What earns what (``services.RULES``):
- ``attendance.attested``: the attested minutes, at the hourly rule, to the person; ``attendance.corrected``
  reverses that award and awards the corrected time.
- ``wish.completed``: the claimant (a party member for themself, or the branch admin who claimed for the branch)
  and each member of the claiming team.
- ``checklist.done``: the paired branch itself (not persons — the checklist names no person, and the work is the
  branch's), when the item was the branch's to do.
- ``issue.accepted`` of a report that came in through the sentinel channel: the sentinel who reported it.
- ``issue.rated`` / ``issue.revisit`` "satisfied": the grid or micro-grid leader who resolved it.
- ``station_request.confirmed``: the helper who took the station request (help given), whatever the rating — the
  resident confirmed it was done.
"""
from __future__ import annotations

from app import events
from app.accounts.models import User
from app.accounts.scope import LEADER_ROLES, role_areas
from app.areas.models import Area
from app.extensions import db
from app.points import services


def _occurred(event):
    return event.payload.at


@events.on("attendance.attested")
def attendance_attested(event: events.DomainEvent) -> None:
    p = event.payload
    rule = services.rule_for("attendance_hour")
    if rule is None:
        return
    entry = services.award(rule, cause=event.name, source_type="attendance", source_id=p.subject_id,
                           points=services.hour_points(rule, p.minutes), user_id=p.user_id,
                           organisation_id=services.member_branch(p.user_id, p.organisation_id),
                           area_id=p.area_id, quantity=p.minutes, occurred_at=_occurred(event))
    services.announce([entry] if entry else [], rule=rule, cause=event.name, actor=event.actor,
                      source_type="attendance", source_id=p.subject_id, area_id=p.area_id)


@events.on("attendance.corrected")
def attendance_corrected(event: events.DomainEvent) -> None:
    p = event.payload
    rule = services.rule_for("attendance_hour", active_only=False)
    if rule is None:
        return
    made = services.correct_hours(rule, cause=event.name, source_type="attendance", source_id=p.subject_id,
                                  user_id=p.user_id, organisation_id=services.member_branch(p.user_id,
                                                                                             p.organisation_id),
                                  area_id=p.area_id, minutes=p.minutes, previous_minutes=p.previous_minutes,
                                  occurred_at=_occurred(event))
    services.announce(made, rule=rule, cause=event.name, actor=event.actor, source_type="attendance",
                      source_id=p.subject_id, area_id=p.area_id)


@events.on("wish.completed")
def wish_completed(event: events.DomainEvent) -> None:
    p = event.payload
    made = []
    claimant_rule = services.rule_for("wish_claimant")
    team_rule = services.rule_for("wish_team_member")
    if p.claimant_id is not None and claimant_rule is not None:
        made.append(services.award(
            claimant_rule, cause=event.name, source_type="wish", source_id=p.subject_id,
            points=claimant_rule.points, user_id=p.claimant_id,
            organisation_id=p.organisation_id or services.member_branch(p.claimant_id),
            area_id=p.area_id, occurred_at=_occurred(event)))
    if team_rule is not None:
        for uid in p.member_ids:
            if uid == p.claimant_id:
                continue
            made.append(services.award(
                team_rule, cause=event.name, source_type="wish", source_id=p.subject_id, points=team_rule.points,
                user_id=uid, organisation_id=p.organisation_id or services.member_branch(uid), area_id=p.area_id,
                occurred_at=_occurred(event)))
    made = [e for e in made if e is not None]
    if made:
        services.announce(made, rule=made[0].rule, cause=event.name, actor=event.actor, source_type="wish",
                          source_id=p.subject_id, area_id=p.area_id)


@events.on("checklist.done")
def checklist_done(event: events.DomainEvent) -> None:
    p = event.payload
    if p.organisation_id is None or getattr(event.subject, "responsible_side", "agency") != "agency":
        return
    rule = services.rule_for("checklist_done")
    if rule is None:
        return
    entry = services.award(rule, cause=event.name, source_type="checklist_item", source_id=p.subject_id,
                           points=rule.points, organisation_id=p.organisation_id, area_id=p.area_id,
                           occurred_at=_occurred(event))
    services.announce([entry] if entry else [], rule=rule, cause=event.name, actor=event.actor,
                      source_type="checklist_item", source_id=p.subject_id, area_id=p.area_id)


@events.on("issue.accepted")
def sentinel_report_accepted(event: events.DomainEvent) -> None:
    issue = event.subject
    reporter_id = getattr(issue, "reporter_id", None)
    if getattr(issue, "channel", None) != "sentinel" or reporter_id is None:
        return
    rule = services.rule_for("sentinel_accepted")
    if rule is None:
        return
    p = event.payload
    entry = services.award(rule, cause=event.name, source_type="issue", source_id=p.subject_id, points=rule.points,
                           user_id=reporter_id, area_id=p.area_id, occurred_at=_occurred(event))
    services.announce([entry] if entry else [], rule=rule, cause=event.name, actor=event.actor,
                      source_type="issue", source_id=p.subject_id, area_id=p.area_id)


@events.on("issue.rated")
@events.on("issue.revisit")
def issue_rated(event: events.DomainEvent) -> None:
    p = event.payload
    if p.rating != "satisfied":
        return
    rule = services.rule_for("issue_resolved_satisfied")
    if rule is None:
        return
    resolver = db.session.get(User, p.resolved_by_id) if p.resolved_by_id else None
    area = db.session.get(Area, p.area_id) if p.area_id else None
    if resolver is None or area is None or not any(area.is_within(led) for led in role_areas(resolver, LEADER_ROLES)):
        return  # resolved by staff (or nobody known): the rule is for the leaders who work the grid
    entry = services.award(rule, cause=event.name, source_type="issue", source_id=p.subject_id, points=rule.points,
                           user_id=resolver.id, area_id=p.area_id, occurred_at=_occurred(event))
    services.announce([entry] if entry else [], rule=rule, cause=event.name, actor=event.actor,
                      source_type="issue", source_id=p.subject_id, area_id=p.area_id)


@events.on("station_request.confirmed")
def station_help_given(event: events.DomainEvent) -> None:
    p = event.payload
    if p.taker_id is None:
        return
    rule = services.rule_for("station_help")
    if rule is None:
        return
    entry = services.award(rule, cause=event.name, source_type="station_request", source_id=p.subject_id,
                           points=rule.points, user_id=p.taker_id, organisation_id=services.member_branch(p.taker_id),
                           area_id=p.area_id, occurred_at=_occurred(event))
    services.announce([entry] if entry else [], rule=rule, cause=event.name, actor=event.actor,
                      source_type="station_request", source_id=p.subject_id, area_id=p.area_id)
