"""Account operations: register, authenticate, change password, grant roles."""
from __future__ import annotations

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app import events
from app.accounts.models import AREA_ROLES, ORG_ROLES, ROLE_LEVEL, RoleAssignment, User
from app.areas.models import Area
from app.errors import DomainError
from app.extensions import db
from app.organisations.models import Organisation
from app.timeutil import utcnow

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,29}$")
#: compared against when the account does not exist, so a wrong username costs as long as a wrong password
_DUMMY_HASH: dict[str, str] = {}


class AccountError(DomainError):
    pass


class MobileTaken(AccountError):
    """The mobile number already has an account (the answer is rationed: it tells that the number is registered)."""


class UsernameTaken(AccountError):
    pass


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_by_login(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    return db.session.scalar(
        select(User).where(or_(func.lower(User.username) == login.lower(), User.mobile == login))
    )


def normal_username(username: str | None) -> str | None:
    """Usernames are stored in lower case, so the unique constraint also holds regardless of case."""
    return username.strip().lower() if username else None


def username_taken(username: str) -> bool:
    """Usernames are unique regardless of case (sign-in ignores case)."""
    return db.session.scalar(select(User.id).where(func.lower(User.username) == username.strip().lower())) is not None


def authenticate(login: str, password: str) -> User | None:
    """The user if the credentials match an active account, else None (same cost either way)."""
    user = find_by_login(login)
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        dummy = _DUMMY_HASH.setdefault(method, hash_password("not-a-password"))
        check_password_hash(dummy, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def register_resident(*, mobile: str, display_name: str, password: str, home_area: Area | None,
                      username: str | None = None, actor: User | None = None, is_demo: bool = False) -> User:
    mobile = (mobile or "").strip()
    display_name = (display_name or "").strip()
    username = (username or "").strip() or None
    if not MOBILE_RE.match(mobile):
        raise AccountError(_l("Enter an 11-digit mainland mobile number, e.g. 13800138000."), "mobile")
    if not display_name or len(display_name) > 20:
        raise AccountError(_l("Your name must be 1 to 20 characters."), "display_name")
    if username is not None and not USERNAME_RE.match(username):
        raise AccountError(_l("A username is 3–30 letters, digits or underscores and starts with a letter."),
                           "username")
    if home_area is None or home_area.level != "microgrid":
        raise AccountError(_l("Choose the micro-grid where you live."), "area_id")
    if len(password or "") < 8:
        raise AccountError(_l("The password must be at least 8 characters."), "password")
    if db.session.scalar(select(User.id).where(User.mobile == mobile)):
        raise MobileTaken(_l("This mobile number is already registered. Sign in instead."), "mobile")
    if username and username_taken(username):
        raise UsernameTaken(_l("This username is taken."), "username")
    user = User(mobile=mobile, display_name=display_name, username=normal_username(username),
                password_hash=hash_password(password), home_area=home_area, is_demo=is_demo)
    try:
        with db.session.begin_nested():  # the same form sent twice at once: the database decides, no 500
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        if db.session.scalar(select(User.id).where(User.mobile == mobile)):
            raise MobileTaken(_l("This mobile number is already registered. Sign in instead."), "mobile") from None
        raise UsernameTaken(_l("This username is taken."), "username") from None
    events.emit("account.registered", actor=actor or user, subject=user, area_id=home_area.id)
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError(_l("The current password is not correct."), "current_password")
    if len(new or "") < 8:
        raise AccountError(_l("The password must be at least 8 characters."), "new_password")
    user.password_hash = hash_password(new)
    user.auth_version += 1
    db.session.flush()
    events.emit("account.password_changed", actor=user, subject=user)


def grant_role(user: User, role: str, *, area: Area | None = None, organisation: Organisation | None = None,
               actor: User | None = None) -> RoleAssignment:
    if role in ORG_ROLES:
        if organisation is None or area is not None:
            raise AccountError(f"{role} is held on an organisation")
    elif role in AREA_ROLES:
        if organisation is not None:
            raise AccountError(f"{role} is held on an area")
        if role == "city_admin":
            area = None
        elif area is None or area.level not in ROLE_LEVEL[role]:
            raise AccountError(f"{role} is held on a {'/'.join(ROLE_LEVEL[role])}")
    else:
        raise AccountError(f"unknown role {role!r}")
    existing = db.session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user.id,
            RoleAssignment.role == role,
            RoleAssignment.area_id == area.id if area else RoleAssignment.area_id.is_(None),
            RoleAssignment.organisation_id == organisation.id if organisation
            else RoleAssignment.organisation_id.is_(None),
        )
    )
    if existing:
        return existing
    assignment = RoleAssignment(user=user, role=role, area=area, organisation=organisation)
    db.session.add(assignment)
    db.session.flush()
    events.emit("account.role_granted", actor=actor, subject=user, role=role,
                area_id=area.id if area else None, organisation_id=organisation.id if organisation else None)
    return assignment


def create_user(*, username: str | None, display_name: str, password: str, mobile: str | None = None,
                home_area: Area | None = None, is_demo: bool = False) -> User:
    """Create an account directly (administration, CLI, demo) — no self-registration rules on home area."""
    if username and username_taken(username):
        raise UsernameTaken(_l("This username is taken."), "username")
    user = User(username=normal_username(username), display_name=display_name, mobile=mobile, home_area=home_area,
                password_hash=hash_password(password), is_demo=is_demo)
    db.session.add(user)
    db.session.flush()
    return user
