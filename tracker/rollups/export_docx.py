"""A review as a Word report laid out as Nghị định 30/2020/NĐ-CP (Phụ lục I) asks.

A4 portrait, Times New Roman, margins 20/20/30/15 mm; the heading table (issuing body and number
on the left, Quốc hiệu, tiêu ngữ and the place and date line on the right); "BÁO CÁO" and the
trích yếu; a summary in words with the comparison table; the unit table, the one wide table, on
landscape pages of its own; the tasks by unit; "Nơi nhận" and the signature; page numbers at the
top centre from page 2. Values the installation does not know are left dotted for the office.
A board of a Party committee may ask for the Party's form instead (TRACKER_REPORT_FORM=party,
Hướng dẫn 36-HD/VPTW): "ĐẢNG CỘNG SẢN VIỆT NAM" in place of Quốc hiệu and tiêu ngữ, a star
under the body's name, "Số …-BC/…", "Nơi nhận:" underlined.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import IO

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from tracker.assignments.status import Category
from tracker.i18n import format_date
from tracker.plain_text import strip_control
from tracker.rollups.exports import (
    PLACEHOLDER,
    SUMMARY_ROWS,
    ReviewContent,
    explanation_text,
    rate_text,
    report_text,
    status_text,
    summary_value,
)
from tracker.rollups.queries import Figures

MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
BODY_PT, TABLE_PT = 14, 12
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"
TOTAL = "Tổng cộng"
# Margins in mm (top, bottom, left, right), within the decree's ranges; the text is 165 mm wide
# on a portrait page and 252 mm on a landscape one.
MARGINS = (20, 20, 30, 15)
PORTRAIT_TEXT_MM = 210 - MARGINS[2] - MARGINS[3]
LANDSCAPE_TEXT_MM = 297 - MARGINS[2] - MARGINS[3]
# Word's default cell margins (1.9 mm each side) and a little room, to size columns by their text.
CELL_PADDING_MM = 4.5
POINT_MM = 25.4 / 72
HEADING_COLUMNS_MM = (70.0, 95.0)
CLOSING_COLUMNS_MM = (75.0, 90.0)
# Word refuses properties out of the schema's order: what must follow the borders we add.
TABLE_PROPERTIES_AFTER_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
PARAGRAPH_PROPERTIES_AFTER_BORDERS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
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
    _base_style(document)
    first = document.sections[0]
    _page(first, landscape=False)
    _page_numbers(first)
    _heading(document, content)
    _title(document, content)
    _summary(document, content)
    # The unit table is the one too wide for a portrait page: it alone gets landscape pages.
    _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=True)
    _units(document, content)
    _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=False)
    _tasks(document, content)
    _closing(document, content)
    document.save(stream)


def _base_style(document: WordDocument) -> None:
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT)
    paragraphs = style.paragraph_format
    paragraphs.space_before, paragraphs.space_after = Pt(0), Pt(6)
    paragraphs.line_spacing = 1.0


def _page(section: Section, *, landscape: bool) -> None:
    """A4 with the decree's margins; a landscape section also shows the page number on its
    first page (only the document's first page goes without)."""
    short, long = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    top, bottom, left, right = MARGINS
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.header_distance = section.footer_distance = Mm(10)
    section.different_first_page_header_footer = False


def _page_numbers(section: Section) -> None:
    """The page number centred in the top margin, from page 2 (the first page's header is empty).

    Later sections inherit this header, and the numbering runs on through them."""
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, "PAGE", shown="2")


def _field(paragraph: Paragraph, instruction: str, *, shown: str) -> None:
    """A Word field (PAGE...) that the reader recomputes; `shown` until it does."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None)):
        run = paragraph.add_run()
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
    paragraph.add_run(shown)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def _heading(document: WordDocument, content: ReviewContent) -> None:
    """Issuing body over its number on the left; on the right Quốc hiệu and tiêu ngữ (the
    decree) or the Party's title (Hướng dẫn 36), over the place and date; a borderless table."""
    head = content.letterhead
    table = document.add_table(rows=2, cols=2)
    _no_borders(table)
    _fix_widths(table, list(HEADING_COLUMNS_MM))
    (body, title), (number, dated) = (row.cells for row in table.rows)
    left, right = HEADING_COLUMNS_MM
    if head.parent_body:
        _line(body, head.parent_body.upper(), size=13 if head.form == "state" else 14)
    abbreviation = head.abbreviation or PLACEHOLDER
    if head.form == "party":
        # The Party's form: the body's name over a star, "Số 12-BC/BDVTU" (no colon), and
        # "ĐẢNG CỘNG SẢN VIỆT NAM" with a line as long as itself.
        _line(body, (head.issuer or PLACEHOLDER).upper(), bold=True, size=14)
        _line(body, "*", size=14)
        _line(number, f"Số {PLACEHOLDER}-BC/{abbreviation}", size=14)
        _line(title, PARTY_TITLE, bold=True, size=15)
        _rule(title, text_mm(PARTY_TITLE, 15, bold=True), right)
    else:
        _line(body, (head.issuer or PLACEHOLDER).upper(), bold=True, size=13)
        _rule(body, left / 3, left)
        _line(number, f"Số: {PLACEHOLDER}/BC-{abbreviation}", size=13)
        _line(title, NATIONAL_NAME, bold=True, size=12)
        _line(title, MOTTO, bold=True, size=13)
        _rule(title, text_mm(MOTTO, 13, bold=True), right)
    _line(dated, date_line(head.place, content.reference), italic=True, size=BODY_PT)
    for cell in (number, dated):
        cell.paragraphs[0].paragraph_format.space_before = Pt(6)


def date_line(place: str | None, day: date) -> str:
    """The place and date line, "<Địa danh>, ngày 05 tháng 01 năm 2026": a day below 10 and
    the months 1 and 2 get a leading zero, as the decree writes them (the Party's documents
    write them so too: "ngày 03 tháng 4 năm 2018")."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place or PLACEHOLDER}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _title(document: WordDocument, content: ReviewContent) -> None:
    kind = _paragraph(document, "BÁO CÁO", bold=True, center=True)
    kind.paragraph_format.space_before = Pt(18)
    kind.paragraph_format.space_after = Pt(0)
    summary = f"Kết quả thực hiện nhiệm vụ theo thông báo kết luận {content.period_label}"
    _paragraph(document, summary, bold=True, center=True).paragraph_format.space_after = Pt(0)
    # Under the trích yếu, a line a third to a half as long as it.
    length = min(text_mm(summary, BODY_PT, bold=True), PORTRAIT_TEXT_MM) * 0.4
    _shape_rule(document.add_paragraph(), length, PORTRAIT_TEXT_MM, gap_pt=5)
    if content.review.is_frozen:
        state = f"(Số liệu đã chốt tại kỳ giao ban ngày {format_date(content.reference)})"
    else:
        state = f"(Số liệu tạm tính đến ngày {format_date(content.reference)}, chưa chốt)"
    _paragraph(document, state, italic=True, center=True).paragraph_format.space_after = Pt(12)


def summary_sentences(content: ReviewContent) -> list[str]:
    """The figures told in words: totals, completion, on time, overdue, and the period before."""
    current, previous = content.comparison.current, content.comparison.previous
    counts = current.counts
    carried = sum(1 for item in content.items if item.is_carried_over)
    state = "đã chốt" if content.review.is_frozen else "tạm tính"
    first = (
        f"Tính đến hết ngày {format_date(content.reference)} (số liệu {state}), "
        f"{content.period_label} có tổng số {current.total} nhiệm vụ phải thực hiện"
        f"{f', trong đó {carried} nhiệm vụ chuyển từ kỳ trước' if carried else ''}. "
        f"Đã hoàn thành {current.done} nhiệm vụ, đạt tỷ lệ {rate_text(current.completion_rate)} "
        f"số nhiệm vụ không bị hủy; trong đó hoàn thành đúng hạn "
        f"{counts[Category.DONE_ON_TIME]} nhiệm vụ ({rate_text(current.on_time_rate)} số đã "
        f"hoàn thành), hoàn thành quá hạn {counts[Category.DONE_LATE]} nhiệm vụ. "
        f"Đang thực hiện trong hạn {counts[Category.IN_PROGRESS]} nhiệm vụ; chưa triển khai "
        f"{counts[Category.NOT_STARTED]} nhiệm vụ; quá hạn chưa hoàn thành "
        f"{counts[Category.OVERDUE]} nhiệm vụ; đã hủy {counts[Category.CANCELLED]} nhiệm vụ."
    )
    second = (
        f"So với {content.previous_label} ({previous.total} nhiệm vụ): tỷ lệ hoàn thành "
        f"{rate_text(current.completion_rate)} (kỳ trước {rate_text(previous.completion_rate)}), "
        f"tỷ lệ hoàn thành đúng hạn {rate_text(current.on_time_rate)} (kỳ trước "
        f"{rate_text(previous.on_time_rate)}), quá hạn chưa hoàn thành "
        f"{counts[Category.OVERDUE]} nhiệm vụ (kỳ trước {previous.counts[Category.OVERDUE]})."
    )
    return [first, second]


def _summary(document: WordDocument, content: ReviewContent) -> None:
    _section_heading(document, "I. KẾT QUẢ CHUNG")
    for sentence in summary_sentences(content):
        _body(document, sentence)
    current, previous = content.comparison.current, content.comparison.previous
    rows = []
    for key, name in SUMMARY_ROWS:
        values = [summary_value(current, key), summary_value(previous, key)]
        rows.append(
            [
                name,
                *[
                    rate_text(value) if isinstance(value, float) or value is None else str(value)
                    for value in values
                ],
            ]
        )
    table = _data_table(
        document,
        ["Chỉ tiêu", content.period_label, content.previous_label],
        rows,
        PORTRAIT_TEXT_MM,
        centred=(1, 2),
    )
    _bold_row(table.rows[1])  # the total number of tasks


def _units(document: WordDocument, content: ReviewContent) -> None:
    _section_heading(document, "II. KẾT QUẢ THEO ĐƠN VỊ")
    rows = []
    for line in content.units:
        comment = content.comments.get(line.unit.id or 0)
        name = line.unit.name + (" (trực tiếp)" if line.is_own else "")
        rows.append(
            [
                str(line.rank or ""),
                name,
                *_figure_cells(line.figures),
                comment.body if comment and not line.is_own else "",
            ]
        )
    # The top-level units share out every assignment of the review: their sum is its total.
    total = sum((line.figures for line in content.units if not line.is_own), Figures())
    rows.append(["", TOTAL, *_figure_cells(total), ""])
    table = _data_table(document, UNIT_COLUMNS, rows, LANDSCAPE_TEXT_MM, centred=(0, *range(2, 10)))
    _bold_row(table.rows[-1])
    table.rows[-1].cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _figure_cells(figures: Figures) -> list[str]:
    return [
        str(figures.total),
        *[str(figures.counts[category]) for category in Category],
        rate_text(figures.completion_rate),
    ]


def _tasks(document: WordDocument, content: ReviewContent) -> None:
    _section_heading(document, "III. CHI TIẾT NHIỆM VỤ THEO ĐƠN VỊ")
    rows: list[list[str] | str] = []
    current_unit = None
    for number, item in enumerate(content.items, start=1):
        if item.unit.id != current_unit:
            current_unit = item.unit.id
            rows.append(item.unit.name)  # a heading row across the table
        carried = " (chuyển từ kỳ trước)" if item.is_carried_over else ""
        task = f"{item.task.code}. {item.task.text} – TB số {item.conclusion.number or ''}{carried}"
        rows.append(
            [
                str(number),
                task,
                format_date(item.due),
                status_text(item),
                report_text(item, content.reports.get(item.assignment_id)),
                explanation_text(item.explanations),
            ]
        )
    _data_table(document, TASK_COLUMNS, rows, PORTRAIT_TEXT_MM, centred=(0, 2))


def _closing(document: WordDocument, content: ReviewContent) -> None:
    """The recipients ("Nơi nhận") on the left; the signer's title, room to sign, name on the
    right."""
    head = content.letterhead
    document.add_paragraph()
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _fix_widths(table, list(CLOSING_COLUMNS_MM))
    _keep_together(table.rows[0])
    recipients, signature = table.rows[0].cells
    if head.form == "party":
        # The Party's form: "Nơi nhận:" upright and underlined, lines ending with a comma.
        _line(recipients, "Nơi nhận:", underline=True, size=14, center=False)
        default = (f"- {PLACEHOLDER},", f"- Lưu {PLACEHOLDER}.")
    else:
        _line(recipients, "Nơi nhận:", bold=True, italic=True, size=12, center=False)
        default = (f"- {PLACEHOLDER};", f"- Lưu: VT, {PLACEHOLDER}.")
    for entry in head.recipients or default:
        _line(recipients, entry, size=11 if head.form == "state" else 12, center=False)
    _line(signature, (head.signer_title or PLACEHOLDER).upper(), bold=True, size=BODY_PT)
    for _ in range(4):  # room for the signature and the stamp
        _line(signature, "", size=BODY_PT)
    _line(signature, head.signer_name or PLACEHOLDER, bold=True, size=BODY_PT)


def _data_table(
    document: WordDocument,
    headers: list[str],
    rows: Sequence[list[str] | str],
    width_mm: float,
    *,
    centred: tuple[int, ...] = (),
) -> Table:
    """A bordered table whose header row repeats on every page and whose columns share
    `width_mm` by the text they hold. A row given as one string spans the table (a heading)."""
    widths = fit_widths(
        [
            [headers[column], *[row[column] for row in rows if not isinstance(row, str)]]
            for column in range(len(headers))
        ],
        width_mm,
        TABLE_PT,
    )
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fix_widths(table, widths)
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, text in zip(header.cells, headers, strict=True):
        _line(cell, text, bold=True, size=TABLE_PT)
    for row in rows:
        cells = table.add_row().cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = Mm(width)
        if isinstance(row, str):
            _line(cells[0].merge(cells[-1]), row, bold=True, size=TABLE_PT, center=False)
            continue
        for column, (cell, text) in enumerate(zip(cells, row, strict=True)):
            _line(cell, text, size=TABLE_PT, center=column in centred)
    return table


def fit_widths(
    columns: list[list[str]], available_mm: float, size_pt: float, *, header_rows: int = 1
) -> list[float]:
    """Column widths (mm) summing to `available_mm`, sized by their text.

    Each column's first `header_rows` texts are headings, free to wrap between words. Every
    column gets at least its longest word, so no word breaks; the room left goes to the columns
    whose text would otherwise wrap, in proportion to the text they hold on average."""

    def width(text: str) -> float:
        return text_mm(text, size_pt) + CELL_PADDING_MM

    least, natural, heading, demand = [], [], [], []
    for texts in columns:
        words = [word for text in texts for word in text.split()]
        least.append(min(max((width(word) for word in words), default=CELL_PADDING_MM), 60.0))
        body = [line for text in texts[header_rows:] for line in text.split("\n")]
        natural.append(max([least[-1], *(width(line) for line in body)]))
        heading.append(max([natural[-1], *(width(text) for text in texts[:header_rows])]))
        lengths = [width(text) for text in texts[header_rows:]]
        demand.append(max(sum(lengths) / len(lengths) - least[-1], 0.0) if lengths else 0.0)
    if sum(natural) <= available_mm:
        # Room for every text on one line: headings too if possible, the rest shared out.
        spare = available_mm - sum(natural)
        wrapped = [high - low for high, low in zip(heading, natural, strict=True)]
        share = min(1.0, spare / sum(wrapped)) if sum(wrapped) else 0.0
        widths = [low + want * share for low, want in zip(natural, wrapped, strict=True)]
        spare = available_mm - sum(widths)
        return [value + spare * value / sum(widths) for value in widths]
    if sum(least) >= available_mm or not sum(demand):
        return [value * available_mm / sum(least) for value in least]
    spare = available_mm - sum(least)
    return [low + spare * want / sum(demand) for low, want in zip(least, demand, strict=True)]


def text_mm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """About how wide `text` is set in Times New Roman (letters' widths in em, by kind; an
    accented Vietnamese letter is as wide as its base letter)."""
    ems = 0.0
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            continue
        if char.isupper():
            ems += 0.7
        elif char.isalpha() or char.isdigit():
            ems += 0.5
        else:
            ems += 0.3
    return ems * size_pt * POINT_MM * (1.06 if bold else 1.0)


def _fix_widths(table: Table, widths_mm: list[float]) -> None:
    """Fixed layout with these widths, in the grid (LibreOffice) and every cell (Word)."""
    table.autofit = False  # w:tblLayout fixed
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _repeat_as_header(row: _Row) -> None:
    """w:tblHeader: the row is printed again at the top of every page the table runs onto."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _keep_together(row: _Row) -> None:
    """w:cantSplit: the row moves whole to the next page rather than break across two."""
    flag = OxmlElement("w:cantSplit")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().insert(0, flag)


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    table._tbl.tblPr.insert_element_before(borders, *TABLE_PROPERTIES_AFTER_BORDERS)


def _bold_row(row: _Row) -> None:
    for cell in row.cells:
        for paragraph in cell.paragraphs:
            for run in paragraph.runs:
                run.bold = True


def _rule(cell: _Cell, length_mm: float, cell_mm: float) -> None:
    """The short solid line the decree draws under the issuer's name and under the tiêu ngữ."""
    _shape_rule(cell.add_paragraph(), length_mm, cell_mm - CELL_PADDING_MM)


def _shape_rule(paragraph: Paragraph, length_mm: float, room_mm: float, gap_pt: int = 2) -> None:
    """An empty, 2 pt high paragraph whose bottom border, centred by its indents, is the line."""
    indent = Mm(max(room_mm - length_mm, 0.0) / 2)
    form = paragraph.paragraph_format
    form.left_indent = form.right_indent = indent
    form.space_before, form.space_after = Pt(gap_pt), Pt(0)
    form.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(
        borders, *PARAGRAPH_PROPERTIES_AFTER_BORDERS
    )


def _paragraph(
    document: WordDocument,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    center: bool = False,
) -> Paragraph:
    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(strip_control(text))
    run.bold, run.italic = bold, italic
    return paragraph


def _section_heading(document: WordDocument, text: str) -> None:
    """A part's heading ("I. ..."), kept on the page of what follows it."""
    _paragraph(document, text, bold=True).paragraph_format.keep_with_next = True


def _body(document: WordDocument, text: str) -> None:
    """A paragraph of the body: justified, its first line indented 1.27 cm."""
    paragraph = _paragraph(document, text)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Cm(1.27)


def _line(
    cell: _Cell,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: int = TABLE_PT,
    center: bool = True,
) -> None:
    """Text in a cell: the first line fills its empty paragraph, the next ones add their own."""
    paragraph = cell.paragraphs[-1]
    if paragraph.runs or paragraph._p.xpath("./w:pPr/w:pBdr"):
        paragraph = cell.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(strip_control(text))
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
