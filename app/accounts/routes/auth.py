"""Signing in and out, registering, one's own password and the temporary-password gate."""
from __future__ import annotations

from flask import current_app, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh as refresh_locale
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.widgets import PasswordInput

from app.accounts import bp
from app.accounts.forms import ChangePasswordForm, LoginForm, RegisterForm
from app.accounts.scope import assignments
from app.accounts.services import (
    AccountError,
    MobileTaken,
    authenticate,
    change_password,
    find_by_login,
    register_resident,
)
from app.areas.models import Area
from app.areas.services import picker_from_values
from app.extensions import db, limiter
from app.web.access import always_reachable, is_always_reachable
from app.web.forms import EmptyForm, show_errors
from app.web.htmx import notify
from app.web.params import parse_id
from app.web.routes import home_url, safe_next


def _login_account_key() -> str:
    """One budget per account, whether it is typed as username or as mobile number; unknown names count as typed."""
    typed = (request.form.get("username") or "").strip()
    user = find_by_login(typed[:64]) if typed else None
    if user is not None:
        return f"login-account:user:{user.id}"
    return "login-account:typed:" + typed.lower()[:64]


def _login_ip_key() -> str:
    return "login-ip:" + (request.remote_addr or "unknown")


def _failed(response) -> bool:
    """Only failed attempts count towards the throttle; a successful sign-in redirects."""
    return response.status_code != 303


@bp.route("/auth/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], key_func=_login_ip_key, methods=["POST"],
               deduct_when=_failed, scope="login-ip")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_login_account_key,
               methods=["POST"], deduct_when=_failed, scope="login-account")
def login():
    if current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            _adopt_language(user)
            db.session.commit()
            notify(_("Welcome, %(name)s.", name=user.display_name))
            return redirect(safe_next(form.next.data, home_url()), 303)
        # one message whether the account exists or not: no user enumeration
        error = _("The username/mobile number or the password is not correct.")
    return render_template("accounts/login.html", form=form, error=error)


def _adopt_language(user) -> None:
    """A language chosen on this device before signing in is kept (and remembered for the account); otherwise the
    account's saved language applies from this response on — error pages and the welcome message included."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        user.locale = chosen
    elif user.locale in languages:
        session["lang"] = user.locale
    refresh_locale()


@bp.post("/auth/logout")
@always_reachable
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        notify(_("You have signed out."), "info")
    return redirect(home_url(), 303)


def _register_ip_key() -> str:
    return "register:" + (request.remote_addr or "")


@bp.route("/auth/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_IP"], methods=["POST"], key_func=_register_ip_key,
               deduct_when=lambda r: r.status_code == 303, scope="register")
# "this number is already registered" tells whether a number has an account: that answer is rationed per IP
@limiter.limit(lambda: current_app.config["REGISTER_TAKEN_LIMIT_PER_IP"], methods=["POST"],
               key_func=_register_ip_key, deduct_when=lambda r: bool(g.get("mobile_taken")), scope="register-taken")
def register():
    if current_user.is_authenticated:
        return redirect(home_url())
    form = RegisterForm()
    values = request.form if request.method == "POST" else request.args
    picker = picker_from_values(values)
    area_error = None
    picking = request.method == "POST" and request.form.get("action") == "pick"
    if picking:
        # "Show the next list" (no-JS area picker) re-renders the form without validating it: the page is the form
        # still being filled in, so what was typed in the password fields goes back into them (the response is
        # never stored: see _password_page). A refused submit never echoes a password: the field says so instead.
        form.password.widget = form.confirm.widget = PasswordInput(hide_value=False)
    if request.method == "POST" and not picking:
        area_id = parse_id(request.form.get("area_id"))
        area = db.session.get(Area, area_id) if area_id else None
        if form.validate_on_submit():
            try:
                user = register_resident(mobile=form.mobile.data, display_name=form.display_name.data,
                                         password=form.password.data, home_area=area, username=form.username.data)
            except AccountError as e:
                db.session.rollback()
                g.mobile_taken = isinstance(e, MobileTaken)
                if e.field == "area_id":
                    area_error = str(e.message)
                else:
                    getattr(form, e.field or "mobile").errors.append(str(e.message))
            else:
                db.session.commit()
                login_user(user)
                notify(_("Your account is ready. Welcome!"))
                return redirect(home_url(), 303)
        elif area is None or area.level != "microgrid":
            area_error = _("Choose the micro-grid where you live.")
    typed = bool(request.form.get("password") or request.form.get("confirm"))
    return _password_page(render_template("accounts/register.html", form=form, picker=picker, area_error=area_error,
                                          retype=request.method == "POST" and not picking and typed))


def _password_page(body):
    """A page whose form holds passwords is never cached (nor kept for the back button by a shared computer)."""
    response = make_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/auth/password", methods=["GET", "POST"])
@always_reachable
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"], scope="password",
               key_func=lambda: f"password:{current_user.get_id()}", deduct_when=lambda r: r.status_code != 303)
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user._get_current_object(), form.current_password.data, form.new_password.data)
        except AccountError as e:
            db.session.rollback()
            show_errors(form, e)
        else:
            db.session.commit()
            # the session id changed with auth_version: sign this session in again, the others drop out
            login_user(current_user._get_current_object())
            notify(_("Your password has been changed. Other devices are signed out."))
            return redirect(url_for("accounts.me"), 303)
    typed = request.method == "POST" and any(request.form.get(f) for f in ("current_password", "new_password",
                                                                          "confirm"))
    return _password_page(render_template("accounts/password.html", form=form, retype=typed))


@bp.get("/me")
@login_required
def me():
    return render_template("accounts/me.html", roles=assignments(current_user))


@bp.before_app_request
def _replace_temporary_password():
    """Someone signed in with a temporary password (made by staff) sets their own before doing anything else."""
    # the view first: static files and the API never load the signed-in user for this
    if is_always_reachable():
        return None
    if not getattr(current_user, "is_authenticated", False) or not current_user.must_change_password:
        return None
    if request.method == "GET":
        notify(_("Please choose your own password now: the one you were given is temporary."), "info")
    return redirect(url_for("accounts.password"), 303)

