"""Station pages. Thin: load (404) → authorise (403) → ``perform`` / service → render; the queries are in
queries.py, who may do what in policy.py, every change in services.py."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import DomainError
from app.extensions import db
from app.stations import bp, queries, services
from app.stations.forms import (
    BookForm,
    ConfirmForm,
    DoneForm,
    EmptyForm,
    MarkForm,
    NotDoneForm,
    RequestForm,
    ServiceForm,
    SlotForm,
    StationForm,
)
from app.stations.models import (
    KINDS,
    Booking,
    ServiceRequest,
    ServiceSlot,
    Station,
    StationService,
    kind_label,
    request_state_label,
)
from app.stations.models import action_label as request_action_label
from app.stations.policy import (
    can_answer_request,
    can_mark_request_done,
    can_set_up_stations,
    can_take_request,
    can_use_station,
    can_view_booking,
    can_view_request,
    can_view_station,
    can_withdraw_request,
    is_request_helper,
    is_station_helper,
    is_station_recorder,
    is_station_staff,
)
from app.timeutil import local_today, utcnow
from app.uploads.services import UploadError, check_image, has_file
from app.web.actions import SESSION_KEY, Refusal, authorise, load, perform, pop_refusal
from app.web.forms import refilled, show_errors
from app.web.htmx import notify, render_page, wants_fragment
from app.web.params import parse_id


def _page_size() -> int:
    return int(current_app.config.get("STATION_PAGE_SIZE") or current_app.config.get("PAGE_SIZE", 20))


def _station(station_id: int) -> Station:
    return load(Station, station_id, can_view_station, options=queries.station_options())


def _service(service_id: int) -> StationService:
    service = load(StationService, service_id)
    if not can_view_station(current_user, service.station):
        abort(404)
    return service


# ---------------------------------------------------------------- the list: my community first


@bp.get("/")
@login_required
def index():
    home = queries.home_community(current_user)
    others = request.args.get("scope") == "others" or home is None
    cursor = request.args.get("after")
    if others:
        page = queries.stations_page(community_id=None, other_than=home.id if home else None, cursor=cursor,
                                     size=_page_size())
    else:
        page = queries.stations_page(community_id=home.id, other_than=None, cursor=cursor, size=_page_size())
    args = {"scope": "others"} if others and home is not None else {}
    next_url = url_for("stations.index", **args, after=page.next_cursor) if page.has_more else None
    ctx = dict(page=page, next_url=next_url, home=home, others=others, first_page=not cursor)
    if wants_fragment() and cursor:
        return render_template("stations/_station_items.html", **ctx)
    return render_template("stations/index.html", can_set_up=can_set_up_stations(current_user), **ctx)


@bp.get("/mine")
@login_required
def mine():
    size = _page_size()
    which = request.args.get("list")
    requests_page = queries.my_requests_page(current_user.id, cursor=request.args.get("r_after"), size=size)
    bookings_page = queries.my_bookings_page(current_user.id, cursor=request.args.get("b_after"), size=size)
    ctx = dict(requests_page=requests_page, bookings_page=bookings_page,
               requests_next=url_for("stations.mine", list="requests", r_after=requests_page.next_cursor)
               if requests_page.has_more else None,
               bookings_next=url_for("stations.mine", list="bookings", b_after=bookings_page.next_cursor)
               if bookings_page.has_more else None, now=utcnow(), refusal=_booking_refusal())
    if wants_fragment() and which == "requests":
        return render_template("stations/_my_requests.html", **ctx)
    if wants_fragment() and which == "bookings":
        return render_template("stations/_my_bookings.html", **ctx)
    return render_template("stations/mine.html", **ctx)


# ---------------------------------------------------------------- setting up a station and its services


def _station_form(form: StationForm, community=None) -> None:
    communities = queries.staff_communities(current_user) if community is None else [community]
    form.community_id.choices = [("", _("— choose —"))] + [(str(c.id), c.name) for c in communities]
    if community is None and len(communities) == 1 and not form.community_id.data:
        form.community_id.data = str(communities[0].id)
    chosen = community
    if chosen is None:
        cid = parse_id(form.community_id.data)
        chosen = next((c for c in communities if c.id == cid), None)
    form.microgrid_ids.choices = [(str(m.id), m.full_name("grid")) for m in queries.microgrids_of(chosen)] \
        if chosen is not None else []


def _station_input(form: StationForm) -> services.StationInput:
    ids = tuple(i for i in (parse_id(v) for v in (form.microgrid_ids.data or [])) if i is not None)
    return services.StationInput(name=form.name.data or "", place=form.place.data or "",
                                 opening_hours=form.opening_hours.data or "", phone=form.phone.data or "",
                                 microgrid_ids=ids)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    authorise(can_set_up_stations(current_user))
    form = StationForm()
    _station_form(form)
    if form.validate_on_submit():
        community = next((c for c in queries.staff_communities(current_user)
                          if c.id == parse_id(form.community_id.data)), None)
        try:
            station = services.create_station(current_user, community, _station_input(form))
        except DomainError as e:
            db.session.rollback()
            show_errors(form, e)
        else:
            db.session.commit()
            notify(_("The station is set up. Now add its services."))
            return redirect(url_for("stations.show", station_id=station.id), 303)
    return render_template("stations/station_form.html", form=form, station=None,
                           no_communities=not queries.staff_communities(current_user))


@bp.route("/<int:station_id>/edit", methods=["GET", "POST"])
@login_required
def edit(station_id: int):
    station = _station(station_id)
    authorise(is_station_staff(current_user, station))
    form = StationForm(obj=None if request.method == "POST" else station)
    if request.method == "GET":
        form.microgrid_ids.data = [str(m.id) for m in station.microgrids]
    _station_form(form, station.community)
    form.community_id.data = str(station.community_id)
    if form.validate_on_submit():
        try:
            services.update_station(station, current_user, _station_input(form))
        except DomainError as e:
            db.session.rollback()
            show_errors(form, e)
        else:
            db.session.commit()
            notify(_("The station is saved."))
            return redirect(url_for("stations.show", station_id=station.id), 303)
    return render_template("stations/station_form.html", form=form, station=station, no_communities=False)


def _service_input(form: ServiceForm, kind: str) -> services.ServiceInput:
    return services.ServiceInput(kind=kind, name=form.name.data or "", description=form.description.data or "",
                                 eligibility=form.eligibility.data or "", documents=form.documents.data or "",
                                 limit_hours=form.limit_hours.data or "")


@bp.route("/<int:station_id>/services/new", methods=["GET", "POST"])
@login_required
def service_new(station_id: int):
    station = _station(station_id)
    authorise(is_station_staff(current_user, station))
    form = ServiceForm()
    form.kind.choices = [("", _("— choose —"))] + [(k, kind_label(k)) for k in KINDS]
    if request.method == "GET":
        form.limit_hours.data = "24"
    if form.validate_on_submit():
        try:
            service = services.add_service(station, current_user, _service_input(form, form.kind.data or ""))
        except DomainError as e:
            db.session.rollback()
            show_errors(form, e)
        else:
            db.session.commit()
            notify(_("The service is added."))
            return redirect(url_for("stations.service", service_id=service.id), 303)
    return render_template("stations/service_form.html", form=form, station=station, service=None)


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@login_required
def service_edit(service_id: int):
    service = _service(service_id)
    authorise(is_station_staff(current_user, service.station))
    form = ServiceForm(obj=None if request.method == "POST" else service)
    form.kind.choices = [(service.kind, kind_label(service.kind))]
    if request.method == "GET":
        form.limit_hours.data = str(service.limit_hours)
    if form.validate_on_submit():
        try:
            services.update_service(service, current_user, _service_input(form, service.kind),
                                    active=form.active.data)
        except DomainError as e:
            db.session.rollback()
            show_errors(form, e)
        else:
            db.session.commit()
            notify(_("The service is saved."))
            return redirect(url_for("stations.service", service_id=service.id), 303)
    return render_template("stations/service_form.html", form=form, station=service.station, service=service)


# ---------------------------------------------------------------- the station page: services and coming slots


def _station_context(station: Station, refusal=None) -> dict:
    now = utcnow()
    offered = queries.services_of(station)
    slots = queries.coming_slots([s.id for s in offered if s.kind == "appointment"], now)
    slot_ids = [slot.id for rows, _n in slots.values() for slot in rows]
    staff = is_station_staff(current_user, station)
    helper = staff or is_station_helper(current_user, station)
    # a refused booking of a time no longer shown (it began meanwhile) is told above the services
    loose = refusal if refusal is not None and refusal.value("slot") not in {str(i) for i in slot_ids} else None
    return dict(station=station, offered=offered, slots=slots, now=now, refusal=refusal, loose_refusal=loose,
                mine=queries.my_bookings_in(slot_ids, current_user.id), can_use=can_use_station(current_user, station),
                staff=staff, recorder=is_station_recorder(current_user, station),
                helper=helper,
                counts=queries.queue_counts(station.id, None if staff else current_user)
                if staff or helper else {}, form=EmptyForm())


def _render_station(station: Station, refusal=None):
    return render_page("stations/show.html", "stations/_station.html", **_station_context(station, refusal))


@bp.get("/<int:station_id>")
@login_required
def show(station_id: int):
    station = _station(station_id)
    return render_template("stations/show.html", **_station_context(station, pop_refusal(station)))


def _service_context(service: StationService, refusal=None) -> dict:
    now = utcnow()
    page = queries.slots_page(service.id, now, cursor=request.args.get("after"), size=_page_size())
    station = service.station
    return dict(service=service, station=station, page=page, now=now, refusal=refusal,
                next_url=url_for("stations.service", service_id=service.id, after=page.next_cursor)
                if page.has_more else None,
                mine=queries.my_bookings_in([s.id for s in page.items], current_user.id),
                can_use=can_use_station(current_user, station), staff=is_station_staff(current_user, station),
                recorder=is_station_recorder(current_user, station), first_page=not request.args.get("after"),
                slot_form=SlotForm(prefix="slot") if refusal is None or refusal.action != "slots"
                else refilled(SlotForm, refusal, prefix="slot"))


def _render_service(service: StationService, refusal=None):
    return render_page("stations/service.html", "stations/_service.html", **_service_context(service, refusal))


@bp.get("/services/<int:service_id>")
@login_required
def service(service_id: int):
    service = _service(service_id)
    if wants_fragment() and request.args.get("after"):
        return render_template("stations/_slot_rows.html", **_service_context(service))
    return render_template("stations/service.html", **_service_context(service, pop_refusal(service)))


@bp.post("/services/<int:service_id>/slots")
@login_required
def slots_add(service_id: int):
    service = _service(service_id)
    form = SlotForm(prefix="slot")
    return perform(service, action="slots", allowed=lambda u, s: is_station_staff(u, s.station), form=form,
                   do=lambda s, f: services.add_slots(s, current_user, services.SlotInput(
                       day=f.day.data or "", start=f.start.data or "", end=f.end.data or "",
                       length=f.length.data or "", capacity=f.capacity.data or "")),
                   done=lambda made: _("%(n)d times opened for booking.", n=len(made)),
                   page=url_for("stations.service", service_id=service.id), render=_render_service)


# ---------------------------------------------------------------- booking


def _slot(slot_id: int) -> ServiceSlot:
    slot = load(ServiceSlot, slot_id)
    if not can_view_station(current_user, slot.service.station):
        abort(404)
    return slot


def _who(station: Station, form) -> services.Beneficiary:
    return services.beneficiary(current_user, station, resident=form.resident.data,
                                subject_name=form.subject_name.data, subject_contact=form.subject_contact.data)


@bp.post("/slots/<int:slot_id>/book")
@login_required
def book(slot_id: int):
    slot = _slot(slot_id)
    station = slot.service.station
    back = request.form.get("back")
    form = BookForm()
    if back == "slot":
        page, render, subject = url_for("stations.slot", slot_id=slot.id), _render_slot, slot
    elif back == "service":
        page, render, subject = url_for("stations.service", service_id=slot.service_id), _render_service, slot.service
    else:
        page, render, subject = url_for("stations.show", station_id=station.id), _render_station, station
    return perform(subject, action="book", allowed=lambda u, s: u.is_authenticated, form=form,
                   do=lambda s, f: services.book(slot, current_user, _who(station, f)),
                   done=lambda b: _("Booked: %(service)s, %(time)s. Please come on time.", service=b.service.name,
                                    time=services.slot_label(slot)) if not b.on_behalf
                   else _("Booked for %(who)s: %(time)s.", who=b.who, time=services.slot_label(slot)),
                   page=page, render=render, anchor=f"slot-{slot.id}",
                   then=url_for("stations.service", service_id=slot.service_id) if back == "slot" else None)


def _slot_context(slot: ServiceSlot, refusal=None) -> dict:
    return dict(slot=slot, service=slot.service, station=slot.service.station, refusal=refusal,
                form=refilled(BookForm, refusal) if refusal is not None else BookForm(), now=utcnow())


def _render_slot(slot: ServiceSlot, refusal=None):
    return render_page("stations/slot.html", None, **_slot_context(slot, refusal))


@bp.get("/slots/<int:slot_id>")
@login_required
def slot(slot_id: int):
    """Book a time for a resident (代录): staff and leaders of the community."""
    slot = _slot(slot_id)
    authorise(is_station_recorder(current_user, slot.service.station))
    return render_template("stations/slot.html", **_slot_context(slot, pop_refusal(slot)))


def _booking_refusal():
    """A refused plain form about a booking (cancel, mark), for the page it came back to: the day sheet or mine."""
    data = session.get(SESSION_KEY)
    if isinstance(data, dict) and str(data.get("subject", "")).startswith("station_booking:"):
        session.pop(SESSION_KEY, None)
        return Refusal.from_dict(data)
    return None


def _booking(booking_id: int) -> Booking:
    return load(Booking, booking_id, can_view_booking, options=queries.booking_options())


def _day_url(booking: Booking) -> str:
    from app.timeutil import to_local

    return url_for("stations.day", station_id=booking.station_id, date=to_local(booking.starts_at).date().isoformat())


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def booking_cancel(booking_id: int):
    booking = _booking(booking_id)
    staff_view = request.form.get("back") == "day"
    page = _day_url(booking) if staff_view else url_for("stations.mine")
    return perform(booking, action="cancel", allowed=can_view_booking, form=EmptyForm(),
                   do=lambda b, f: services.cancel_booking(b, current_user),
                   done=_("The booking is cancelled; the place is free for someone else."),
                   page=page, anchor=f"booking-{booking.id}",
                   render=(lambda b, refusal=None: _render_day(b.station, _booking_day(b), refusal)) if staff_view
                   else (lambda b, refusal=None: _render_mine(refusal)))


def _booking_day(booking: Booking) -> date:
    from app.timeutil import to_local

    return to_local(booking.starts_at).date()


def _render_mine(refusal=None):
    size = _page_size()
    requests_page = queries.my_requests_page(current_user.id, cursor=None, size=size)
    bookings_page = queries.my_bookings_page(current_user.id, cursor=None, size=size)
    return render_page("stations/mine.html", None, requests_page=requests_page, bookings_page=bookings_page,
                       requests_next=url_for("stations.mine", list="requests", r_after=requests_page.next_cursor)
                       if requests_page.has_more else None,
                       bookings_next=url_for("stations.mine", list="bookings", b_after=bookings_page.next_cursor)
                       if bookings_page.has_more else None, now=utcnow(), refusal=refusal)


@bp.post("/bookings/<int:booking_id>/mark")
@login_required
def booking_mark(booking_id: int):
    booking = _booking(booking_id)
    return perform(booking, action="mark", allowed=lambda u, b: is_station_staff(u, b.station), form=MarkForm(),
                   do=lambda b, f: services.mark_booking(b, current_user, f.status.data),
                   done=lambda b: _("%(who)s: %(status)s.", who=b.who, status=b.status_label),
                   page=_day_url(booking), anchor=f"booking-{booking.id}",
                   render=lambda b, refusal=None: _render_day(b.station, _booking_day(b), refusal))


# ---------------------------------------------------------------- the day sheet


def _parse_day(raw: str | None) -> date:
    try:
        return date.fromisoformat((raw or "")[:10])
    except ValueError:
        return local_today()


def _day_context(station: Station, day: date, refusal=None) -> dict:
    from datetime import timedelta

    start, end = services.local_day_range(day)
    return dict(station=station, day=day, bookings=queries.day_sheet(station, start, end), refusal=refusal,
                previous=(day - timedelta(days=1)).isoformat(), following=(day + timedelta(days=1)).isoformat(),
                printing=request.args.get("print") == "1", now=utcnow())


def _render_day(station: Station, day: date, refusal=None):
    return render_page("stations/day.html", None, **_day_context(station, day, refusal))


@bp.get("/<int:station_id>/day")
@login_required
def day(station_id: int):
    station = _station(station_id)
    authorise(is_station_staff(current_user, station))
    ctx = _day_context(station, _parse_day(request.args.get("date")), _booking_refusal())
    if ctx["printing"]:
        return render_template("stations/day_print.html", **ctx)
    return render_template("stations/day.html", **ctx)


# ---------------------------------------------------------------- requests


@bp.route("/services/<int:service_id>/request", methods=["GET", "POST"])
@login_required
def request_new(service_id: int):
    service = _service(service_id)
    station = service.station
    if not service.is_request:
        abort(404)
    form = RequestForm()
    photo_dropped = False
    if form.validate_on_submit():
        photo = request.files.get("photo")
        try:
            data = None
            if has_file(photo):
                try:
                    data = check_image(photo)
                except UploadError as e:
                    raise DomainError(e.message, "photo") from None
            req = services.send_request(service, current_user, _who(station, form), form.note.data, photo=data)
        except DomainError as e:
            db.session.rollback()
            show_errors(form, e)
            photo_dropped = has_file(photo)
        else:
            db.session.commit()
            notify(_("Your request is sent to the station. You will be told when a helper takes it.")
                   if not req.on_behalf else _("The request is recorded for %(who)s.", who=req.who))
            return redirect(url_for("stations.request_show", request_id=req.id), 303)
    elif request.method == "POST" and form.errors:
        photo_dropped = has_file(request.files.get("photo"))
    return render_template("stations/request_new.html", form=form, service=service, station=station,
                           can_use=can_use_station(current_user, station),
                           recorder=is_station_recorder(current_user, station), photo_dropped=photo_dropped)


def _request(request_id: int) -> ServiceRequest:
    return load(ServiceRequest, request_id, can_view_request, options=queries.request_options())


def _request_context(req: ServiceRequest, refusal=None) -> dict:
    from app.uploads.models import Upload

    errors = {}
    if refusal is not None:  # a message of a field sits under the field; the rest above the form
        errors[refusal.action] = refusal.errors.get(None) or ("" if refusal.errors else refusal.message)
    forms = dict(done=DoneForm(prefix="done"), confirm=ConfirmForm(prefix="confirm"),
                 not_done=NotDoneForm(prefix="notdone"))
    if refusal is not None and refusal.action == "done":
        forms["done"] = refilled(DoneForm, refusal, prefix="done")
    elif refusal is not None and refusal.action == "confirm":
        forms["confirm"] = refilled(ConfirmForm, refusal, prefix="confirm")
    elif refusal is not None and refusal.action == "not_done":
        forms["not_done"] = refilled(NotDoneForm, refusal, prefix="notdone")
    now = utcnow()
    helper = is_request_helper(current_user, req)
    return dict(req=req, refusal=refusal, errors=errors, forms=forms, now=now,
                entries=queries.timeline(req, internal=helper),
                photo=db.session.get(Upload, req.photo_id) if req.photo_id else None,
                state_label=request_state_label, action_label=request_action_label,
                helper=helper, show_internal=helper,
                can_take=can_take_request(current_user, req), can_done=can_mark_request_done(current_user, req),
                can_answer=can_answer_request(current_user, req),
                can_withdraw=can_withdraw_request(current_user, req))


def _render_request(req: ServiceRequest, refusal=None):
    return render_page("stations/request.html", "stations/_request.html", **_request_context(req, refusal))


@bp.get("/requests/<int:request_id>")
@login_required
def request_show(request_id: int):
    req = _request(request_id)
    return render_template("stations/request.html", **_request_context(req, pop_refusal(req)))


def _page_of(req: ServiceRequest) -> str:
    return url_for("stations.request_show", request_id=req.id)


@bp.post("/requests/<int:request_id>/take")
@login_required
def take(request_id: int):
    req = _request(request_id)
    return perform(req, action="take", allowed=is_request_helper, form=EmptyForm(),
                   do=lambda r, f: services.take(r, current_user),
                   done=_("You took this request. Please contact the resident and mark it done when it is."),
                   page=_page_of(req), render=_render_request)


@bp.post("/requests/<int:request_id>/done")
@login_required
def done(request_id: int):
    req = _request(request_id)
    allowed = can_mark_request_done(current_user, req) or (req.state != "taken" and is_request_helper(
        current_user, req))
    return perform(req, action="done", allowed=lambda u, r: allowed, form=DoneForm(prefix="done"),
                   do=lambda r, f: services.mark_done(r, current_user, f.note.data),
                   done=_("Marked as done. The resident is asked to confirm and rate it."),
                   page=_page_of(req), render=_render_request)


@bp.post("/requests/<int:request_id>/confirm")
@login_required
def confirm(request_id: int):
    req = _request(request_id)
    return perform(req, action="confirm", allowed=lambda u, r: can_answer_request(u, r) or r.state != "done",
                   form=ConfirmForm(prefix="confirm"),
                   do=lambda r, f: services.confirm(r, current_user, f.rating.data, f.comment.data),
                   done=_("Thank you. Your rating is recorded."), page=_page_of(req), render=_render_request)


@bp.post("/requests/<int:request_id>/not-done")
@login_required
def not_done(request_id: int):
    req = _request(request_id)
    return perform(req, action="not_done", allowed=lambda u, r: can_answer_request(u, r) or r.state != "done",
                   form=NotDoneForm(prefix="notdone"),
                   do=lambda r, f: services.not_done(r, current_user, f.note.data),
                   done=_("The helper is told it is not done yet."), page=_page_of(req), render=_render_request)


@bp.post("/requests/<int:request_id>/withdraw")
@login_required
def withdraw(request_id: int):
    req = _request(request_id)
    return perform(req, action="withdraw",
                   allowed=lambda u, r: can_withdraw_request(u, r) or r.state != "open", form=EmptyForm(),
                   do=lambda r, f: services.withdraw(r, current_user),
                   done=_("Your request is withdrawn."), page=_page_of(req), render=_render_request)


# ---------------------------------------------------------------- the queue


@bp.get("/<int:station_id>/queue")
@login_required
def queue(station_id: int):
    station = _station(station_id)
    authorise(is_station_helper(current_user, station))
    state = request.args.get("state", "open")
    if state not in ("open", "taken", "done"):
        state = "open"
    everything = is_station_staff(current_user, station)
    page = queries.queue_page(station, state, current_user, everything=everything, cursor=request.args.get("after"),
                              size=_page_size())
    ctx = dict(station=station, state=state, page=page, now=utcnow(),
               counts=queries.queue_counts(station.id, None if everything else current_user),
               next_url=url_for("stations.queue", station_id=station.id, state=state, after=page.next_cursor)
               if page.has_more else None, first_page=not request.args.get("after"))
    if wants_fragment() and request.args.get("after"):
        return render_template("stations/_queue_rows.html", **ctx)
    return render_template("stations/queue.html", **ctx)
