"""Rendered fragments remembered by everything they show.

A list page renders the same partial for each of its rows (a wish's card on the wall: twenty per page, the same twenty
for everyone who opens the wall until one of them changes). ``FragmentCache`` keeps the HTML of a partial under a key
the caller builds from *every* value the partial reads — the row's shown columns, the viewer's buttons — plus what the
request adds to any page (the language, the address prefix). A changed row is a new key, so nothing is ever stale and
nothing needs to be thrown away; the oldest keys fall out when the cache is full (a few thousand fragments, a few MB
per worker). A fragment with a form in it carries the session's CSRF token (signed with the time): it is kept with a
placeholder where the token was, and served with the token of the request that asks (``with_token=True``). Off in
debug mode, where templates change under it.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

#: fragments kept per worker process
DEFAULT_SIZE = 4096
#: where a remembered fragment had the CSRF token of the request that drew it (no token can contain it: tokens are
#: URL-safe base64 and dots)
TOKEN_PLACEHOLDER = "\x00csrf\x00"


class FragmentCache:
    def __init__(self, template: str, size: int = DEFAULT_SIZE) -> None:
        self.template = template
        self.size = size
        self._html: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()  # a threaded worker's requests share it

    def render(self, key: Hashable | None, *, with_token: bool = False, **context) -> Markup:
        """The partial rendered with ``context``; remembered under ``key`` (``None``: not remembered).
        ``with_token``: the partial holds a form; the session's CSRF token is put in each time it is served."""
        app = current_app._get_current_object()
        if key is None or app.debug or app.jinja_env.auto_reload:
            return Markup(render_template(self.template, **context))
        token = generate_csrf() if with_token else None
        full = (str(get_locale()), request.script_root, with_token, key)
        with self._lock:
            html = self._html.get(full)
            if html is not None:
                self._html.move_to_end(full)
        if html is None:
            drawn = Markup(render_template(self.template, **context))
            html = Markup(drawn.replace(token, TOKEN_PLACEHOLDER)) if token else drawn
            with self._lock:
                self._html[full] = html
                if len(self._html) > self.size:
                    self._html.popitem(last=False)
            return drawn
        return Markup(html.replace(TOKEN_PLACEHOLDER, token)) if token else html
