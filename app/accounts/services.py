"""Account operations: register, authenticate, change password, grant roles; people administration."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

from babel.lists import format_list
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app import events
from app.accounts import events as _declared_events  # noqa: F401 — declares this domain's events
from app.accounts.models import AREA_ROLES, ORG_ROLES, ROLE_LEVEL, RoleAssignment, User
from app.accounts.policy import ADMIN_ROLES
from app.areas.models import Area, level_label
from app.audit.models import AuditEntry
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


class RoleAlreadyHeld(AccountError):
    """Nothing to do: often the same "grant" pressed twice."""


#: the answer that tells whether a number has an account: rationed per actor on the people pages
MOBILE_HAS_ACCOUNT = _l("This mobile number already has an account.")


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
    if check_password_hash(user.password_hash, new):  # a temporary password stays known to whoever handed it over
        raise AccountError(_l("Choose a new password that differs from the current one."), "new_password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.auth_version += 1
    db.session.flush()
    events.emit("account.password_changed", actor=user, subject=user, area_id=user.home_area_id)


def grant_role(user: User, role: str, *, area: Area | None = None, organisation: Organisation | None = None,
               actor: User | None = None) -> RoleAssignment:
    """Give ``user`` the role on ``area`` / ``organisation`` (idempotent: an identical assignment is returned).

    Who may grant what is ``policy.can_grant_role``; this checks only that the role fits its scope."""
    area, organisation = check_role_scope(role, area, organisation)
    existing = _same_assignment(user, role, area, organisation)
    if existing:
        return existing
    assignment = RoleAssignment(role=role, area=area, organisation=organisation)
    try:
        with db.session.begin_nested():  # granted twice at the same instant: the unique index keeps one row
            assignment.user = user
            db.session.add(assignment)
            db.session.flush()
    except IntegrityError:
        db.session.expire(user, ["roles"])  # the savepoint took the row back; reload the roles that exist
        existing = _same_assignment(user, role, area, organisation)
        if existing is None:
            raise
        return existing
    events.emit("account.role_granted", actor=actor, subject=user, role=role, assignment_id=assignment.id,
                area_id=area.id if area else None, organisation_id=organisation.id if organisation else None)
    return assignment


def check_role_scope(role: str, area: Area | None, organisation: Organisation | None):
    """(area, organisation) as the role is held, or AccountError: an area of the role's level, or an organisation."""
    if role in ORG_ROLES:
        if organisation is None or area is not None:
            raise AccountError(_l("Choose the organisation this role is held in."), "organisation_id")
        return None, organisation
    if role not in AREA_ROLES:
        raise AccountError(_l("Choose a role from the list."), "role")
    if organisation is not None:
        raise AccountError(_l("This role is held on an area, not on an organisation."), "role")
    if role == "city_admin":
        return None, None
    if area is None or area.level not in ROLE_LEVEL[role]:
        raise AccountError(_l("Choose the %(levels)s this role is held on.", levels=_levels_text(ROLE_LEVEL[role])),
                           "area_id")
    return area, None


def _levels_text(levels) -> str:
    """"Street / town or Community / village" in the user's language."""
    labels = [level_label(lv) for lv in levels]
    try:
        return format_list(labels, style="or", locale=str(get_locale() or "en"))
    except (ValueError, TypeError, AttributeError):
        return " / ".join(labels)


def _same_assignment(user: User, role: str, area: Area | None, organisation: Organisation | None):
    if user.id is None:
        return None
    return db.session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user.id,
            RoleAssignment.role == role,
            RoleAssignment.area_id == area.id if area else RoleAssignment.area_id.is_(None),
            RoleAssignment.organisation_id == organisation.id if organisation
            else RoleAssignment.organisation_id.is_(None),
        )
    )


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


# ---------------------------------------------------------------- people administration (/users/)

#: no 0/O, 1/l/I: a temporary password is read aloud or copied from a screen by someone at a counter
TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMP_LENGTH = 10


def temporary_password() -> str:
    """Ten characters from a 55-letter alphabet (about 58 bits), never stored: only its hash is."""
    while True:
        pw = "".join(secrets.choice(TEMP_ALPHABET) for _ in range(TEMP_LENGTH))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw


def check_new_account(display_name: str | None, username: str | None, mobile: str | None) -> dict:
    """field → message for a new account's name, username and mobile number (empty when all is well)."""
    display_name = (display_name or "").strip()
    username = (username or "").strip() or None
    mobile = (mobile or "").strip() or None
    errors: dict = {}
    if not display_name or len(display_name) > 20:
        errors["display_name"] = _l("The name must be 1 to 20 characters.")
    if not username and not mobile:
        errors["username"] = _l("Give a username or a mobile number (or both): it is what they sign in with.")
    if username is not None:
        if not USERNAME_RE.match(username):
            errors["username"] = _l("A username is 3–30 letters, digits or underscores and starts with a letter.")
        elif username_taken(username):
            errors["username"] = _l("This username is taken.")
    if mobile is not None:
        if not MOBILE_RE.match(mobile):
            errors["mobile"] = _l("Enter an 11-digit mainland mobile number, e.g. 13800138000.")
        elif db.session.scalar(select(User.id).where(User.mobile == mobile)):
            errors["mobile"] = MOBILE_HAS_ACCOUNT
    return errors


def create_person(*, actor: User, display_name: str, username: str | None = None, mobile: str | None = None,
                  home_area: Area | None = None, role: str | None = None, role_area: Area | None = None,
                  role_organisation: Organisation | None = None) -> tuple[User, str]:
    """An account created by staff for someone else, with a temporary password (returned, never stored).

    Who may create whom is checked by the route (``policy``); the fields and the uniqueness are checked here, all at
    once. The optional initial role is granted with ``grant_role``."""
    display_name = (display_name or "").strip()
    username = (username or "").strip() or None
    mobile = (mobile or "").strip() or None
    errors = check_new_account(display_name, username, mobile)
    if home_area is not None and home_area.level != "microgrid":
        errors["area_id"] = _l("Choose the micro-grid where they live.")
    if errors:
        raise AccountError.several(errors)
    password = temporary_password()
    user = User(username=normal_username(username), display_name=display_name, mobile=mobile, home_area=home_area,
                password_hash=hash_password(password), must_change_password=True)
    try:
        with db.session.begin_nested():  # the same form sent twice at once: the database decides, no 500
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        if mobile and db.session.scalar(select(User.id).where(User.mobile == mobile)):
            raise AccountError(_l("This mobile number already has an account."), "mobile") from None
        raise AccountError(_l("This username is taken."), "username") from None
    events.emit("account.created", actor=actor, subject=user, area_id=home_area.id if home_area else None)
    if role:
        grant_role(user, role, area=role_area, organisation=role_organisation, actor=actor)
    return user, password


def grant_person_role(actor: User, user: User, role: str, *, area: Area | None = None,
                      organisation: Organisation | None = None) -> RoleAssignment:
    """``grant_role`` from the people pages: granting what the person already holds is said, not ignored."""
    area, organisation = check_role_scope(role, area, organisation)
    if _same_assignment(user, role, area, organisation):
        raise RoleAlreadyHeld(_l("They already hold this role there."), "role")
    return grant_role(user, role, area=area, organisation=organisation, actor=actor)


def revoke_role(actor: User, assignment: RoleAssignment) -> None:
    user = assignment.user
    if user.id == actor.id and assignment.role in ADMIN_ROLES:
        others = db.session.scalar(select(func.count()).select_from(RoleAssignment).where(
            RoleAssignment.user_id == user.id, RoleAssignment.role.in_(ADMIN_ROLES),
            RoleAssignment.id != assignment.id))
        if not others:
            raise AccountError(_l("You cannot revoke your own last administrator role."))
    if assignment.role == "city_admin":
        others = db.session.scalar(select(func.count()).select_from(RoleAssignment).join(User).where(
            RoleAssignment.role == "city_admin", User.active.is_(True), RoleAssignment.id != assignment.id))
        if not others:
            raise AccountError(_l("The city must keep at least one active city administrator."))
    data = dict(role=assignment.role, area_id=assignment.area_id, organisation_id=assignment.organisation_id,
                assignment_id=assignment.id)
    user.roles.remove(assignment)  # delete-orphan
    db.session.flush()
    events.emit("account.role_revoked", actor=actor, subject=user, **data)


def reset_password(actor: User, user: User) -> str:
    """A new temporary password (returned once, never stored); every session of the person ends."""
    if user.id == actor.id:
        raise AccountError(_l("Change your own password on the “Change password” page."))
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.auth_version += 1
    db.session.flush()
    events.emit("account.password_reset", actor=actor, subject=user, area_id=user.home_area_id)
    return password


def deactivate_user(actor: User, user: User) -> None:
    """The person can no longer sign in, and their sessions end. Nothing they did is removed."""
    if user.id == actor.id:
        raise AccountError(_l("You cannot deactivate your own account."))
    if not user.active:
        raise AccountError(_l("This account is already deactivated."))
    user.active = False
    user.auth_version += 1
    db.session.flush()
    events.emit("account.deactivated", actor=actor, subject=user, area_id=user.home_area_id)


def reactivate_user(actor: User, user: User) -> None:
    if user.active:
        raise AccountError(_l("This account is already active."))
    user.active = True
    user.auth_version += 1
    db.session.flush()
    events.emit("account.reactivated", actor=actor, subject=user, area_id=user.home_area_id)


def account_just_created_by(actor: User, display_name: str | None, username: str | None,
                            mobile: str | None, *, within: timedelta = timedelta(minutes=2)) -> User | None:
    """The account these details describe, if ``actor`` created it moments ago ("create" pressed twice)."""
    username = normal_username((username or "").strip() or None)
    mobile = (mobile or "").strip() or None
    if not username and not mobile:
        return None
    user = db.session.scalar(select(User).where(
        or_(User.username == username if username else false(), User.mobile == mobile if mobile else false()),
        User.created_at >= utcnow() - within))
    if user is None or user.display_name != (display_name or "").strip():
        return None
    made = db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "account.created", AuditEntry.actor_id == actor.id,
        AuditEntry.subject_type == "user", AuditEntry.subject_id == user.id).limit(1))
    return user if made is not None else None
