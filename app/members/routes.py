"""Member reporting pages (三报到三服务). Thin: load (404) → authorise (403) → ``perform`` / service → render."""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.areas.models import Area
from app.areas.services import picker_from_values
from app.errors import DomainError
from app.extensions import db
from app.members import bp, queries, services
from app.members.forms import EmptyForm, ReasonForm, ReportForm
from app.members.models import MemberReport, service_label
from app.members.models import services as service_codes
from app.members.policy import (
    can_affirm_report,
    can_decide_report,
    can_report,
    can_review_reports,
    can_view_branch_reports,
    can_view_report,
)
from app.web.actions import authorise, load, perform, pop_refusal
from app.web.forms import show_errors
from app.web.htmx import notify, render_page, wants_fragment
from app.web.params import parse_id


def _page_size() -> int:
    return int(current_app.config.get("PAGE_SIZE", 20))


@bp.route("/report", methods=["GET", "POST"])
@login_required
def report():
    authorise(can_report(current_user), explain=lambda: render_template("members/cannot_report.html"))
    form = ReportForm()
    form.services.choices = [(c, service_label(c)) for c in service_codes()]
    values = request.form if request.method == "POST" else request.args
    area_id = parse_id(values.get("area_id"))
    area = db.session.get(Area, area_id) if area_id else None
    if request.method == "GET" and area is None and current_user.home_area is not None:
        area = current_user.home_area if current_user.home_area.level == "microgrid" else None
    if request.method == "POST" and request.form.get("action") != "pick" and form.validate_on_submit():
        try:
            services.report(current_user, area, form.address.data, form.services.data, form.availability.data)
        except DomainError as e:
            db.session.rollback()
            show_errors(form, e)
        else:
            db.session.commit()
            notify(_("Your report is sent. The community staff will confirm it."))
            return redirect(url_for("members.report"), 303)
    return render_template("members/report.html", form=form, picker=picker_from_values(values, area),
                           reports=queries.my_reports(current_user.id))


@bp.post("/report/<int:report_id>/affirm")
@login_required
def affirm(report_id: int):
    row = load(MemberReport, report_id, can_view_report)
    return perform(row, action="affirm", allowed=can_affirm_report, form=EmptyForm(),
                   do=lambda r, f: services.affirm(r, current_user),
                   done=_("Thank you: your residence is confirmed for another half year."),
                   page=url_for("members.report"), render=lambda r, refusal=None: redirect(url_for("members.report")))


# ---------------------------------------------------------------- community staff


def _queue_context(state: str, refusal=None, refused_id=None) -> dict:
    page = queries.community_page(current_user, state, cursor=request.args.get("after"), size=_page_size())
    next_url = url_for("members.reports", state=state, after=page.next_cursor) if page.has_more else None
    if refusal is None:  # a plain form refused just before comes back next to its report
        for row in page.items:
            refusal = pop_refusal(row)
            if refusal is not None:
                refused_id = row.id
                break
    return dict(page=page, next_url=next_url, state=state, refusal=refusal, refused_id=refused_id,
                first_page=not request.args.get("after"), total=queries.pending_count(current_user))


@bp.get("/reports")
@login_required
def reports():
    authorise(can_review_reports(current_user))
    state = request.args.get("state", "pending")
    if state not in ("pending", "confirmed", "refused"):
        state = "pending"
    ctx = _queue_context(state)
    if wants_fragment() and request.args.get("after"):
        return render_template("members/_queue_items.html", **ctx)
    return render_template("members/reports.html", **ctx)


def _render_queue(row, refusal=None):
    return render_page("members/reports.html", "members/_queue.html",
                       **_queue_context("pending", refusal, row.id))


@bp.post("/reports/<int:report_id>/confirm")
@login_required
def confirm(report_id: int):
    row = load(MemberReport, report_id, can_view_report)
    return perform(row, action="decide", allowed=can_decide_report, form=EmptyForm(),
                   do=lambda r, f: services.confirm(r, current_user),
                   done=_("The report is confirmed; it is now the member's home."),
                   page=url_for("members.reports"), render=_render_queue, anchor=f"report-{row.id}")


@bp.post("/reports/<int:report_id>/refuse")
@login_required
def refuse(report_id: int):
    row = load(MemberReport, report_id, can_view_report)
    return perform(row, action="decide", allowed=can_decide_report, form=ReasonForm(prefix="refuse"),
                   do=lambda r, f: services.refuse(r, current_user, f.reason.data),
                   done=_("The report is refused; the member sees your reason."),
                   page=url_for("members.reports"), render=_render_queue, anchor=f"report-{row.id}")


# ---------------------------------------------------------------- the branch


@bp.get("/branch")
@login_required
def branch():
    authorise(can_view_branch_reports(current_user))
    page = queries.branch_page(current_user, cursor=request.args.get("after"), size=_page_size())
    next_url = url_for("members.branch", after=page.next_cursor) if page.has_more else None
    minutes = queries.minutes_this_year([r.user_id for r in page.items])
    ctx = dict(page=page, next_url=next_url, minutes=minutes, first_page=not request.args.get("after"))
    if wants_fragment():
        return render_template("members/_branch_items.html", **ctx)
    return render_template("members/branch.html", unreported=queries.unreported_members(current_user), **ctx)
