"""API keys: issue (the plaintext is returned once and never stored), authenticate, revoke."""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import events
from app.areas.models import Area
from app.errors import DomainError
from app.extensions import db
from app.open311 import events as _declared_events  # noqa: F401 — declares this domain's events
from app.open311.models import KEY_PREFIX, SHOWN_PREFIX_LENGTH, ApiKey, hash_key
from app.open311.policy import can_manage_api_keys
from app.organisations.models import Organisation
from app.timeutil import utcnow


class ApiKeyError(DomainError):
    """A problem the city admin can fix when issuing or revoking a key."""


def new_plaintext_key() -> str:
    """``o311_`` + 43 URL-safe characters (256 bits of randomness)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def issue_key(actor, *, name: str, default_area: Area | None, owner: str | None = None,
              organisation: Organisation | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns it with the plaintext, which the caller shows once. Only its hash is stored."""
    if not can_manage_api_keys(actor):
        raise ApiKeyError(_l("Only a city administrator can issue API keys."))
    name = (name or "").strip()
    owner = (owner or "").strip() or None
    if not name or len(name) > 80:
        raise ApiKeyError(_l("Give the key a name of 1 to 80 characters."), "name")
    if owner is not None and len(owner) > 200:
        raise ApiKeyError(_l("The owner description may be at most 200 characters."), "owner")
    if default_area is None or default_area.level == "city":
        raise ApiKeyError(_l("Choose the area where requests without an address_id are filed."), "area_id")
    plaintext = new_plaintext_key()
    key = ApiKey(name=name, owner=owner, organisation=organisation, default_area=default_area,
                 key_prefix=plaintext[:SHOWN_PREFIX_LENGTH], key_hash=hash_key(plaintext),
                 created_by_id=getattr(actor, "id", None))
    db.session.add(key)
    db.session.flush()
    events.emit("open311.key_issued", actor=actor, subject=key, area_id=None, key_name=key.name,
                key_prefix=key.key_prefix, owner=key.owner, organisation_id=key.organisation_id,
                default_area_id=key.default_area_id)
    return key, plaintext


def revoke_key(actor, key: ApiKey) -> ApiKey:
    if not can_manage_api_keys(actor):
        raise ApiKeyError(_l("Only a city administrator can revoke API keys."))
    if key.revoked_at is not None:
        raise ApiKeyError(_l("This key was already revoked."))
    key.revoked_at = utcnow()
    key.revoked_by_id = getattr(actor, "id", None)
    db.session.flush()
    events.emit("open311.key_revoked", actor=actor, subject=key, area_id=None, key_name=key.name,
                key_prefix=key.key_prefix, owner=key.owner, organisation_id=key.organisation_id,
                default_area_id=key.default_area_id)
    return key


def find_key(plaintext: str | None) -> ApiKey | None:
    """The active key with this plaintext, or None (unknown or revoked). Looked up by its hash."""
    if not plaintext or len(plaintext) > 200:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(plaintext.strip())))
    if key is None or key.revoked_at is not None:
        return None
    return key


def touch_key(key: ApiKey) -> None:
    key.last_used_at = utcnow()
