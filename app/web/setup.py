"""Wire the shared web layer into the app: login, errors, assets, headers, compression, template helpers."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, g
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf

from app import domains
from app.extensions import db, login_manager
from app.timeutil import to_local
from app.web.assets import init_assets
from app.web.compress import init_compression
from app.web.errors import init_error_handlers
from app.web.htmx import finish_response, wants_fragment
from app.web.input import init_input_checks
from app.web.security import init_security_headers


def _load_user(user_id: str):
    from app.accounts.models import User

    try:
        raw_id, version = user_id.split(".", 1)
        user = db.session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or not user.active or str(user.auth_version) != version:
        return None  # deactivated, or the password changed since this session began
    # the locale is read while the row is fresh: translating a message later must not need the database (after a
    # failed flush the session refuses every query until the route rolls back)
    g._user_locale = (user, user.locale)
    return user


def _expose_policies(app: Flask) -> None:
    for module in domains.modules("policy"):
        for attr in dir(module):
            if attr.startswith(("can_", "is_")) and callable(getattr(module, attr)):
                app.jinja_env.globals[attr] = getattr(module, attr)


#: the all-digit patterns the pages use, as strftime patterns: they read the same in every locale, so a list of
#: rows formats each time directly instead of asking Babel for the locale's calendar once per value
_NUMERIC_PATTERNS = {"yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M", "HH:mm": "%H:%M", "yyyy-MM-dd": "%Y-%m-%d"}


def _dt(value, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A naive-UTC time in the deployment's timezone (the ``dt`` filter)."""
    if not value:
        return ""
    pattern = _NUMERIC_PATTERNS.get(fmt)
    if pattern is None:
        return format_datetime(value, fmt)
    return to_local(value).strftime(pattern)


def _d(value, fmt: str = "yyyy-MM-dd") -> str:
    """A day (the ``d`` filter); a time is first put in the deployment's timezone."""
    if not value:
        return ""
    pattern = _NUMERIC_PATTERNS.get(fmt)
    if pattern is None:
        return format_date(value, fmt)
    return (to_local(value) if isinstance(value, datetime) else value).strftime(pattern)


def _time_span(start, end) -> str:
    """A time window for people: "2026-12-02 19:00–21:00" within one local day, both ends in full otherwise."""
    if not start or not end:
        return _dt(start or end) if (start or end) else ""
    if to_local(start).date() == to_local(end).date():
        return f"{_dt(start)}–{_dt(end, 'HH:mm')}"
    return f"{_dt(start)} – {_dt(end)}"


def init_web(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)

    # after_request functions run in reverse order of registration: compression is registered first so it
    # sees the final body and headers
    init_compression(app)
    init_error_handlers(app)
    init_input_checks(app)
    init_assets(app)
    init_security_headers(app)
    app.after_request(finish_response)

    from app.accounts.models import ROLE_LABELS
    from app.areas.models import STAFFING_LABELS, level_label

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        csrf_token=generate_csrf, level_label=level_label, wants_fragment=wants_fragment, get_locale=get_locale,
        role_label=lambda role: str(ROLE_LABELS.get(role, role)),
        post_label=lambda post: str(STAFFING_LABELS.get(post, post)),
    )
    app.jinja_env.filters["dt"] = _dt
    app.jinja_env.filters["d"] = _d
    app.jinja_env.filters["dt_span"] = _time_span
    _expose_policies(app)

    # every part a domain declares in app/domains.py: event payloads, subscribers of other domains' events (audit,
    # notifications …), home-page cards, notices, photo viewer checks, jobs and demo seeders — imported once here
    for part in ("events", "subscribers", "cards", "notices", "attachments", "jobs", "demo"):
        domains.modules(part)
