"""Error pages in the user's language; a small fragment for htmx requests; never a stack trace."""
from __future__ import annotations

from flask import Flask, current_app, jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.web.htmx import render_page


def _wants_json() -> bool:
    return request.path.startswith("/open311/v2/") or request.path == "/healthz"


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


def render_error(code: int, title: str | None = None, detail: str | None = None):
    default_title, default_detail = _messages(code)
    if _wants_json():
        return jsonify([{"code": code, "description": detail or default_detail}]), code
    return render_page("errors/error.html", "errors/_error.html", code=code,
                       title=title or default_title, detail=detail or default_detail), code


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render_error(400, _("This form has expired"),
                            _("For your safety forms expire after a while. Go back, reload the page and submit again. "
                              "Nothing was changed."))

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        if e.code and e.code < 400:
            return e
        return render_error(e.code or 500)

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if current_app.testing and current_app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise e
        return render_error(500)
