"""Issue pages. Thin: load (404 unseen) → authorise (403 seen but not allowed) → ``perform`` / service → commit once
→ notify → 303, or the updated part for htmx (app/web/actions.py)."""
from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from app.accounts.models import User, mask_name
from app.areas.models import LEVEL_DEPTH, Area, level_label
from app.areas.services import lineages, picker_from_values
from app.errors import DomainError
from app.extensions import db
from app.issues import bp
from app.issues import policy as p
from app.issues import queries as q
from app.issues import services as s
from app.issues.forms import (
    AssignForm,
    DuplicateForm,
    NoteForm,
    PublicNoteForm,
    QuickReportForm,
    RateForm,
    ReasonForm,
    ReportForm,
    ResolveForm,
)
from app.issues.models import (
    CHANNELS,
    LEVELS,
    RECORDED_CHANNELS,
    STATES,
    Issue,
    IssueCategory,
    action_label,
    channel_label,
    next_level,
    state_label,
)
from app.issues.queries import Filters, list_page
from app.moderation.views import hidden_page
from app.uploads.services import has_file
from app.web.actions import Refusal, authorise, form_error, load, perform, pop_refusal
from app.web.forms import EmptyForm
from app.web.htmx import notify, render_page, wants_fragment
from app.web.params import parse_id

VIEWS = ("queue", "area", "mine", "public")


def _page_size() -> int:
    return int(current_app.config.get("ISSUES_PAGE_SIZE") or current_app.config.get("PAGE_SIZE", 20))


def _float(raw) -> tuple[float | None, bool]:
    """(value, ok) for an optional number from a form."""
    raw = (raw or "").strip()
    if not raw:
        return None, True
    try:
        value = float(raw)
    except ValueError:
        return None, False
    return (value, True) if value == value and abs(value) != float("inf") else (None, False)


# -- lists --------------------------------------------------------------------------------------------------
def _views_for(user) -> list[str]:
    views = []
    if p.is_issue_handler(user):
        views += ["queue", "area"]
    if getattr(user, "is_authenticated", False):
        views.append("mine")
    views.append("public")
    return views


@bp.get("/")
def index():
    views = _views_for(current_user)
    view = request.args.get("view") or views[0]
    if view not in VIEWS:
        abort(404)
    if view not in views:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        abort(403)
    filters = Filters.from_args(request.args, current_user) if view in ("area", "queue") else None
    page = list_page(view, current_user, cursor=request.args.get("after"), size=_page_size(), filters=filters)
    next_url = None
    if page.next_cursor:
        next_url = url_for("issues.index", view=view, after=page.next_cursor, **(filters.args() if filters else {}))
    ctx = dict(view=view, views=views, page=page, next_url=next_url, filters=filters,
               categories=s.active_categories() if view in ("area", "queue") else [],
               states=STATES, levels=LEVELS, channels=CHANNELS, state_label=state_label,
               channel_label=channel_label, show_internal=view in ("queue", "area"))
    if request.args.get("after") and wants_fragment():
        return render_page("issues/index.html", "issues/_rows.html", **ctx)
    return render_page("issues/index.html", "issues/_list.html", **ctx)


# -- reporting ----------------------------------------------------------------------------------------------
#: the picker's lists above the micro-grid (the micro-grid itself is the form's ``area_id``)
PICKER_UPPER = ("street", "community", "grid")


def _picker_started(values) -> bool:
    """Something was chosen in the place lists."""
    return any(parse_id(values.get(name)) for name in (*PICKER_UPPER, "area_id"))


def _place_choice(form: ReportForm, values) -> str:
    """"pick" when the form says so — or when a place was chosen in the lists, whatever the radio button says: a
    place chosen means that place (with JavaScript the lists are live while "Where I live" is still checked)."""
    return "pick" if form.place.data == "pick" or _picker_started(values) else "home"


def _place_from(form: ReportForm, values, resident: User | None) -> Area | None:
    if _place_choice(form, values) == "pick":
        area_id = parse_id(values.get("area_id"))
        return db.session.get(Area, area_id) if area_id else None
    person = resident or current_user
    return person.home_area


def _report(form: ReportForm, values, recorder: bool):
    """File the report the form describes (the service checks it); returns (issue, channel)."""
    lat, ok_lat = _float(form.lat.data)
    lon, ok_lon = _float(form.lon.data)
    channel = form.channel.data if recorder and form.channel.data in RECORDED_CHANNELS else "web"
    resident = None
    if channel != "web":
        resident = s.resident_to_record_for(current_user, form.resident_mobile.data, form.resident_name.data)
    if not (ok_lat and ok_lon):
        raise s.IssueError(_("The position is not valid."), "lat")
    place = _place_from(form, values, resident)
    if place is None and form.place.data != "pick" and _picker_started(values):
        raise s.IssueError(_("Choose the place in the lists down to the last one — or set the lists back "
                             "to “— choose —” to report where you live."), "area_id")
    issue = s.report_issue(
        reporter=current_user, category=s.category_by_code(form.category.data),
        description=form.description.data, area=place,
        address=form.address.data, lat=lat, lon=lon, channel=channel, anonymous=form.anonymous.data,
        photos=request.files.getlist("photos"), on_behalf_of=resident,
        reporter_name=form.resident_name.data if channel != "web" else None,
        reporter_phone=form.resident_phone.data if channel != "web" else None)
    if channel == "web":
        return issue, _("Thank you. Your report is number %(id)s; you can follow it here.", id=issue.id)
    # 代录: the recorder is not the one to thank
    name = resident.masked_name if resident is not None else mask_name(form.resident_name.data.strip())
    return issue, _("Recorded for %(name)s as report number %(id)s.", name=name, id=issue.id)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """The report form. A refusal shows the form again where it was sent (200), the messages by their fields and
    what was typed kept; the browser cannot send photos back, so the form says to choose them again."""
    authorise(p.can_report_issue(current_user))
    categories = s.active_categories()
    form = ReportForm()
    form.category.choices = [(c.code, c.label) for c in categories]
    recorder = p.can_record_for_resident(current_user)
    values = request.form if request.method == "POST" else request.args
    if request.method == "GET":
        if request.args.get("category"):
            form.category.data = request.args["category"]
        if current_user.home_area_id is None:
            form.place.data = "pick"
    errors: dict = {}
    photos_dropped = False
    action = request.form.get("action")
    if request.method == "POST" and action in ("pick", "check"):
        # a round trip without JavaScript (next list, similar reports): the text typed comes back, the browser
        # cannot send the photos back — say so next to the photo field
        photos_dropped = any(has_file(f) for f in request.files.getlist("photos"))
    if request.method == "POST" and action not in ("pick", "check"):
        try:
            if not form.validate_on_submit():
                raise form_error(form)
            issue, message = _report(form, values, recorder)
        except DomainError as e:
            db.session.rollback()
            errors = e.errors
        else:
            db.session.commit()
            notify(message)
            return redirect(url_for("issues.show", issue_id=issue.id), 303)
    form.place.data = _place_choice(form, values)  # the radio shows the place that counts
    category = s.category_by_code(form.category.data)
    place = _place_from(form, values, None) if category else None
    similar = s.similar_open_issues(category, place) if category and place else []
    return render_page("issues/new.html", None, form=form, categories=categories, errors=errors,
                       picker=picker_from_values(values), recorder=recorder, similar=similar,
                       checked=action == "check", description_max=s.description_max(),
                       photos_dropped=photos_dropped)


@bp.get("/similar")
@login_required
def similar():
    """"Is it one of these?" — open issues of the same category nearby, as a fragment for the report form."""
    form = ReportForm(request.args, meta={"csrf": False})
    category = s.category_by_code(request.args.get("category"))
    place = _place_from(form, request.args, None) if category else None
    issues = s.similar_open_issues(category, place) if category and place else []
    return render_page("issues/similar_page.html", "issues/_similar.html", similar=issues, checked=True)


def _quick_place(values) -> Area | None:
    """The micro-grid chosen (in the one list, or at the end of the cascade), if the person may report there."""
    area_id = parse_id(values.get("area_id"))
    area = db.session.get(Area, area_id) if area_id else None
    return area if p.can_quick_report_in(current_user, area) else None


@bp.route("/quick", methods=["GET", "POST"])
@login_required
def quick():
    """流动哨兵 quick report: one screen, photo, place, then one tap on a big category button submits. The place is
    one list of the person's micro-grids, or — for someone who looks after more than one list can show (a street)
    — the street → community → grid → micro-grid cascade."""
    authorise(p.can_quick_report(current_user))
    categories = s.active_categories()
    places = q.quick_places(current_user, limit=q.QUICK_CHOICE_MAX)
    cascade = len(places) > q.QUICK_CHOICE_MAX
    form = QuickReportForm()
    values = request.form if request.method == "POST" else request.args
    if request.method == "GET" and not values.get("area_id"):
        last = q.last_quick_place_id(current_user)
        form.area_id.data = str(last) if last else ""
    error = None
    if request.method == "POST" and request.form.get("action") != "pick":
        try:
            if not form.validate_on_submit():
                raise form_error(form)
            lat, ok_lat = _float(form.lat.data)
            lon, ok_lon = _float(form.lon.data)
            if not (ok_lat and ok_lon):
                raise s.IssueError(_("The position is not valid."), "lat")
            issue = s.report_issue(
                reporter=current_user, category=s.category_by_code(request.form.get("category")),
                description=form.description.data, area=_quick_place(values),
                address=form.address.data, lat=lat, lon=lon,
                channel="sentinel", photos=[request.files.get("photo")] if request.files.get("photo") else [])
        except DomainError as e:
            db.session.rollback()
            error = e.message
        else:
            db.session.commit()
            notify(_("Reported. Number %(id)s is on its way to the people responsible.", id=issue.id))
            return redirect(url_for("issues.show", issue_id=issue.id), 303)
    chosen = form.area_id.data or ""
    picker = None
    if cascade:
        start = _quick_place({"area_id": chosen}) if request.method == "GET" else None
        picker = picker_from_values(values, area=start)
    return render_page("issues/quick.html", None, form=form, categories=categories, error=error,
                       groups=[] if cascade else _group_by_community(places), chosen=chosen, picker=picker)


def _group_by_community(places: list[Area]) -> list[tuple[str, list[tuple[int, str]]]]:
    """(community name, [(micro-grid id, "Community · Grid · Micro-grid")]) — one query for all the names. A
    community has several "一组" and two communities may both have a "第一网格", so each option names its community
    and grid too (a phone shows only the chosen option, not its group)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for area_id, lineage in lineages(places).items():
        community = next((a.name for a in lineage if a.level == "community"), "")
        label = " · ".join(a.name for a in lineage if a.depth >= LEVEL_DEPTH["community"])
        groups.setdefault(community, []).append((area_id, label))
    return list(groups.items())


# -- one issue ----------------------------------------------------------------------------------------------
#: each action's form: blank on the page, or filled with what was typed when that action was refused
ACTION_FORMS = {"accept": NoteForm, "reject": ReasonForm, "start": NoteForm, "assign": AssignForm,
                "resolve": ResolveForm, "escalate": ReasonForm, "duplicate": DuplicateForm, "note": PublicNoteForm,
                "rate": RateForm, "revisit": RateForm, "support": NoteForm}


def _load(issue_id: int) -> Issue:
    return load(Issue, issue_id, p.can_view_issue)  # the int converter keeps ids within the 32-bit id range


def _detail_context(issue: Issue, refusal: Refusal | None = None) -> dict:
    show_internal = p.can_view_issue_internal(current_user, issue)
    is_reporter = p.is_issue_reporter(current_user, issue)
    photos = q.photos_of(issue)
    forms = {name: form(formdata=None) for name, form in ACTION_FORMS.items()}
    errors = {}
    if refusal is not None and refusal.action in ACTION_FORMS:
        errors[refusal.action] = refusal.message
        forms[refusal.action] = ACTION_FORMS[refusal.action](formdata=MultiDict(refusal.values),
                                                             meta={"csrf": False})
    people = s.assignable_people(issue, current_user) if p.can_assign_issue(current_user, issue) else []
    forms["assign"].assignee_id.choices = [("", _("— choose —"))] + [
        (str(u.id), f"{u.display_name} · {level_label(level)}") for u, level in people]
    return dict(
        issue=issue, show_internal=show_internal, is_reporter=is_reporter,
        photos=[u for u in photos if u.id != issue.resolution_photo_id],
        resolution_photo=next((u for u in photos if u.id == issue.resolution_photo_id), None),
        entries=q.timeline(issue, current_user, include_internal=show_internal),
        ratings=s.ratings_for(issue) if (show_internal or is_reporter) else [],
        mediation=s.mediation_for(issue) if (show_internal or is_reporter) and issue.category.requires_mediation
        else None,
        supported=s.has_supported(issue, current_user), forms=forms, errors=errors,
        state_label=state_label, action_label=action_label, channel_label=channel_label, next_level=next_level,
    )


def _render_detail(issue: Issue, refusal: Refusal | None = None):
    return render_page("issues/detail.html", "issues/_detail.html", **_detail_context(issue, refusal))


@bp.get("/<int:issue_id>")
def show(issue_id: int):
    issue = _load(issue_id)
    if (hidden := hidden_page(issue)) is not None:  # reported and hidden pending review
        return hidden
    return _render_detail(issue, pop_refusal(issue))


def _act(issue_id: int, name: str, allowed, do, done):
    """Every handling POST: the issue (404 unseen) → ``allowed`` (403) → ``perform``, which commits once and
    answers the issue's page part (htmx) or a 303 to it; a refusal comes back at the action ``#act-<name>``."""
    issue = _load(issue_id)
    return perform(issue, action=name, allowed=allowed, form=ACTION_FORMS[name](), do=do, done=done,
                   page=url_for("issues.show", issue_id=issue_id), render=_render_detail)


@bp.post("/<int:issue_id>/accept")
@login_required
def accept(issue_id: int):
    return _act(issue_id, "accept", p.can_accept_issue,
                lambda i, f: s.accept(i, current_user, f.note.data), _("Accepted."))


@bp.post("/<int:issue_id>/reject")
@login_required
def reject(issue_id: int):
    return _act(issue_id, "reject", p.can_reject_issue,
                lambda i, f: s.reject(i, current_user, f.reason.data), _("The report was not accepted."))


@bp.post("/<int:issue_id>/start")
@login_required
def start(issue_id: int):
    return _act(issue_id, "start", p.can_start_issue,
                lambda i, f: s.start(i, current_user, f.note.data), _("Marked as in progress."))


def _do_assign(issue, form):
    assignee_id = parse_id(form.assignee_id.data)
    assignee = db.session.get(User, assignee_id) if assignee_id else None
    s.assign(issue, current_user, assignee, form.note.data)


@bp.post("/<int:issue_id>/assign")
@login_required
def assign(issue_id: int):
    return _act(issue_id, "assign", p.can_assign_issue, _do_assign, _("Assigned."))


def _do_resolve(issue, form):
    photo = request.files.get("photo")
    mediation = {"parties": form.parties.data, "mediator": form.mediator.data,
                 "agreement_reached": form.agreement_reached.data, "agreement_text": form.agreement_text.data}
    s.resolve(issue, current_user, form.note.data, photo=photo if has_file(photo) else None,
              mediation=mediation)


@bp.post("/<int:issue_id>/resolve")
@login_required
def resolve(issue_id: int):
    return _act(issue_id, "resolve", p.can_resolve_issue, _do_resolve,
                _("Resolved. The reporter is asked to rate the result."))


@bp.post("/<int:issue_id>/escalate")
@login_required
def escalate(issue_id: int):
    # may act at all → the service explains when there is no level left above
    return _act(issue_id, "escalate", p.can_handle_issue,
                lambda i, f: s.escalate(i, current_user, f.reason.data),
                _("Escalated. The next level now has it in their queue."))


def _do_duplicate(issue, form):
    original_id = parse_id((form.original_id.data or "").strip().lstrip("#"))
    original = db.session.get(Issue, original_id) if original_id else None
    s.mark_duplicate(issue, current_user, original, form.note.data)


@bp.post("/<int:issue_id>/duplicate")
@login_required
def duplicate(issue_id: int):
    return _act(issue_id, "duplicate", p.can_mark_duplicate, _do_duplicate,
                _("Marked as a duplicate; both reporters are told."))


@bp.post("/<int:issue_id>/note")
@login_required
def note(issue_id: int):
    return _act(issue_id, "note", p.can_add_issue_note,
                lambda i, f: s.add_note(i, current_user, f.note.data, f.public.data), _("Note added."))


@bp.post("/<int:issue_id>/rate")
@login_required
def rate(issue_id: int):
    # sees it, but is not the reporter: 403 (the service refuses a second rating or one before resolution)
    return _act(issue_id, "rate", p.is_issue_reporter,
                lambda i, f: s.rate(i, current_user, f.value.data, f.comment.data),
                lambda rating: _("Thank you. The issue is reopened: the people responsible will work on it again "
                                 "and tell you what was done.") if rating.value == "unsatisfied"
                else _("Thank you for your rating."))


@bp.post("/<int:issue_id>/revisit")
@login_required
def revisit(issue_id: int):
    return _act(issue_id, "revisit", p.can_record_revisit,
                lambda i, f: s.record_revisit(i, current_user, f.value.data, f.comment.data),
                lambda rating: _("The resident's answer is recorded. The issue is reopened and back in the queue.")
                if rating.value == "unsatisfied" else _("The resident's answer is recorded."))


@bp.post("/<int:issue_id>/support")
@login_required
def support(issue_id: int):
    def do(issue, form):
        if not s.support(issue, current_user):
            raise s.IssueError(_("You already said “me too” for this issue."))

    return _act(issue_id, "support", p.can_support_issue, do,
                _("Thank you — counted. You can follow this issue."))


# -- configuration (city administrators) ----------------------------------------------------------------------
#: what the "add a category" form starts with
NEW_CATEGORY_DEFAULTS = {"accept_hours": "24", "resolve_hours": "168", "default_level": "microgrid", "public": "y",
                         "active": "y"}


def _categories_page(errors: dict | None = None, *, new_errors: dict | None = None, new_values=None):
    """The categories page; a refused change shows it again where it was sent (200), the message at its
    category (or at the "add" form) and what was typed kept."""
    return render_page("issues/categories.html", None, categories=q.all_categories(), levels=LEVELS,
                       errors=errors or {}, form=EmptyForm(), new_errors=new_errors or {},
                       new=new_values if new_values is not None else NEW_CATEGORY_DEFAULTS,
                       name_max=s.CATEGORY_NAME_MAX, description_max=s.CATEGORY_DESCRIPTION_MAX)


@bp.get("/categories")
@login_required
def categories():
    authorise(p.can_manage_issue_categories(current_user))
    return _categories_page()


@bp.post("/categories/new")
@login_required
def create_category():
    authorise(p.can_manage_issue_categories(current_user))
    f = request.form
    try:
        form = EmptyForm()
        if not form.validate_on_submit():
            raise form_error(form)
        category = s.create_category(
            current_user, code=f.get("code"), name=f.get("name"), description=f.get("description"),
            accept_hours=f.get("accept_hours"), resolve_hours=f.get("resolve_hours"),
            default_level=f.get("default_level", ""), urgent=bool(f.get("urgent")),
            requires_mediation=bool(f.get("requires_mediation")), public=bool(f.get("public")),
            active=bool(f.get("active")), icon=f.get("icon"))
    except DomainError as e:
        db.session.rollback()
        return _categories_page(new_errors=e.errors, new_values=f)
    db.session.commit()
    notify(_("The category “%(name)s” was added.", name=category.label))
    return redirect(url_for("issues.categories"), 303)


@bp.post("/categories/<int:category_id>")
@login_required
def update_category(category_id: int):
    authorise(p.can_manage_issue_categories(current_user))
    category = load(IssueCategory, category_id)
    f = request.form
    try:
        form = EmptyForm()
        if not form.validate_on_submit():
            raise form_error(form)
        s.update_category(category, current_user, accept_hours=f.get("accept_hours"),
                          resolve_hours=f.get("resolve_hours"), default_level=f.get("default_level", ""),
                          urgent=bool(f.get("urgent")), active=bool(f.get("active")), public=bool(f.get("public")),
                          name=f.get("name"), description=f.get("description"))
    except DomainError as e:
        db.session.rollback()
        return _categories_page({category_id: e.message})
    db.session.commit()
    notify(_("Saved. New reports use the new limits."))
    return redirect(url_for("issues.categories"), 303)
