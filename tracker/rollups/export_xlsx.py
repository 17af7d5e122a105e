"""A review as an Excel workbook: the summary, the units with their totals, then one sheet per
notice; every sheet filtered, its header row frozen, and set up to print on A4 (fit to the
page's width, the header row repeated on every page, the page number in the footer)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from itertools import groupby
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from tracker.assignments.status import CATEGORY_LABELS, STATUS_LABELS, Category
from tracker.plain_text import looks_like_formula, strip_control
from tracker.rollups.exports import (
    SUMMARY_ROWS,
    ReviewContent,
    explanation_text,
    sheet_title,
    summary_value,
)
from tracker.rollups.report import ItemLine

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
PERCENT_FORMAT = "0%"
TOTAL = "Tổng cộng"
# Columns of the unit sheet: rank, unit, total, the categories in their order, the two rates.
TOTAL_COLUMN = 3
CATEGORY_COLUMNS = {category: TOTAL_COLUMN + 1 + n for n, category in enumerate(Category)}
COMPLETION_COLUMN = TOTAL_COLUMN + len(Category) + 1
ON_TIME_COLUMN = COMPLETION_COLUMN + 1
PAGE_FOOTER = "Trang &P/&N"
THIN = Side(style="thin")
UNIT_HEADERS = [
    "Xếp hạng",
    "Đơn vị",
    "Tổng số",
    *[CATEGORY_LABELS[category] for category in Category],
    "Tỷ lệ hoàn thành",
    "Tỷ lệ đúng hạn",
    "Nhận xét",
]
TASK_HEADERS = [
    "Đơn vị",
    "Mã",
    "Nhiệm vụ",
    "Hạn",
    "Trạng thái",
    "Phân loại",
    "Tiến độ (%)",
    "Ngày hoàn thành",
    "Chuyển từ kỳ trước",
    "Báo cáo gần nhất",
    "Yêu cầu giải trình và giải trình",
]


def write(content: ReviewContent, stream: IO[bytes]) -> None:
    """Write the workbook to `stream`."""
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None  # a new workbook always has its first sheet
    used: set[str] = set()
    heading = f"Kỳ giao ban {content.period_label} - số liệu đến ngày {content.reference:%d/%m/%Y}"
    summary.title = sheet_title("Tổng hợp", used)
    _summary(summary, content)
    _print_setup(summary, title_row=SUMMARY_HEADER_ROW, landscape=False, heading=heading)
    units = workbook.create_sheet(sheet_title("Theo đơn vị", used))
    _units(units, content)
    _print_setup(units, title_row=1, landscape=True, heading=heading)
    items = sorted(content.items, key=lambda item: (item.conclusion.id or 0, item.unit.name))
    for _, group in groupby(items, key=lambda item: item.conclusion.id):
        lines = list(group)
        notice = lines[0].conclusion
        sheet = workbook.create_sheet(sheet_title(f"TB {notice.number or notice.id}", used))
        _tasks(sheet, lines)
        _print_setup(sheet, title_row=1, landscape=True, heading=heading)
    workbook.save(stream)


SUMMARY_HEADER_ROW = 4


def _summary(sheet: Worksheet, content: ReviewContent) -> None:
    _append(sheet, [f"Kỳ giao ban {content.period_label}"])
    sheet["A1"].font = Font(bold=True, size=14)
    state = "Đã chốt số liệu" if content.review.is_frozen else "Số liệu tạm tính"
    _append(sheet, [f"Tính đến ngày {content.reference:%d/%m/%Y}", state])
    _append(sheet, [])
    _append(sheet, ["Chỉ tiêu", content.period_label, content.previous_label])
    _header_row(sheet)
    current, previous = content.comparison.current, content.comparison.previous
    for key, name in SUMMARY_ROWS:
        _append(sheet, [name, summary_value(current, key), summary_value(previous, key)])
        _grid_row(sheet)
        if key.endswith("_rate"):
            for cell in sheet[sheet.max_row][1:]:
                cell.number_format = PERCENT_FORMAT
    for cell in sheet[SUMMARY_HEADER_ROW + 1]:  # the total number of tasks
        cell.font = Font(bold=True)
    sheet.freeze_panes = f"A{SUMMARY_HEADER_ROW + 1}"
    _widths(sheet, [52, 16, 16])


def _units(sheet: Worksheet, content: ReviewContent) -> None:
    """The top-level units ranked, and a totals row of formulas over them."""
    _append(sheet, UNIT_HEADERS)
    _header_row(sheet)
    for line in content.units:
        comment = content.comments.get(line.unit.id or 0)
        figures = line.figures
        _append(
            sheet,
            [
                line.rank,
                line.unit.name + (" (trực tiếp)" if line.is_own else ""),
                figures.total,
                *[figures.counts[category] for category in Category],
                figures.completion_rate,
                figures.on_time_rate,
                comment.body if comment and not line.is_own else None,
            ],
        )
        _grid_row(sheet)
        for column in (COMPLETION_COLUMN, ON_TIME_COLUMN):
            sheet.cell(sheet.max_row, column).number_format = PERCENT_FORMAT
        sheet.cell(sheet.max_row, len(UNIT_HEADERS)).alignment = Alignment(wrap_text=True)
    last = sheet.max_row
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(UNIT_HEADERS))}{last}"
    _totals_row(sheet, first=2, last=last)
    sheet.freeze_panes = "A2"
    _widths(sheet, [10, _text_width(sheet, 2, 24, 50), 10, *[13] * len(Category), 13, 13, 50])


def _totals_row(sheet: Worksheet, *, first: int, last: int) -> None:
    """ "Tổng cộng": each count the SUM of the unit rows above, each rate worked out from those
    sums as the figures do (done out of everything not cancelled; on time out of done)."""
    _append(sheet, [None, TOTAL])
    row = sheet.max_row
    letter = {column: get_column_letter(column) for column in range(1, ON_TIME_COLUMN + 1)}
    for column in (TOTAL_COLUMN, *CATEGORY_COLUMNS.values()):
        if last >= first:
            formula = f"=SUM({letter[column]}{first}:{letter[column]}{last})"
            sheet.cell(row, column).value = formula
        else:
            sheet.cell(row, column).value = 0

    def at(category: Category) -> str:
        return f"{letter[CATEGORY_COLUMNS[category]]}{row}"

    done = f"({at(Category.DONE_ON_TIME)}+{at(Category.DONE_LATE)})"
    counted = f"({letter[TOTAL_COLUMN]}{row}-{at(Category.CANCELLED)})"
    sheet.cell(row, COMPLETION_COLUMN).value = f'=IF({counted}=0,"",{done}/{counted})'
    sheet.cell(row, ON_TIME_COLUMN).value = f'=IF({done}=0,"",{at(Category.DONE_ON_TIME)}/{done})'
    for cell in sheet[row]:
        cell.font = Font(bold=True)
    for column in (COMPLETION_COLUMN, ON_TIME_COLUMN):
        sheet.cell(row, column).number_format = PERCENT_FORMAT
    _grid_row(sheet)


def _tasks(sheet: Worksheet, lines: list[ItemLine]) -> None:
    _append(sheet, TASK_HEADERS)
    _header_row(sheet)
    for item in lines:
        _append(
            sheet,
            [
                item.unit.name,
                item.task.code,
                item.task.text,
                item.due,
                STATUS_LABELS[item.status],
                CATEGORY_LABELS[item.category],
                item.percent,
                item.completed_on,
                "Có" if item.is_carried_over else "",
                item.latest_report or "",
                explanation_text(item.explanations),
            ],
        )
        _grid_row(sheet)
        row = sheet[sheet.max_row]
        row[3].number_format = row[7].number_format = DATE_FORMAT
        for cell in (row[0], row[2], row[9], row[10]):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(TASK_HEADERS))}{sheet.max_row}"
    sheet.freeze_panes = "A2"
    _widths(sheet, [_text_width(sheet, 1, 20, 32), 8, 60, 12, 16, 24, 10, 14, 10, 40, 50])


def _print_setup(sheet: Worksheet, *, title_row: int, landscape: bool, heading: str) -> None:
    """A4, as wide as the page allows (as many pages down as needed), the header row on every
    page, the review in the page header and the page number in the footer."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{title_row}:{title_row}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.6, right=0.4, top=0.8, bottom=0.7)
    # "&" starts a code in a page header: the review's own text keeps it as a character.
    header, footer = sheet.oddHeader, sheet.oddFooter
    assert header is not None and footer is not None  # every sheet is made with both
    header.center.text = heading.replace("&", "&&")
    footer.center.text = PAGE_FOOTER


def _append(sheet: Worksheet, values: Sequence[object]) -> None:
    """Add a row; every string is text (never a formula), without control characters.

    Numbers and dates are the code's own and stay typed; any other value is written as text.
    A text that a spreadsheet would run if typed (=, +, -, @ ...) keeps Excel's quote prefix,
    so it stays text even when someone edits the cell.
    """
    sheet.append([_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if looks_like_formula(cell.value):
                cell.quotePrefix = True


def _value(value: object) -> object:
    if value is None or (
        isinstance(value, int | float | date | datetime) and not isinstance(value, bool)
    ):
        return value
    return strip_control(str(value))


def _header_row(sheet: Worksheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    _grid_row(sheet)


def _grid_row(sheet: Worksheet) -> None:
    """Thin borders round the last row's cells, so the printed table has its grid."""
    for cell in sheet[sheet.max_row]:
        cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _text_width(sheet: Worksheet, column: int, least: int, most: int) -> int:
    """A text column as wide as its longest value, within [least, most] characters."""
    longest = max(
        (len(str(cell.value)) for (cell,) in sheet.iter_rows(min_col=column, max_col=column)),
        default=0,
    )
    return max(least, min(most, longest + 2))


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
