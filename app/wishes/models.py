"""微心愿 — a resident's small wish, and the claims on it (exactly one active claim per wish)."""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, and_, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, mask_name
from app.areas.models import Area
from app.extensions import db
from app.organisations.models import Organisation
from app.timeutil import local_today, utcnow
from app.uploads.models import Upload

STATES = ("pending", "published", "claimed", "fulfilled", "completed", "rejected", "withdrawn", "expired")
#: states a wish is visible in on the public wall and its public detail page
PUBLIC_STATES = ("published", "claimed", "fulfilled", "completed")
#: states in which the wish still needs something to happen
OPEN_STATES = ("pending", "published", "claimed", "fulfilled")
STATE_LABELS = {
    "pending": _l("Awaiting review"),
    "published": _l("Waiting for a claim"),
    "claimed": _l("Claimed"),
    "fulfilled": _l("Awaiting confirmation"),
    "completed": _l("Completed"),
    "rejected": _l("Not approved"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Expired"),
}
#: badge colour per state (Wish.badge_kind); closed states have a plain badge
STATE_BADGES = {"pending": "warn", "published": "red", "claimed": "info", "fulfilled": "warn", "completed": "ok"}

#: default categories; a deployment overrides the list with WISH_CATEGORIES (codes; labels below or the code itself)
DEFAULT_CATEGORIES = ("study", "daily", "care", "health", "employment", "companionship", "other")
CATEGORY_LABELS = {
    "study": _l("Study supplies"),
    "daily": _l("Daily goods"),
    "care": _l("Help for elderly or disabled people"),
    "health": _l("Health"),
    "employment": _l("Employment"),
    "companionship": _l("Companionship"),
    "other": _l("Other"),
}

CLAIM_STATUSES = ("active", "released", "done")
CLAIM_KINDS = ("member", "branch")

ACTION_LABELS = {
    "posted": _l("Posted"),
    "posted_on_behalf": _l("Recorded on behalf of the resident"),
    "approved": _l("Approved and published"),
    "rejected": _l("Not approved"),
    "withdrawn": _l("Withdrawn"),
    "claimed": _l("Claimed"),
    "released": _l("Claim released"),
    "auto_released": _l("Claim released automatically (deadline passed)"),
    "released_role_ended": _l("Claim released: the claimant's role ended, so they can no longer act for it"),
    "team_member_left": _l("Left the claiming team: their role in the branch ended"),
    "fulfilled": _l("Marked as fulfilled"),
    "confirmed": _l("Confirmed by the resident"),
    "not_received": _l("Reported as not received"),
    "expired": _l("Expired (wanted-by date passed)"),
}


def categories() -> list[str]:
    return list(current_app.config.get("WISH_CATEGORIES") or DEFAULT_CATEGORIES)


def category_label(code: str) -> str:
    custom = current_app.config.get("WISH_CATEGORY_LABELS") or {}
    return custom.get(code) or str(CATEGORY_LABELS.get(code, code))


def state_label(state: str | None) -> str:
    return str(STATE_LABELS.get(state, state or ""))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


class Wish(db.Model):
    __tablename__ = "wish"
    __table_args__ = (
        CheckConstraint(
            "state IN ('pending','published','claimed','fulfilled','completed','rejected','withdrawn','expired')",
            name="state",
        ),
        CheckConstraint("value >= 0", name="value_not_negative"),
        # the wall: WHERE state = ? [AND community_id = ? | street_id = ?] ORDER BY published_at DESC, id DESC
        Index("ix_wish_wall", "state", "published_at", "id"),
        Index("ix_wish_community_wall", "community_id", "state", "published_at", "id"),
        Index("ix_wish_street_wall", "street_id", "state", "published_at", "id"),
        # review queue, expiry job, "my wishes"
        Index("ix_wish_state_wanted_by", "state", "wanted_by"),
        Index("ix_wish_wisher_state", "wisher_id", "state"),
        Index("ix_wish_author_state", "author_id", "state"),
        # the review queue (oldest first) and "my wishes" (newest first), paged by keyset (app/wishes/queries.py)
        Index("ix_wish_review", "state", "created_at", "id"),
        Index("ix_wish_wisher_created", "wisher_id", "created_at", "id"),
        Index("ix_wish_author_created", "author_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the resident's micro-grid (or the lowest area known); community/street copied for the wall's filters
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    #: the resident whose wish it is (the subject); NULL for a resident without an account (代录)
    wisher_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: who typed it in: the wisher, or staff / an area leader acting on their behalf
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    on_behalf: Mapped[bool] = mapped_column(default=False)
    #: a resident without an account: name and how to reach them (a relative's phone, the address)
    subject_name: Mapped[str | None] = mapped_column(String(20))
    subject_contact: Mapped[str | None] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    value: Mapped[int] = mapped_column(default=0)  # estimated value in whole yuan
    wanted_by: Mapped[date]
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    reject_reason: Mapped[str | None] = mapped_column(Text)
    #: app/moderation: None (shown as usual), "hidden" (pending review after reports) or "removed"
    moderation: Mapped[str | None] = mapped_column(String(8))
    fulfil_note: Mapped[str | None] = mapped_column(Text)
    fulfil_photo_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id", ondelete="SET NULL"))
    #: the wisher's thank-you note: with the fulfil note, the short story (圆梦故事) on the wall
    thanks_note: Mapped[str | None] = mapped_column(Text)
    #: one-time key of the post form: a double submit finds the wish it already created
    post_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    area: Mapped[Area] = relationship(foreign_keys=[area_id])
    community: Mapped[Area] = relationship(foreign_keys=[community_id])
    wisher: Mapped[User | None] = relationship(foreign_keys=[wisher_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    photo: Mapped[Upload | None] = relationship(foreign_keys=[photo_id])
    fulfil_photo: Mapped[Upload | None] = relationship(foreign_keys=[fulfil_photo_id])
    active_claim: Mapped["WishClaim | None"] = relationship(
        primaryjoin=lambda: and_(WishClaim.wish_id == Wish.id, WishClaim.status == "active"),
        viewonly=True, uselist=False,
    )
    #: the claim that made the wish come true (shown with the story)
    done_claim: Mapped["WishClaim | None"] = relationship(
        primaryjoin=lambda: and_(WishClaim.wish_id == Wish.id, WishClaim.status == "done"),
        viewonly=True, uselist=False,
    )

    @hybrid_property
    def is_open(self) -> bool:
        """Something still has to happen (review, a claim, fulfilment, the resident's confirmation)."""
        return self.state in OPEN_STATES

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls):
        return cls.state.in_(OPEN_STATES)

    @property
    def is_public(self) -> bool:
        """On the wall: anyone may see it."""
        return self.state in PUBLIC_STATES

    @property
    def badge_kind(self) -> str:
        """The badge colour of the state (STATE_BADGES), the same on the wall and on the wish's page."""
        return STATE_BADGES.get(self.state, "")

    @property
    def wisher_name(self) -> str:
        return self.wisher.display_name if self.wisher is not None else (self.subject_name or "")

    @property
    def masked_wisher(self) -> str:
        return mask_name(self.wisher_name)

    @property
    def days_left(self) -> int:
        return (self.wanted_by - local_today()).days

    @property
    def state_label(self) -> str:
        return state_label(self.state)

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    def __repr__(self) -> str:
        return f"<Wish {self.id} {self.state}>"


class WishClaim(db.Model):
    """A claim by a party member (for themself) or by an agency branch (with team members, 帮帮团)."""

    __tablename__ = "wish_claim"
    __table_args__ = (
        CheckConstraint("status IN ('active','released','done')", name="status"),
        CheckConstraint("kind IN ('member','branch')", name="kind"),
        # exactly one active claim per wish — the database's answer to two claims at the same instant
        Index("uq_wish_claim_active", "wish_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
        Index("ix_wish_claim_wish", "wish_id", "claimed_at"),
        Index("ix_wish_claim_status_deadline", "status", "deadline_at"),
        Index("ix_wish_claim_claimant_status", "claimant_id", "status"),
        Index("ix_wish_claim_org_status", "organisation_id", "status"),
        # "my claims", newest first, paged by keyset
        Index("ix_wish_claim_claimant_claimed", "claimant_id", "claimed_at", "id"),
        Index("ix_wish_claim_org_claimed", "organisation_id", "claimed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(ForeignKey("wish.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8), default="member")
    #: the person who claimed (the member, or the agency admin for the branch)
    claimant_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    status: Mapped[str] = mapped_column(String(10), default="active")
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime]
    fulfilled_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    release_reason: Mapped[str | None] = mapped_column(Text)

    wish: Mapped[Wish] = relationship(foreign_keys=[wish_id])
    claimant: Mapped[User | None] = relationship(foreign_keys=[claimant_id])
    organisation: Mapped[Organisation | None] = relationship()
    members: Mapped[list["WishClaimMember"]] = relationship(back_populates="claim", cascade="all, delete-orphan")

    @property
    def member_ids(self) -> set[int]:
        return {m.user_id for m in self.members}

    @property
    def public_name(self) -> str:
        """How the claimant is named to everyone: the branch, or the member's masked name."""
        if self.kind == "branch" and self.organisation is not None:
            return self.organisation.name
        return self.claimant.masked_name if self.claimant is not None else "*"


class WishClaimMember(db.Model):
    """A team member (帮帮团) named by the agency admin when the branch claims a wish."""

    __tablename__ = "wish_claim_member"
    __table_args__ = (Index("ix_wish_claim_member_user", "user_id"),)

    claim_id: Mapped[int] = mapped_column(ForeignKey("wish_claim.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)

    claim: Mapped[WishClaim] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
