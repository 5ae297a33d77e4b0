"""Error pages in the user's language; a small fragment for htmx requests; never a stack trace.

An API answers errors in its own format, also for errors raised before any of its views runs (no such URL, a
method the URL does not accept, input refused by ``app.web.input``): it registers a renderer for its path prefix
with ``register_api_errors`` (Open311 does, in app/open311/routes.py), so this module imports no domain.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, jsonify, make_response, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.web.htmx import render_page

#: renderer(status, description or None for the API's own default, the HTTPException or None) → Response
ApiErrorRenderer = Callable[[int, "str | None", "HTTPException | None"], Response]
_API_RENDERERS: dict[str, ApiErrorRenderer] = {}


def register_api_errors(prefix: str, renderer: ApiErrorRenderer) -> None:
    """Errors on paths under ``prefix`` (e.g. ``/open311/v2/``) are answered by ``renderer``."""
    _API_RENDERERS[prefix] = renderer


def _api_renderer() -> ApiErrorRenderer | None:
    for prefix, renderer in _API_RENDERERS.items():
        if request.path.startswith(prefix):
            return renderer
    return None


def _messages(code: int) -> tuple[str, str]:
    return {
        400: (_("Something in the request was not right"), _("Please go back, check what you entered and try again.")),
        403: (_("You may not do this"), _("Your account does not have the role needed for this page or action. "
                                          "If you think it should, ask your community office.")),
        404: (_("Page not found"), _("The page or item does not exist, or it is not visible to you.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        413: (_("The upload is too large"), _("Each photo may be at most 5 MB. Please choose a smaller one.")),
        429: (_("Too many attempts"), _("For your account's safety, please wait a few minutes and try again.")),
        500: (_("Something went wrong on our side"), _("Nothing was changed. Please try again in a moment; "
                                                       "if it keeps happening, tell your community office.")),
    }.get(code, (_("Something went wrong"), _("Please try again.")))


def render_error(code: int, title: str | None = None, detail: str | None = None, *, field: str | None = None,
                 error: HTTPException | None = None) -> Response:
    """The error page (or the API's error document) with status ``code``. ``field`` names the request value the
    problem is about; an API shows it (its parameter names are public), a page does not."""
    renderer = _api_renderer()
    if renderer is not None:
        description = f"{field}: {detail}" if field and detail else detail
        return renderer(code, description, error)
    default_title, default_detail = _messages(code)
    if request.path == "/healthz":
        return make_response(jsonify([{"code": code, "description": detail or default_detail}]), code)
    return make_response(render_page("errors/error.html", "errors/_error.html", code=code,
                                     title=title or default_title, detail=detail or default_detail), code)


def _with_allow(response: Response, e: HTTPException) -> Response:
    """A 405 says which methods the URL accepts (RFC 9110), whoever rendered it."""
    valid = getattr(e, "valid_methods", None)
    if e.code == 405 and valid:
        response.headers["Allow"] = ", ".join(valid)
    return response


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render_error(400, _("This form has expired"),
                            _("For your safety forms expire after a while. Go back, reload the page and submit again. "
                              "Nothing was changed."), error=e)

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        if e.code and e.code < 400:
            return e
        return _with_allow(render_error(e.code or 500, error=e), e)

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if current_app.testing and current_app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise e
        return render_error(500)
