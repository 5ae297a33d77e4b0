"""Co-building checklist pages. Thin: load (404) → authorise (403) → ``perform`` / service → render; the queries are
in queries.py, who may do what in policy.py, reading and checking what was typed and every change in services.py."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.areas.models import Area
from app.cobuild import bp, queries, services, spreadsheets
from app.cobuild.forms import ClaimForm, EvaluateForm, ImportForm, ItemForm, NoteForm, ProgressForm, ReasonForm
from app.cobuild.models import (
    CATEGORIES,
    KIND_LABELS,
    KINDS,
    SIDES,
    ChecklistItem,
    action_label,
    category_label,
    side_label,
    state_label,
)
from app.cobuild.policy import (
    can_edit_item,
    can_export_area,
    can_import_into,
    can_propose_on,
    can_publish_key_project,
    can_publish_open_need,
    can_reach_claim,
    can_see_open_items,
    can_send_claim,
    can_use_cobuild,
    can_view_item,
    can_view_pairing,
    is_agreeing_side,
    is_cancelling_side,
    is_evaluating_side,
    is_responsible_side,
    item_sides,
    shown_actions,
)
from app.cobuild.services import ItemInput
from app.errors import DomainError
from app.extensions import db
from app.organisations.models import Pairing
from app.timeline.services import entries_for
from app.timeutil import local_today
from app.uploads.services import has_file
from app.web.actions import Refusal, authorise, form_error, load, perform, pop_refusal
from app.web.forms import refilled, show_errors
from app.web.htmx import notify, render_page, wants_fragment
from app.web.pagination import keyset_page
from app.web.params import parse_id


def _go(url: str, message: str, category: str = "success"):
    """After a form page of its own: a 303 to ``url``; an htmx form is sent there with HX-Redirect (the message as a
    flash, since the page is loaded afresh)."""
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
    return load(Pairing, pairing_id, can_view_pairing, options=queries.pairing_options())


def _load_item(item_id: int, can_view=can_view_item) -> ChecklistItem:
    return load(ChecklistItem, item_id, can_view, options=queries.item_options())


# ---------------------------------------------------------------- lists


def _paged(statement, keys, endpoint: str, cursor: str | None = None, **args):
    """One page of a list and the address of the next ("load more"), or None at the end."""
    page = keyset_page(db.session, statement, keys=keys, cursor=cursor, size=_page_size())
    return page, url_for(endpoint, **args, after=page.next_cursor) if page.has_more else None


def _more(rows_template: str, **ctx):
    """htmx asking for the next page of a list: just its rows."""
    if wants_fragment() and request.args.get("after"):
        return render_template(rows_template, **ctx)
    return None


@bp.get("/")
@login_required
def index():
    authorise(can_use_cobuild(current_user))
    page, next_url = _paged(queries.pairings_statement(current_user), queries.PAIRING_KEYS, "cobuild.index",
                            request.args.get("after"))
    ctx = dict(page=page, summaries=queries.summaries([p.id for p in page.items]), next_url=next_url,
               kind_labels=KIND_LABELS, kinds=KINDS)
    return _more("cobuild/_pairing_rows.html", **ctx) or render_template(
        "cobuild/index.html", streets=queries.streets_in_reach(current_user), **ctx)


def render_pairing(pairing: Pairing, kind: str = "need", cursor: str | None = None, import_form=None,
                   import_errors: list[str] | None = None):
    """A pairing's page: one of its lists, paged, and the spreadsheet import (with a refused file's problems)."""
    page, next_url = _paged(queries.items_statement(pairing, kind), queries.ITEM_KEYS, "cobuild.pairing", cursor,
                            pairing_id=pairing.id, list=kind)
    ids = [i.id for i in page.items]
    ctx = dict(pairing=pairing, kind=kind, page=page, kinds=KINDS, kind_labels=KIND_LABELS, next_url=next_url,
               links=queries.project_links(ids) if kind == "project" else {},
               parents=queries.project_of(ids) if kind != "project" else {})
    return _more("cobuild/_item_rows.html", **ctx) or render_page(
        "cobuild/pairing.html", "cobuild/_pairing_body.html", summary=queries.summaries([pairing.id])[pairing.id],
        import_form=import_form or ImportForm(formdata=None), import_errors=import_errors or [], **ctx)


@bp.get("/pairings/<int:pairing_id>")
@login_required
def pairing(pairing_id: int):
    kind = request.args.get("list", "need")
    return render_pairing(_load_pairing(pairing_id), kind if kind in KINDS else "need", request.args.get("after"))


# ---------------------------------------------------------------- propose, match, edit, publish: form pages


def _choices(form: ItemForm) -> None:
    form.category.choices = [(c, category_label(c)) for c in CATEGORIES]
    form.responsible_side.choices = [(s, side_label(s)) for s in reversed(SIDES)]


def _typed(form: ItemForm) -> ItemInput:
    """What was typed, as text: the service reads the numbers and dates with every other problem at once."""
    return ItemInput(title=form.title.data, description=form.description.data, category=form.category.data,
                     quantity=form.quantity.data, value=form.value.data, community_contact=form.community_contact.data,
                     agency_contact=form.agency_contact.data, responsible_side=form.responsible_side.data,
                     target_date=form.target_date.data)


def _item_form(form: ItemForm, save, render):
    """A form page of its own, sent back to itself until the service takes it: every problem by its field at once,
    nothing changed, what was typed kept. Taken: committed once, then the item's page (HX-Redirect for htmx).
    ``save(typed) -> (item, message, category)``."""
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise form_error(form)
            item, message, category = save(_typed(form))
        except DomainError as e:
            db.session.rollback()
            show_errors(form, e)
        else:
            db.session.commit()
            return _go(url_for("cobuild.item", item_id=item.id), message, category)
    return render_page("cobuild/form.html", "cobuild/_form.html", form=form, **render)


def _kind() -> str:
    kind = request.values.get("kind", "need")
    return kind if kind in KINDS else "need"


def _new_form(year: int) -> ItemForm:
    """A fresh item form (its choices; on a GET the target date at the end of ``year``)."""
    form = ItemForm()
    _choices(form)
    if request.method == "GET":
        form.target_date.data = f"{year}-12-31"
    return form


def _pairing_form(pairing_id: int) -> tuple[Pairing, ItemForm]:
    """A pairing's side proposing on it: the pairing (404) if the user is one of its sides (403), and the form."""
    pairing = _load_pairing(pairing_id)
    authorise(can_propose_on(current_user, pairing))
    return pairing, _new_form(pairing.year)


@bp.route("/pairings/<int:pairing_id>/new", methods=["GET", "POST"])
@login_required
def propose(pairing_id: int):
    pairing, form = _pairing_form(pairing_id)
    kind = _kind()

    def save(typed):
        item = services.propose(current_user, pairing, kind, typed)
        return item, _("Proposed. The other side is asked to agree."), "success"

    return _item_form(form, save, dict(pairing=pairing, kind=kind, mode="propose",
                                       action=url_for("cobuild.propose", pairing_id=pairing.id, kind=kind)))


@bp.route("/pairings/<int:pairing_id>/match", methods=["GET", "POST"])
@login_required
def match(pairing_id: int):
    pairing, form = _pairing_form(pairing_id)
    form.items.choices = [(str(i.id), f"{i.kind_label} · {i.title}") for i in queries.matchable(pairing)]
    if request.method == "GET":
        offered = {c for c, _label in form.items.choices}
        form.items.data = [w for w in request.args.getlist("item") if w in offered]

    def save(typed):
        item = services.match(current_user, pairing, form.items.data or [], typed)
        return item, _("The project was made. The other side is asked to agree."), "success"

    return _item_form(form, save, dict(pairing=pairing, kind="project", mode="match",
                                       action=url_for("cobuild.match", pairing_id=pairing.id)))


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id: int):
    item = _load_item(item_id)
    authorise(can_edit_item(current_user, item))
    form = ItemForm(obj=item if request.method == "GET" else None)
    _choices(form)
    if request.method == "GET":
        form.value.data = "" if item.value is None else str(item.value)
        form.target_date.data = item.target_date.isoformat() if item.target_date else ""

    def save(typed):
        changed = services.update_item(current_user, item, typed)
        if changed and item.state == "proposed" and item.pairing is not None:
            return item, _("Changed. The other side is asked to agree again."), "info"
        return item, _("Saved.") if changed else _("Nothing was changed."), "info"

    return _item_form(form, save, dict(pairing=item.pairing, kind=item.kind, mode="edit", item=item,
                                       action=url_for("cobuild.edit", item_id=item.id)))


@bp.route("/open/new", methods=["GET", "POST"])
@login_required
def publish():
    key_project = can_publish_key_project(current_user)
    authorise(key_project or can_publish_open_need(current_user))
    communities = queries.publish_communities(current_user)
    form = _new_form(local_today().year)
    form.community_id.choices = [(str(c.id), c.name) for c in communities]

    def save(typed):
        community = next((c for c in communities if c.id == parse_id(form.community_id.data)), None)
        publish_ = services.publish_key_project if key_project else services.publish_open_need
        return publish_(current_user, community, typed), _("Published. Agencies can now claim it."), "success"

    return _item_form(form, save, dict(pairing=None, kind="project" if key_project else "need", mode="publish",
                                       action=url_for("cobuild.publish")))


# ---------------------------------------------------------------- an item

@dataclass(frozen=True)
class ItemAction:
    """An action on an item's page (POST /items/<id>/<name>, endpoint ``cobuild.<name>``): who acts for the right
    side (``allowed``; 403 otherwise — whether the item's state still allows it is the service's to answer), the
    service call ``do(item, form)``, what the person is told, and the form (its prefix is the action's name)."""

    allowed: Callable[[Any, ChecklistItem], bool]
    do: Callable[[ChecklistItem, Any], Any]
    done: Callable[[Any], str]
    form: type | None = None
    category: str = "success"


def _agreed(both_agree: bool) -> str:
    return " ".join([_("Your side's agreement is recorded."),
                     *([_("Both sides agreed: the work can start.")] if both_agree else [])])


ITEM_ACTIONS = {
    "agree": ItemAction(is_agreeing_side, lambda i, f: services.agree(current_user, i), _agreed),
    "progress": ItemAction(
        is_responsible_side, lambda i, f: services.post_progress(current_user, i, f.percent.data, f.note.data,
                                                                 services.read_photos(f.photos.data)),
        lambda r: _("Progress reported."), ProgressForm),
    "done": ItemAction(is_responsible_side, lambda i, f: services.mark_done(current_user, i, f.note.data),
                       lambda r: _("Marked as done. The community is asked to evaluate it."), NoteForm),
    "evaluate": ItemAction(is_evaluating_side,
                           lambda i, f: services.evaluate(current_user, i, f.rating.data, f.comment.data),
                           lambda r: _("Thank you for the evaluation."), EvaluateForm),
    "cancel": ItemAction(is_cancelling_side, lambda i, f: services.cancel(current_user, i, f.reason.data),
                         lambda r: _("Cancelled."), ReasonForm, "info"),
}
#: the forms on the item's page, by action
ACTION_FORMS = {name: a.form for name, a in ITEM_ACTIONS.items() if a.form is not None}
#: the text a refused form carried, given back when its form is no longer shown
SENT_FIELDS = ("note", "comment", "reason")


def render_item(item: ChecklistItem, *, refusal: Refusal | None = None):
    """The item's page. A refusal is written at its form (each message under its field too), with what was typed;
    one whose form is no longer shown (the item moved on) goes at the top, with the text given back."""
    forms = {action: cls(formdata=None, prefix=action) for action, cls in ACTION_FORMS.items()}
    errors: dict[str, list[str]] = {}
    sent = {}
    if refusal is not None:
        cls = ACTION_FORMS.get(refusal.action)
        form = refilled(cls, refusal, prefix=refusal.action) if cls is not None else None
        if form is not None:
            forms[refusal.action] = form
            sent[refusal.action] = next((form[n].data.strip() for n in SENT_FIELDS
                                         if n in form and (form[n].data or "").strip()), "")
        messages = [str(m) for m in refusal.errors.values()]
        if refusal.notes:  # the browser cannot send chosen files back
            messages.append(_("The photos were not saved: please choose them again."))
        errors[refusal.action] = messages
    links = services.linked_items(item) if item.kind == "project" else []
    ctx = dict(
        item=item, errors=errors, forms_sent=sent, sides=item_sides(current_user, item), links=links,
        shown=shown_actions(current_user, item, bool(links)),
        parent=queries.project_of([item.id]).get(item.id), progress=_progress(item),
        entries=entries_for(item, include_internal=True), show_internal=True,
        state_label=state_label, action_label=action_label, side_label=side_label,
        claim_choices=queries.claim_choices(current_user, item),
        progress_form=forms["progress"], done_form=forms["done"], evaluate_form=forms["evaluate"],
        cancel_form=forms["cancel"],
    )
    return render_page("cobuild/item.html", "cobuild/_item.html", **ctx)


@bp.get("/items/<int:item_id>")
@login_required
def item(item_id: int):
    """The item's page; its progress notes are read a page at a time ("Load more": with htmx the next notes
    alone, without JavaScript the page again from that point)."""
    item = _load_item(item_id)
    if wants_fragment() and request.args.get("progress_after"):
        return render_template("cobuild/_progress_rows.html", item=item, progress=_progress(item))
    return render_item(item, refusal=pop_refusal(item))


def _progress(item: ChecklistItem):
    page = queries.progress_entries(item, cursor=request.args.get("progress_after"),
                                    size=int(current_app.config.get("COBUILD_PROGRESS_PAGE_SIZE") or 50))
    page.next_url = (url_for("cobuild.item", item_id=item.id, progress_after=page.next_cursor)
                     if page.has_more else None)
    return page


def _item_action(name: str):
    action = ITEM_ACTIONS[name]

    @login_required
    def view(item_id: int):
        """load (404) → ``perform``: 403, the refusal at the action's form, commit once, the answer."""
        item = _load_item(item_id)
        return perform(item, action=name, allowed=action.allowed, do=action.do, done=action.done,
                       form=action.form(prefix=name) if action.form else None, category=action.category,
                       page=url_for("cobuild.item", item_id=item_id),
                       render=lambda i, refusal=None: render_item(_load_item(item_id), refusal=refusal))

    return view


for _name in ITEM_ACTIONS:
    bp.add_url_rule(f"/items/<int:item_id>/{_name}", endpoint=_name, view_func=_item_action(_name), methods=["POST"])


def _claim_result(item_id: int, refusal: Refusal | None = None):
    """htmx from the list of open items: the row's answer (a success is also a toast)."""
    item = db.session.get(ChecklistItem, item_id)
    if refusal is not None:
        return render_template("cobuild/_claim_block.html", message=refusal.message, ok=False, item=item)
    return render_template("cobuild/_claim_block.html", message=_claimed(), ok=True, item=item)


def _claimed() -> str:
    return _("Claimed. The item joins your branch's pairing with the community.")


def _claim_page(item: ChecklistItem) -> str:
    """The item's page; for a claim refused because another agency took the item, the list of open items."""
    if can_view_item(current_user, item):
        return url_for("cobuild.item", item_id=item.id)
    return url_for("cobuild.open_items", claim=item.id)


@bp.post("/items/<int:item_id>/claim")
@login_required
def claim(item_id: int):
    item = _load_item(item_id, can_reach_claim)
    form = ClaimForm()  # the CSRF token was checked by CSRFProtect; the branch is read by the service
    return perform(item, action="claim", allowed=can_send_claim,
                   do=lambda i, f: services.claim(current_user, i, parse_id(form.organisation_id.data)),
                   done=_claimed(), page=_claim_page, render=lambda i, refusal=None: _claim_result(item_id, refusal))


# ---------------------------------------------------------------- open needs and key projects


@bp.get("/open")
@login_required
def open_items():
    """Open needs (for the agencies of the street) and key projects (city-wide) waiting for a claim; after a claim
    refused because another agency took the item first (``?claim=<id>``), what the person was told."""
    authorise(can_see_open_items(current_user))
    page, next_url = _paged(queries.open_statement(current_user), queries.OPEN_KEYS, "cobuild.open_items",
                            request.args.get("after"))
    ctx = dict(rows=page.items, page=page, next_url=next_url)
    refused = parse_id(request.args.get("claim"))
    refused_item = db.session.get(ChecklistItem, refused) if refused else None
    return _more("cobuild/_open_rows.html", **ctx) or render_template(
        "cobuild/open.html", refusal=pop_refusal(refused_item) if refused_item is not None else None, **ctx)


@bp.get("/key-projects")
def key_projects():
    """Public: key projects with their claimant and progress — what was promised and what was done."""
    page, next_url = _paged(queries.key_projects_statement(), queries.OPEN_KEYS, "cobuild.key_projects",
                            request.args.get("after"))
    return _more("cobuild/_key_rows.html", page=page, next_url=next_url) or render_template(
        "cobuild/key_projects.html", page=page, next_url=next_url)


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
    area = load(Area, parse_id(request.args.get("area")), can_export_area)
    return _xlsx(spreadsheets.export(queries.pairings_in_area(area)), f"cobuild-{area.level}-{area.id}.xlsx")


@bp.post("/pairings/<int:pairing_id>/import")
@login_required
def import_items(pairing_id: int):
    """A spreadsheet of items: all rows or none. A refused file is answered on the pairing's page with each bad row
    named (a file cannot be carried back, so the page is shown in place)."""
    pairing = _load_pairing(pairing_id)
    authorise(can_import_into(current_user, pairing))
    form = ImportForm()
    try:
        if not form.validate_on_submit() or not has_file(form.file.data):
            raise spreadsheets.ImportRefused([_("Choose a spreadsheet file (.xlsx).")])
        count = spreadsheets.import_items(current_user, pairing, form.file.data)
    except spreadsheets.ImportRefused as e:
        db.session.rollback()
        return render_pairing(_load_pairing(pairing_id), import_form=form, import_errors=[str(m) for m in e.problems])
    db.session.commit()
    notify(_("%(n)s items imported.", n=count))
    return redirect(url_for("cobuild.pairing", pairing_id=pairing.id), 303)
