"""The points ledger (积分制): rules, an append-only ledger of entries, a cached balance per person, and the
commendations (表彰) staff publish from the boards.

The ledger is never changed: a correction is a reversal entry (``reverses_id``, the negated points of the entry it
cancels) followed, when something is still owed, by a new award of the next ``generation``. Awards of one rule for
one source and one person are unique per generation, so the same event replayed gives no second entry; a reversal
is unique per reversed entry, so two corrections at once cannot cancel the same award twice.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow

#: the bounds of a rule's points (per event, or per hour of attested service)
RULE_POINTS_MAX = 1000
#: the bounds of one entry (a rule's points times at most a day of hours)
ENTRY_POINTS_MAX = 100_000


#: each rule's code, default name (an English msgid, shown translated until an admin renames it), unit, points
DEFAULT_RULES: tuple[tuple[str, str, str, int], ...] = (
    ("attendance_hour", "Attested service hour", "hour", 10),
    ("wish_claimant", "Wish completed, as the claimant", "event", 20),
    ("wish_team_member", "Wish completed, as a team member", "event", 10),
    ("checklist_done", "Co-building checklist item done (to the branch)", "event", 30),
    ("sentinel_accepted", "Sentinel report accepted", "event", 5),
    ("issue_resolved_satisfied", "Issue resolved by a leader, rated satisfied", "event", 10),
    ("station_help", "Station request done and confirmed, as the helper", "event", 10),
)
DEFAULT_LABELS = frozenset(row[1] for row in DEFAULT_RULES)
#: for the translation catalogue
_LABEL_MSGIDS = (_l("Attested service hour"), _l("Wish completed, as the claimant"),
                 _l("Wish completed, as a team member"), _l("Co-building checklist item done (to the branch)"),
                 _l("Sentinel report accepted"), _l("Issue resolved by a leader, rated satisfied"),
                 _l("Station request done and confirmed, as the helper"))


class PointRule(db.Model):
    """A rule the subscribers apply; ``code`` names what it is awarded for (fixed by the code), city admins edit
    the label, the points and whether it is active."""

    __tablename__ = "point_rule"
    __table_args__ = (
        CheckConstraint(f"points >= 0 AND points <= {RULE_POINTS_MAX}", name="points"),
        CheckConstraint("unit IN ('event','hour')", name="unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(80))
    points: Mapped[int] = mapped_column(default=0)
    #: "event": points per source; "hour": points per hour of attested service (prorated by the minute)
    unit: Mapped[str] = mapped_column(String(8), default="event")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    @property
    def shown_label(self) -> str:
        """The name in the reader's language while it is still the default one; an admin's own name as written."""
        return gettext(self.label) if self.label in DEFAULT_LABELS else self.label

    def __repr__(self) -> str:
        return f"<PointRule {self.code} {self.points}/{self.unit}>"


class PointEntry(db.Model):
    """One line of the ledger: to a person (``user_id``) or, for a branch's own work, to a branch (``user_id``
    NULL, ``organisation_id`` set). ``organisation_id`` / ``community_id`` / ``street_id``: the person's branch and
    the community and street of the source at the time, for the boards."""

    __tablename__ = "point_entry"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR organisation_id IS NOT NULL", name="holder"),
        CheckConstraint("(reverses_id IS NULL AND generation IS NOT NULL AND generation >= 1)"
                        " OR (reverses_id IS NOT NULL AND generation IS NULL)", name="award_or_reversal"),
        CheckConstraint(f"points >= -{ENTRY_POINTS_MAX} AND points <= {ENTRY_POINTS_MAX}", name="points"),
        # an award of a rule for a source to a person, once per generation (reversals have no generation)
        UniqueConstraint("rule_id", "source_type", "source_id", "user_id", "generation", name="uq_point_entry_award"),
        # the same for a branch's own awards (user_id NULL would make every row distinct above)
        Index("uq_point_entry_branch_award", "rule_id", "source_type", "source_id", "organisation_id", "generation",
              unique=True, sqlite_where=text("user_id IS NULL"), postgresql_where=text("user_id IS NULL")),
        # my history, newest first
        Index("ix_point_entry_user_occurred", "user_id", "occurred_at", "id"),
        # the boards: one range per place and period, the summed columns in the index
        Index("ix_point_entry_community_board", "community_id", "occurred_at", "user_id", "points"),
        Index("ix_point_entry_street_board", "street_id", "occurred_at", "user_id", "points"),
        Index("ix_point_entry_org_board", "organisation_id", "occurred_at", "user_id", "points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    rule_id: Mapped[int] = mapped_column(ForeignKey("point_rule.id"))
    points: Mapped[int]
    #: what was counted (minutes for an hourly rule), so a correction knows what it replaces
    quantity: Mapped[int | None]
    generation: Mapped[int | None]
    #: the source object (e.g. "attendance", 12) and the event that awarded it
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[int]
    event: Mapped[str] = mapped_column(String(64))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("point_entry.id"), unique=True)

    rule: Mapped[PointRule] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def __repr__(self) -> str:
        return f"<PointEntry {self.id} u{self.user_id} o{self.organisation_id} {self.points:+d}>"


class PointBalance(db.Model):
    """The cached sum of a person's entries, changed by ``UPDATE … SET points = points + :n`` in the transaction
    that adds the entry (``services.check_balances`` compares it with the ledger)."""

    __tablename__ = "point_balance"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    points: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Commendation(db.Model):
    """A commendation list (表彰) for one community or street and one period, published by its staff from the
    board. A closed period gets a draft (state "open") from the job, which tells the staff; publishing fixes the
    list."""

    __tablename__ = "commendation"
    __table_args__ = (
        CheckConstraint("period IN ('month','year')", name="period"),
        CheckConstraint("state IN ('open','published')", name="state"),
        UniqueConstraint("area_id", "period", "period_start", name="uq_commendation_area_period"),
        Index("ix_commendation_state_published", "area_id", "state", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    period: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), default="open")
    title: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    area = relationship("Area")
    publisher = relationship("User")
    entries: Mapped[list[CommendationEntry]] = relationship(order_by="CommendationEntry.rank",
                                                            cascade="all, delete-orphan")


    @property
    def period_end_local(self) -> date:
        """The first local day after the period."""
        start = self.period_start
        if self.period == "year":
            return date(start.year + 1, 1, 1)
        return date(start.year + (start.month == 12), start.month % 12 + 1, 1)

    @property
    def period_key(self) -> str:
        return f"{self.period_start:%Y}" if self.period == "year" else f"{self.period_start:%Y-%m}"


class CommendationEntry(db.Model):
    """One person on a published list, with the rank and points the board showed."""

    __tablename__ = "commendation_entry"
    __table_args__ = (UniqueConstraint("commendation_id", "user_id", name="uq_commendation_entry_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commendation_id: Mapped[int] = mapped_column(ForeignKey("commendation.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    rank: Mapped[int]
    points: Mapped[int]

    user = relationship("User")
