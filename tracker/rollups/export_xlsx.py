"""A review as an Excel workbook: a summary sheet, then one sheet per notice, filters on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from itertools import groupby
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
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
    summary.title = sheet_title("Tổng hợp", used)
    _summary(summary, content)
    items = sorted(content.items, key=lambda item: (item.conclusion.id or 0, item.unit.name))
    for _, group in groupby(items, key=lambda item: item.conclusion.id):
        lines = list(group)
        notice = lines[0].conclusion
        sheet = workbook.create_sheet(sheet_title(f"TB {notice.number or notice.id}", used))
        _tasks(sheet, lines)
    workbook.save(stream)


def _summary(sheet: Worksheet, content: ReviewContent) -> None:
    _append(sheet, [f"Kỳ giao ban {content.period_label}"])
    sheet["A1"].font = Font(bold=True, size=14)
    state = "Đã chốt số liệu" if content.review.is_frozen else "Số liệu tạm tính"
    _append(sheet, [f"Tính đến ngày {content.reference:%d/%m/%Y}", state])
    _append(sheet, [])
    _append(sheet, ["Chỉ tiêu", content.period_label, content.previous_label])
    _bold_row(sheet)
    current, previous = content.comparison.current, content.comparison.previous
    for key, name in SUMMARY_ROWS:
        _append(sheet, [name, summary_value(current, key), summary_value(previous, key)])
        if key.endswith("_rate"):
            for cell in sheet[sheet.max_row][1:]:
                cell.number_format = PERCENT_FORMAT
    _append(sheet, [])
    _append(sheet, UNIT_HEADERS)
    _bold_row(sheet)
    first = sheet.max_row
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
        for cell in sheet[sheet.max_row][-3:-1]:
            cell.number_format = PERCENT_FORMAT
    sheet.auto_filter.ref = f"A{first}:{get_column_letter(len(UNIT_HEADERS))}{sheet.max_row}"
    _widths(sheet, [24, 40, 10, *[14] * len(Category), 14, 14, 50])


def _tasks(sheet: Worksheet, lines: list[ItemLine]) -> None:
    _append(sheet, TASK_HEADERS)
    _bold_row(sheet)
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
        row = sheet[sheet.max_row]
        row[3].number_format = row[7].number_format = DATE_FORMAT
        for cell in (row[2], row[9], row[10]):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(TASK_HEADERS))}{sheet.max_row}"
    sheet.freeze_panes = "A2"
    _widths(sheet, [30, 8, 60, 12, 16, 24, 10, 14, 10, 40, 50])


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


def _bold_row(sheet: Worksheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
