"""党群驿站 — stations in the housing estates and their services: appointments (预约, slots with a capacity),
help at the door (帮扶上门) and errands on a resident's behalf (代办), the last two as requests a helper takes.

A slot's ``booked`` count is changed only by a compare-and-set ``UPDATE … SET booked = booked + 1 WHERE booked <
capacity``; a person holds one live booking per slot (partial unique index). A request is taken by one helper: a
compare-and-set on its state.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, mask_name
from app.areas.models import Area
from app.extensions import db
from app.timeutil import utcnow

KINDS = ("appointment", "home_help", "errand")
KIND_LABELS = {
    "appointment": _l("Appointment"),
    "home_help": _l("Help at the door"),
    "errand": _l("Errand on your behalf"),
}
#: what each kind means, in plain words for residents
KIND_HELP = {
    "appointment": _l("Pick a time and come to the station."),
    "home_help": _l("Someone comes to your home to help."),
    "errand": _l("Someone does the paperwork for you."),
}
REQUEST_KINDS = ("home_help", "errand")

BOOKING_STATUSES = ("booked", "attended", "missed", "cancelled")
BOOKING_LABELS = {
    "booked": _l("Booked"),
    "attended": _l("Attended"),
    "missed": _l("Missed"),
    "cancelled": _l("Cancelled"),
}

REQUEST_STATES = ("open", "taken", "done", "confirmed", "withdrawn")
#: states in which somebody must still act
ACTIVE_REQUEST_STATES = ("open", "taken", "done")
REQUEST_STATE_LABELS = {
    "open": _l("Waiting for a helper"),
    "taken": _l("Taken"),
    "done": _l("Done, awaiting confirmation"),
    "confirmed": _l("Confirmed"),
    "withdrawn": _l("Withdrawn"),
}
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
RATING_LABELS = {
    "satisfied": _l("Satisfied"),
    "basically_satisfied": _l("Basically satisfied"),
    "unsatisfied": _l("Unsatisfied"),
}
ACTION_LABELS = {
    "sent": _l("Request sent"),
    "recorded": _l("Recorded for a resident"),
    "taken": _l("Taken"),
    "done": _l("Marked as done"),
    "not_done": _l("The resident says it was not done"),
    "confirmed": _l("Confirmed and rated by the resident"),
    "withdrawn": _l("Withdrawn"),
    "overdue": _l("Time limit passed"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def request_state_label(state: str | None) -> str:
    return str(REQUEST_STATE_LABELS.get(state, state or ""))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def rating_label(value: str | None) -> str:
    return str(RATING_LABELS.get(value, value or ""))


station_microgrid = db.Table(
    "station_microgrid",
    db.Column("station_id", db.Integer, ForeignKey("station.id", ondelete="CASCADE"), primary_key=True),
    db.Column("area_id", db.Integer, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True),
)


class Station(db.Model):
    """A 党群驿站 of one community, serving some of its micro-grids (all of them when none is named)."""

    __tablename__ = "station"
    __table_args__ = (
        Index("ix_station_community_name", "community_id", "name", "id"),
        Index("ix_station_list", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    name: Mapped[str] = mapped_column(String(60))
    place: Mapped[str] = mapped_column(String(120))
    opening_hours: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Area] = relationship(foreign_keys=[community_id])
    microgrids: Mapped[list[Area]] = relationship(secondary=station_microgrid, order_by="Area.path")
    services: Mapped[list["StationService"]] = relationship(
        viewonly=True, order_by="(StationService.kind, StationService.id)",
        primaryjoin="and_(StationService.station_id == Station.id, StationService.active.is_(True))")

    def __repr__(self) -> str:
        return f"<Station {self.id} {self.name}>"


class StationService(db.Model):
    """A service of a station. ``limit_hours``: for a request, the time within which it must be done; for an
    appointment, how long before the slot a booking may still be cancelled."""

    __tablename__ = "station_service"
    __table_args__ = (
        CheckConstraint("kind IN ('appointment','home_help','errand')", name="kind"),
        CheckConstraint("limit_hours >= 1", name="limit_hours"),
        Index("ix_station_service_station", "station_id", "active", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    #: who may use it, in plain words ("residents over 70 living alone")
    eligibility: Mapped[str] = mapped_column(String(200), default="")
    #: errands: the documents to hand over
    documents: Mapped[str] = mapped_column(Text, default="")
    limit_hours: Mapped[int] = mapped_column(default=24)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    station: Mapped[Station] = relationship()

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def kind_help(self) -> str:
        return str(KIND_HELP.get(self.kind, ""))

    @property
    def is_request(self) -> bool:
        return self.kind in REQUEST_KINDS


class ServiceSlot(db.Model):
    """A bookable time of an appointment service. ``booked``: live bookings, changed only by compare-and-set."""

    __tablename__ = "service_slot"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked"),
        CheckConstraint("ends_at > starts_at", name="window"),
        Index("ix_service_slot_service_start", "service_id", "starts_at", "id"),
        Index("ix_service_slot_station_start", "station_id", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("station_service.id", ondelete="CASCADE"))
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    service: Mapped[StationService] = relationship()

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def is_full(self) -> bool:
        return self.booked >= self.capacity


class Booking(db.Model):
    """A place in a slot, for a resident with an account (``person_id``) or one without (name and contact), made by
    the resident or by staff or a leader on their behalf (代录: ``on_behalf``, ``author_id``)."""

    __tablename__ = "station_booking"
    __table_args__ = (
        CheckConstraint("status IN ('booked','attended','missed','cancelled')", name="status"),
        CheckConstraint("person_id IS NOT NULL OR subject_name IS NOT NULL", name="who"),
        # one live booking per person and slot
        Index("uq_station_booking_live", "slot_id", "person_id", unique=True,
              sqlite_where=text("status <> 'cancelled'"), postgresql_where=text("status <> 'cancelled'")),
        Index("ix_station_booking_slot", "slot_id", "status", "id"),
        Index("ix_station_booking_person", "person_id", "created_at", "id"),
        Index("ix_station_booking_remind", "status", "reminded_at", "starts_at"),
        Index("ix_station_booking_station_day", "station_id", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("service_slot.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("station_service.id", ondelete="CASCADE"))
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id", ondelete="CASCADE"))
    #: the slot's start, copied for the day sheet and the reminder job
    starts_at: Mapped[datetime]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    subject_name: Mapped[str | None] = mapped_column(String(20))
    subject_contact: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12), default="booked")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    marked_at: Mapped[datetime | None]
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None]

    slot: Mapped[ServiceSlot] = relationship()
    service: Mapped[StationService] = relationship()
    station: Mapped[Station] = relationship()
    person: Mapped[User | None] = relationship(foreign_keys=[person_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    @property
    def status_label(self) -> str:
        return str(BOOKING_LABELS.get(self.status, self.status))

    @property
    def who(self) -> str:
        return self.person.display_name if self.person is not None else (self.subject_name or "")


class ServiceRequest(db.Model):
    """A help-at-the-door or errand request: sent to the station's queue, taken by one helper (first taker wins),
    marked done, confirmed and rated by the resident (or reopened: "not done")."""

    __tablename__ = "station_request"
    __table_args__ = (
        CheckConstraint("state IN ('open','taken','done','confirmed','withdrawn')", name="state"),
        CheckConstraint("rating IS NULL OR rating IN ('satisfied','basically_satisfied','unsatisfied')",
                        name="rating"),
        CheckConstraint("person_id IS NOT NULL OR subject_name IS NOT NULL", name="who"),
        # the station's queue: waiting first, by deadline
        Index("ix_station_request_queue", "station_id", "state", "due_at", "id"),
        Index("ix_station_request_area", "area_id", "state", "due_at", "id"),
        Index("ix_station_request_person", "person_id", "created_at", "id"),
        Index("ix_station_request_taker", "taker_id", "state", "due_at", "id"),
        Index("ix_station_request_due", "state", "overdue_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("station_service.id", ondelete="CASCADE"))
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    #: where the resident lives (their micro-grid when known; the community otherwise)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    subject_name: Mapped[str | None] = mapped_column(String(20))
    subject_contact: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(12), default="open")
    taker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    done_note: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(24))
    rating_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    taken_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    #: the ``due_at`` whose breach was flagged (once per deadline)
    overdue_at: Mapped[datetime | None]

    service: Mapped[StationService] = relationship()
    station: Mapped[Station] = relationship()
    area: Mapped[Area] = relationship(foreign_keys=[area_id])
    person: Mapped[User | None] = relationship(foreign_keys=[person_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    taker: Mapped[User | None] = relationship(foreign_keys=[taker_id])

    @property
    def state_label(self) -> str:
        return request_state_label(self.state)

    @property
    def rating_label(self) -> str:
        return rating_label(self.rating)

    @property
    def who(self) -> str:
        return self.person.display_name if self.person is not None else (self.subject_name or "")

    @property
    def masked_who(self) -> str:
        return mask_name(self.who)

    def is_overdue(self, now: datetime) -> bool:
        return self.state in ("open", "taken") and self.due_at < now

    @property
    def title(self) -> str:
        text_ = " ".join((self.note or "").split())
        return text_ if len(text_) <= 40 else text_[:39] + "…"

