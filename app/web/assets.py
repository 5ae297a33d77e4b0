"""Versioned static URLs (?v=<content hash>) so static files can be cached for a year.

A page links ``/static/app.css?v=<hash of the file>``. A request whose ``v`` is the hash of the file actually served is
answered ``public, max-age=31536000, immutable``: the browser keeps it for a year and never asks again (a changed file
gets a new URL). Anything else — no ``v``, or a ``v`` of another version (a page rendered by a worker that had not yet
seen the new file, during a deploy) — gets a short ``max-age`` and is revalidated with its ETag (a 304 without body).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, request, session, url_for
from werkzeug.security import safe_join

YEAR = 31536000
#: unversioned static URLs (e.g. a photo placeholder typed into CSS): cached briefly, then revalidated
SHORT_MAX_AGE = 300

_hashes: dict[tuple[str, float], str] = {}


def _file_hash(path: Path) -> str | None:
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    key = (str(path), mtime)
    if key not in _hashes:
        _hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return _hashes[key]


_urls: dict[tuple[str, str, str], str] = {}


def asset_url(filename: str) -> str:
    """``/static/<filename>?v=<hash>``. Outside debug mode a deployed file does not change while the process runs (a
    deploy restarts the workers), so each URL is built once per process; in debug mode the file is looked at again."""
    app = current_app._get_current_object()
    # only inside a request: outside one url_for builds an absolute URL from SERVER_NAME, which must not be served
    # to the pages that follow (nor a page's relative URL to a job)
    cacheable = not app.debug and bool(request)
    key = (filename, request.script_root if request else "", app.static_folder or "")
    if cacheable:
        url = _urls.get(key)
        if url is not None:
            return url
    digest = _file_hash(Path(app.static_folder) / filename)
    url = url_for("static", filename=filename) if digest is None else url_for("static", filename=filename, v=digest)
    if cacheable and digest is not None:
        _urls[key] = url
    return url


def _is_current_version() -> bool:
    """True when the request's ``v`` is the hash of the file this response carries."""
    version = request.args.get("v")
    filename = (request.view_args or {}).get("filename")
    if not version or not filename:
        return False
    joined = safe_join(current_app.static_folder, filename)
    return joined is not None and _file_hash(Path(joined)) == version


def cache_static(response):
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    cc = response.cache_control
    cc.no_cache = None  # send_file marks every file "no-cache" when SEND_FILE_MAX_AGE_DEFAULT is unset
    cc.public = True
    if _is_current_version():
        cc.max_age = YEAR
        cc.immutable = True
    else:
        cc.max_age = SHORT_MAX_AGE
        cc.immutable = False
    return response


def forget_session():
    """A static file does not depend on who asks: neither ``Vary: Cookie`` nor ``Set-Cookie`` on it. (Hooks that look
    at the signed-in user run for every request and touch the session; a changed session cookie would otherwise make
    the browser fetch its cached CSS and JS again, and shared caches refuse responses that set cookies.)"""
    if request.endpoint == "static":
        current = session._get_current_object()  # each read through the proxy marks the session accessed again
        current.modified = False
        current.accessed = False


def init_assets(app: Flask) -> None:
    app.jinja_env.globals["asset_url"] = asset_url
    app.after_request(cache_static)

    def _last(response):
        forget_session()
        return response

    # after_request functions run in reverse order of registration: first in the list runs last, after Flask-Login
    # has looked for its remember flag in the session
    app.after_request_funcs.setdefault(None, []).insert(0, _last)
