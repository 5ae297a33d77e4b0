"""Area tree with a materialised path ("/1/4/17/") so a whole subtree is one indexed prefix query."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, and_, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow

LEVELS = ("city", "street", "community", "grid", "microgrid")
LEVEL_DEPTH = {level: i for i, level in enumerate(LEVELS)}

DEFAULT_LEVEL_LABELS = {
    "city": _l("City"),
    "street": _l("Street / town"),
    "community": _l("Community / village"),
    "grid": _l("Grid"),
    "microgrid": _l("Micro-grid"),
}


def level_label(level: str) -> str:
    """The deployment's name for a level (configurable: Jiangyin 网格/微网格, Lianyuan 片/组)."""
    custom = current_app.config.get("AREA_LEVEL_LABELS") or {}
    return custom.get(level) or str(DEFAULT_LEVEL_LABELS.get(level, level))


class Area(db.Model):
    __tablename__ = "area"
    __table_args__ = (
        CheckConstraint("level IN ('city','street','community','grid','microgrid')", name="level"),
        Index("ix_area_path", "path"),
        Index("ix_area_parent_name", "parent_id", "name"),
        Index("ix_area_level_name", "level", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    #: byte-order collation on PostgreSQL so "/1/4/" ≤ path < "/1/40" is one index range whatever the locale
    path: Mapped[str] = mapped_column(String(255).with_variant(String(255, collation="C"), "postgresql"), default="")
    households: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped["Area | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Area"]] = relationship(back_populates="parent", order_by="Area.name")

    @property
    def depth(self) -> int:
        return LEVEL_DEPTH[self.level]

    @property
    def level_label(self) -> str:
        return level_label(self.level)

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to and including this area."""
        return [int(p) for p in self.path.strip("/").split("/") if p]

    @classmethod
    def in_subtree(cls, path: str, column=None, *, path_param: str | None = None):
        """SQL: ``column`` (default Area.path) lies in the subtree whose root has ``path``.

        Written as a range, not LIKE, so SQLite (case-insensitive LIKE) and PostgreSQL both use the path index:
        paths are digits and slashes, and "0" is the character after "/". ``path_param``: the range's ends are the
        named parameters ``<path_param>_lo`` / ``_hi`` (``subtree_params`` gives their values), for a statement
        built once and run for other subtrees.
        """
        column = cls.path if column is None else column
        if path_param is not None:
            ends = cls.subtree_params(path, path_param)
            return and_(column >= bindparam(f"{path_param}_lo", ends[f"{path_param}_lo"]),
                        column < bindparam(f"{path_param}_hi", ends[f"{path_param}_hi"]))
        return and_(column >= path, column < path[:-1] + "0")

    @staticmethod
    def subtree_params(path: str, name: str) -> dict[str, str]:
        return {f"{name}_lo": path, f"{name}_hi": path[:-1] + "0"}

    def is_within(self, other: "Area") -> bool:
        return self.path.startswith(other.path)

    def ancestor_at(self, level: str) -> "Area | None":
        if self.level == level:
            return self
        wanted = LEVEL_DEPTH[level]
        ids = self.ancestor_ids
        if wanted >= len(ids):
            return None
        return db.session.get(Area, ids[wanted])

    def lineage(self) -> list["Area"]:
        """This area and its ancestors, root first — one query."""
        ids = self.ancestor_ids
        rows = db.session.scalars(select(Area).where(Area.id.in_(ids))).all()
        by_id = {a.id: a for a in rows}
        return [by_id[i] for i in ids if i in by_id]

    def full_name(self, from_level: str = "street", lineage: list["Area"] | None = None) -> str:
        """"Street · Community · …" down to this area; ``lineage``: this area's lineage when already loaded (for
        many areas at once, ``app.areas.services.lineages``), else one query."""
        start = LEVEL_DEPTH[from_level]
        return " · ".join(a.name for a in (self.lineage() if lineage is None else lineage) if a.depth >= start)

    def __repr__(self) -> str:
        return f"<Area {self.id} {self.level} {self.name}>"


STAFFING_POSTS = ("backbone", "liaison", "volunteer")
STAFFING_LABELS = {
    "backbone": _l("Party backbone"),
    "liaison": _l("Liaison"),
    "volunteer": _l("Volunteer"),
}
#: "1+1+3": one party backbone, one liaison, three volunteers per micro-grid
STAFFING_QUOTA = {"backbone": 1, "liaison": 1, "volunteer": 3}


class StaffingPost(db.Model):
    """A person holding one of the "1+1+3" posts of a micro-grid (linked to an account when they have one)."""

    __tablename__ = "staffing_post"
    __table_args__ = (
        CheckConstraint("post IN ('backbone','liaison','volunteer')", name="post"),
        Index("ix_staffing_post_area_post", "area_id", "post"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    post: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    area: Mapped[Area] = relationship()

    @property
    def post_label(self) -> str:
        return str(STAFFING_LABELS[self.post])
