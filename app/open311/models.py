"""Open311 API keys (stored as a SHA-256 hash only) and the Open311 side of requests created through the API."""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import Area
from app.extensions import db
from app.organisations.models import Organisation
from app.timeutil import utcnow

#: every issued key starts with this, so a leaked key is recognisable in logs and secret scanners
KEY_PREFIX = "o311_"
#: how many leading characters of a key are kept (and shown) to tell keys apart
SHOWN_PREFIX_LENGTH = 12


def hash_key(plaintext: str) -> str:
    """Keys carry 256 bits of randomness, so a plain SHA-256 is enough (no slow hash needed)."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


class ApiKey(db.Model):
    """A key an API client sends as ``api_key`` with POST requests. Issued and revoked by a city admin."""

    __tablename__ = "open311_api_key"
    __table_args__ = (Index("ix_open311_api_key_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    #: who holds the key: an organisation on the platform, and/or a free-text description
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    owner: Mapped[str | None] = mapped_column(String(200))
    #: the micro-grid a request is filed in when it carries no ``address_id``
    default_area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    key_prefix: Mapped[str] = mapped_column(String(SHOWN_PREFIX_LENGTH))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship()
    default_area: Mapped[Area] = relationship()
    created_by = relationship("User", foreign_keys=[created_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiKey {self.id} {self.key_prefix}…>"


class Open311Request(db.Model):
    """What the API adds to an issue it created: the token, the key used, and the GeoReport fields that the
    issue itself has no column for (device_id, account_id, media_url, attributes)."""

    __tablename__ = "open311_request"
    __table_args__ = (Index("ix_open311_request_api_key_created", "api_key_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("open311_api_key.id", ondelete="SET NULL"))
    device_id: Mapped[str | None] = mapped_column(String(100))
    account_id: Mapped[str | None] = mapped_column(String(100))
    media_url: Mapped[str | None] = mapped_column(String(500))
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    api_key: Mapped[ApiKey | None] = relationship()
