"""Accounts, sign-in and scoped roles."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)


@bp.before_app_request
def _replace_temporary_password():
    """Someone signed in with a temporary password (made by staff) sets their own before doing anything else."""
    from flask import redirect, request, url_for
    from flask_babel import gettext as _
    from flask_login import current_user

    from app.web.htmx import notify

    if not getattr(current_user, "is_authenticated", False) or not current_user.must_change_password:
        return None
    if request.endpoint in EXEMPT_ENDPOINTS or request.endpoint is None or request.blueprint in ("open311",):
        return None
    if request.method == "GET":
        notify(_("Please choose your own password now: the one you were given is temporary."), "info")
    return redirect(url_for("accounts.password"), 303)


#: what a person with a temporary password may still reach
EXEMPT_ENDPOINTS = frozenset({"accounts.password", "accounts.logout", "web.set_language", "static", "web.healthz",
                              "uploads.serve"})
