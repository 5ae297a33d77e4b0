from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import current_app, has_request_context, jsonify, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from app.accounts.scope import assignments, role_areas
from app.extensions import db
from app.web import bp
from app.web.access import always_reachable
from app.web.forms import EmptyForm
from app.web.home import cards_for, place_names
from app.web.htmx import render_page


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only same-site relative paths are followed after login or a language switch.

    A control character (CR/LF above all: it cannot go into a ``Location`` header, and a browser ignores a tab or
    newline inside a URL, so ``/\t/evil.example`` would be ``//evil.example``) or a line separator is never part of
    a path we wrote: the fallback is used instead."""
    if not target or not isinstance(target, str):
        return fallback
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


def home_url() -> str:
    """The portal's front page (where a domain sends someone who has nothing else to see)."""
    return url_for("web.home")


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for API answers and links sent out of the portal: ``PUBLIC_BASE_URL`` + the path when the
    deployment sets its address (the request's Host header — anybody's to send — is then never reflected), the
    request's own address otherwise (then ``TRUSTED_HOSTS`` should restrict it; production warns at start)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values)
    root = request.script_root if has_request_context() else ""
    if root and path.startswith(root + "/"):
        path = path[len(root):]  # the base URL already names where the portal is mounted
    return base + path


@bp.get("/")
def home():
    cards = cards_for(current_user) if current_user.is_authenticated else []
    roles = assignments(current_user) if current_user.is_authenticated else []
    # a mobile sentinel opens the portal to report a hazard in seconds: that button comes first
    sentinel = bool(role_areas(current_user, "sentinel")) if current_user.is_authenticated else False
    home_name, scope_names = place_names(current_user, roles) if current_user.is_authenticated else (None, {})
    return render_page("web/home.html", cards=cards, roles=roles, sentinel=sentinel, home_name=home_name,
                       scope_names=scope_names)


@bp.get("/healthz")
@always_reachable
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok")
    except Exception:  # noqa: BLE001 — the health check reports, it does not raise
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503


@bp.post("/lang")
@always_reachable
def set_language():
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("web.home"), 303)
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("web.home")), 303)


