"""活动 / 报名 / 签到 / 签退 — an activity with a time window and a capacity; sign-ups (with a waiting list) and the
attendance of each person (check-in, check-out, minutes), which counts only once the organiser attests the list."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area
from app.extensions import db
from app.organisations.models import Organisation
from app.timeutil import utcnow

KINDS = ("patrol", "volunteering", "council", "evening_surgery", "other")
KIND_LABELS = {
    "patrol": _l("Patrol"),
    "volunteering": _l("Volunteering"),
    "council": _l("Residents' council"),
    "evening_surgery": _l("Evening surgery (7 pm)"),
    "other": _l("Other"),
}
AUDIENCES = ("everyone", "members", "organisation")
AUDIENCE_LABELS = {
    "everyone": _l("Everyone"),
    "members": _l("Party members"),
    "organisation": _l("One organisation"),
}
SIGNUP_STATUSES = ("confirmed", "waiting", "cancelled")
SIGNUP_LABELS = {"confirmed": _l("Signed up"), "waiting": _l("On the waiting list"), "cancelled": _l("Cancelled")}


def signup_status_label(status: str) -> str:
    return str(SIGNUP_LABELS.get(status, status))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


class Activity(db.Model):
    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("kind IN ('patrol','volunteering','council','evening_surgery','other')", name="kind"),
        CheckConstraint("audience IN ('everyone','members','organisation')", name="audience"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("ends_at > starts_at", name="window"),
        # the phone list: upcoming, by start (all / my community / one kind), paged by keyset
        Index("ix_activity_list", "ends_at", "starts_at", "id"),
        Index("ix_activity_community_list", "community_id", "starts_at", "id"),
        Index("ix_activity_kind_list", "kind", "starts_at", "id"),
        Index("ix_activity_organiser", "organiser_id", "starts_at"),
        Index("ix_activity_attest", "attested_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    #: where it happens: the community, or a micro-grid of it; the community is copied for "near me"
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    place: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    audience: Mapped[str] = mapped_column(String(16), default="everyone")
    #: for audience "organisation": who may join
    audience_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    walk_ins: Mapped[bool] = mapped_column(default=False)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: the organising branch (an agency admin published it for a paired community); None for staff and leaders
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    #: confirmed sign-ups (kept with the rows, under the activity's row lock)
    taken: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attested_at: Mapped[datetime | None]
    attested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: the day-before reminder and the "please attest" notice went out (jobs compare-and-set these)
    reminded_at: Mapped[datetime | None]
    attest_asked_at: Mapped[datetime | None]

    area: Mapped[Area] = relationship(foreign_keys=[area_id])
    community: Mapped[Area] = relationship(foreign_keys=[community_id])
    organiser: Mapped[User | None] = relationship(foreign_keys=[organiser_id])
    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])
    audience_organisation: Mapped[Organisation | None] = relationship(foreign_keys=[audience_organisation_id])

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def audience_label(self) -> str:
        return str(AUDIENCE_LABELS.get(self.audience, self.audience))

    @property
    def window_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_full(self) -> bool:
        return self.taken >= self.capacity

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.taken, 0)


class Signup(db.Model):
    __tablename__ = "activity_signup"
    __table_args__ = (
        CheckConstraint("status IN ('confirmed','waiting','cancelled')", name="status"),
        # one live sign-up per person and activity (a cancelled one may be followed by a new one)
        Index("uq_activity_signup_live", "activity_id", "user_id", unique=True,
              sqlite_where=text("status <> 'cancelled'"), postgresql_where=text("status <> 'cancelled'")),
        # the roster and the waiting list in order
        Index("ix_activity_signup_queue", "activity_id", "status", "created_at", "id"),
        Index("ix_activity_signup_user", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    activity: Mapped[Activity] = relationship()
    user: Mapped[User] = relationship()

    @property
    def status_label(self) -> str:
        return signup_status_label(self.status)


class Attendance(db.Model):
    """One person at one activity: check-in and check-out (scanned, or marked by the organiser), and the minutes
    that count — computed, or corrected by the organiser with a reason."""

    __tablename__ = "activity_attendance"
    __table_args__ = (
        UniqueConstraint("activity_id", "user_id", name="uq_activity_attendance_person"),
        CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes_not_negative"),
        Index("ix_activity_attendance_user", "user_id", "check_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    walk_in: Mapped[bool] = mapped_column(default=False)
    check_in_at: Mapped[datetime]
    check_out_at: Mapped[datetime | None]
    #: marked by the organiser (a person without a phone): who did it
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    minutes: Mapped[int | None]
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    corrected_at: Mapped[datetime | None]
    correction_reason: Mapped[str | None] = mapped_column(Text)

    activity: Mapped[Activity] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    corrected_by: Mapped[User | None] = relationship(foreign_keys=[corrected_by_id])
    marked_by: Mapped[User | None] = relationship(foreign_keys=[marked_by_id])

    @property
    def hours(self) -> float:
        return round((self.minutes or 0) / 60, 2)
