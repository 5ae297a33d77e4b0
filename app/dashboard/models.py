"""Daily roll-up rows behind the dashboard, the per-thing record of what each thing added to them, and the weights
of the evaluation index.

``DailyFigure`` holds, per local day and area, how much a metric counted (``count``) and added up (``total``),
split by a dimension ``key`` (a category, a level, a channel, a state, a duration bucket — or '' for none). A
thing is counted in the area it belongs to *and in every area above it*, so the figures of any area are the rows
of that one area: the page reads a handful of rows by index, however many issues the city has.

``MonthlyFigure`` holds the same rows added up per calendar month (``month`` is its first day), kept together with
the daily rows. A period reads the months it covers whole from it and only the days of a month it covers in part
from ``DailyFigure``, so a year costs a dozen months of rows instead of 365 days of them.

``FigureSource`` remembers, per thing (an issue, a wish …), the rows it added — so when the thing changes, its old
contribution is taken away and the new one added (see app/dashboard/rollup.py).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import utcnow


class DailyFigure(db.Model):
    __tablename__ = "daily_figure"
    __table_args__ = (
        # an area's figures for a period: area = ?, metric IN (…), day BETWEEN …
        UniqueConstraint("area_id", "metric", "day", "key", name="uq_daily_figure"),
        # every metric of an area for a few days (the part of a month a period covers): area = ?, day BETWEEN …
        Index("ix_daily_figure_area_day", "area_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(40))
    day: Mapped[date]
    key: Mapped[str] = mapped_column(String(40), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)


class MonthlyFigure(db.Model):
    """The daily rows of a calendar month added up (``month`` = its first day); always the sum of ``DailyFigure``."""

    __tablename__ = "monthly_figure"
    __table_args__ = (
        # an area's (or a few areas') months in a period: area = ?, month BETWEEN …
        UniqueConstraint("area_id", "month", "metric", "key", name="uq_monthly_figure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(40))
    month: Mapped[date]
    key: Mapped[str] = mapped_column(String(40), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)


class FigureSource(db.Model):
    """What one thing contributes to the roll-up: JSON list of [day, area_id, metric, key, count, total]."""

    __tablename__ = "figure_source"
    __table_args__ = (UniqueConstraint("source", "entity_id", name="uq_figure_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(24))
    entity_id: Mapped[int]
    rows: Mapped[str] = mapped_column(Text, default="[]")


class AreaSnapshot(db.Model):
    """A current-state figure of an area (issues overdue now), counted for every area by the scheduled job so the
    page reads one row however many issues the city has. The city's own row is always written: its ``computed_at``
    says how fresh the snapshot is."""

    __tablename__ = "area_snapshot"
    __table_args__ = (UniqueConstraint("area_id", "metric", name="uq_area_snapshot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(40))
    value: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


DIMENSIONS = ("facilities", "data_sharing", "scenarios", "co_governance")


class EvaluationWeight(db.Model):
    """The weight (whole per cent) of one dimension of the evaluation index; the four add up to 100."""

    __tablename__ = "evaluation_weight"
    __table_args__ = (
        CheckConstraint("dimension IN ('facilities','data_sharing','scenarios','co_governance')", name="dimension"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
        Index("uq_evaluation_weight_dimension", "dimension", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16))
    percent: Mapped[int]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
