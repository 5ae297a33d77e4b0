"""报到 — a party member reports to the community they live in (三报到三服务): one residence at a time."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area
from app.extensions import db
from app.organisations.models import Organisation
from app.timeutil import utcnow

STATES = ("pending", "confirmed", "refused", "replaced", "ended")
STATE_LABELS = {
    "pending": _l("Waiting for the community"),
    "confirmed": _l("Confirmed"),
    "refused": _l("Refused"),
    "replaced": _l("Replaced by a newer report"),
    "ended": _l("Ended (moved)"),
}
STATE_BADGES = {"pending": "warn", "confirmed": "ok", "refused": "red"}

#: the three services (三服务) a member may offer; a deployment overrides the codes with MEMBER_SERVICES
DEFAULT_SERVICES = ("policy", "volunteering", "pairing")
SERVICE_LABELS = {
    "policy": _l("Policy outreach"),
    "volunteering": _l("Volunteering"),
    "pairing": _l("Paired help for a household"),
}


def services() -> list[str]:
    return list(current_app.config.get("MEMBER_SERVICES") or DEFAULT_SERVICES)


def service_label(code: str) -> str:
    custom = current_app.config.get("MEMBER_SERVICE_LABELS") or {}
    return custom.get(code) or str(SERVICE_LABELS.get(code, code))


class MemberReport(db.Model):
    __tablename__ = "member_report"
    __table_args__ = (
        CheckConstraint("state IN ('pending','confirmed','refused','replaced','ended')", name="state"),
        # one residence (confirmed) and one report waiting at a time, even when two requests race
        Index("uq_member_report_confirmed", "user_id", unique=True,
              sqlite_where=text("state = 'confirmed'"), postgresql_where=text("state = 'confirmed'")),
        Index("uq_member_report_pending", "user_id", unique=True,
              sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
        # community staff: who reported to us (by state, oldest first); the branch: its members' reports
        Index("ix_member_report_community", "community_id", "state", "created_at", "id"),
        Index("ix_member_report_org", "organisation_id", "state", "created_at", "id"),
        Index("ix_member_report_user", "user_id", "created_at", "id"),
        Index("ix_member_report_recheck", "state", "checked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: the branch the member belongs to (the one whose admin sees the report)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    #: the micro-grid where the member lives; the community is copied for the staff's queue
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    address: Mapped[str] = mapped_column(String(120))
    #: service codes, comma-separated (see ``services()``)
    service_codes: Mapped[str] = mapped_column(String(200), default="")
    availability: Mapped[str] = mapped_column(String(120), default="")
    state: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    #: when the member last said the residence still holds (the half-yearly check); set on confirmation
    checked_at: Mapped[datetime | None]
    #: when the member was last asked to confirm it (None: not asked since the last check)
    recheck_asked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation | None] = relationship()
    area: Mapped[Area] = relationship(foreign_keys=[area_id])
    community: Mapped[Area] = relationship(foreign_keys=[community_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def service_list(self) -> list[str]:
        return [c for c in (self.service_codes or "").split(",") if c]

    @property
    def service_labels(self) -> list[str]:
        return [service_label(c) for c in self.service_list]

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))

    @property
    def badge_kind(self) -> str:
        return STATE_BADGES.get(self.state, "")

    @property
    def recheck_due(self) -> bool:
        return self.state == "confirmed" and self.recheck_asked_at is not None
