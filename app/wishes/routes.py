"""Micro-wish pages. Thin: load (404) → authorise (403) → ``perform`` / service → render; the queries are in
queries.py, who may do what in policy.py, every change in services.py."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field, fields
from datetime import timedelta

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import extensions
from app.accounts.scope import assignments, role_areas
from app.areas.services import picker_from_values, picker_state
from app.extensions import db, limiter
from app.moderation.views import hidden_page
from app.timeline.services import entries_for
from app.timeutil import local_today
from app.uploads.services import UploadError, check_image, has_file
from app.web.actions import Refusal, authorise, load, perform, pop_refusal
from app.web.forms import show_errors
from app.web.fragments import FragmentCache
from app.web.htmx import notify, render_page, wants_fragment
from app.web.params import parse_id
from app.web.routes import safe_next
from app.wishes import bp, photos, queries, services
from app.wishes.forms import ClaimForm, FulfilForm, NoteForm, ReasonForm, WishForm
from app.wishes.models import STATE_LABELS, Wish, action_label, categories, category_label, state_label
from app.wishes.policy import (
    can_claim_any,
    can_claim_for,
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
    claim_targets,
    is_wish_claimant,
    is_wish_owner,
    is_wish_staff,
)
from app.wishes.services import AlreadyClaimed, DuplicatePost, PostForm, WishError

#: wall status filter → states shown
WALL_STATUSES = {"published": ("published",), "claimed": ("claimed", "fulfilled"), "completed": ("completed",)}


def _load(wish_id: int) -> Wish:
    return load(Wish, wish_id, can_view_wish, options=queries.wish_options())


def _page_size() -> int:
    return int(current_app.config.get("WISH_PAGE_SIZE") or current_app.config.get("PAGE_SIZE", 20))


def _my_street_id() -> int | None:
    if not current_user.is_authenticated or current_user.home_area is None:
        return None
    street = current_user.home_area.ancestor_at("street")
    return street.id if street is not None else None


# ---------------------------------------------------------------- wall
_CARDS = FragmentCache("wishes/_card.html")
_CARD_FIELDS = tuple(f.name for f in fields(queries.WishCard))


@bp.app_template_global("wish_card")
def wish_card(wish: queries.WishCard):
    """A wish's card on the wall, remembered by everything it shows (the same cards come back for every visitor
    until one of them changes); a card with the one-step claim form gets the session's CSRF token put in."""
    return _CARDS.render(tuple(getattr(wish, f) for f in _CARD_FIELDS), with_token=wish.claimable and wish.one_step,
                         wish=wish)


@bp.get("/")
@extensions.reads_replica
def wall():
    status = request.args.get("status", "published")
    if status not in WALL_STATUSES:
        status = "published"
    category = request.args.get("category", "")
    if category not in categories():
        category = ""
    places = queries.wall_places(request.args)
    chosen_street, community_id = places[0]["chosen"], places[1]["chosen"]
    near = request.args.get("near") == "1"
    street_id = chosen_street or (_my_street_id() if near else None)

    page = queries.wall_page(WALL_STATUSES[status], category=category, community_id=community_id,
                             street_id=street_id, cursor=request.args.get("after"), size=_page_size(),
                             user=current_user)
    filters = {k: v for k, v in {"status": status if status != "published" else "", "category": category,
                                 "street": chosen_street or "", "community": community_id or "",
                                 "near": "1" if near else ""}.items() if v}
    next_url = url_for("wishes.wall", **filters, after=page.next_cursor) if page.has_more else None
    ctx = dict(page=page, next_url=next_url, status=status, category=category, community_id=community_id,
               near=near, near_unknown=near and chosen_street is None and street_id is None,
               places=places, first_page=not request.args.get("after"))
    if wants_fragment():
        return render_template("wishes/_wall_items.html", **ctx)
    return render_template("wishes/wall.html", categories=categories(), category_label=category_label, **ctx)


# ---------------------------------------------------------------- post


def _picker(values, area):
    """The cascading place lists for a resident without an account: as chosen, or — on a fresh form — opened at
    the one area where the person records wishes."""
    if area is not None or request.method != "GET":
        return picker_from_values(values, area)
    home = role_areas(current_user, queries.ON_BEHALF_ROLES)
    if len(home) == 1:
        if home[0].level == "microgrid":
            return picker_from_values(values, home[0])
        return picker_state({a.level: a.id for a in home[0].lineage()})
    return picker_from_values(values)


def _photo_for_round(form: WishForm):
    """The photo of this round: a new file checked first, before anything changes; else the one kept from the last
    round. Returns (checked bytes or None, the kept token)."""
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
    return photo, kept_token


def _keep_photo(form: WishForm, photo, kept_token) -> bool:
    """Sent back: a photo that passed its checks waits on the server for the next round."""
    form.kept_photo.data = ""
    form.drop_photo.data = False
    if photo is None or form.photo.errors:
        return False
    if kept_token and not has_file(form.photo.data):
        form.kept_photo.data = kept_token
    else:
        photos.discard(kept_token, current_user.id)
        form.kept_photo.data = photos.keep(photo, current_user.id)
    return True


def _show_all(form: WishForm, error: WishError) -> None:
    """Every message under its field; a field the form's own validators already refused keeps just that message."""
    fresh = {f: m for f, m in error.errors.items() if not (f and f in form and form[f].errors)}
    if fresh:
        show_errors(form, WishError.several(fresh))


def _already_posted(form: WishForm):
    existing = queries.find_by_post_key(form.post_key.data)
    if existing is not None and existing.author_id == current_user.id:
        notify(_("This wish was already posted; here it is."), "info")
        return redirect(url_for("wishes.show", wish_id=existing.id), 303)
    return None


@bp.route("/new", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config.get("WISH_POST_LIMIT", "20 per day"), methods=["POST"],
               key_func=lambda: f"wish-post:{current_user.get_id()}", deduct_when=lambda r: r.status_code == 303)
def new():
    """The post form: a page of its own that is sent back to itself until the wish is posted. Who may not post is
    told at once, not after a filled-in form (the 403 explains where to turn instead)."""
    authorise(can_post_wish(current_user), explain=lambda: render_template("wishes/cannot_post.html"))
    form = WishForm()
    form.category.choices = [("", _("— choose —"))] + [(c, category_label(c)) for c in categories()]
    behalf = can_post_on_behalf(current_user)
    values = request.form if request.method == "POST" else request.args
    area = queries.on_behalf_microgrid(current_user, parse_id(values.get("area_id"))) if behalf else None
    form.wanted_by.render_kw = {"min": local_today().isoformat()}
    kept = False
    if request.method == "GET":
        form.post_key.data = secrets.token_urlsafe(16)
        form.wanted_by.data = (local_today() + timedelta(days=30)).isoformat()
    elif request.form.get("action") == "pick":  # without JavaScript: the next place list; nothing is checked yet
        kept = _keep_photo(form, *_photo_for_round(form))
    else:
        valid = form.validate_on_submit()
        if not form.csrf_token.errors:
            answer = _already_posted(form)
            if answer is not None:
                return answer
            photo, kept_token = _photo_for_round(form)
            typed = PostForm(category=form.category.data, title=form.title.data, description=form.description.data,
                             value=form.value.data, wanted_by=form.wanted_by.data, resident=form.resident.data,
                             subject_name=form.subject_name.data, subject_contact=form.subject_contact.data,
                             area=area)
            wish = None
            try:
                args = services.read_post(current_user, typed, behalf=behalf)
                if valid and not form.photo.errors:
                    wish = services.post_wish(current_user, **args, photo=photo, post_key=form.post_key.data or None)
            except DuplicatePost:
                db.session.rollback()
                answer = _already_posted(form)
                if answer is not None:
                    return answer
                form.post_key.data = secrets.token_urlsafe(16)
                form.form_errors.append(_("Please check the form and send it again."))
            except WishError as e:
                db.session.rollback()
                _show_all(form, e)
            if wish is not None:
                db.session.commit()
                photos.discard(kept_token, current_user.id)
                notify(_("Your wish was sent. Community staff will review it soon."))
                return redirect(url_for("wishes.show", wish_id=wish.id), 303)
            kept = _keep_photo(form, photo, kept_token)
    return render_template("wishes/new.html", form=form, behalf=behalf, cap=services.value_cap(),
                           today=local_today().isoformat(), has_home=current_user.home_area is not None,
                           kept=kept, picker=_picker(values, area) if behalf else None,
                           picked=behalf and any(parse_id(values.get(n)) for n in ("street", "community", "grid",
                                                                                  "area_id")))


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
    names = {a.organisation_id: a.organisation.name for a in assignments(current_user) if a.organisation_id}
    options = []
    for oid in claim_targets(current_user):
        if oid is None:
            options.append(ClaimOption(None, _("Myself (party member)"), _("Claim for myself")))
            continue
        name = names.get(oid, str(oid))
        members = [(u.id, u.display_name) for u in queries.branch_members(oid) if u.id != current_user.id]
        options.append(ClaimOption(oid, _("Branch: %(name)s", name=name), _("Claim for %(name)s", name=name),
                                   members))
    return options


#: each action's form: (form class, prefix); the prefix is also the action's key in a refusal
ACTION_FORMS = {"reject": (ReasonForm, "reject"), "release": (ReasonForm, "release"), "fulfil": (FulfilForm, "fulfil"),
                "confirm": (NoteForm, "confirm"), "notreceived": (NoteForm, "notreceived")}
#: the section of the wish's page each action's form sits in (its id, the anchor a refusal returns to)
ACTION_SECTIONS = {"review": "review", "reject": "review", "fulfil": "fulfil", "confirm": "confirm",
                   "notreceived": "confirm", "release": "release", "withdraw": "withdraw", "claim": "claim"}
SECTION_SHOWN = {"review": can_review_wish, "fulfil": can_fulfil_wish, "confirm": can_confirm_wish,
                 "release": can_release_wish, "withdraw": can_withdraw_wish, "claim": can_claim_wish}
TEXT_FIELDS = ("TextAreaField", "StringField")


def _section_shown(wish: Wish, action: str) -> bool:
    section = ACTION_SECTIONS.get(action)
    return section is not None and SECTION_SHOWN[section](current_user, wish)


def _section_of(action: str):
    """Where a refused plain form returns to: its section of the wish's page, or the top when it is not shown."""
    return lambda wish: ACTION_SECTIONS[action] if _section_shown(wish, action) else None


def render_detail(wish: Wish, *, refusal: Refusal | None = None):
    """The wish's page. A refusal is written next to its field (or at the top of its form's section), with what the
    person typed; one whose form is no longer shown (the wish moved on) goes at the top of the page."""
    staff = is_wish_staff(current_user, wish)
    # only the forms of the sections this person sees (most visitors see none)
    forms = {action: cls(formdata=None, prefix=prefix) for action, (cls, prefix) in ACTION_FORMS.items()
             if _section_shown(wish, action)}
    section_errors: dict[str, str] = {}
    page_errors: list[str] = []
    photo_dropped = False
    if refusal is not None:
        form = forms.get(refusal.action)
        if form is not None:
            for f in form:
                if f.type in TEXT_FIELDS and f.name in refusal.values:
                    f.data = refusal.value(f.name)
        messages = [str(m) for m in refusal.errors.values()]
        if not _section_shown(wish, refusal.action):
            page_errors.extend(messages)
        else:
            loose = []
            for name, message in refusal.errors.items():
                if form is not None and name and name in form:
                    form[name].errors = [message]
                else:
                    loose.append(message)
            if loose:
                section_errors[ACTION_SECTIONS[refusal.action]] = " ".join(loose)
            # the browser cannot send a chosen file back: say so by the photo field
            photo_dropped = bool(refusal.notes) and form is not None and "photo" in form \
                and refusal.error("photo") is None
    ctx = dict(
        wish=wish, claim=wish.active_claim, claims=_claims(wish) if staff else None,
        team=queries.team_of(wish.active_claim), page_errors=page_errors,
        section_errors=section_errors, photo_dropped=photo_dropped,
        entries=entries_for(wish, include_internal=staff), show_internal=staff,
        state_label=state_label, action_label=action_label,
        note_visible=lambda entry: can_read_wish_note(current_user, wish, entry),
        claim_options=_claim_options(wish), sign_in_to_claim=_sign_in_to_claim(wish),
        reject_form=forms.get("reject"), release_form=forms.get("release"), fulfil_form=forms.get("fulfil"),
        confirm_form=forms.get("confirm"), notreceived_form=forms.get("notreceived"),
    )
    return render_page("wishes/show.html", "wishes/_detail.html", **ctx)


def _sign_in_to_claim(wish: Wish) -> str | None:
    """A signed-out visitor on a wish waiting for a claim: where to sign in and come back to it."""
    if current_user.is_authenticated or wish.state != "published":
        return None
    return url_for("accounts.login", next=url_for("wishes.show", wish_id=wish.id))


def _claims(wish: Wish):
    """A page of the wish's claims for its staff; "Load more" asks for the next (``claims_after``)."""
    page = queries.claims_of(wish, cursor=request.args.get("claims_after"),
                             size=int(current_app.config.get("WISH_CLAIMS_PAGE_SIZE") or 20))
    page.next_url = url_for("wishes.show", wish_id=wish.id, claims_after=page.next_cursor) if page.has_more else None
    return page


@bp.get("/<int:wish_id>")
def show(wish_id: int):
    wish = _load(wish_id)
    if (hidden := hidden_page(wish)) is not None:  # reported and hidden pending review
        return hidden
    if wants_fragment() and request.args.get("claims_after") and is_wish_staff(current_user, wish):
        return render_template("wishes/_claim_rows.html", claims=_claims(wish))
    return render_detail(wish, refusal=pop_refusal(wish))


# ---------------------------------------------------------------- actions on a wish


def _act(wish_id: int, action: str, allowed, do, done, category: str = "success", form=None):
    """One action from the wish's page (or the review queue): load (404) → ``perform`` (403, refusal, commit, the
    flash or toast, the page part for htmx or a 303 — to the list it was sent from, when it says so)."""
    wish = _load(wish_id)
    page = url_for("wishes.show", wish_id=wish_id)
    return perform(wish, action=action, allowed=allowed, do=do, done=done, category=category, form=form, page=page,
                   render=lambda w, refusal=None: render_detail(_load(wish_id), refusal=refusal),
                   anchor=_section_of(action), then=safe_next(request.form.get("next"), page))


#: a claim that found the wish already held by the person claiming (a double tap: the first tap won)
ALREADY_YOURS = "already-yours"


def _claim(wish: Wish, form: ClaimForm, chosen: int | None):
    member_ids = [parse_id(v) for v in (form.members.data or [])]
    if None in member_ids:
        raise WishError(services.TEAM_MESSAGE, "members")
    target = services.claim_target(current_user, chosen)
    try:
        return services.claim(wish, current_user, organisation_id=target, member_ids=member_ids)
    except AlreadyClaimed:
        db.session.rollback()
        if is_wish_claimant(current_user, wish):  # don't refuse the winner
            return ALREADY_YOURS
        raise WishError(services.already_claimed_message(wish)) from None


def _claim_card(wish_id: int, refusal: Refusal | None = None):
    """htmx from the wall: the card again, a refusal written on it (a success is a toast)."""
    wish = _load(wish_id)
    return render_template("wishes/_card.html", wish=queries.card(wish.id, current_user),
                           message=refusal.message if refusal else None, message_kind="error")


@bp.post("/<int:wish_id>/claim")
@login_required
def claim(wish_id: int):
    wish = _load(wish_id)
    page = url_for("wishes.show", wish_id=wish_id)
    form = ClaimForm()  # the CSRF token was checked by CSRFProtect; the fields are read here
    raw = (form.organisation_id.data or "").strip()
    chosen = parse_id(raw) if raw else None

    def allowed(user, w) -> bool:
        return can_claim_any(user) and (not raw or (chosen is not None and can_claim_for(user, chosen)))

    return perform(
        wish, action="claim", allowed=allowed, do=lambda w, f: _claim(w, form, chosen),
        done=lambda result: _("You have already claimed this wish.") if result == ALREADY_YOURS else _(
            "You claimed this wish. The resident's contact details are now on the wish's page; please get in touch "
            "within a few days."),
        category=lambda result: "info" if result == ALREADY_YOURS else "success",
        page=page, then=safe_next(request.form.get("next"), page), anchor=_section_of("claim"),
        render=lambda w, refusal=None: _claim_card(wish_id, refusal))


def _claimant_or_staff(user, wish) -> bool:
    return is_wish_claimant(user, wish) or is_wish_staff(user, wish)


def _owner_or_staff(user, wish) -> bool:
    return is_wish_owner(user, wish) or is_wish_staff(user, wish)


@bp.post("/<int:wish_id>/approve")
@login_required
def approve(wish_id: int):
    return _act(wish_id, "review", is_wish_staff, lambda w, f: services.approve(w, current_user),
                _("The wish is published on the wall."))


@bp.post("/<int:wish_id>/reject")
@login_required
def reject(wish_id: int):
    return _act(wish_id, "reject", is_wish_staff, lambda w, f: services.reject(w, current_user, f.reason.data),
                _("The wish was not approved; the resident sees your reason."), "info",
                form=ReasonForm(prefix="reject"))


@bp.route("/<int:wish_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(wish_id: int):
    """Withdrawing cannot be undone, so GET asks first: a page of its own without JavaScript, the question in place
    of the button with htmx. The POST of that question withdraws."""
    if request.method == "GET":
        wish = _load(wish_id)
        authorise(can_withdraw_wish(current_user, wish))
        return render_page("wishes/withdraw.html", "wishes/_withdraw_confirm.html", wish=wish)
    return _act(wish_id, "withdraw", is_wish_owner, lambda w, f: services.withdraw(w, current_user),
                _("The wish was withdrawn."), "info")


@bp.post("/<int:wish_id>/release")
@login_required
def release(wish_id: int):
    return _act(wish_id, "release", _claimant_or_staff, lambda w, f: services.release(w, current_user, f.reason.data),
                _("The claim was released; the wish is back on the wall."), "info",
                form=ReasonForm(prefix="release"))


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
    return _act(wish_id, "fulfil", is_wish_claimant, _do_fulfil,
                _("Thank you! The resident is asked to confirm."), form=FulfilForm(prefix="fulfil"))


@bp.post("/<int:wish_id>/confirm")
@login_required
def confirm(wish_id: int):
    return _act(wish_id, "confirm", _owner_or_staff, lambda w, f: services.confirm(w, current_user, f.note.data),
                _("The wish came true. Thank you for confirming!"), form=NoteForm(prefix="confirm"))


@bp.post("/<int:wish_id>/not-received")
@login_required
def not_received(wish_id: int):
    return _act(wish_id, "notreceived", _owner_or_staff,
                lambda w, f: services.not_received(w, current_user, f.note.data),
                _("The claimant has been told it did not arrive."), "info", form=NoteForm(prefix="notreceived"))


# ---------------------------------------------------------------- lists for the people involved


@bp.get("/review")
@login_required
def review():
    authorise(can_review_wishes(current_user))
    page = queries.review_page(current_user, cursor=request.args.get("after"), size=_page_size())
    next_url = url_for("wishes.review", after=page.next_cursor) if page.has_more else None
    ctx = dict(page=page, next_url=next_url, first_page=not request.args.get("after"))
    if wants_fragment():
        return render_template("wishes/_review_items.html", **ctx)
    return render_template("wishes/review.html", total=queries.review_count(current_user),
                           areas=role_areas(current_user, queries.REVIEW_ROLES), **ctx)


@bp.get("/mine")
@login_required
def mine():
    """The wishes a person made or recorded, and (for those who claim) the claims they hold: two lists, each paged
    on its own (``after`` / ``claims_after``)."""
    size = _page_size()
    ctx = dict(state_labels=STATE_LABELS, claims=None, claims_next=None, wishes=None, wishes_next=None)
    part = request.args.get("list") if wants_fragment() else None
    if part != "claims":
        wishes = queries.mine_page(current_user, cursor=request.args.get("after"), size=size)
        ctx.update(wishes=wishes, wishes_next=url_for("wishes.mine", list="wishes", after=wishes.next_cursor)
                   if wishes.has_more else None, first_wishes=not request.args.get("after"))
        if part == "wishes":
            return render_template("wishes/_mine_items.html", **ctx)
    if can_claim_any(current_user) and part != "wishes":
        claims = queries.claims_page(current_user, cursor=request.args.get("claims_after"), size=size)
        ctx.update(claims=claims, claims_next=url_for("wishes.mine", list="claims", claims_after=claims.next_cursor)
                   if claims.has_more else None)
        if part == "claims":
            return render_template("wishes/_mine_claims.html", **ctx)
    return render_template("wishes/mine.html", **ctx)
