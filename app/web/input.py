"""Refuse request text that no column can store, before any view runs.

PostgreSQL cannot store NUL (``\\x00``) in text at all (the driver raises, which used to be a 500), and the other C0
control characters are never typed by a person, cannot appear in an XML document (Open311) and only hide text.
So a request whose query string, form, or URL carries one — in a value or in a name — is answered with a 400 and the
usual error page (the API's own error format under an API prefix), and nothing changes. Tab, newline and carriage
return are ordinary text.
"""
from __future__ import annotations

import re

from flask import Flask, request
from flask_babel import gettext as _

from app.web.errors import render_error

#: C0 control characters except tab, newline and carriage return
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _offending_name() -> str | None:
    """The name of the first query, form or URL value that holds a control character (in its name or value)."""
    sources = [request.args]
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sources.append(request.form)
    for source in sources:
        for key, values in source.lists():
            if CONTROL.search(key) or any(CONTROL.search(v) for v in values if isinstance(v, str)):
                return key
    for key, value in (request.view_args or {}).items():
        if isinstance(value, str) and CONTROL.search(value):
            return key
    return None


def refuse_control_characters():
    name = _offending_name()
    if name is None:
        return None
    return render_error(400, _("The text cannot be saved"),
                        _("The text contains characters that cannot be saved. Please remove them and try again."),
                        field=CONTROL.sub("", name)[:60] or None)


def init_input_checks(app: Flask) -> None:
    app.before_request(refuse_control_characters)
