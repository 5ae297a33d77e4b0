"""The dashboard and the ranking as .xlsx (openpyxl): the same figures and definitions as the page, for the chosen
area and period, in the reader's language."""
from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.dashboard.evaluation import DIMENSION_LABELS
from app.dashboard.models import DIMENSIONS


def _sheet(wb, title: str, headers: list[str], widths: list[int]):
    ws = wb.create_sheet(title[:31])
    ws.append(headers)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
        ws.cell(row=1, column=col).font = Font(bold=True)
    ws.freeze_panes = "A2"
    return ws


def _value(line):
    if line.value is None:
        return None
    if line.kind == "rate":
        return round(line.value, 4)
    if isinstance(line.value, float):
        return round(line.value, 2)
    return line.value


def _head(ws, area, period) -> None:
    ws.append([])
    ws.append([_("Area"), area.full_name("city")])
    ws.append([_("Period"), f"{period.start.isoformat()} – {period.end.isoformat()}"])


def dashboard(area, period, sections, children, ranking_rows, weights) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    ws = _sheet(wb, _("Figures"), [_("Section"), _("Figure"), _("Value"), _("Part"), _("Of"), _("Definition")],
                [18, 30, 12, 10, 10, 70])
    for sec in sections:
        for line in sec.lines:
            ws.append([sec.title, line.label, _value(line), line.part, line.whole, line.definition])
            cell = ws.cell(row=ws.max_row, column=3)
            if line.kind == "rate":
                cell.number_format = "0.0%"
        for table_title, rows in sec.tables:
            for label, count, _link in rows:
                ws.append([sec.title, f"{table_title}: {label}", count, None, None, ""])
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    _head(ws, area, period)
    if children:
        cs = _sheet(wb, _("Areas below"), [_("Area"), _("Issues received"), _("Resolved"), _("Satisfaction rate"),
                                           _("Wishes posted"), _("Wishes completed")], [24, 14, 12, 16, 14, 16])
        for child, s in children:
            cs.append([child.name, s.received, s.resolved,
                       round(s.satisfaction_rate, 4) if s.satisfaction_rate is not None else None,
                       s.wishes_posted, s.wishes_completed])
            cs.cell(row=cs.max_row, column=4).number_format = "0.0%"
    if ranking_rows:
        _ranking_sheet(wb, ranking_rows, weights)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _ranking_sheet(wb, rows, weights) -> None:
    headers = [_("Rank"), _("Community")] + [f"{DIMENSION_LABELS[d]} ({weights[d]}%)" for d in DIMENSIONS] + [
        _("Index"), _("Previous period"), _("Change")]
    ws = _sheet(wb, _("Evaluation index"), headers, [8, 22, 16, 16, 16, 16, 10, 14, 10])
    for r in rows:
        ws.append([r.rank, r.area.name] + [r.scores[d] for d in DIMENSIONS] + [r.index, r.previous, r.change])


def ranking(area, period, rows, weights) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    _ranking_sheet(wb, rows, weights)
    ws = wb.worksheets[0]
    _head(ws, area, period)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
