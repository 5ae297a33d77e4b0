"""共驻共建清单 — checklist items on a pairing, their progress notes, project links and claims.

An item belongs to a pairing (agency ↔ community, one year). An open need (published to the agencies of the
community's street) and a key project (重点攻坚项目, published city-wide by a street or city admin) have no pairing
until an agency claims them; the claim creates or extends the pairing and the item joins it. Exactly one active
claim per item is enforced by a partial unique index.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, and_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area
from app.extensions import db
from app.organisations.models import Organisation, Pairing
from app.timeutil import local_today, utcnow

KINDS = ("need", "resource", "project")
KIND_LABELS = {"need": _l("Needs"), "resource": _l("Resources"), "project": _l("Projects")}
KIND_ONE = {"need": _l("Need"), "resource": _l("Resource"), "project": _l("Project")}
STATES = ("proposed", "agreed", "in_progress", "done", "evaluated", "cancelled")
STATE_LABELS = {
    "proposed": _l("Awaiting agreement"),
    "agreed": _l("Agreed"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "evaluated": _l("Evaluated"),
    "cancelled": _l("Cancelled"),
}
STATE_BADGES = {"proposed": "warn", "agreed": "info", "in_progress": "info", "done": "ok", "evaluated": "ok"}
#: states in which work is still to be done (overdue flags, reminders)
OPEN_STATES = ("proposed", "agreed", "in_progress")
#: states whose scope may be changed (a change needs both sides' agreement again)
EDITABLE_STATES = ("proposed", "agreed", "in_progress")
SIDES = ("community", "agency")
SIDE_LABELS = {"community": _l("Community"), "agency": _l("Agency branch")}
#: where an unpaired item is published: a need to the agencies of its street, a key project city-wide
PUBLICATIONS = ("street", "city")
CATEGORIES = ("elderly", "children", "environment", "culture", "health", "employment", "safety", "facilities",
              "other")
CATEGORY_LABELS = {
    "elderly": _l("Care for the elderly"),
    "children": _l("Children and youth"),
    "environment": _l("Environment and sanitation"),
    "culture": _l("Culture and education"),
    "health": _l("Health"),
    "employment": _l("Employment"),
    "safety": _l("Safety"),
    "facilities": _l("Facilities and repairs"),
    "other": _l("Other"),
}
ACTION_LABELS = {
    "proposed": _l("Proposed"),
    "matched": _l("Project made by matching"),
    "agreed": _l("Agreed by one side"),
    "agreement_complete": _l("Agreed by both sides"),
    "changed": _l("Scope or date changed — agreement needed again"),
    "progress": _l("Progress"),
    "done": _l("Marked as done"),
    "evaluated": _l("Evaluated by the community"),
    "cancelled": _l("Cancelled"),
    "published": _l("Published for agencies to claim"),
    "claimed": _l("Claimed"),
    "imported": _l("Imported from a spreadsheet"),
    "overdue": _l("Target date passed"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def state_label(state: str | None) -> str:
    return str(STATE_LABELS.get(state, state or ""))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def category_label(code: str | None) -> str:
    return str(CATEGORY_LABELS.get(code or "", code or ""))


def side_label(side: str | None) -> str:
    return str(SIDE_LABELS.get(side or "", side or ""))


class ChecklistItem(db.Model):
    __tablename__ = "checklist_item"
    __table_args__ = (
        CheckConstraint("kind IN ('need','resource','project')", name="kind"),
        CheckConstraint("state IN ('proposed','agreed','in_progress','done','evaluated','cancelled')", name="state"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        CheckConstraint("value IS NULL OR value >= 0", name="value_not_negative"),
        CheckConstraint("responsible_side IN ('community','agency')", name="responsible_side"),
        CheckConstraint("publication IS NULL OR publication IN ('street','city')", name="publication"),
        # a pairing's list: WHERE pairing_id = ? AND kind = ? ORDER BY id
        Index("ix_checklist_item_pairing_kind", "pairing_id", "kind", "id"),
        # open needs and key projects to claim; the public key-projects page
        Index("ix_checklist_item_publication", "publication", "pairing_id", "id"),
        Index("ix_checklist_item_street_publication", "street_id", "publication", "pairing_id"),
        # the jobs: open items by target date
        Index("ix_checklist_item_state_target", "state", "target_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int | None] = mapped_column(ForeignKey("pairing.id"))
    #: the community the item is for (the pairing's community; set for an unpaired open need or key project too)
    community_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(12), default="proposed")
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(24), default="other")
    quantity: Mapped[str | None] = mapped_column(String(40))
    value: Mapped[int | None]  # estimated value in whole yuan
    #: the responsible person of each side (a name, as on the street office's table)
    community_contact: Mapped[str | None] = mapped_column(String(40))
    agency_contact: Mapped[str | None] = mapped_column(String(40))
    responsible_side: Mapped[str] = mapped_column(String(10), default="agency")
    target_date: Mapped[date | None]
    proposed_side: Mapped[str | None] = mapped_column(String(10))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    community_agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    community_agreed_at: Mapped[datetime | None]
    agency_agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    agency_agreed_at: Mapped[datetime | None]
    progress: Mapped[int] = mapped_column(default=0)
    completion_note: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]
    rating: Mapped[int | None]
    evaluation: Mapped[str | None] = mapped_column(Text)
    evaluated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    evaluated_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    publication: Mapped[str | None] = mapped_column(String(8))
    published_at: Mapped[datetime | None]
    #: set once by the jobs (overdue flag; the street office told of an open need nobody claimed)
    overdue_at: Mapped[datetime | None]
    due_soon_notified_at: Mapped[datetime | None]
    unclaimed_notified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    pairing: Mapped[Pairing | None] = relationship()
    community: Mapped[Area] = relationship(foreign_keys=[community_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    community_agreed_by: Mapped[User | None] = relationship(foreign_keys=[community_agreed_by_id])
    agency_agreed_by: Mapped[User | None] = relationship(foreign_keys=[agency_agreed_by_id])
    evaluated_by: Mapped[User | None] = relationship(foreign_keys=[evaluated_by_id])
    active_claim: Mapped["ChecklistClaim | None"] = relationship(
        primaryjoin=lambda: and_(ChecklistClaim.item_id == ChecklistItem.id, ChecklistClaim.status == "active"),
        viewonly=True, uselist=False,
    )

    @property
    def state_label(self) -> str:
        return state_label(self.state)

    @property
    def kind_label(self) -> str:
        return str(KIND_ONE.get(self.kind, self.kind))

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    @property
    def badge_kind(self) -> str:
        return STATE_BADGES.get(self.state, "")

    @property
    def is_overdue(self) -> bool:
        return self.state in OPEN_STATES and self.target_date is not None and self.target_date < local_today()

    @property
    def is_key_project(self) -> bool:
        return self.publication == "city"

    @property
    def is_open_need(self) -> bool:
        return self.publication == "street"

    def agreed_by(self, side: str) -> bool:
        return (self.community_agreed_at if side == "community" else self.agency_agreed_at) is not None

    def __repr__(self) -> str:
        return f"<ChecklistItem {self.id} {self.kind} {self.state}>"


class ProjectLink(db.Model):
    """A need or resource matched into a project of the same pairing (each item joins at most one project)."""

    __tablename__ = "checklist_project_link"
    __table_args__ = (Index("ix_checklist_project_link_project", "project_id"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id", ondelete="CASCADE"))

    item: Mapped[ChecklistItem] = relationship(foreign_keys=[item_id])
    project: Mapped[ChecklistItem] = relationship(foreign_keys=[project_id])


class ItemProgress(db.Model):
    """A progress note: text, percent (0–100), up to three photos (uploads with subject ``checklist_progress``)."""

    __tablename__ = "checklist_progress"
    __table_args__ = (
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
        Index("ix_checklist_progress_item", "item_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    percent: Mapped[int]
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[ChecklistItem] = relationship()
    author: Mapped[User | None] = relationship()


class ChecklistClaim(db.Model):
    """An agency's claim on an open need or a key project. One active claim per item (partial unique index)."""

    __tablename__ = "checklist_claim"
    __table_args__ = (
        CheckConstraint("status IN ('active','withdrawn')", name="status"),
        Index("uq_checklist_claim_active", "item_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
        Index("ix_checklist_claim_org", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    claimant_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="active")
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    claimant: Mapped[User | None] = relationship()
