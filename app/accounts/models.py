from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import Area
from app.extensions import db
from app.organisations.models import Organisation
from app.timeutil import utcnow

#: roles held on an area (the area and everything below it)
AREA_ROLES = ("city_admin", "street_admin", "community_staff", "grid_leader", "microgrid_leader", "sentinel")
#: roles held on an organisation
ORG_ROLES = ("agency_admin", "member")
ROLES = AREA_ROLES + ORG_ROLES
#: the area level each area role is held on
ROLE_LEVEL = {
    "street_admin": ("street",),
    "community_staff": ("community",),
    "grid_leader": ("grid",),
    "microgrid_leader": ("microgrid",),
    "sentinel": ("city", "street", "community"),
}
ROLE_LABELS = {
    "city_admin": _l("City administrator"),
    "street_admin": _l("Street administrator"),
    "community_staff": _l("Community staff"),
    "grid_leader": _l("Grid leader"),
    "microgrid_leader": _l("Micro-grid leader"),
    "sentinel": _l("Mobile sentinel"),
    "agency_admin": _l("Agency branch administrator"),
    "member": _l("Party member in service"),
}


def mask_name(name: str | None) -> str:
    """王小明 → 王*; Alice → A*. Used wherever a resident is shown to people who do not need the name."""
    if not name:
        return "*"
    return name[0] + "*"


def mask_mobile(mobile: str | None) -> str:
    if not mobile:
        return ""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return mobile[:3] + "****" + mobile[-4:]


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str | None] = mapped_column(String(30), unique=True)
    mobile: Mapped[str | None] = mapped_column(String(11), unique=True)
    display_name: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    home_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    #: bumped when the password changes, which signs out every other session
    auth_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str | None] = mapped_column(String(8))
    #: set when staff created the account or reset its password: a temporary password must be replaced first
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    home_area: Mapped[Area | None] = relationship()
    roles: Mapped[list["RoleAssignment"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:
        return f"{self.id}.{self.auth_version}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.display_name)

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username or self.mobile}>"


class RoleAssignment(db.Model):
    """A role held on an area (and its subtree) or on an organisation. Only city_admin may hold neither."""

    __tablename__ = "role_assignment"
    __table_args__ = (
        CheckConstraint(
            "role IN ('city_admin','street_admin','community_staff','grid_leader','microgrid_leader','sentinel',"
            "'agency_admin','member')",
            name="role",
        ),
        CheckConstraint(
            "(organisation_id IS NULL) OR (area_id IS NULL)", name="one_scope"
        ),
        Index("ix_role_assignment_user_role", "user_id", "role"),
        Index("ix_role_assignment_area_role", "area_id", "role"),
        Index("ix_role_assignment_org_role", "organisation_id", "role"),
        # one row per role and place, even when two people press "grant" at once (NULLs are distinct in a plain
        # unique constraint, hence one partial index per kind of place)
        Index("uq_role_assignment_area", "user_id", "role", "area_id", unique=True,
              sqlite_where=text("area_id IS NOT NULL"), postgresql_where=text("area_id IS NOT NULL")),
        Index("uq_role_assignment_org", "user_id", "role", "organisation_id", unique=True,
              sqlite_where=text("organisation_id IS NOT NULL"), postgresql_where=text("organisation_id IS NOT NULL")),
        Index("uq_role_assignment_global", "user_id", "role", unique=True,
              sqlite_where=text("area_id IS NULL AND organisation_id IS NULL"),
              postgresql_where=text("area_id IS NULL AND organisation_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")
    area: Mapped[Area | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])

    @property
    def scope_name(self) -> str:
        if self.organisation is not None:
            return self.organisation.name
        if self.area is not None:
            return self.area.full_name("street") or self.area.name
        return ""
