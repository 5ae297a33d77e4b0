"""Partial vs full page, toasts, and the Vary header — the htmx conventions every page shares.

A non-boosted htmx request gets the fragment; anything else (a plain request, a boosted navigation, a URL
opened directly) gets the full page. Responses that differ by this carry ``Vary: HX-Request``.
"""
from __future__ import annotations

import json

from flask import Response, flash, g, render_template, request

from app.extensions import htmx


def wants_fragment() -> bool:
    return bool(htmx) and not htmx.boosted and request.headers.get("HX-History-Restore-Request") != "true"


def render_page(template: str, fragment: str | None = None, **context) -> str:
    """Render ``fragment`` for an htmx request that asked for part of a page, else the full ``template``."""
    if fragment is not None and wants_fragment():
        return render_template(fragment, **context)
    return render_template(template, **context)


def notify(message, category: str = "success") -> None:
    """Tell the user what happened: a flash for plain requests, an ``HX-Trigger`` toast for htmx ones."""
    if htmx:
        g.setdefault("_toasts", []).append({"message": str(message), "level": category})
    else:
        flash(str(message), category)


def finish_response(response: Response) -> Response:
    """after_request: Vary on HX-Request for pages; send queued toasts as an HX-Trigger event."""
    if response.mimetype == "text/html":
        response.vary.add("HX-Request")
    toasts = g.pop("_toasts", None)
    if toasts:
        trigger = {}
        existing = response.headers.get("HX-Trigger")
        if existing:
            try:
                trigger = json.loads(existing)
            except ValueError:
                trigger = {existing: None}
        trigger["toast"] = {"messages": toasts}
        # ensure_ascii keeps Chinese text inside the latin-1 header charset
        response.headers["HX-Trigger"] = json.dumps(trigger, ensure_ascii=True)
    return response
