"""Exports of a list: exactly the rows it shows, every page, in its order, up to a cap.

CSV is UTF-8 with a byte-order mark (Excel then reads Vietnamese letters right) and uses ";"
nowhere: a plain comma-separated file that LibreOffice and Excel both open. Every text cell is
neutralised the way the review workbook does it (tracker.plain_text): control characters
dropped, and a text a spreadsheet would run as a formula (=, +, -, @ ...) kept as text: a
leading apostrophe in CSV, Excel's quote prefix in .xlsx. The files are administrative
documents, so they are written in Vietnamese whatever language the screen is in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.plain_text import looks_like_formula, strip_control

EXPORT_CAP = 10_000
CSV, XLSX = "csv", "xlsx"
KINDS = (CSV, XLSX)
DATE_FORMAT = "DD/MM/YYYY"
Cell = str | int | float | date | datetime | None


@dataclass(frozen=True)
class Table:
    """What an export writes: headings, rows, and how many rows the list had in all."""

    name: str  # the file's name, without extension
    headings: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    total: int

    @property
    def cut_note(self) -> str | None:
        """The line that says the export stopped at the cap, when it did."""
        if self.total <= len(self.rows):
            return None
        return (
            f"Chỉ xuất {len(self.rows):,} dòng đầu trong {self.total:,} dòng (tối đa "
            f"{EXPORT_CAP:,} dòng mỗi lần xuất); hãy lọc bớt để xuất phần còn lại."
        ).replace(",", ".")


def safe_text(value: str) -> str:
    """A text cell that no spreadsheet runs as a formula, without control characters."""
    clean = strip_control(value)
    return "'" + clean if looks_like_formula(clean) else clean


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return safe_text(str(value))


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(heading) for heading in table.headings])
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    if (note := table.cut_note) is not None:
        writer.writerow([note])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(value: Cell) -> Cell:
    if value is None or (isinstance(value, int | float | date) and not isinstance(value, bool)):
        return value
    return strip_control(str(value))


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Danh sách"
    sheet.append([strip_control(heading) for heading in table.headings])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_xlsx_cell(value) for value in row])
    # One pass at the end: sheet.max_row after each append would make this quadratic.
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if looks_like_formula(cell.value):
                    cell.quotePrefix = True
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    if (note := table.cut_note) is not None:
        sheet.append([note])
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(table.headings))
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    for number, heading in enumerate(table.headings, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = max(
            12, min(60, len(heading) + 6)
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(table: Table, kind: str) -> Response:
    """The export as a file download."""
    if kind == XLSX:
        data = to_xlsx(table)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data, mimetype = to_csv(table), "text/csv; charset=utf-8"
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{table.name}.{kind}"'
    response.headers["X-Rows-Exported"] = str(len(table.rows))
    response.headers["X-Rows-Total"] = str(table.total)
    return response
