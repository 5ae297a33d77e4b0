"""Micro-wish pages. Thin: load → authorise (404 unseen, 403 not allowed) → service → commit once → notify/redirect."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.accounts.scope import STAFF_ROLES, area_scope, assignments, org_ids, role_areas
from app.areas.models import Area
from app.areas.services import full_names
from app.extensions import db, limiter
from app.timeline.services import entries_for
from app.timeutil import local_today
from app.uploads.services import UploadError, check_image, has_file
from app.web.forms import show_errors
from app.web.htmx import notify, render_page, wants_fragment
from app.web.pagination import keyset_page
from app.web.params import parse_id
from app.web.routes import safe_next
from app.wishes import bp, photos, services
from app.wishes.forms import ClaimForm, FulfilForm, NoteForm, ReasonForm, WishForm
from app.wishes.models import (
    STATE_LABELS,
    Wish,
    WishClaim,
    WishClaimMember,
    action_label,
    categories,
    category_label,
    state_label,
)
from app.wishes.policy import (
    can_claim_any,
    can_claim_wish,
    can_confirm_wish,
    can_fulfil_wish,
    can_post_on_behalf,
    can_post_wish,
    can_read_wish_note,
    can_release_wish,
    can_review_wish,
    can_review_wishes,
    can_view_wish,
    can_withdraw_wish,
    claim_org_ids,
    is_wish_claimant,
    is_wish_owner,
    is_wish_staff,
)
from app.wishes.services import AlreadyClaimed, DuplicatePost, WishError, WishInput

#: wall status filter → states shown
WALL_STATUSES = {"published": ("published",), "claimed": ("claimed", "fulfilled"), "completed": ("completed",)}


def _wish_options():
    return (
        selectinload(Wish.area), selectinload(Wish.community), selectinload(Wish.wisher), selectinload(Wish.photo),
        selectinload(Wish.active_claim).selectinload(WishClaim.claimant),
        selectinload(Wish.active_claim).selectinload(WishClaim.organisation),
        selectinload(Wish.active_claim).selectinload(WishClaim.members),
        selectinload(Wish.done_claim).selectinload(WishClaim.claimant),
        selectinload(Wish.done_claim).selectinload(WishClaim.organisation),
    )


def _load(wish_id: int) -> Wish:
    wish = db.session.scalar(select(Wish).where(Wish.id == wish_id).options(*_wish_options()))
    if wish is None or not can_view_wish(current_user, wish):
        abort(404)
    return wish


def _page_size() -> int:
    return int(current_app.config.get("WISH_PAGE_SIZE") or current_app.config.get("PAGE_SIZE", 20))


def _my_street_id() -> int | None:
    if not current_user.is_authenticated or current_user.home_area is None:
        return None
    street = current_user.home_area.ancestor_at("street")
    return street.id if street is not None else None


# ---------------------------------------------------------------- wall


@bp.get("/")
def wall():
    status = request.args.get("status", "published")
    if status not in WALL_STATUSES:
        status = "published"
    category = request.args.get("category", "")
    if category not in categories():
        category = ""
    community_id = parse_id(request.args.get("community"))
    near = request.args.get("near") == "1"
    street_id = _my_street_id() if near else None

    stmt = services.wall_statement(WALL_STATUSES[status], category=category, community_id=community_id,
                                   street_id=street_id).options(*_wish_options())
    page = keyset_page(db.session, stmt, keys=services.WALL_KEYS,
                       cursor=request.args.get("after"), size=_page_size())
    filters = {k: v for k, v in {"status": status if status != "published" else "", "category": category,
                                 "community": community_id or "", "near": "1" if near else ""}.items() if v}
    next_url = url_for("wishes.wall", **filters, after=page.next_cursor) if page.has_more else None
    ctx = dict(page=page, next_url=next_url, status=status, category=category, community_id=community_id,
               near=near, near_unknown=near and street_id is None, first_page=not request.args.get("after"))
    if wants_fragment():
        return render_template("wishes/_wall_items.html", **ctx)
    communities = list(db.session.scalars(select(Area).where(Area.level == "community").order_by(Area.id)
                                          .limit(300)))
    return render_template("wishes/wall.html", communities=communities, categories=categories(),
                           category_label=category_label, **ctx)


# ---------------------------------------------------------------- post


def _on_behalf_areas() -> list[Area]:
    """Micro-grids where the user may record a wish for a resident without an account."""
    if not can_post_on_behalf(current_user):
        return []
    return list(db.session.scalars(
        select(Area).where(Area.level == "microgrid",
                           area_scope(current_user, Area.id, STAFF_ROLES + ("grid_leader", "microgrid_leader")))
        .order_by(Area.parent_id, Area.id).limit(300)
    ))


def _parse_value(raw: str | None) -> int | None:
    raw = (raw or "").strip().replace("¥", "").replace(",", "")
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        raise WishError(_("Enter the estimated value as a number of yuan, e.g. 80."), "value") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise WishError(_("Enter the estimated value as a number of yuan, e.g. 80."), "value")
    return int(round(number))


def _parse_date(raw: str | None) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise WishError(_("Enter the date as YYYY-MM-DD, e.g. %(example)s.",
                          example=(local_today() + timedelta(days=14)).isoformat()), "wanted_by") from None


def _checked_form(form: WishForm, behalf: bool, on_behalf_areas: list[Area]) -> dict:
    """Parse the post form into the service's arguments. A value or date that cannot be parsed, or an unknown
    resident, is reported together with every other problem of the form (one WishError), so the resident fixes
    them all in one go."""
    parse_errors: dict = {}

    def parsed(parse, *args):
        try:
            return parse(*args)
        except WishError as e:
            parse_errors.update(e.errors)
            return None

    wisher = parsed(services.find_resident, current_user, form.resident.data) if behalf else None
    area = None
    if behalf and wisher is None and (form.subject_name.data or "").strip():
        area_id = parse_id(form.area_id.data)
        area = next((a for a in on_behalf_areas if a.id == area_id), None)
    args = dict(
        data=WishInput(category=form.category.data or "", title=form.title.data or "",
                       description=form.description.data or "", value=parsed(_parse_value, form.value.data),
                       wanted_by=parsed(_parse_date, form.wanted_by.data)),
        wisher=wisher, area=area,
        subject_name=form.subject_name.data if behalf else None,
        subject_contact=form.subject_contact.data if behalf else None)
    try:
        services.check_post(current_user, **args)
    except WishError as e:
        raise WishError.several({**e.errors, **parse_errors}) from None
    if parse_errors:
        raise WishError.several(parse_errors)
    return args


def _show_all(form: WishForm, error: WishError) -> None:
    """Every message under its field; a field the form's own validators already refused keeps just that message."""
    fresh = {f: m for f, m in error.errors.items() if not (f and f in form and form[f].errors)}
    if fresh:
        show_errors(form, WishError.several(fresh))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config.get("WISH_POST_LIMIT", "20 per day"), methods=["POST"],
               key_func=lambda: f"wish-post:{current_user.get_id()}", deduct_when=lambda r: r.status_code == 303)
def new():
    if not can_post_wish(current_user):
        # asked at once, not after a filled-in form: who may post, and where to turn instead
        return render_template("wishes/cannot_post.html"), 403
    form = WishForm()
    form.category.choices = [("", _("— choose —"))] + [(c, category_label(c)) for c in categories()]
    on_behalf_areas = _on_behalf_areas()
    labels = full_names(on_behalf_areas, "community")
    form.area_id.choices = [("", _("— choose —"))] + [(str(a.id), labels[a.id]) for a in on_behalf_areas]
    behalf = can_post_on_behalf(current_user)
    form.wanted_by.render_kw = {"min": local_today().isoformat()}
    kept = False
    if request.method == "GET":
        form.post_key.data = secrets.token_urlsafe(16)
        form.wanted_by.data = (local_today() + timedelta(days=30)).isoformat()
    else:
        valid = form.validate_on_submit()
        if not form.csrf_token.errors:
            existing = services.find_by_post_key(form.post_key.data)
            if existing is not None and existing.author_id == current_user.id:
                notify(_("This wish was already posted; here it is."), "info")
                return redirect(url_for("wishes.show", wish_id=existing.id), 303)
            # the photo: a new file is checked first, before anything changes; else the one kept from the last round
            photo, kept_token = None, form.kept_photo.data or None
            if has_file(form.photo.data):
                try:
                    photo = check_image(form.photo.data)
                except UploadError as e:
                    form.photo.errors = [str(e.message)]
            elif kept_token and not form.drop_photo.data:
                photo = photos.load(kept_token, current_user.id)
                if photo is None:
                    form.photo.errors = [_("The photo chosen earlier is no longer kept. Please choose it again.")]
            try:
                args = _checked_form(form, behalf, on_behalf_areas)
                if valid and not form.photo.errors:
                    wish = services.post_wish(current_user, **args, photo=photo, post_key=form.post_key.data or None)
                else:
                    wish = None
            except DuplicatePost:
                db.session.rollback()
                existing = services.find_by_post_key(form.post_key.data)
                if existing is not None and existing.author_id == current_user.id:
                    notify(_("This wish was already posted; here it is."), "info")
                    return redirect(url_for("wishes.show", wish_id=existing.id), 303)
                form.post_key.data = secrets.token_urlsafe(16)
                form.form_errors.append(_("Please check the form and send it again."))
                wish = None
            except WishError as e:
                db.session.rollback()
                _show_all(form, e)
                wish = None
            if wish is not None:
                db.session.commit()
                photos.discard(kept_token, current_user.id)
                notify(_("Your wish was sent. Community staff will review it soon."))
                return redirect(url_for("wishes.show", wish_id=wish.id), 303)
            # sent back: a photo that passed its checks waits on the server for the next round
            form.kept_photo.data = ""
            form.drop_photo.data = False
            if photo is not None and not form.photo.errors:
                if kept_token and not has_file(form.photo.data):
                    form.kept_photo.data = kept_token
                else:
                    photos.discard(kept_token, current_user.id)
                    form.kept_photo.data = photos.keep(photo, current_user.id)
                kept = True
    return render_template("wishes/new.html", form=form, behalf=behalf, cap=services.value_cap(),
                           today=local_today().isoformat(), has_home=current_user.home_area is not None,
                           kept=kept)


# ---------------------------------------------------------------- detail


@dataclass
class ClaimOption:
    """One way this user may claim a wish: for themself (organisation_id None) or for a branch, with its team."""

    organisation_id: int | None
    label: str
    button: str
    members: list[tuple[int, str]] = field(default_factory=list)


def _claim_options(wish: Wish) -> list[ClaimOption]:
    """Each way to claim is a form of its own (the branch and its members travel together, no JavaScript)."""
    if not can_claim_wish(current_user, wish):
        return []
    options = []
    if any(a.role == "member" for a in _assignments()):
        options.append(ClaimOption(None, _("Myself (party member)"), _("Claim for myself")))
    orgs = claim_org_ids(current_user)
    names = {a.organisation_id: a.organisation.name for a in _assignments() if a.organisation_id in orgs}
    for oid in orgs:
        name = names.get(oid, str(oid))
        members = [(u.id, u.display_name) for u in services.branch_members(oid) if u.id != current_user.id]
        options.append(ClaimOption(oid, _("Branch: %(name)s", name=name), _("Claim for %(name)s", name=name),
                                   members))
    return options


def _assignments():
    return assignments(current_user)


#: each action's form: (form class, prefix); the prefix is also the action's key in a remembered refusal
ACTION_FORMS = {"reject": (ReasonForm, "reject"), "release": (ReasonForm, "release"), "fulfil": (FulfilForm, "fulfil"),
                "confirm": (NoteForm, "confirm"), "notreceived": (NoteForm, "notreceived")}
#: the section of the wish's page each action's form sits in (its id, the anchor a refusal returns to)
ACTION_SECTIONS = {"review": "review", "reject": "review", "fulfil": "fulfil", "confirm": "confirm",
                   "notreceived": "confirm", "release": "release", "withdraw": "withdraw"}
SECTION_SHOWN = {"review": can_review_wish, "fulfil": can_fulfil_wish, "confirm": can_confirm_wish,
                 "release": can_release_wish, "withdraw": can_withdraw_wish}
#: a refused plain-form post, kept for the one page view after its redirect (message, field, what was typed)
REFUSAL_KEY = "wish_refusal"
KEPT_INPUT_MAX = 2 * services.NOTE_MAX


@dataclass
class Refusal:
    action: str
    message: str
    on_field: str | None = None
    input: dict = field(default_factory=dict)
    photo_dropped: bool = False


def _section_shown(wish: Wish, action: str) -> bool:
    section = ACTION_SECTIONS.get(action)
    return section is not None and SECTION_SHOWN[section](current_user, wish)


def render_detail(wish: Wish, *, refusal: Refusal | None = None, status: int = 200):
    """The wish's page. A refusal is written next to its field (or at the top of its form's section), with what the
    person typed; one whose form is no longer shown (the wish moved on) goes at the top of the page."""
    staff = is_wish_staff(current_user, wish)
    claims = []
    if staff:  # the list of every claim (with release reasons) is shown to staff only
        claims = list(db.session.scalars(
            select(WishClaim).where(WishClaim.wish_id == wish.id).order_by(WishClaim.claimed_at.desc())
            .options(selectinload(WishClaim.claimant), selectinload(WishClaim.organisation),
                     selectinload(WishClaim.members).selectinload(WishClaimMember.user)).limit(20)))
    team = []
    if wish.active_claim is not None and wish.active_claim.members:
        team = list(db.session.scalars(select(WishClaimMember).where(WishClaimMember.claim_id == wish.active_claim.id)
                                       .options(selectinload(WishClaimMember.user))))
    forms = {action: cls(formdata=None, prefix=prefix) for action, (cls, prefix) in ACTION_FORMS.items()}
    section_errors: dict[str, str] = {}
    page_errors: list[str] = []
    photo_dropped = False
    if refusal is not None:
        form = forms.get(refusal.action)
        if form is not None:
            for name, value in refusal.input.items():
                if name in form and isinstance(value, str):
                    form[name].data = value
        if not _section_shown(wish, refusal.action):
            page_errors.append(refusal.message)
        elif form is not None and refusal.on_field and refusal.on_field in form:
            form[refusal.on_field].errors = [refusal.message]
            photo_dropped = refusal.photo_dropped
        else:
            section_errors[ACTION_SECTIONS[refusal.action]] = refusal.message
    ctx = dict(
        wish=wish, claim=wish.active_claim, claims=claims, team=team, page_errors=page_errors,
        section_errors=section_errors, photo_dropped=photo_dropped,
        entries=entries_for(wish, include_internal=staff), show_internal=staff,
        state_label=state_label, action_label=action_label,
        note_visible=lambda entry: can_read_wish_note(current_user, wish, entry),
        claim_options=_claim_options(wish), sign_in_to_claim=_sign_in_to_claim(wish),
        reject_form=forms["reject"], release_form=forms["release"], fulfil_form=forms["fulfil"],
        confirm_form=forms["confirm"], notreceived_form=forms["notreceived"],
    )
    return render_page("wishes/show.html", "wishes/_detail.html", **ctx), status


def _sign_in_to_claim(wish: Wish) -> str | None:
    """A signed-out visitor on a wish waiting for a claim: where to sign in and come back to it."""
    if current_user.is_authenticated or wish.state != "published":
        return None
    return url_for("accounts.login", next=url_for("wishes.show", wish_id=wish.id))


def _take_refusal(wish_id: int) -> Refusal | None:
    """The refusal remembered for this wish by the post that redirected here — shown once, then forgotten."""
    kept = session.get(REFUSAL_KEY)
    if not isinstance(kept, dict) or kept.get("wish") != wish_id:
        return None
    session.pop(REFUSAL_KEY, None)
    try:
        return Refusal(action=str(kept["action"]), message=str(kept["message"]), on_field=kept.get("field"),
                       input=dict(kept.get("input") or {}), photo_dropped=bool(kept.get("photo_dropped")))
    except (KeyError, TypeError, ValueError):
        return None


@bp.get("/<int:wish_id>")
def show(wish_id: int):
    wish = _load(wish_id)
    return render_detail(wish, refusal=_take_refusal(wish_id))


# ---------------------------------------------------------------- transitions


def _done(wish: Wish, message: str, category: str = "success"):
    notify(message, category)
    if wants_fragment():  # htmx: the refreshed page part in place, the message as a toast
        db.session.expire_all()
        return render_detail(_load(wish.id))
    target = safe_next(request.form.get("next"), url_for("wishes.show", wish_id=wish.id))
    return redirect(target, 303)


def _failed(wish_id: int, error: WishError, action: str, form=None):
    """Nothing changed. htmx: the page part again with the message by its field (status 200). A plain form: 303 back
    to the wish's own page (a refresh sends nothing again), where the message stands by the field with what was
    typed — kept in the session for that one view."""
    db.session.rollback()
    field_name = error.field if form is not None and error.field in form else None
    typed = {}
    if form is not None:
        typed = {f.short_name: f.data[:KEPT_INPUT_MAX] for f in form
                 if f.type in ("TextAreaField", "StringField") and isinstance(f.data, str)}
    photo_dropped = bool(action == "fulfil" and field_name != "photo" and form is not None
                         and has_file(form.photo.data))
    refusal = Refusal(action=action, message=str(error.message), on_field=field_name, input=typed,
                      photo_dropped=photo_dropped)
    if wants_fragment():
        return render_detail(_load(wish_id), refusal=refusal)
    session[REFUSAL_KEY] = {"wish": wish_id, "action": refusal.action, "message": refusal.message,
                            "field": refusal.on_field, "input": refusal.input, "photo_dropped": refusal.photo_dropped}
    wish = _load(wish_id)
    anchor = ACTION_SECTIONS.get(action) if _section_shown(wish, action) else None
    return redirect(url_for("wishes.show", wish_id=wish_id, _anchor=anchor), 303)


@bp.post("/<int:wish_id>/claim")
@login_required
def claim(wish_id: int):
    wish = _load(wish_id)
    if not can_claim_any(current_user):
        abort(403)
    form = ClaimForm()  # the CSRF token was checked by CSRFProtect; the fields are parsed below
    orgs = claim_org_ids(current_user)
    raw_org = (form.organisation_id.data or "").strip()
    if raw_org:
        org_id = parse_id(raw_org)
        if org_id not in orgs:
            abort(403)
    elif any(a.role == "member" for a in _assignments()):
        org_id = None  # a party member claims for themself
    elif len(orgs) == 1:
        org_id = orgs[0]  # an agency admin's button on the wall claims for the branch
    else:
        return _claim_answer(wish, _("Choose on the wish's page which of your branches claims it."), "error")
    member_ids = [parse_id(v) for v in (form.members.data or [])]
    if None in member_ids:
        return _claim_answer(wish, str(services.TEAM_MESSAGE), "error")
    try:
        services.claim(wish, current_user, organisation_id=org_id, member_ids=member_ids)
    except AlreadyClaimed:
        db.session.rollback()
        wish = _load(wish_id)
        if is_wish_claimant(current_user, wish):  # a double tap: the first tap won, don't refuse the winner
            return _claim_answer(wish, _("You have already claimed this wish."), "info")
        return _claim_answer(wish, str(services.already_claimed_message(wish)), "error")
    except WishError as e:
        db.session.rollback()
        wish = _load(wish_id)
        return _claim_answer(wish, str(e.message), "error")
    db.session.commit()
    wish = _load(wish_id)
    return _claim_answer(wish, _("You claimed this wish. The resident's contact details are now on the wish's page; "
                                 "please get in touch within a few days."))


def _claim_answer(wish: Wish, message: str, category: str = "success"):
    """htmx: the refreshed card (a refusal written on it, a success as a toast); a plain form: a flash and 303."""
    if wants_fragment():
        if category != "error":
            notify(message, category)
        return render_template("wishes/_card.html", wish=wish,
                               message=message if category == "error" else None, message_kind=category)
    notify(message, category)
    target = safe_next(request.form.get("next"), url_for("wishes.show", wish_id=wish.id))
    return redirect(target, 303)


def _transition(wish_id: int, allowed, action: str, do, message, category: str = "success", form=None,
                field: str = "note"):
    """One state change from the wish page: load → authorise → validate → service → commit once → 303 + flash
    (htmx: the refreshed page part and a toast).

    A refusal (a WishError from the form or the service) rolls back; see ``_failed`` for where the message goes.
    """
    wish = _load(wish_id)
    if not allowed(current_user, wish):
        abort(403)
    try:
        if form is not None and not form.validate_on_submit():
            raise WishError(_("Please keep it to %(n)s characters.", n=services.NOTE_MAX), field)
        do(wish, form)
    except WishError as e:
        return _failed(wish_id, e, action, form)
    db.session.commit()
    return _done(wish, message, category)


def _claimant_or_staff(user, wish) -> bool:
    return is_wish_claimant(user, wish) or is_wish_staff(user, wish)


def _owner_or_staff(user, wish) -> bool:
    return is_wish_owner(user, wish) or is_wish_staff(user, wish)


@bp.post("/<int:wish_id>/approve")
@login_required
def approve(wish_id: int):
    return _transition(wish_id, is_wish_staff, "review", lambda w, f: services.approve(w, current_user),
                       _("The wish is published on the wall."))


@bp.post("/<int:wish_id>/reject")
@login_required
def reject(wish_id: int):
    return _transition(wish_id, is_wish_staff, "reject",
                       lambda w, f: services.reject(w, current_user, f.reason.data),
                       _("The wish was not approved; the resident sees your reason."), "info",
                       form=ReasonForm(prefix="reject"), field="reason")


@bp.route("/<int:wish_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(wish_id: int):
    """Withdrawing cannot be undone, so GET asks first: a page of its own without JavaScript, the question in place
    of the button with htmx. The POST of that question withdraws."""
    if request.method == "GET":
        wish = _load(wish_id)
        if not can_withdraw_wish(current_user, wish):
            abort(403)
        return render_page("wishes/withdraw.html", "wishes/_withdraw_confirm.html", wish=wish)
    return _transition(wish_id, is_wish_owner, "withdraw", lambda w, f: services.withdraw(w, current_user),
                       _("The wish was withdrawn."), "info")


@bp.post("/<int:wish_id>/release")
@login_required
def release(wish_id: int):
    return _transition(wish_id, _claimant_or_staff, "release",
                       lambda w, f: services.release(w, current_user, f.reason.data),
                       _("The claim was released; the wish is back on the wall."), "info",
                       form=ReasonForm(prefix="release"), field="reason")


def _do_fulfil(wish: Wish, form) -> None:
    photo = None
    if has_file(form.photo.data):
        try:
            photo = check_image(form.photo.data)
        except UploadError as e:
            raise WishError(e.message, "photo") from None
    services.fulfil(wish, current_user, form.note.data, photo)


@bp.post("/<int:wish_id>/fulfil")
@login_required
def fulfil(wish_id: int):
    return _transition(wish_id, is_wish_claimant, "fulfil", _do_fulfil,
                       _("Thank you! The resident is asked to confirm."), form=FulfilForm(prefix="fulfil"))


@bp.post("/<int:wish_id>/confirm")
@login_required
def confirm(wish_id: int):
    return _transition(wish_id, _owner_or_staff, "confirm",
                       lambda w, f: services.confirm(w, current_user, f.note.data),
                       _("The wish came true. Thank you for confirming!"), form=NoteForm(prefix="confirm"))


@bp.post("/<int:wish_id>/not-received")
@login_required
def not_received(wish_id: int):
    return _transition(wish_id, _owner_or_staff, "notreceived",
                       lambda w, f: services.not_received(w, current_user, f.note.data),
                       _("The claimant has been told it did not arrive."), "info",
                       form=NoteForm(prefix="notreceived"))


# ---------------------------------------------------------------- lists for the people involved


@bp.get("/review")
@login_required
def review():
    if not can_review_wishes(current_user):
        abort(403)
    wishes = list(db.session.scalars(
        select(Wish).where(Wish.state == "pending", area_scope(current_user, Wish.area_id, STAFF_ROLES))
        .options(*_wish_options(), selectinload(Wish.author)).order_by(Wish.created_at, Wish.id).limit(100)))
    return render_template("wishes/review.html", wishes=wishes, reject_form=ReasonForm(formdata=None, prefix="reject"),
                           areas=role_areas(current_user, STAFF_ROLES))


@bp.get("/mine")
@login_required
def mine():
    uid = current_user.id
    wishes = list(db.session.scalars(
        select(Wish).where(or_(Wish.wisher_id == uid, Wish.author_id == uid)).options(*_wish_options())
        .order_by(Wish.created_at.desc(), Wish.id.desc()).limit(50)))
    claims = []
    if can_claim_any(current_user):
        orgs = org_ids(current_user, "agency_admin")
        member_claims = select(WishClaimMember.claim_id).where(WishClaimMember.user_id == uid)
        cond = or_(WishClaim.claimant_id == uid, WishClaim.id.in_(member_claims),
                   *([WishClaim.organisation_id.in_(orgs)] if orgs else []))
        claims = list(db.session.scalars(
            select(WishClaim).where(cond)
            .options(selectinload(WishClaim.wish).selectinload(Wish.community), selectinload(WishClaim.organisation))
            .order_by(WishClaim.claimed_at.desc(), WishClaim.id.desc()).limit(50)))
    return render_template("wishes/mine.html", wishes=wishes, claims=claims, state_labels=STATE_LABELS)
