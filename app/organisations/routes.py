"""Organisation and pairing pages (views attach to ``app.organisations.bp``)."""
from __future__ import annotations

from app.organisations import bp  # noqa: F401
