"""People administration: /users/ — the list, a new account, a person's page, roles, password, (de)activation.

Thin: load → authorise (403 for someone who manages nobody, 404 for a person outside one's reach, 403 for an
action one may not take on a person one sees) → ``perform`` (service → commit once → notify → 303). A temporary
password is shown on the person's page once: the session carries only the slip it is made from
(``services.temporary_password``), and the slip is gone after that view.
"""
from __future__ import annotations

from flask import abort, current_app, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import bp
from app.accounts import policy as p
from app.accounts.forms import GrantRoleForm, PersonForm
from app.accounts.models import AREA_ROLES, ORG_ROLES, ROLE_LABELS, ROLE_LEVEL, ROLES, User
from app.accounts.queries import LIST_OPTIONS, clean_query, grantable_organisations, home_names, people_page
from app.accounts.scope import STAFF_ROLES, is_city_admin, role_areas
from app.accounts.services import (
    MOBILE_HAS_ACCOUNT,
    AccountError,
    RoleAlreadyHeld,
    account_just_created_by,
    check_new_account,
    check_role_scope,
    create_person,
    deactivate_user,
    grant_person_role,
    new_slip,
    reactivate_user,
    reset_password,
    revoke_role,
    temporary_password,
)
from app.areas.models import LEVELS, Area
from app.areas.queries import city_area
from app.areas.services import picker_from_values
from app.extensions import db, limiter
from app.organisations.models import Organisation
from app.web.actions import authorise, load, perform, pop_refusal
from app.web.forms import EmptyForm, show_errors
from app.web.htmx import notify, wants_fragment
from app.web.params import parse_id

TEMP_KEY = "people_temp_password"


def _require_people_admin() -> None:
    authorise(p.can_manage_people(current_user))


def _load_person(user_id: int) -> User:
    _require_people_admin()
    return load(User, user_id, p.can_view_person, options=LIST_OPTIONS)


def _role_choices(first_label: str) -> list[tuple[str, str]]:
    return [("", first_label)] + [(r, str(ROLE_LABELS[r])) for r in p.grantable_roles(current_user)]


def _grantable_organisations() -> list[Organisation]:
    return grantable_organisations(current_user)


def _org_choices(orgs: list[Organisation]) -> list[tuple[str, str]]:
    return [("", _("— choose —"))] + [(str(o.id), o.name) for o in orgs]


def _picked(picker: list[dict]) -> dict[str, int | None]:
    """level → chosen area id in the cascading picker (a forged id that does not fit the chain is already dropped)."""
    return {row["level"]: row["chosen"] for row in picker}


def _role_place(role: str, picker: list[dict], organisation_raw) -> tuple[Area | None, Organisation | None]:
    """Where the role will be held: the picker's choice at the role's level, or the chosen organisation."""
    if role in ORG_ROLES:
        org_id = parse_id(organisation_raw)
        return None, (db.session.get(Organisation, org_id) if org_id else None)
    if role not in ROLE_LEVEL:  # city admin (no place) or unknown (the service says so)
        return None, None
    picked = _picked(picker)
    for level in reversed(LEVELS):
        if level in ROLE_LEVEL[role] and picked.get(level):
            return db.session.get(Area, picked[level]), None
    if "city" in ROLE_LEVEL[role] and is_city_admin(current_user):
        return city_area(), None
    return None, None


def _check_grant(role: str, area: Area | None, organisation: Organisation | None) -> dict:
    """field → message for a role that cannot be granted as chosen (empty when it can)."""
    if role not in ROLES or role not in p.grantable_roles(current_user):
        return {"role": _("Choose a role from the list.")}
    try:
        area, organisation = check_role_scope(role, area, organisation)
    except AccountError as e:
        return {e.field: e.message}
    if not p.can_grant_role(current_user, role, area, organisation):
        field = "organisation_id" if role in ORG_ROLES else "area_id"
        return {field: _("You cannot grant this role there: choose a place within your own area.")
                if field == "area_id" else _("You can grant this role only in your own organisation.")}
    return {}


def _hold_slip(user: User, slip: str) -> None:
    """The slip of a temporary password just made, for the next view of the person's page (never the password)."""
    session[TEMP_KEY] = {"user_id": user.id, "slip": slip}


def _take_password(user: User) -> str | None:
    """The temporary password, once: its slip is removed from the session as it is shown."""
    held = session.get(TEMP_KEY)
    if not isinstance(held, dict) or held.get("user_id") != user.id:
        return None
    session.pop(TEMP_KEY, None)
    slip = held.get("slip")
    return temporary_password(slip) if isinstance(slip, str) and slip else None


def _no_store(body, status: int = 200):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- list


@bp.get("/users/")
@login_required
def people():
    _require_people_admin()
    q = clean_query(request.args.get("q"))
    role = request.args.get("role") if request.args.get("role") in ROLES else ""
    size = int(current_app.config.get("PEOPLE_PAGE_SIZE") or current_app.config.get("PAGE_SIZE", 20))
    page = people_page(current_user, q=q, role=role or None, cursor=request.args.get("after"), size=size)
    filters = {k: v for k, v in {"q": q, "role": role}.items() if v}
    next_url = url_for("accounts.people", **filters, after=page.next_cursor) if page.has_more else None
    ctx = dict(page=page, next_url=next_url, q=q, role=role, homes=home_names(page.items),
               first_page=not request.args.get("after"), filtered=bool(filters))
    if wants_fragment():
        return _no_store(render_template("accounts/_people_items.html", **ctx))
    return _no_store(render_template("accounts/people.html", roles=ROLES, **ctx))


# ---------------------------------------------------------------- new account


def _new_person_errors(form: PersonForm, picker: list[dict]) -> tuple[dict, dict]:
    """(errors, place): every problem of the form at once, and where the home and the role go."""
    errors = check_new_account(form.display_name.data, form.username.data, form.mobile.data)
    home_id = _picked(picker).get("microgrid")
    home = db.session.get(Area, home_id) if home_id else None
    role = form.role.data or ""
    area = organisation = None
    if home is not None and not p.can_give_home(current_user, home):
        errors["area_id"] = _("You can only add people who live in your area: choose a micro-grid there.")
    if role:
        area, organisation = _role_place(role, picker, form.organisation_id.data)
        errors.update({k: v for k, v in _check_grant(role, area, organisation).items() if k not in errors})
    if not errors and not p.would_look_after(current_user, home, role, area, organisation):
        errors["role"] = _("Choose a micro-grid in your area, or give them a role you can grant: otherwise they "
                           "would be outside the people you look after.")
    return errors, {"home": home, "role": role, "area": area, "organisation": organisation}


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["PEOPLE_TAKEN_LIMIT"], methods=["POST"], scope="people-taken",
               key_func=lambda: f"people-taken:{current_user.get_id()}",
               deduct_when=lambda r: bool(g.get("mobile_has_account")))
def person_new():
    _require_people_admin()
    form = PersonForm()
    form.role.choices = _role_choices(_("No role for now"))
    orgs = _grantable_organisations()
    form.organisation_id.choices = _org_choices(orgs)
    if request.method == "GET" and len(orgs) == 1 and not is_city_admin(current_user):
        form.organisation_id.data = str(orgs[0].id)  # an agency admin of one branch: that branch
    values = request.form if request.method == "POST" else request.args
    if request.method == "GET" and not values.get("street"):
        # start from where the actor works: a community staff member sees their community's grids at once
        top = min(role_areas(current_user, STAFF_ROLES), key=lambda a: a.depth, default=None)
        if top is not None:
            values = {a.level: a.id for a in top.lineage()}
    picker = picker_from_values(values)
    area_error = None
    if request.method == "POST" and request.form.get("action") != "pick":
        valid = form.validate_on_submit()
        # every problem at once: the form's own checks and the account's (taken, outside one's area …)
        errors, place = _new_person_errors(form, picker)
        g.mobile_has_account = errors.get("mobile") is MOBILE_HAS_ACCOUNT
        just_made = account_just_created_by(current_user, form.display_name.data, form.username.data,
                                            form.mobile.data) if valid and errors else None
        if just_made is not None:  # "create" pressed twice: the first press made the account
            db.session.rollback()
            notify(_("The account of %(name)s is ready.", name=just_made.display_name), "info")
            return redirect(url_for("accounts.person", user_id=just_made.id), 303)
        if valid and not errors:
            slip = new_slip()
            try:
                user, _password = create_person(
                    actor=current_user._get_current_object(), display_name=form.display_name.data,
                    username=form.username.data, mobile=form.mobile.data, home_area=place["home"],
                    role=place["role"] or None, role_area=place["area"], role_organisation=place["organisation"],
                    slip=slip)
            except AccountError as e:
                db.session.rollback()
                errors = e.errors
            else:
                db.session.commit()
                _hold_slip(user, slip)
                notify(_("The account of %(name)s is ready.", name=user.display_name))
                return redirect(url_for("accounts.person", user_id=user.id), 303)
        db.session.rollback()
        area_error = _show(form, {k: v for k, v in errors.items()
                                  if not getattr(getattr(form, k, None), "errors", None)})
    return render_template("accounts/person_new.html", form=form, picker=picker, orgs=orgs, area_error=area_error)


def _show(form, errors: dict) -> str | None:
    """Put messages under their fields; the picker's (``area_id``, not a form field) is returned to show by it."""
    errors = dict(errors)
    area_error = errors.pop("area_id", None)
    if errors:
        show_errors(form, AccountError.several(errors))
    return str(area_error) if area_error else None


# ---------------------------------------------------------------- a person's page


def _render_person(user: User, *, grant_form: GrantRoleForm | None = None, picker=None, error: str | None = None,
                   area_error: str | None = None, temp_password: str | None = None, status: int = 200):
    manage = p.can_manage_user(current_user, user)
    if grant_form is None and manage:
        grant_form = GrantRoleForm(formdata=None)
    orgs: list[Organisation] = []
    if grant_form is not None:
        grant_form.role.choices = _role_choices(_("— choose —"))
        orgs = _grantable_organisations()
        grant_form.organisation_id.choices = _org_choices(orgs)
        if len(orgs) == 1 and not grant_form.organisation_id.data:
            grant_form.organisation_id.data = str(orgs[0].id)
    if picker is None and manage:
        picker = picker_from_values({}, area=user.home_area)
    roles = sorted(user.roles, key=lambda r: (ROLES.index(r.role), r.id))
    return _no_store(render_template(
        "accounts/person.html", person=user, roles=roles, manage=manage, grant_form=grant_form, picker=picker,
        orgs=orgs, error=error, area_error=area_error, temp_password=temp_password,
        can_grant=bool(p.grantable_roles(current_user)),
        grant_on_areas=any(r in AREA_ROLES for r in p.grantable_roles(current_user)),
        show_mobile=p.can_see_mobile(current_user, user), action_form=EmptyForm(),
    ), status)


@bp.get("/users/<int:user_id>")
@login_required
def person(user_id: int):
    user = _load_person(user_id)
    refusal = pop_refusal(user)
    return _render_person(user, temp_password=_take_password(user), error=refusal.message if refusal else None)


@bp.post("/users/<int:user_id>/roles")
@login_required
def person_grant(user_id: int):
    user = _load_person(user_id)
    if not p.can_manage_user(current_user, user) or not p.grantable_roles(current_user):
        abort(403)
    form = GrantRoleForm()
    form.role.choices = _role_choices(_("— choose —"))
    form.organisation_id.choices = _org_choices(_grantable_organisations())
    picker = picker_from_values(request.form)
    if request.form.get("action") == "pick" or not form.validate_on_submit():
        return _render_person(user, grant_form=form, picker=picker)
    role = form.role.data or ""
    area, organisation = _role_place(role, picker, form.organisation_id.data) if role in ROLES else (None, None)
    errors = _check_grant(role, area, organisation)
    if not errors:
        try:
            grant_person_role(current_user._get_current_object(), user, role, area=area, organisation=organisation)
        except RoleAlreadyHeld as e:  # e.g. "grant" pressed twice: the first press did it
            db.session.rollback()
            notify(str(e.message), "info")
            return redirect(url_for("accounts.person", user_id=user.id), 303)
        except AccountError as e:
            errors = e.errors
        else:
            db.session.commit()
            notify(_("%(name)s is now %(role)s.", name=user.display_name, role=ROLE_LABELS[role]))
            return redirect(url_for("accounts.person", user_id=user.id), 303)
    db.session.rollback()
    area_error = _show(form, errors)
    return _render_person(user, grant_form=form, picker=picker, area_error=area_error)


def _person_action(user: User, action: str, allowed, do, done: str):
    """One change to a person's account through ``perform``: a refusal goes back to their page with the reason."""
    return perform(user, action=action, allowed=allowed, do=do, done=done,
                   page=url_for("accounts.person", user_id=user.id), anchor="refused",
                   render=lambda u, refusal=None: _render_person(u, error=refusal.message if refusal else None))


@bp.post("/users/<int:user_id>/roles/<int:rid>/revoke")
@login_required
def person_revoke(user_id: int, rid: int):
    user = _load_person(user_id)
    assignment = next((ra for ra in user.roles if ra.id == rid), None)
    if assignment is None:
        abort(404)
    return _person_action(
        user, "revoke", lambda actor, _u: p.can_revoke_role(actor, assignment),
        lambda u, _f: revoke_role(current_user._get_current_object(), assignment),
        _("%(name)s no longer holds the role %(role)s.", name=user.display_name, role=assignment.role_label))


@bp.post("/users/<int:user_id>/password")
@login_required
def person_reset_password(user_id: int):
    user = _load_person(user_id)
    slip = new_slip()

    def reset(u: User, _form) -> None:
        reset_password(current_user._get_current_object(), u, slip)
        _hold_slip(u, slip)  # shown on their page once the change is committed

    return _person_action(user, "reset-password", p.can_reset_password, reset, _(
        "A new temporary password is ready. %(name)s has been signed out everywhere.", name=user.display_name))


@bp.post("/users/<int:user_id>/deactivate", endpoint="person_deactivate", defaults={"active": False})
@bp.post("/users/<int:user_id>/reactivate", endpoint="person_reactivate", defaults={"active": True})
@login_required
def person_activation(user_id: int, active: bool):
    user = _load_person(user_id)
    if active:
        return _person_action(user, "reactivate", p.can_reactivate_user,
                              lambda u, _f: reactivate_user(current_user._get_current_object(), u),
                              _("The account of %(name)s is active again.", name=user.display_name))
    return _person_action(user, "deactivate", p.can_deactivate_user,
                          lambda u, _f: deactivate_user(current_user._get_current_object(), u),
                          _("The account of %(name)s is deactivated: they can no longer sign in.",
                            name=user.display_name))
