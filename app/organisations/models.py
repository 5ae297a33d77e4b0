from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import Area
from app.extensions import db
from app.timeutil import utcnow

ORG_KINDS = ("agency", "enterprise", "association", "volunteer_team")
ORG_KIND_LABELS = {
    "agency": _l("Agency party branch"),
    "enterprise": _l("Enterprise"),
    "association": _l("Association"),
    "volunteer_team": _l("Volunteer team"),
}


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint("kind IN ('agency','enterprise','association','volunteer_team')", name="kind"),
        # the list filtered by kind, in name order (unfiltered, the unique index on name serves the order)
        Index("ix_organisation_kind_name", "kind", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: where the organisation sits (a street or the city for agencies; a community for a volunteer team)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    contact_name: Mapped[str | None] = mapped_column(String(40))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    area: Mapped[Area | None] = relationship()

    @property
    def kind_label(self) -> str:
        return str(ORG_KIND_LABELS[self.kind])


class Pairing(db.Model):
    """结对 — an agency branch paired with a community for one year (basis of the co-building checklist)."""

    __tablename__ = "pairing"
    __table_args__ = (
        UniqueConstraint("organisation_id", "community_id", "year", name="uq_pairing_org_community_year"),
        Index("ix_pairing_community_year", "community_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    community: Mapped[Area] = relationship()
