"""诉求与事件 — issues, their categories, supporters (+1), ratings (满意度评价 / 回访) and mediation records (调解).

State and level are separate (PRODUCT.md): the *state* says how far the closed loop has come
(reported → accepted → in_progress → resolved → closed; side exits rejected, duplicate), the *level* says who
must act (microgrid → grid → community → street). ``handler_area_id`` is the issue's area at its current level
(the micro-grid, its grid, its community or its street), so "whose queue is this in" is one indexed lookup.

``due_at`` is the deadline that currently matters (the accept limit while reported, the resolve limit while
accepted / in progress, NULL otherwise): the overdue flag, the queue order and the escalation job all use it.
"""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import Area
from app.extensions import db
from app.timeutil import utcnow

STATES = ("reported", "accepted", "in_progress", "resolved", "closed", "rejected", "duplicate")
#: states in which somebody must still act
ACTIVE_STATES = ("reported", "accepted", "in_progress")
OPEN_STATES = ACTIVE_STATES  # Open311 "open"
STATE_LABELS = {
    "reported": _l("Awaiting acceptance"),
    "accepted": _l("Accepted"),
    "in_progress": _l("In progress"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "rejected": _l("Not accepted"),
    "duplicate": _l("Duplicate"),
}

#: handling levels, lowest first ("小事不出组，大事不出村")
LEVELS = ("microgrid", "grid", "community", "street")
LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}
#: the highest level each handling role may act at (and anything below it)
ROLE_TOP_LEVEL = {"microgrid_leader": "microgrid", "grid_leader": "grid", "community_staff": "community",
                  "street_admin": "street", "city_admin": "street"}
HANDLER_ROLES = ("microgrid_leader", "grid_leader", "community_staff", "street_admin")

CHANNELS = ("web", "visit", "phone", "wechat", "hotline", "sentinel", "open311")
CHANNEL_LABELS = {
    "web": _l("Online"),
    "visit": _l("Home visit"),
    "phone": _l("Phone call"),
    "wechat": _l("WeChat group"),
    "hotline": _l("Hotline"),
    "sentinel": _l("Mobile sentinel"),
    "open311": _l("Open311 app"),
}
#: how a channel is named to residents and the public: only staff need the technical name of the API
PUBLIC_CHANNEL_LABELS = {**CHANNEL_LABELS, "open311": _l("City service platform or another app")}
#: channels a leader or staff member may choose when recording a report for a resident (代录)
RECORDED_CHANNELS = ("visit", "phone", "wechat", "hotline")

RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
RATING_LABELS = {
    "satisfied": _l("Satisfied"),
    "basically_satisfied": _l("Basically satisfied"),
    "unsatisfied": _l("Unsatisfied"),
}

ACTION_LABELS = {
    "reported": _l("Reported"),
    "recorded": _l("Recorded for a resident"),
    "accepted": _l("Accepted"),
    "rejected": _l("Not accepted"),
    "assigned": _l("Assigned"),
    "unassigned_role_revoked": _l("Assignment ended: the role behind it was revoked; back in the queue"),
    "unassigned_deactivated": _l("Assignment ended: the account was deactivated; back in the queue"),
    "started": _l("Work started"),
    "resolved": _l("Resolved"),
    "escalated": _l("Escalated"),
    "auto_escalated": _l("Escalated automatically (time limit passed)"),
    "overdue": _l("Time limit passed"),
    "rated": _l("Rated"),
    "revisit": _l("Rating recorded on a phone revisit"),
    "reopened": _l("Reopened"),
    "auto_closed": _l("Closed without rating"),
    "duplicate": _l("Marked as duplicate"),
    "duplicate_linked": _l("A duplicate was linked"),
    "supported": _l("Me too"),
    "note": _l("Note"),
    "mediation": _l("Mediation recorded"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def channel_label(channel: str) -> str:
    return str(CHANNEL_LABELS.get(channel, channel))


def rating_label(value: str) -> str:
    return str(RATING_LABELS.get(value, value))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def public_status(issue: "Issue") -> str:
    """Open311 status: "open" while somebody must still act, "closed" once resolved or finished."""
    return "open" if issue.state in OPEN_STATES else "closed"


def msgid(lazy) -> str:
    """The English msgid behind a lazy string (stored in the database, translated when shown)."""
    return lazy._args[0] if hasattr(lazy, "_args") else str(lazy)


def shown_text(stored: str) -> str:
    """A category name or description as shown: the default categories' texts are English msgids, translated;
    anything a city admin typed is shown exactly as typed (even if it happens to match some other msgid)."""
    if stored in default_category_texts():
        from flask_babel import gettext

        return gettext(stored)
    return stored


_DEFAULT_TEXTS: frozenset[str] | None = None


def default_category_texts() -> frozenset[str]:
    """The msgids of the default categories' names and descriptions (``DEFAULT_CATEGORIES``)."""
    global _DEFAULT_TEXTS
    if _DEFAULT_TEXTS is None:
        _DEFAULT_TEXTS = frozenset(msgid(text) for row in DEFAULT_CATEGORIES for text in (row[1], row[2]))
    return _DEFAULT_TEXTS


#: a category code: lowercase letters, digits and underscores, starting with a letter (also the Open311 service_code)
CATEGORY_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def next_level(level: str) -> str | None:
    i = LEVEL_RANK[level]
    return LEVELS[i + 1] if i + 1 < len(LEVELS) else None


class IssueCategory(db.Model):
    """A kind of problem, with its time limits and the level that normally handles it (configurable)."""

    __tablename__ = "issue_category"
    __table_args__ = (
        CheckConstraint("default_level IN ('microgrid','grid','community','street')", name="default_level"),
        CheckConstraint("accept_hours > 0 AND resolve_hours > 0", name="hours"),
        Index("ix_issue_category_active_sort", "active", "sort_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable machine name, used as the Open311 service_code (``CATEGORY_CODE``)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    #: a default category's English msgid (shown translated), or the name a city admin typed (shown as typed)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(300), default="")
    accept_hours: Mapped[int] = mapped_column(default=24)
    resolve_hours: Mapped[int] = mapped_column(default=168)
    default_level: Mapped[str] = mapped_column(String(16), default="microgrid")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: neighbour disputes: resolving requires a mediation record (蓝田和)
    requires_mediation: Mapped[bool] = mapped_column(Boolean, default=False)
    #: shown on the public list (neighbour disputes are private between the parties and the handlers)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(default=100)
    #: a single character or emoji for the big sentinel buttons
    icon: Mapped[str] = mapped_column(String(8), default="")

    @property
    def label(self) -> str:
        return shown_text(self.name)

    @property
    def description_label(self) -> str:
        return shown_text(self.description) if self.description else ""

    def __repr__(self) -> str:
        return f"<IssueCategory {self.code}>"


class Issue(db.Model):
    __tablename__ = "issue"
    __table_args__ = (
        CheckConstraint(
            "state IN ('reported','accepted','in_progress','resolved','closed','rejected','duplicate')", name="state"),
        CheckConstraint("level IN ('microgrid','grid','community','street')", name="level"),
        CheckConstraint(
            "channel IN ('web','visit','phone','wechat','hotline','sentinel','open311')", name="channel"),
        CheckConstraint("supporters_count >= 0", name="supporters_count"),
        # my queue: handler area + level + active state (each branch of the queue's OR finds its rows by index;
        # app/issues/queries.py), overdue first (due_at), stable by id
        Index("ix_issue_handler_level_state", "handler_area_id", "level", "state", "due_at", "id"),
        # the issues assigned to someone: most are not, and an index holding every NULL told SQLite's planner that
        # "assignee = me" finds most of the city (it then walked the whole patch of the queue's assignee branch)
        Index("ix_issue_assignee_due", "assignee_id", "due_at", "id",
              sqlite_where=text("assignee_id IS NOT NULL"), postgresql_where=text("assignee_id IS NOT NULL")),
        # area lists: scoped by area, newest first; filters on state / level / category / channel
        Index("ix_issue_area_created", "area_id", "created_at", "id"),
        Index("ix_issue_state_created", "state", "created_at", "id"),
        # newest first across the city (the Open311 list): read in index order, stopped at the limit
        Index("ix_issue_created", "created_at", "id"),
        Index("ix_issue_category_state_created", "category_id", "state", "created_at"),
        # the escalation job and the overdue filter
        Index("ix_issue_state_due", "state", "due_at"),
        Index("ix_issue_state_resolved", "state", "resolved_at"),
        # my reports
        Index("ix_issue_reporter_created", "reporter_id", "created_at", "id"),
        Index("ix_issue_subject_created", "on_behalf_of_id", "created_at", "id"),
        # duplicate suggestions: same category, same place, still open
        Index("ix_issue_category_area_state", "category_id", "area_id", "state"),
        Index("ix_issue_external_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("issue_category.id"))
    description: Mapped[str] = mapped_column(Text)
    #: app/moderation: None (shown as usual), "hidden" (pending review after reports) or "removed"
    moderation: Mapped[str | None] = mapped_column(String(8))
    address: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    #: where the problem is: a micro-grid, or a higher area when nobody knows the micro-grid (API, sentinel)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    #: the issue's area at its current level — whose patch it is now
    handler_area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    state: Mapped[str] = mapped_column(String(16), default="reported")
    level: Mapped[str] = mapped_column(String(16), default="microgrid")
    channel: Mapped[str] = mapped_column(String(16), default="web")

    #: the account that filed it (for 代录, the leader or staff member who recorded it); NULL for API reports
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: 代录: the resident the report is for, when they have an account
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: hide the reporter's name from the public (staff always see it)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    #: contact of a reporter without an account (Open311, or a resident recorded by a leader)
    reporter_name: Mapped[str | None] = mapped_column(String(40))
    reporter_phone: Mapped[str | None] = mapped_column(String(20))
    reporter_email: Mapped[str | None] = mapped_column(String(120))
    #: Open311 client's own id / token
    external_id: Mapped[str | None] = mapped_column(String(64))

    #: the person currently asked to act (optional; otherwise whoever holds the level's role)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("issue.id", ondelete="SET NULL"))
    supporters_count: Mapped[int] = mapped_column(default=0)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    accept_due_at: Mapped[datetime | None]
    resolve_due_at: Mapped[datetime | None]
    #: the deadline that currently matters (see module docstring)
    due_at: Mapped[datetime | None]
    #: the ``due_at`` whose breach was already handled at the top level (no escalation left): once per breach
    breach_handled_due_at: Mapped[datetime | None]
    escalation_count: Mapped[int] = mapped_column(default=0)
    #: how many times it was resolved (a rating belongs to one resolution round)
    resolve_count: Mapped[int] = mapped_column(default=0)

    reject_reason: Mapped[str | None] = mapped_column(Text)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolution_photo_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id", ondelete="SET NULL"))
    close_reason: Mapped[str | None] = mapped_column(String(16))
    #: optimistic version: every transition is a compare-and-set on it
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    category: Mapped[IssueCategory] = relationship(lazy="joined", innerjoin=True)
    area: Mapped[Area] = relationship(foreign_keys=[area_id])
    handler_area: Mapped[Area] = relationship(foreign_keys=[handler_area_id])
    reporter = relationship("User", foreign_keys=[reporter_id])
    on_behalf_of = relationship("User", foreign_keys=[on_behalf_of_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    duplicate_of: Mapped["Issue | None"] = relationship(remote_side=[id], foreign_keys=[duplicate_of_id])

    # -- small invariants -------------------------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def is_open(self) -> bool:
        return public_status(self) == "open"

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.due_at is not None and self.state in ACTIVE_STATES and self.due_at < (now or utcnow())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    # -- the issue's resident: the one definition (Python here, SQL in ``resident_is``) ----------------------
    @property
    def resident_without_account(self) -> bool:
        """Filed for a person who has no account: 代录 by a leader or staff member (visit, phone, WeChat group,
        hotline) without ``on_behalf_of``, or an Open311 report. Their name and phone are ``reporter_name`` /
        ``reporter_phone``; nobody rates online, a phone revisit (回访) closes it."""
        return self.on_behalf_of_id is None and (self.channel in RECORDED_CHANNELS or self.reporter_name is not None)

    @property
    def resident_id(self) -> int | None:
        """The account of the person the issue is for: the resident recorded for (代录), else the reporter —
        never the leader or staff member who recorded it for someone without an account."""
        if self.on_behalf_of_id is not None:
            return self.on_behalf_of_id
        return None if self.resident_without_account else self.reporter_id

    @property
    def resident(self):
        """The account behind ``resident_id`` (None when the resident has no account)."""
        if self.on_behalf_of_id is not None:
            return self.on_behalf_of
        return None if self.resident_without_account else self.reporter

    @classmethod
    def resident_is(cls, user_id: int, *also):
        """SQL: the issue is for ``user_id`` (the same rule as ``resident_id``; each branch uses an index).

        ``also``: further conditions, repeated in each branch — outside the OR, a condition with an index of its
        own (the state) could make the database walk every issue in that state instead."""
        return or_(and_(cls.on_behalf_of_id == user_id, *also),
                   and_(cls.reporter_id == user_id, cls.on_behalf_of_id.is_(None),
                        cls.channel.not_in(RECORDED_CHANNELS), cls.reporter_name.is_(None), *also))

    @property
    def is_recorded(self) -> bool:
        """Filed by a leader or staff member for a resident (代录)."""
        return self.on_behalf_of_id is not None or self.channel in RECORDED_CHANNELS

    @property
    def state_label(self) -> str:
        if self.state == "closed" and self.close_reason == "no_rating":
            return action_label("auto_closed")  # "closed without rating", not "rated"
        return state_label(self.state)

    @property
    def channel_label(self) -> str:
        """For staff (lists and pages with internal details)."""
        return channel_label(self.channel)

    @property
    def public_channel_label(self) -> str:
        """For the resident and the public: plain words."""
        return str(PUBLIC_CHANNEL_LABELS.get(self.channel, self.channel))

    @property
    def title(self) -> str:
        text = " ".join((self.description or "").split())
        return text if len(text) <= 40 else text[:39] + "…"

    def public_reporter_name(self) -> str:
        from app.accounts.models import mask_name

        if self.anonymous:
            return str(_l("Anonymous"))
        person = self.resident
        if person is not None:
            return person.masked_name
        # a resident without an account: their own (masked) name, never the recorder's
        return mask_name(self.reporter_name) if self.reporter_name else str(_l("Anonymous"))

    def __repr__(self) -> str:
        return f"<Issue {self.id} {self.state}@{self.level}>"


class IssueSupporter(db.Model):
    """"+1 / me too": one row per person and issue; ``Issue.supporters_count`` is kept in step atomically."""

    __tablename__ = "issue_supporter"
    __table_args__ = (
        UniqueConstraint("issue_id", "user_id", name="uq_issue_supporter_issue_user"),
        Index("ix_issue_supporter_user", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IssueRating(db.Model):
    """满意度评价: one per resolution round (a reopened and re-resolved issue is rated again)."""

    __tablename__ = "issue_rating"
    __table_args__ = (
        CheckConstraint("value IN ('satisfied','basically_satisfied','unsatisfied')", name="value"),
        UniqueConstraint("issue_id", "round", name="uq_issue_rating_issue_round"),
        Index("ix_issue_rating_value_created", "value", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(default=1)
    value: Mapped[str] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    #: the resident who rated; NULL when they have no account (revisit of an offline or API reporter)
    rater_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: 回访: the staff member who phoned the resident and recorded the answer
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revisit: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rater = relationship("User", foreign_keys=[rater_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])

    @property
    def label(self) -> str:
        return rating_label(self.value)


class Mediation(db.Model):
    """调解记录 for a neighbour dispute: parties, mediator, whether an agreement was reached, and its text."""

    __tablename__ = "issue_mediation"
    __table_args__ = (Index("ix_issue_mediation_issue", "issue_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id", ondelete="CASCADE"))
    parties: Mapped[str] = mapped_column(Text)
    mediator: Mapped[str] = mapped_column(String(80))
    agreement_reached: Mapped[bool] = mapped_column(Boolean, default=False)
    agreement_text: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by = relationship("User", foreign_keys=[recorded_by_id])


# Default categories (English msgids; the zh_CN catalogue translates them). code, name, description,
# accept hours, resolve hours, default level, urgent, requires mediation, public, icon
DEFAULT_CATEGORIES = [
    ("street_light", _l("Street light"), _l("A street or stairway light is broken or stays on."),
     24, 168, "microgrid", False, False, True, "☼"),
    ("safety_hazard", _l("Safety hazard"), _l("Something could hurt people now: a loose cover, exposed wires, "
                                              "a blocked fire exit."),
     1, 72, "microgrid", True, False, True, "⚠"),
    ("sanitation", _l("Sanitation"), _l("Rubbish, litter, blocked drains, pests."),
     24, 168, "microgrid", False, False, True, "♻"),
    ("noise", _l("Noise"), _l("Noise from building work, shops or neighbours at night."),
     24, 168, "microgrid", False, False, True, "♫"),
    ("neighbour_dispute", _l("Neighbour dispute"), _l("A disagreement between neighbours that needs mediation."),
     24, 336, "microgrid", False, True, False, "⚖"),
    ("facilities", _l("Public facilities"), _l("Benches, fitness equipment, lifts, roads and paths."),
     24, 336, "grid", False, False, True, "⚒"),
    ("other", _l("Other"), _l("Anything else in the neighbourhood."),
     24, 168, "microgrid", False, False, True, "…"),
]
