"""Activity pages. Thin: load (404) → authorise (403) → ``perform`` / service → render; the queries are in
queries.py, who may do what in policy.py, every change in services.py."""
from __future__ import annotations

import segno
from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.activities import bp, queries, services, tokens
from app.activities.forms import ActivityForm, CheckForm, CorrectForm, EmptyForm, MarkForm
from app.activities.models import AUDIENCE_LABELS, KINDS, Activity, Attendance, kind_label
from app.activities.policy import (
    can_attest,
    can_publish_activities,
    can_sign_up,
    can_view_activity,
    is_organiser,
)
from app.areas.models import Area
from app.errors import DomainError
from app.extensions import db
from app.timeutil import to_local, utcnow
from app.web.actions import authorise, load, perform, pop_refusal
from app.web.forms import show_errors
from app.web.htmx import notify, render_page, wants_fragment
from app.web.params import parse_id


def _load(activity_id: int) -> Activity:
    return load(Activity, activity_id, can_view_activity, options=queries.activity_options())


def _page_size() -> int:
    return int(current_app.config.get("ACTIVITY_PAGE_SIZE") or current_app.config.get("PAGE_SIZE", 20))


# ---------------------------------------------------------------- the phone list


@bp.get("/")
@login_required
def index():
    kind = request.args.get("kind", "")
    if kind not in KINDS:
        kind = ""
    near = request.args.get("near") == "1"
    community_id = queries.home_community_id(current_user) if near else None
    page = queries.upcoming_page(utcnow(), community_id=community_id, kind=kind or None,
                                 cursor=request.args.get("after"), size=_page_size())
    filters = {k: v for k, v in {"kind": kind, "near": "1" if near else ""}.items() if v}
    next_url = url_for("activities.index", **filters, after=page.next_cursor) if page.has_more else None
    ctx = dict(page=page, next_url=next_url, kind=kind, near=near, near_unknown=near and community_id is None,
               mine=queries.my_signups([a.id for a in page.items], current_user.id),
               first_page=not request.args.get("after"))
    if wants_fragment():
        return render_template("activities/_items.html", **ctx)
    return render_template("activities/index.html", kinds=KINDS, kind_label=kind_label,
                           can_publish=can_publish_activities(current_user), **ctx)


# ---------------------------------------------------------------- publish


def _area_label(area: Area) -> str:
    return area.name if area.level == "community" else f"{area.full_name('community')}"


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    authorise(can_publish_activities(current_user))
    form = ActivityForm()
    form.kind.choices = [("", _("— choose —"))] + [(k, kind_label(k)) for k in KINDS]
    places = queries.publish_places(current_user)
    form.area_id.choices = [("", _("— choose —"))] + [(str(a.id), _area_label(a)) for a in places]
    form.audience.choices = [(k, str(v)) for k, v in AUDIENCE_LABELS.items()]
    form.audience_organisation_id.choices = [("", _("— choose —"))] + [
        (str(o.id), o.name) for o in queries.organisation_choices()]
    if request.method == "GET" and len(places) == 1:
        form.area_id.data = str(places[0].id)
    if form.validate_on_submit():
        area_id = parse_id(form.area_id.data)
        area = db.session.get(Area, area_id) if area_id else None
        data = services.ActivityInput(
            kind=form.kind.data or "", title=form.title.data or "", description=form.description.data or "",
            place=form.place.data or "", starts_at=form.starts_at.data or "", ends_at=form.ends_at.data or "",
            capacity=form.capacity.data or "", audience=form.audience.data or "",
            audience_organisation_id=parse_id(form.audience_organisation_id.data), walk_ins=form.walk_ins.data)
        try:
            activity = services.publish(current_user, area, data)
        except DomainError as e:
            db.session.rollback()
            show_errors(form, e)
        else:
            db.session.commit()
            notify(_("The activity is published."))
            return redirect(url_for("activities.show", activity_id=activity.id), 303)
    return render_template("activities/new.html", form=form, no_places=not places)


# ---------------------------------------------------------------- detail, sign-up


def _detail_context(activity: Activity, refusal=None) -> dict:
    organiser = is_organiser(current_user, activity)
    ctx = dict(activity=activity, refusal=refusal, signup=queries.my_signup(activity.id, current_user.id),
               attendance=queries.attendance_of(activity.id, current_user.id), organiser=organiser,
               waiting=queries.waiting_count(activity.id), now=utcnow(),
               can_sign_up=can_sign_up(current_user, activity), can_attest=can_attest(current_user, activity))
    if organiser:
        ctx.update(roster=queries.roster(activity), attendances=queries.attendances(activity),
                   mark_form=MarkForm(prefix="mark"), correct_form=CorrectForm(prefix="correct"))
    return ctx


def _render_detail(activity: Activity, refusal=None):
    return render_page("activities/show.html", "activities/_detail.html", **_detail_context(activity, refusal))


@bp.get("/<int:activity_id>")
@login_required
def show(activity_id: int):
    activity = _load(activity_id)
    return render_template("activities/show.html", **_detail_context(activity, pop_refusal(activity)))


def _page(activity: Activity) -> str:
    return url_for("activities.show", activity_id=activity.id)


@bp.post("/<int:activity_id>/signup")
@login_required
def signup(activity_id: int):
    activity = _load(activity_id)
    return perform(activity, action="signup", allowed=can_sign_up, form=EmptyForm(),
                   do=lambda a, f: services.sign_up(a, current_user),
                   done=lambda s: _("You are signed up.") if s.status == "confirmed"
                   else _("The activity is full: you are on the waiting list."),
                   page=_page(activity), render=_render_detail)


@bp.post("/<int:activity_id>/cancel")
@login_required
def cancel(activity_id: int):
    activity = _load(activity_id)
    return perform(activity, action="signup", allowed=can_view_activity, form=EmptyForm(),
                   do=lambda a, f: services.cancel(a, current_user),
                   done=_("Your sign-up is cancelled."), page=_page(activity), render=_render_detail)


# ---------------------------------------------------------------- check-in with the rotating code


def _code_context(activity: Activity, mode: str) -> dict:
    now = utcnow()
    token = tokens.make(activity.id, mode, now)
    url = url_for("activities.checkin", activity_id=activity.id, t=token, _external=True)
    svg = segno.make(url, error="m").svg_inline(scale=5, border=2, omitsize=False)
    return dict(activity=activity, mode=mode, url=url, svg=svg, seconds=tokens.seconds_left(now),
                local_time=to_local(now))


@bp.route("/<int:activity_id>/checkin", methods=["GET", "POST"])
@login_required
def checkin(activity_id: int):
    """Without a code: the organiser's page with the rotating QR code (others are told to scan it at the venue).
    With a code (the scanned URL): the check-in or check-out button, for this account, if the code is fresh."""
    activity = _load(activity_id)
    if request.method == "POST":
        return _checkin_post(activity)
    raw = request.args.get("t")
    if raw is None:
        if not is_organiser(current_user, activity):
            return render_template("activities/scan_here.html", activity=activity)
        mode = "out" if request.args.get("mode") == "out" else "in"
        return render_template("activities/code.html", **_code_context(activity, mode))
    try:
        token = services.check_token(activity, raw)
    except DomainError as e:
        return render_template("activities/scanned.html", activity=activity, error=e.message, form=None)
    form = CheckForm()
    form.checkin_pass.data = tokens.make_pass(token, current_user.id)
    return render_template("activities/scanned.html", activity=activity, error=None, form=form, mode=token.mode,
                           attendance=queries.attendance_of(activity.id, current_user.id))


@bp.get("/<int:activity_id>/checkin/code")
@login_required
def checkin_code(activity_id: int):
    """The code alone, polled by htmx every few seconds; without JavaScript the page's refresh link reloads it."""
    activity = _load(activity_id)
    authorise(is_organiser(current_user, activity))
    mode = "out" if request.args.get("mode") == "out" else "in"
    return render_template("activities/_code.html", **_code_context(activity, mode))


def _check(activity: Activity, form: CheckForm):
    mode = tokens.read_pass(form.checkin_pass.data, activity.id, current_user.id)
    if mode is None:
        raise services.ActivityError(_("This check-in link has expired or belongs to another account. "
                                       "Please scan the code at the venue again."))
    attendance, changed = services.check(activity, current_user, mode)
    if mode == "in":
        return _("You are checked in.") if changed else _("You had already checked in.")
    return (_("You are checked out: %(hours)s hours recorded, counted once the organiser attests the list.",
              hours=attendance.hours) if changed else _("You had already checked out."))


def _checkin_post(activity: Activity):
    """The button on the page a fresh scan opened (one URL for the scan and the press: the QR posters' URL)."""
    return perform(activity, action="checkin", allowed=can_view_activity, form=CheckForm(),
                   do=_check, done=lambda message: message, page=_page(activity), render=_render_detail)


# ---------------------------------------------------------------- the organiser's list


@bp.post("/<int:activity_id>/mark")
@login_required
def mark(activity_id: int):
    activity = _load(activity_id)
    form = MarkForm(prefix="mark")
    return perform(activity, action="mark", allowed=is_organiser, form=form,
                   do=lambda a, f: services.mark_present(a, current_user, queries.user_by_login(f.person.data)),
                   done=_("Marked as present."), page=_page(activity), render=_render_detail)


@bp.post("/<int:activity_id>/attendance/<int:attendance_id>/correct")
@login_required
def correct(activity_id: int, attendance_id: int):
    activity = _load(activity_id)
    authorise(is_organiser(current_user, activity))
    attendance = load(Attendance, attendance_id)
    if attendance.activity_id != activity.id:
        abort(404)
    form = CorrectForm(prefix="correct")
    return perform(activity, action="correct", allowed=is_organiser, form=form,
                   do=lambda a, f: services.correct(a, attendance, current_user, f.minutes.data, f.reason.data),
                   done=_("The time is corrected."), page=_page(activity), render=_render_detail,
                   anchor="attendance")


@bp.post("/<int:activity_id>/attest")
@login_required
def attest(activity_id: int):
    activity = _load(activity_id)
    return perform(activity, action="attest", allowed=is_organiser, form=EmptyForm(),
                   do=lambda a, f: services.attest(a, current_user),
                   done=lambda n: _("The list is attested: %(n)d people's service time now counts.", n=n),
                   page=_page(activity), render=_render_detail)
