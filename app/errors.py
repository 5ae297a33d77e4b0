"""The one error a user can cause: raised by services, shown by routes, nothing changed."""
from __future__ import annotations


class DomainError(ValueError):
    """A rule was broken. ``message`` is user-facing (lazy-translated); ``field`` names the form field it belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
