"""GeoReport v2 endpoints (thin: parse → georeport → render) and the API-key administration pages."""
from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.extensions import client_ip, csrf, db, limiter, reads_replica
from app.open311 import (
    admin,  # noqa: F401 — the key administration pages attach to admin_bp
    bp,
)
from app.open311 import georeport as geo
from app.open311.formats import render, render_errors
from app.open311.georeport import ApiError
from app.open311.models import hash_key
from app.open311.services import find_key, touch_key
from app.web.errors import register_api_errors
from app.web.routes import external_url

FMT = "<any(json,xml):fmt>"

# API clients authenticate with api_key, not with a session cookie: no CSRF token on this blueprint
csrf.exempt(bp)


def _ip_key() -> str:
    return "open311-ip:" + client_ip()


def _api_key_key() -> str:
    return "open311-key:" + hash_key((request.form.get("api_key") or "").strip())[:32]


def _no_api_key() -> bool:
    return request.method != "POST" or not (request.form.get("api_key") or "").strip()


#: every API request counts against its IP address, all endpoints together
per_ip = limiter.shared_limit(lambda: current_app.config.get("OPEN311_LIMIT_PER_IP", "300 per minute"),
                              scope="open311-ip", key_func=_ip_key)
#: POSTs also count against their API key, wherever they come from
per_key = limiter.limit(lambda: current_app.config.get("OPEN311_LIMIT_PER_KEY", "60 per minute"),
                        key_func=_api_key_key, scope="open311-key", exempt_when=_no_api_key)


@bp.after_request
def allow_cross_origin(response):
    """Public read access from other sites' pages (city dashboards, third-party apps), as Open311 servers do.

    The API never reads the session cookie (POSTs carry ``api_key``), so any origin may call it; no credentials.
    """
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _fmt() -> str:
    fmt = (request.view_args or {}).get("fmt")
    if fmt in ("json", "xml"):
        return fmt
    return "xml" if request.path.endswith(".xml") else "json"


@bp.errorhandler(ApiError)
def api_error(e: ApiError):
    db.session.rollback()
    return render_errors(_fmt(), e.status, [(e.status, e.description)])


def error_response(code: int, description: str | None = None, error: HTTPException | None = None):
    """The spec's error document for ``code``, JSON or XML by the URL's suffix. Also registered with the web layer,
    so errors raised before any view of this blueprint runs (no such URL, a method the URL does not accept,
    input refused by app.web.input) are answered in the same shape."""
    if description is None:
        if code == 429:
            description = _("Too many requests (limit: %(limit)s). Please wait a minute and try again.",
                            limit=getattr(error, "description", ""))
        elif code == 404:
            description = _("Not found.")
        elif code == 405:
            description = _("This URL does not accept the %(method)s method.", method=request.method)
        elif code == 413:
            description = _("The request is too large.")
        elif code >= 500:
            description = _("Something went wrong on our side; nothing was changed. Please try again later.")
        else:
            description = _("The request is not valid.")
    response = render_errors(_fmt(), code, [(code, description)])
    valid = getattr(error, "valid_methods", None)
    if code == 405 and valid:
        response.headers["Allow"] = ", ".join(valid)
    return response


register_api_errors(bp.url_prefix + "/", error_response)


@bp.errorhandler(HTTPException)
def http_error(e: HTTPException):
    db.session.rollback()
    return error_response(e.code or 400, error=e)


@bp.get(f"/discovery.{FMT}")
@per_ip
def discovery(fmt: str):
    return render(fmt, "discovery", geo.discovery())


@bp.get(f"/services.{FMT}")
@per_ip
def services(fmt: str):
    return render(fmt, "services", [geo.service(c) for c in geo.api_categories()])


@bp.get(f"/services/<service_code>.{FMT}")
@per_ip
def service_def(service_code: str, fmt: str):
    category = geo.find_category(service_code)
    if category is None:
        raise ApiError(404, _("service_code %(code)s was not found. GET services.json lists the codes.",
                              code=service_code[:40]))
    return render(fmt, "service_definition", geo.service_definition(category))


@bp.route(f"/requests.{FMT}", methods=["GET", "POST"])
@per_ip
@per_key
def requests(fmt: str):
    if request.method == "GET":
        return _list_requests(fmt)
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise ApiError(400, _("Send the request as application/x-www-form-urlencoded, as the GeoReport v2 "
                              "specification says."))
    raw_key = (request.form.get("api_key") or "").strip()
    if not raw_key:
        raise ApiError(403, _("api_key is required to create a service request."))
    key = find_key(raw_key)
    if key is None:
        raise ApiError(403, _("Invalid or revoked api_key -- can't create the service request."))
    issue, record = geo.create_request(request.form, key)
    touch_key(key)
    db.session.commit()
    response = render(fmt, "service_requests", [{
        "service_request_id": str(issue.id),
        "service_notice": geo.service_notice(issue.category),
        "account_id": record.account_id,
    }], status=201)
    response.headers["Location"] = external_url("open311.request_doc", service_request_id=issue.id, fmt=fmt)
    response.headers["X-Open311-Token"] = record.token
    return response


@reads_replica
def _list_requests(fmt: str):
    return render(fmt, "service_requests", geo.list_requests(request.args))


@bp.get(f"/requests/<service_request_id>.{FMT}")
@per_ip
def request_doc(service_request_id: str, fmt: str):
    return render(fmt, "service_requests", geo.get_request(service_request_id))


@bp.get(f"/tokens/<token>.{FMT}")
@per_ip
def token_doc(token: str, fmt: str):
    return render(fmt, "service_requests", geo.find_token(token))
