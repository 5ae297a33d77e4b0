"""Forms every domain shares, and putting a service's refusal back on the form the user filled in."""
from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from app.errors import DomainError


class EmptyForm(FlaskForm):
    """For POST buttons with no fields: still carries the CSRF token."""


def show_errors(form, error: DomainError) -> None:
    """Each message goes under its field; one without a (known) field goes above the form."""
    for field, message in error.errors.items():
        target = getattr(form, field, None) if field else None
        errors = target.errors if target is not None and hasattr(target, "errors") else form.form_errors
        if isinstance(errors, tuple):  # a field that was not validated yet
            errors = list(errors)
            target.errors = errors
        errors.append(str(message))


def refilled(form_class, refusal, **kwargs):
    """The form as a refused request left it (``app.web.actions.Refusal``): what was typed, each message under its
    field. Used by a page that shows a plain form's refusal after ``perform`` sent the person back to it."""
    form = form_class(formdata=MultiDict(refusal.values), **kwargs)
    if refusal.errors:
        show_errors(form, DomainError.several(refusal.errors))
    return form
