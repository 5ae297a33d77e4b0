"""The audit log page (/audit/) and its export for an inquiry. Thin: authorise (403) → the filter → the query."""
from __future__ import annotations

import csv
import io

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from openpyxl import Workbook

from app.audit import bp, present, queries
from app.audit.policy import can_read_audit, sees_personal_data
from app.timeutil import local_today
from app.web.actions import authorise
from app.web.htmx import notify, wants_fragment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_EXPORT_MAX = 10000


def _page_size() -> int:
    return int(current_app.config.get("AUDIT_PAGE_SIZE") or current_app.config.get("PAGE_SIZE", 20))


def _export_max() -> int:
    return int(current_app.config.get("AUDIT_EXPORT_MAX") or DEFAULT_EXPORT_MAX)


def _filters() -> queries.Filters:
    authorise(can_read_audit(current_user))
    return queries.Filters.from_args(request.args, current_user)


@bp.get("/")
@login_required
def index():
    filters = _filters()
    page = queries.page(current_user, filters, cursor=request.args.get("after"), size=_page_size())
    next_url = url_for("audit.index", **filters.args(), after=page.next_cursor) if page.has_more else None
    full = sees_personal_data(current_user)
    ctx = dict(page=page, next_url=next_url, first_page=not request.args.get("after"), full=full,
               details=lambda e: present.details(e, full=full), who=present.who)
    if wants_fragment():
        return render_template("audit/_rows.html", **ctx)
    return render_template("audit/index.html", filters=filters, types=queries.subject_types(),
                           actions=queries.action_choices(), export_args=filters.args(), **ctx)


def _export_or_refuse():
    """The filtered entries, or a 303 back to the list saying why there is no file: a filter value that could not
    be used, or more entries than one export holds (never a file silently cut short)."""
    filters = _filters()
    back = url_for("audit.index", **filters.args())
    if filters.errors:
        notify(_("Correct the filter first; nothing was exported."), "error")
        return None, redirect(url_for("audit.index", **{**filters.args(), **{
            k: v for k, v in filters.raw.items() if v}}), 303)
    total = queries.count(current_user, filters)
    limit = _export_max()
    if total > limit:
        notify(_("%(n)s entries match; one export holds at most %(max)s. Narrow the filter (days, person, action or "
                 "area) and export again.", n=total, max=limit), "error")
        return None, redirect(back, 303)
    return queries.export_rows(current_user, filters, limit), None


def _header() -> list[str]:
    return [_("Time"), _("Person"), _("Action"), _("Object"), _("Number"), _("Area"), _("Details"), _("IP address")]


def _filename(ext: str) -> str:
    return f"audit-{local_today().isoformat()}.{ext}"


@bp.get("/export.xlsx")
@login_required
def export_xlsx():
    rows, refused = _export_or_refuse()
    if refused is not None:
        return refused
    full = sees_personal_data(current_user)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Audit log"))
    sheet.freeze_panes = "A2"
    sheet.append(_header())
    for entry in rows:
        sheet.append(present.row(entry, full=full))
    out = io.BytesIO()
    book.save(out)
    response = Response(out.getvalue(), mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename={_filename('xlsx')}"
    return response


@bp.get("/export.csv")
@login_required
def export_csv():
    rows, refused = _export_or_refuse()
    if refused is not None:
        return refused
    full = sees_personal_data(current_user)
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 with a byte-order mark as UTF-8
    writer = csv.writer(out)
    writer.writerow(_header())
    for entry in rows:
        writer.writerow(present.row(entry, full=full))
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={_filename('csv')}"
    return response
