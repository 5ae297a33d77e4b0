"""Putting a service's refusal back on the form the user filled in."""
from __future__ import annotations

from app.errors import DomainError


def show_errors(form, error: DomainError) -> None:
    """Each message goes under its field; one without a (known) field goes above the form."""
    for field, message in error.errors.items():
        target = getattr(form, field, None) if field else None
        errors = target.errors if target is not None and hasattr(target, "errors") else form.form_errors
        if isinstance(errors, tuple):  # a field that was not validated yet
            errors = list(errors)
            target.errors = errors
        errors.append(str(message))
