"""Versioned static URLs (?v=<content hash>) so static files can be cached for a year."""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, request, url_for

_hashes: dict[tuple[str, float], str] = {}


def asset_url(filename: str) -> str:
    path = Path(current_app.static_folder) / filename
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return url_for("static", filename=filename)
    key = (filename, mtime)
    if key not in _hashes:
        _hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return url_for("static", filename=filename, v=_hashes[key])


def init_assets(app: Flask) -> None:
    app.jinja_env.globals["asset_url"] = asset_url

    @app.after_request
    def cache_static(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            if request.args.get("v"):
                response.cache_control.public = True
                response.cache_control.max_age = 31536000
                response.cache_control.immutable = True
            else:
                response.cache_control.max_age = 3600
        return response
