"""场景清单库 — the catalogue of application scenarios (治安防控, 线上问诊, 乡村治理积分制, 智慧养老 …) that the
city keeps, and which communities run which ("共性+个性": common scenarios every pilot community should run, and
scenarios particular to one community)."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import Area
from app.extensions import db
from app.timeutil import utcnow

#: the four dimensions of the evaluation index (设施完善、数据共享、场景建设、居民共治)
DIMENSIONS = ("facilities", "data_sharing", "scenarios", "co_governance")
DIMENSION_LABELS = {
    "facilities": _l("Facilities"),
    "data_sharing": _l("Data sharing"),
    "scenarios": _l("Scenario building"),
    "co_governance": _l("Residents' co-governance"),
}
KINDS = ("common", "specific")
KIND_LABELS = {"common": _l("Common (every community)"), "specific": _l("Community-specific")}


def dimension_label(code: str) -> str:
    return str(DIMENSION_LABELS.get(code, code))


class Scenario(db.Model):
    __tablename__ = "scenario"
    __table_args__ = (
        CheckConstraint("dimension IN ('facilities','data_sharing','scenarios','co_governance')", name="dimension"),
        CheckConstraint("kind IN ('common','specific')", name="kind"),
        UniqueConstraint("name", name="uq_scenario_name"),
        Index("ix_scenario_active_name", "active", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    dimension: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(10), default="common")
    description: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def dimension_label(self) -> str:
        return dimension_label(self.dimension)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


class ScenarioAdoption(db.Model):
    """A community runs a scenario, since a day, with a short note."""

    __tablename__ = "scenario_adoption"
    __table_args__ = (
        UniqueConstraint("scenario_id", "community_id", name="uq_scenario_adoption"),
        Index("ix_scenario_adoption_community", "community_id", "scenario_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    since: Mapped[date]
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    scenario: Mapped[Scenario] = relationship()
    community: Mapped[Area] = relationship()
