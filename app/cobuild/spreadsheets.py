"""The street office's table (.xlsx, openpyxl): one sheet per list, Chinese headers, frozen header row, widths,
real dates. An initial checklist is imported from the same layout — every row checked, nothing imported unless the
whole file is valid.

The sheet names and headers are the file format (the printed table and what import reads back), so they are fixed
Chinese text whatever the reader's language; the messages about a refused file are translated as usual.
"""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.cobuild import queries, services
from app.cobuild.models import CATEGORIES, KINDS
from app.cobuild.policy import sides_of
from app.cobuild.services import CobuildError, ItemInput

SHEETS = {"need": "需求清单", "resource": "资源清单", "project": "项目清单"}
CATEGORY_ZH = {"elderly": "为老服务", "children": "青少年", "environment": "环境卫生", "culture": "文化教育",
               "health": "医疗健康", "employment": "就业", "safety": "平安建设", "facilities": "设施维修",
               "other": "其他"}
STATE_ZH = {"proposed": "待确认", "agreed": "已确认", "in_progress": "推进中", "done": "已完成",
            "evaluated": "已评价", "cancelled": "已取消"}
SIDE_ZH = {"community": "社区", "agency": "单位"}
# header, width, what import reads (None: written only)
COLUMNS = [
    ("编号", 8, None), ("结对单位", 22, None), ("社区", 12, None), ("年度", 7, None),
    ("名称", 28, "title"), ("内容描述", 40, "description"), ("类别", 11, "category"), ("数量", 10, "quantity"),
    ("估算价值(元)", 12, "value"), ("社区责任人", 11, "community_contact"), ("单位责任人", 11, "agency_contact"),
    ("实施方", 8, "responsible_side"), ("目标日期", 12, "target_date"), ("状态", 9, None), ("进度(%)", 8, None),
    ("完成情况", 30, None), ("评价(星)", 8, None), ("评价意见", 30, None),
]
HEADERS = [c[0] for c in COLUMNS]
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 60 * 1024 * 1024


def export(pairing_ids: list[int]) -> bytes:
    items = queries.all_items(pairing_ids)
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFE9E4")
    for kind in KINDS:
        ws = wb.create_sheet(SHEETS[kind])
        ws.append(HEADERS)
        for col, (_header, width, _field) in enumerate(COLUMNS, 1):
            ws.column_dimensions[get_column_letter(col)].width = width
            cell = ws.cell(row=1, column=col)
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.freeze_panes = "A2"
        for item in (i for i in items if i.kind == kind):
            ws.append([
                item.id, item.pairing.organisation.name if item.pairing else "", item.community.name, item.year,
                item.title, item.description or "", CATEGORY_ZH.get(item.category, item.category),
                item.quantity or "", item.value, item.community_contact or "", item.agency_contact or "",
                SIDE_ZH.get(item.responsible_side, ""), item.target_date, STATE_ZH.get(item.state, item.state),
                item.progress, item.completion_note or "", item.rating, item.evaluation or "",
            ])
            row = ws.max_row
            ws.cell(row=row, column=HEADERS.index("目标日期") + 1).number_format = "yyyy-mm-dd"
            for col in (HEADERS.index("内容描述") + 1, HEADERS.index("完成情况") + 1):
                ws.cell(row=row, column=col).alignment = Alignment(wrap_text=True, vertical="top")
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class ImportRefused(Exception):
    def __init__(self, problems: list):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _refuse(message) -> ImportRefused:
    return ImportRefused([message])


def _read_bytes(file_storage) -> bytes:
    data = file_storage.stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(_l("The file is larger than %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024)))
    return data


def _open(data: bytes):
    """A real .xlsx workbook, read-only — or a refusal (a renamed zip or other file, a zip bomb)."""
    not_xlsx = _l("This is not an Excel workbook (.xlsx). Save the table as .xlsx and try again.")
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise _refuse(not_xlsx)
    try:
        with zipfile.ZipFile(buffer) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise _refuse(not_xlsx)
            if sum(i.file_size for i in zf.infolist()) > MAX_UNPACKED:
                raise _refuse(_l("The workbook is too large to read."))
    except zipfile.BadZipFile:
        raise _refuse(not_xlsx) from None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 — any failure to parse is "not a workbook", never a 500
        current_app.logger.info("checklist import: unreadable workbook", exc_info=True)
        raise _refuse(not_xlsx) from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _row_problem(sheet: str, row: int, message):
    return _l("Sheet %(sheet)s, row %(row)s: %(message)s", sheet=sheet, row=row, message=message)


def _parse_row(values: dict, sheet: str, row: int, problems: list) -> ItemInput | None:
    local: list = []
    category_text = _text(values.get("category"))
    by_label = {v: k for k, v in CATEGORY_ZH.items()}
    category = by_label.get(category_text) or (category_text if category_text in CATEGORIES else None)
    if category is None:
        local.append(_l("unknown category “%(value)s”", value=category_text))
    raw_value = values.get("value")
    value = None
    if raw_value not in (None, ""):
        if isinstance(raw_value, bool) or not isinstance(raw_value, (int, float)):
            text = _text(raw_value).replace(",", "")
            if text.isascii() and text.isdigit():
                value = int(text)
            else:
                local.append(_l("the estimated value must be a whole number of yuan"))
        elif float(raw_value) < 0 or not float(raw_value).is_integer():
            local.append(_l("the estimated value must be a whole number of yuan"))
        else:
            value = int(raw_value)
    raw_date = values.get("target_date")
    target = None
    if isinstance(raw_date, datetime):
        target = raw_date.date()
    elif isinstance(raw_date, date):
        target = raw_date
    elif _text(raw_date):
        try:
            target = date.fromisoformat(_text(raw_date))
        except ValueError:
            local.append(_l("the target date must be a date (YYYY-MM-DD)"))
    side_text = _text(values.get("responsible_side"))
    side = {v: k for k, v in SIDE_ZH.items()}.get(side_text) or ("agency" if not side_text else None)
    if side is None:
        local.append(_l("the side carrying it out must be %(a)s or %(b)s", a=SIDE_ZH["community"], b=SIDE_ZH["agency"]))
    for message in local:
        problems.append(_row_problem(sheet, row, message))
    if local:
        return None
    return ItemInput(title=_text(values.get("title")), description=_text(values.get("description")),
                     category=category, quantity=_text(values.get("quantity")), value=value,
                     community_contact=_text(values.get("community_contact")),
                     agency_contact=_text(values.get("agency_contact")), responsible_side=side, target_date=target)


def _rows(ws, sheet: str, problems: list):
    """(row number, {field: value}) for each non-empty row; formulas are refused, headers must match."""
    count = ws.max_row  # from the sheet's <dimension>, before reading any row
    if count is not None and count - 1 > MAX_ROWS:
        raise _refuse(_l("Sheet %(sheet)s has more than %(n)s rows. Split the table and import it in parts.",
                         sheet=sheet, n=MAX_ROWS))
    header = None
    seen = 0
    for number, row in enumerate(ws.iter_rows(values_only=True), 1):
        if number == 1:
            header = [_text(v) for v in row]
            if header[:len(HEADERS)] != HEADERS:
                raise _refuse(_l("Sheet %(sheet)s: the first row must be the headers of the exported table.",
                                 sheet=sheet))
            continue
        if all(v is None or _text(v) == "" for v in row):
            continue
        seen += 1
        if seen > MAX_ROWS:  # no <dimension> in the file: counted while reading
            raise _refuse(_l("Sheet %(sheet)s has more than %(n)s rows. Split the table and import it in parts.",
                             sheet=sheet, n=MAX_ROWS))
        if any(isinstance(v, str) and v.startswith("=") for v in row):
            problems.append(_row_problem(sheet, number, _l("a formula where a value belongs; paste values only")))
            continue
        values = {field: row[i] if i < len(row) else None
                  for i, (_header, _width, field) in enumerate(COLUMNS) if field}
        yield number, values


def import_items(actor, pairing, file_storage) -> int:
    """Read every sheet, check every row, then create all items in the caller's transaction — or none."""
    workbook = _open(_read_bytes(file_storage))
    try:
        problems: list = []
        parsed: list[tuple[str, ItemInput]] = []
        known = [SHEETS[k] for k in KINDS]
        if not any(name in workbook.sheetnames for name in known):
            raise _refuse(_l("No sheet named %(names)s was found.", names="、".join(known)))
        for kind in KINDS:
            sheet = SHEETS[kind]
            if sheet not in workbook.sheetnames:
                continue
            for number, values in _rows(workbook[sheet], sheet, problems):
                data = _parse_row(values, sheet, number, problems)
                if data is None:
                    continue
                try:
                    services.validate_input(data, pairing.year)
                except CobuildError as e:
                    for message in e.errors.values():
                        problems.append(_row_problem(sheet, number, message))
                    continue
                parsed.append((kind, data))
    finally:
        workbook.close()
    if problems:
        raise ImportRefused(problems[:50])
    if not parsed:
        raise _refuse(_l("The workbook has no rows to import."))
    sides = sides_of(actor, pairing)
    side = sides[0] if sides else None
    for kind, data in parsed:
        values = services.validate_input(data, pairing.year)
        item = services.new_item(actor, kind=kind, community=pairing.community, year=pairing.year, values=values,
                                  pairing=pairing, side=side, action="imported")
        services.emit_item("checklist.imported", actor, item, side=side, title=item.title)
    return len(parsed)
