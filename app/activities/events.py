"""The activities domain's events and their payloads (see app/events.py).

The attendance events are the contract with the points ledger (app/points subscribes to them): hours count only
once the organiser has attested the list ("谁组织谁记录，谁记录谁证明"), so points are awarded on
``attendance.attested`` and adjusted on ``attendance.corrected`` — never on check-in.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.events import Payload, declare


@dataclass(frozen=True, kw_only=True)
class AttendanceChange(Payload):
    """One person's attendance at one activity (the subject is the ``Attendance`` row). ``area_id``: the activity's
    community; ``organisation_id``: the organising branch, None when community staff or a leader organised it;
    ``minutes``: the attested service time (whole minutes, already capped by the activity's window)."""

    required = Payload.required | {"area_id", "activity_id", "user_id", "minutes"}

    activity_id: int
    user_id: int
    organisation_id: int | None
    minutes: int


#: the organiser attested the list: each present person's time now counts (one event per person)
declare("attendance.attested")(AttendanceChange)


@declare("attendance.corrected")
@dataclass(frozen=True, kw_only=True)
class AttendanceCorrected(AttendanceChange):
    """The organiser corrected an attested time, with a reason: ``minutes`` is the new time, ``previous_minutes``
    the one it replaces (points are corrected by a reversal entry and a new one)."""

    previous_minutes: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class ActivityChange(Payload):
    """An activity published or its list attested (the subject is the ``Activity``; ``area_id`` its community)."""

    required = Payload.required | {"area_id", "kind"}

    kind: str
    organisation_id: int | None


declare("activity.published", "activity.list_attested")(ActivityChange)
declare("activity.attest_due", "activity.reminder", system=True)(ActivityChange)


@dataclass(frozen=True, kw_only=True)
class SignupChange(Payload):
    """A person's sign-up (the subject is the ``Signup``): ``status`` what it is now."""

    required = Payload.required | {"area_id", "activity_id", "user_id", "status"}

    activity_id: int
    user_id: int
    status: str


declare("activity.signed_up", "activity.cancelled")(SignupChange)
declare("activity.promoted")(SignupChange)


@dataclass(frozen=True, kw_only=True)
class PresenceChange(Payload):
    """A check-in or check-out (the subject is the ``Attendance``): scanned, or ``by_hand`` by the organiser."""

    required = Payload.required | {"area_id", "activity_id", "user_id"}

    activity_id: int
    user_id: int
    by_hand: bool


declare("attendance.checked_in", "attendance.checked_out")(PresenceChange)
