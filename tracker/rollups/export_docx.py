"""A review as a Word report in the usual Vietnamese administrative layout."""

from __future__ import annotations

from typing import IO

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from tracker.assignments.status import Category
from tracker.i18n import format_date
from tracker.plain_text import strip_control
from tracker.rollups.exports import (
    SUMMARY_ROWS,
    ReviewContent,
    explanation_text,
    rate_text,
    status_text,
    summary_value,
)

MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
SHORT = {
    Category.DONE_ON_TIME: "HT đúng hạn",
    Category.DONE_LATE: "HT quá hạn",
    Category.IN_PROGRESS: "Đang thực hiện",
    Category.NOT_STARTED: "Chưa triển khai",
    Category.OVERDUE: "Quá hạn chưa HT",
    Category.CANCELLED: "Đã hủy",
}
UNIT_COLUMNS = ["TT", "Đơn vị", "Tổng số", *SHORT.values(), "Tỷ lệ HT", "Nhận xét"]
TASK_COLUMNS = ["TT", "Nhiệm vụ", "Hạn", "Tình trạng", "Báo cáo gần nhất", "Giải trình"]


def write(content: ReviewContent, stream: IO[bytes]) -> None:
    """Write the report to `stream`."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(13)
    _header(document, content)
    _title(document, content)
    _summary(document, content)
    _units(document, content)
    _tasks(document, content)
    document.save(stream)


def _paragraph(
    document: WordDocument,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    center: bool = False,
    size: int | None = None,
) -> Paragraph:
    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(strip_control(text))
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    return paragraph


def _header(document: WordDocument, content: ReviewContent) -> None:
    """Issuing body and number on the left; the Party's name and place, date on the right."""
    table = document.add_table(rows=2, cols=2)
    left, right = table.rows[0].cells
    _cell(left, content.issuer.upper(), bold=True, center=True)
    _cell(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, center=True, underline=True)
    _cell(table.rows[1].cells[0], "Số:      -BC", center=True)
    day = content.reference
    _cell(
        table.rows[1].cells[1],
        f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
        italic=True,
        center=True,
    )


def _title(document: WordDocument, content: ReviewContent) -> None:
    _paragraph(document)
    _paragraph(document, "BÁO CÁO", bold=True, center=True, size=15)
    _paragraph(
        document,
        f"Kết quả thực hiện nhiệm vụ theo thông báo kết luận – {content.period_label}",
        bold=True,
        center=True,
        size=14,
    )
    frozen = "đã chốt số liệu" if content.review.is_frozen else "số liệu tạm tính"
    _paragraph(
        document,
        f"(Tính đến ngày {format_date(content.reference)}; {frozen})",
        italic=True,
        center=True,
    )


def _summary(document: WordDocument, content: ReviewContent) -> None:
    _paragraph(document, "I. SỐ LIỆU TỔNG HỢP", bold=True)
    current, previous = content.comparison.current, content.comparison.previous
    _paragraph(
        document,
        f"Trong kỳ có {current.total} nhiệm vụ (kể cả nhiệm vụ chuyển từ kỳ trước), đã hoàn "
        f"thành {current.done}, tỷ lệ hoàn thành {rate_text(current.completion_rate)}; "
        f"{current.counts[Category.OVERDUE]} nhiệm vụ quá hạn chưa hoàn thành.",
    )
    table = _table(document, ["Chỉ tiêu", content.period_label, content.previous_label])
    for key, name in SUMMARY_ROWS:
        cells = table.add_row().cells
        values = [summary_value(current, key), summary_value(previous, key)]
        texts = [
            rate_text(value) if isinstance(value, float) or value is None else str(value)
            for value in values
        ]
        for cell, text in zip(cells, [name, *texts], strict=True):
            _cell(cell, text)


def _units(document: WordDocument, content: ReviewContent) -> None:
    _paragraph(document)
    _paragraph(document, "II. KẾT QUẢ THEO ĐƠN VỊ", bold=True)
    table = _table(document, UNIT_COLUMNS)
    for line in content.units:
        figures = line.figures
        comment = content.comments.get(line.unit.id or 0)
        name = line.unit.name + (" (trực tiếp)" if line.is_own else "")
        values = [
            str(line.rank or ""),
            name,
            str(figures.total),
            *[str(figures.counts[category]) for category in Category],
            rate_text(figures.completion_rate),
            comment.body if comment and not line.is_own else "",
        ]
        for cell, text in zip(table.add_row().cells, values, strict=True):
            _cell(cell, text)


def _tasks(document: WordDocument, content: ReviewContent) -> None:
    _paragraph(document)
    _paragraph(document, "III. CHI TIẾT NHIỆM VỤ THEO ĐƠN VỊ", bold=True)
    table = _table(document, TASK_COLUMNS)
    current_unit = None
    for number, item in enumerate(content.items, start=1):
        if item.unit.id != current_unit:
            current_unit = item.unit.id
            row = table.add_row().cells
            merged = row[0].merge(row[-1])
            _cell(merged, item.unit.name, bold=True)
        carried = " (chuyển từ kỳ trước)" if item.is_carried_over else ""
        task = f"{item.task.code}. {item.task.text} – TB số {item.conclusion.number or ''}{carried}"
        values = [
            str(number),
            task,
            format_date(item.due),
            status_text(item),
            item.latest_report or "",
            explanation_text(item.explanations),
        ]
        for cell, text in zip(table.add_row().cells, values, strict=True):
            _cell(cell, text)


def _table(document: WordDocument, headers: list[str]) -> Table:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell(cell, text, bold=True, center=True)
    return table


def _cell(
    cell: _Cell,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    center: bool = False,
    underline: bool = False,
) -> None:
    paragraph = cell.paragraphs[0]
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(strip_control(text))
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(12)
