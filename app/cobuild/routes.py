"""Co-building checklist pages. Thin: load → authorise (404 unseen, 403 not allowed) → service → commit once."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.scope import role_areas
from app.areas.models import Area
from app.cobuild import bp, queries, services, spreadsheets
from app.cobuild.forms import ClaimForm, EvaluateForm, ImportForm, ItemForm, NoteForm, ProgressForm, ReasonForm
from app.cobuild.models import (
    CATEGORIES,
    KIND_LABELS,
    KINDS,
    SIDES,
    ChecklistClaim,
    ChecklistItem,
    action_label,
    category_label,
    side_label,
    state_label,
)
from app.cobuild.policy import (
    can_claim_item,
    can_edit_item,
    can_export_area,
    can_import_into,
    can_propose_on,
    can_publish_key_project,
    can_publish_open_need,
    can_use_cobuild,
    can_view_item,
    can_view_pairing,
    claimable_org_ids,
    could_claim,
    is_agency_admin,
    is_agreeing_side,
    is_cancelling_side,
    is_evaluating_side,
    is_responsible_side,
    item_sides,
)
from app.cobuild.services import CobuildError, ItemInput
from app.extensions import db
from app.organisations.models import Pairing
from app.timeline.services import entries_for
from app.uploads.services import UploadError, check_image, has_file
from app.web.forms import show_errors
from app.web.htmx import notify, render_page, wants_fragment
from app.web.pagination import keyset_page
from app.web.params import parse_id


def _go(url: str, message: str, category: str = "success"):
    """After a form: a 303 to ``url``; an htmx form is sent there with HX-Redirect (the message as a flash, since
    the page is loaded afresh)."""
    if wants_fragment():
        flash(message, category)
        response = Response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    notify(message, category)
    return redirect(url, 303)


def _page_size() -> int:
    return int(current_app.config.get("COBUILD_PAGE_SIZE") or current_app.config.get("PAGE_SIZE", 20))


def _load_pairing(pairing_id: int) -> Pairing:
    pairing = db.session.scalar(select(Pairing).where(Pairing.id == pairing_id).options(
        selectinload(Pairing.organisation), selectinload(Pairing.community).selectinload(Area.parent)))
    if pairing is None or not can_view_pairing(current_user, pairing):
        abort(404)
    return pairing


def _load_item(item_id: int) -> ChecklistItem:
    item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.id == item_id).options(
        selectinload(ChecklistItem.pairing).selectinload(Pairing.organisation),
        selectinload(ChecklistItem.pairing).selectinload(Pairing.community),
        selectinload(ChecklistItem.community).selectinload(Area.parent),
        selectinload(ChecklistItem.community_agreed_by), selectinload(ChecklistItem.agency_agreed_by),
        selectinload(ChecklistItem.active_claim).selectinload(ChecklistClaim.organisation)))
    if item is None or not can_view_item(current_user, item):
        abort(404)
    return item


# ---------------------------------------------------------------- lists


@bp.get("/")
@login_required
def index():
    if not can_use_cobuild(current_user):
        abort(403)
    page = keyset_page(db.session, queries.pairings_statement(current_user), keys=queries.PAIRING_KEYS,
                       cursor=request.args.get("after"), size=_page_size())
    ctx = dict(page=page, summaries=queries.summaries([p.id for p in page.items]),
               next_url=url_for("cobuild.index", after=page.next_cursor) if page.has_more else None,
               kind_labels=KIND_LABELS, kinds=KINDS)
    if wants_fragment() and request.args.get("after"):
        return render_template("cobuild/_pairing_rows.html", **ctx)
    return render_template("cobuild/index.html", streets=queries.streets_in_reach(current_user), **ctx)


@bp.get("/pairings/<int:pairing_id>")
@login_required
def pairing(pairing_id: int):
    pairing = _load_pairing(pairing_id)
    kind = request.args.get("list", "need")
    if kind not in KINDS:
        kind = "need"
    page = keyset_page(db.session, queries.items_statement(pairing, kind), keys=queries.ITEM_KEYS,
                       cursor=request.args.get("after"), size=_page_size())
    ids = [i.id for i in page.items]
    ctx = dict(pairing=pairing, kind=kind, page=page, kinds=KINDS, kind_labels=KIND_LABELS,
               links=queries.project_links(ids) if kind == "project" else {},
               parents=queries.project_of(ids) if kind != "project" else {},
               next_url=url_for("cobuild.pairing", pairing_id=pairing.id, list=kind, after=page.next_cursor)
               if page.has_more else None)
    if wants_fragment() and request.args.get("after"):
        return render_template("cobuild/_item_rows.html", **ctx)
    summary = queries.summaries([pairing.id])[pairing.id]
    return render_page("cobuild/pairing.html", "cobuild/_pairing_body.html", summary=summary,
                       import_form=ImportForm(formdata=None), **ctx)


# ---------------------------------------------------------------- propose, match, edit


def _choices(form: ItemForm) -> None:
    form.category.choices = [(c, category_label(c)) for c in CATEGORIES]
    form.responsible_side.choices = [(s, side_label(s)) for s in reversed(SIDES)]


def _parse_value(raw: str | None) -> int | None:
    raw = (raw or "").strip().replace("¥", "").replace(",", "")
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise CobuildError(_("Enter the estimated value as a whole number of yuan, e.g. 2000."), "value")
    return int(raw)


def _parse_date(raw: str | None) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CobuildError(_("Enter the date as YYYY-MM-DD."), "target_date") from None


def _input(form: ItemForm) -> tuple[ItemInput, dict]:
    """The form's values; values that cannot be parsed come back as errors to report with all the others."""
    errors: dict = {}
    parsed = {}
    for name, parse, raw in (("value", _parse_value, form.value.data), ("target_date", _parse_date,
                                                                        form.target_date.data)):
        try:
            parsed[name] = parse(raw)
        except CobuildError as e:
            errors.update(e.errors)
            parsed[name] = None
    data = ItemInput(title=form.title.data, description=form.description.data, category=form.category.data,
                     quantity=form.quantity.data, value=parsed["value"], community_contact=form.community_contact.data,
                     agency_contact=form.agency_contact.data, responsible_side=form.responsible_side.data,
                     target_date=parsed["target_date"])
    return data, errors


def _run(form, errors: dict, call):
    """Call the service; a refusal (with the parse errors) lands on the form, nothing changed."""
    try:
        if errors:
            try:
                call(validate_only=True)
            except CobuildError as e:
                raise CobuildError.several({**e.errors, **errors}) from None
            raise CobuildError.several(errors)
        result = call(validate_only=False)
    except CobuildError as e:
        db.session.rollback()
        show_errors(form, e)
        return None
    return result


@bp.route("/pairings/<int:pairing_id>/new", methods=["GET", "POST"])
@login_required
def propose(pairing_id: int):
    pairing = _load_pairing(pairing_id)
    if not can_propose_on(current_user, pairing):
        abort(403)
    kind = request.values.get("kind", "need")
    if kind not in KINDS:
        kind = "need"
    form = ItemForm()
    _choices(form)
    if request.method == "GET":
        form.target_date.data = f"{pairing.year}-12-31"
    elif form.validate_on_submit():
        data, errors = _input(form)

        def call(validate_only):
            if validate_only:
                return services.validate_input(data, pairing.year)
            return services.propose(current_user, pairing, kind, data)

        item = _run(form, errors, call)
        if item is not None:
            db.session.commit()
            return _go(url_for("cobuild.item", item_id=item.id), _("Proposed. The other side is asked to agree."))
    return render_page("cobuild/form.html", "cobuild/_form.html", form=form, pairing=pairing, kind=kind,
                       mode="propose", action=url_for("cobuild.propose", pairing_id=pairing.id, kind=kind))


@bp.route("/pairings/<int:pairing_id>/match", methods=["GET", "POST"])
@login_required
def match(pairing_id: int):
    pairing = _load_pairing(pairing_id)
    if not can_propose_on(current_user, pairing):
        abort(403)
    form = ItemForm()
    _choices(form)
    candidates = queries.matchable(pairing)
    form.items.choices = [(str(i.id), f"{i.kind_label} · {i.title}") for i in candidates]
    if request.method == "GET":
        form.target_date.data = f"{pairing.year}-12-31"
        wanted = request.args.getlist("item")
        form.items.data = [w for w in wanted if w in {c for c, _ in form.items.choices}]
    elif form.validate_on_submit():
        data, errors = _input(form)
        ids = [parse_id(v) for v in (form.items.data or [])]

        def call(validate_only):
            if validate_only:
                return services.validate_input(data, pairing.year)
            return services.match(current_user, pairing, [i or 0 for i in ids], data)

        item = _run(form, errors, call)
        if item is not None:
            db.session.commit()
            return _go(url_for("cobuild.item", item_id=item.id),
                       _("The project was made. The other side is asked to agree."))
    return render_page("cobuild/form.html", "cobuild/_form.html", form=form, pairing=pairing, kind="project",
                       mode="match", action=url_for("cobuild.match", pairing_id=pairing.id))


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id: int):
    item = _load_item(item_id)
    if not can_edit_item(current_user, item):
        abort(403)
    form = ItemForm(obj=item if request.method == "GET" else None)
    _choices(form)
    if request.method == "GET":
        form.value.data = "" if item.value is None else str(item.value)
        form.target_date.data = item.target_date.isoformat() if item.target_date else ""
    elif form.validate_on_submit():
        data, errors = _input(form)

        def call(validate_only):
            if validate_only:
                return services.validate_input(data, item.year)
            return services.update_item(current_user, item, data)

        changed = _run(form, errors, call)
        if changed is not None:
            db.session.commit()
            if changed and item.state == "proposed" and item.pairing is not None:
                message = _("Changed. The other side is asked to agree again.")
            else:
                message = _("Saved.") if changed else _("Nothing was changed.")
            return _go(url_for("cobuild.item", item_id=item.id), message, "info")
    return render_page("cobuild/form.html", "cobuild/_form.html", form=form, pairing=item.pairing, kind=item.kind,
                       mode="edit", item=item, action=url_for("cobuild.edit", item_id=item.id))


# ---------------------------------------------------------------- an item


def render_item(item: ChecklistItem, *, errors: dict | None = None, forms: dict | None = None):
    forms = forms or {}
    claim_choices = []
    if can_claim_item(current_user, item):
        from app.accounts.scope import assignments

        names = {a.organisation_id: a.organisation.name for a in assignments(current_user) if a.organisation}
        claim_choices = [(oid, names.get(oid, str(oid))) for oid in claimable_org_ids(current_user, item)]
    ctx = dict(
        item=item, errors=errors or {}, sides=item_sides(current_user, item),
        links=services.linked_items(item) if item.kind == "project" else [],
        parent=queries.project_of([item.id]).get(item.id),
        progress=_progress(item),
        entries=entries_for(item, include_internal=True), show_internal=True,
        state_label=state_label, action_label=action_label, side_label=side_label,
        claim_choices=claim_choices,
        forms_sent={action: _sent_text(form) for action, form in forms.items()},
        progress_form=forms.get("progress") or ProgressForm(formdata=None, prefix="progress"),
        done_form=forms.get("done") or NoteForm(formdata=None, prefix="done"),
        evaluate_form=forms.get("evaluate") or EvaluateForm(formdata=None, prefix="evaluate"),
        cancel_form=forms.get("cancel") or ReasonForm(formdata=None, prefix="cancel"),
    )
    return render_page("cobuild/item.html", "cobuild/_item.html", **ctx)


def _sent_text(form) -> str:
    """The text a refused form carried (a note, a comment, a reason), to give back when its form is not shown."""
    for name in ("note", "comment", "reason"):
        field = getattr(form, name, None)
        if field is not None and (field.data or "").strip():
            return field.data.strip()
    return ""


@bp.get("/items/<int:item_id>")
@login_required
def item(item_id: int):
    """The item's page; its progress notes are read a page at a time ("Load more": with htmx the next notes
    alone, without JavaScript the page again from that point)."""
    item = _load_item(item_id)
    if wants_fragment() and request.args.get("progress_after"):
        return render_template("cobuild/_progress_rows.html", item=item, progress=_progress(item))
    return render_item(item)


def _progress(item: ChecklistItem):
    page = queries.progress_entries(item, cursor=request.args.get("progress_after"),
                                    size=int(current_app.config.get("COBUILD_PROGRESS_PAGE_SIZE") or 50))
    page.next_url = (url_for("cobuild.item", item_id=item.id, progress_after=page.next_cursor)
                     if page.has_more else None)
    return page


def _act(item_id: int, allowed, action: str, do, message: str, form=None, category: str = "success"):
    """``allowed`` asks only whether the user acts for the right side (403 otherwise); whether the item's state
    still allows the action is the service's to answer, with a message on the page (a second click, a stale tab)."""
    item = _load_item(item_id)
    if not allowed(current_user, item):
        abort(403)
    try:
        if form is not None and not form.validate_on_submit():
            raise CobuildError(_("Please send the form again."))
        do(item, form)
    except CobuildError as e:
        db.session.rollback()
        item = _load_item(item_id)
        messages = [str(m) for m in e.errors.values()]
        if form is not None:
            show_errors(form, e)
            if any(has_file(f) for f in (getattr(getattr(form, "photos", None), "data", None) or [])):
                messages.append(_("The photos were not saved: please choose them again."))
        return render_item(item, errors={action: messages}, forms={action: form} if form else None)
    db.session.commit()
    notify(message, category)
    if wants_fragment():
        return render_item(_load_item(item_id))
    return redirect(url_for("cobuild.item", item_id=item_id), 303)


@bp.post("/items/<int:item_id>/agree")
@login_required
def agree(item_id: int):
    def do(item, form):
        if services.agree(current_user, item):
            notify(_("Both sides agreed: the work can start."))

    return _act(item_id, is_agreeing_side, "agree", do, _("Your side's agreement is recorded."))


def _photos(field) -> list[bytes]:
    files = [f for f in (field.data or []) if has_file(f)]
    if len(files) > services.PHOTOS_MAX:
        raise CobuildError(_("At most %(n)s photos per progress note.", n=services.PHOTOS_MAX), "photos")
    out = []
    for f in files:
        try:
            out.append(check_image(f))
        except UploadError as e:
            raise CobuildError(e.message, "photos") from None
    return out


@bp.post("/items/<int:item_id>/progress")
@login_required
def progress(item_id: int):
    def do(item, form):
        photos = _photos(form.photos)
        services.post_progress(current_user, item, form.percent.data, form.note.data, photos)

    return _act(item_id, is_responsible_side, "progress", do, _("Progress reported."),
                form=ProgressForm(prefix="progress"))


@bp.post("/items/<int:item_id>/done")
@login_required
def done(item_id: int):
    return _act(item_id, is_responsible_side, "done", lambda i, f: services.mark_done(current_user, i, f.note.data),
                _("Marked as done. The community is asked to evaluate it."), form=NoteForm(prefix="done"))


@bp.post("/items/<int:item_id>/evaluate")
@login_required
def evaluate(item_id: int):
    return _act(item_id, is_evaluating_side, "evaluate",
                lambda i, f: services.evaluate(current_user, i, f.rating.data, f.comment.data),
                _("Thank you for the evaluation."), form=EvaluateForm(prefix="evaluate"))


@bp.post("/items/<int:item_id>/cancel")
@login_required
def cancel(item_id: int):
    return _act(item_id, is_cancelling_side, "cancel", lambda i, f: services.cancel(current_user, i, f.reason.data),
                _("Cancelled."), form=ReasonForm(prefix="cancel"), category="info")


@bp.post("/items/<int:item_id>/claim")
@login_required
def claim(item_id: int):
    item = db.session.get(ChecklistItem, item_id)
    # a claimed item is no longer visible to the other agencies, yet a late claimant must hear "already claimed"
    if item is None or not (can_view_item(current_user, item) or could_claim(current_user, item)):
        abort(404)
    if not is_agency_admin(current_user):
        abort(403)
    form = ClaimForm()
    org_id = parse_id(form.organisation_id.data) if (form.organisation_id.data or "").strip() else None
    try:
        services.claim(current_user, item, org_id)
    except CobuildError as e:
        db.session.rollback()
        return _claim_answer(item_id, str(e.message), "error")
    db.session.commit()
    return _claim_answer(item_id, _("Claimed. The item joins your branch's pairing with the community."))


def _claim_answer(item_id: int, message: str, category: str = "success"):
    if wants_fragment():
        if category == "error":
            return render_template("cobuild/_claim_result.html", message=message), 200
        notify(message, category)
        return render_template("cobuild/_claim_result.html", message=message, ok=True,
                               item=db.session.get(ChecklistItem, item_id))
    notify(message, category)
    item = db.session.get(ChecklistItem, item_id)
    if category != "error" and item is not None and can_view_item(current_user, item):
        return redirect(url_for("cobuild.item", item_id=item_id), 303)
    return redirect(url_for("cobuild.open_items"), 303)


# ---------------------------------------------------------------- open needs and key projects


@bp.get("/open")
@login_required
def open_items():
    """Open needs (for the agencies of the street) and key projects (city-wide) waiting for a claim."""
    if not (is_agency_admin(current_user) or can_publish_open_need(current_user)
            or can_publish_key_project(current_user)):
        abort(403)
    page = keyset_page(db.session, queries.open_statement(current_user), keys=queries.OPEN_KEYS,
                       cursor=request.args.get("after"), size=_page_size())
    rows = page.items
    ctx = dict(rows=rows, page=page,
               next_url=url_for("cobuild.open_items", after=page.next_cursor) if page.has_more else None)
    if wants_fragment() and request.args.get("after"):
        return render_template("cobuild/_open_rows.html", **ctx)
    return render_template("cobuild/open.html", **ctx)


def _publish_communities() -> list[Area]:
    if can_publish_key_project(current_user):
        from app.accounts.scope import area_scope

        return list(db.session.scalars(
            select(Area).where(Area.level == "community", area_scope(current_user, Area.id, "street_admin"))
            .order_by(Area.parent_id, Area.id).limit(queries.CHOICES_MAX)))
    return [a for a in role_areas(current_user, "community_staff") if a.level == "community"]


@bp.route("/open/new", methods=["GET", "POST"])
@login_required
def publish():
    key_project = can_publish_key_project(current_user)
    if not (key_project or can_publish_open_need(current_user)):
        abort(403)
    communities = _publish_communities()
    form = ItemForm()
    _choices(form)
    form.community_id.choices = [(str(c.id), c.name) for c in communities]
    if request.method == "GET":
        form.target_date.data = f"{date.today().year}-12-31"
    elif form.validate_on_submit():
        data, errors = _input(form)
        cid = parse_id(form.community_id.data)
        community = next((c for c in communities if c.id == cid), None)

        def call(validate_only):
            if validate_only:
                return services.validate_input(data, data.target_date.year if data.target_date else 0)
            if key_project:
                return services.publish_key_project(current_user, community, data)
            return services.publish_open_need(current_user, community, data)

        item = _run(form, errors, call)
        if item is not None:
            db.session.commit()
            return _go(url_for("cobuild.item", item_id=item.id), _("Published. Agencies can now claim it."))
    return render_page("cobuild/form.html", "cobuild/_form.html", form=form, pairing=None,
                       kind="project" if key_project else "need", mode="publish", action=url_for("cobuild.publish"))


@bp.get("/key-projects")
def key_projects():
    """Public: key projects with their claimant and progress — what was promised and what was done."""
    page = keyset_page(db.session, queries.key_projects_statement(), keys=queries.OPEN_KEYS,
                       cursor=request.args.get("after"), size=_page_size())
    ctx = dict(page=page, next_url=url_for("cobuild.key_projects", after=page.next_cursor) if page.has_more
               else None)
    if wants_fragment() and request.args.get("after"):
        return render_template("cobuild/_key_rows.html", **ctx)
    return render_template("cobuild/key_projects.html", **ctx)


# ---------------------------------------------------------------- spreadsheets

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response


@bp.get("/pairings/<int:pairing_id>/export.xlsx")
@login_required
def export_pairing(pairing_id: int):
    pairing = _load_pairing(pairing_id)
    return _xlsx(spreadsheets.export([pairing.id]), f"cobuild-pairing-{pairing.id}.xlsx")


@bp.get("/export.xlsx")
@login_required
def export_area():
    area_id = parse_id(request.args.get("area"))
    area = db.session.get(Area, area_id) if area_id else None
    if area is None or not can_export_area(current_user, area):
        abort(404)
    return _xlsx(spreadsheets.export(queries.pairings_in_area(area)), f"cobuild-{area.level}-{area.id}.xlsx")


@bp.post("/pairings/<int:pairing_id>/import")
@login_required
def import_items(pairing_id: int):
    pairing = _load_pairing(pairing_id)
    if not can_import_into(current_user, pairing):
        abort(403)
    form = ImportForm()
    errors: list[str] = []
    if not form.validate_on_submit() or not has_file(form.file.data):
        errors = [_("Choose a spreadsheet file (.xlsx).")]
    else:
        try:
            count = spreadsheets.import_items(current_user, pairing, form.file.data)
        except spreadsheets.ImportRefused as e:
            db.session.rollback()
            errors = [str(m) for m in e.problems]
        else:
            db.session.commit()
            notify(_("%(n)s items imported.", n=count))
            return redirect(url_for("cobuild.pairing", pairing_id=pairing.id), 303)
    pairing = _load_pairing(pairing_id)
    page = keyset_page(db.session, queries.items_statement(pairing, "need"), keys=queries.ITEM_KEYS, cursor=None,
                       size=_page_size())
    return render_page("cobuild/pairing.html", "cobuild/_pairing_body.html", pairing=pairing, kind="need",
                       page=page, kinds=KINDS, kind_labels=KIND_LABELS, links={}, parents={}, next_url=None,
                       summary=queries.summaries([pairing.id])[pairing.id], import_form=form, import_errors=errors)

