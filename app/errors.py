"""The one error a user can cause: raised by services, shown by routes, nothing changed."""
from __future__ import annotations


class DomainError(ValueError):
    """A rule was broken. ``message`` is user-facing (lazy-translated); ``field`` names the form field it belongs to.

    A service that checks a whole form raises one error carrying every problem at once
    (``DomainError.several({"title": …, "value": …})``), so a resident fixes them in one go.
    """

    def __init__(self, message, field: str | None = None, *, errors: dict | None = None):
        self.errors: dict = dict(errors) if errors else {field: message}
        self.field, first = next(iter(self.errors.items()))
        self.message = first if message is None else message
        super().__init__(str(self.message))

    @classmethod
    def several(cls, errors: dict) -> "DomainError":
        return cls(None, errors=errors)
