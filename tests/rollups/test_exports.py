"""The review's Word report and Excel workbook, downloaded, reopened and read cell by cell."""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlmodel import Session

from tests.helpers import login_as
from tests.rollups.conftest import JULY_1, World
from tracker.config import ConfigError, load_settings
from tracker.parsing.readers.engines import soffice_path
from tracker.rollups import explanations, export_docx, exports, reviews
from tracker.rollups.export_docx import text_mm
from tracker.rollups.periods import Period

ASKED_AT = datetime(2021, 7, 1, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
ANSWERED_AT = datetime(2021, 7, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
def frozen_review(session: Session, world: World) -> int:
    """Q2 2021 frozen on 01/07, a comment on HOI, and HOI's answered explanation on a3 (b4,
    overdue on 01/07 as its completion came on 05/07, is asked too and not answered)."""
    review = reviews.open_review(session, actor=world.head, period=Period.parse("2021-Q2"))
    reviews.save_comment(
        session,
        actor=world.head,
        review_id=review.id,
        unit_id=world.units["HOI"].id,
        body="Cần đôn đốc các chi hội.",
    )
    requests = explanations.request_for_unit(
        session,
        actor=world.head,
        review_id=review.id,
        unit_id=world.units["HOI"].id,
        message="Giải trình việc chậm.",
        today=JULY_1,
    )
    a3 = world.assignments["a3"].id
    [request] = [request for request in requests if request.assignment_id == a3]
    explanations.answer(session, actor=world.users["hoi"], request_id=request.id, text="Mưa bão.")
    for asked in requests:
        asked.requested_at = ASKED_AT
        session.add(asked)
    request.answered_at = ANSWERED_AT
    reviews.freeze(session, actor=world.head, review_id=review.id, meeting_on=JULY_1, today=JULY_1)
    session.commit()
    return review.id


def _download(client: FlaskClient, review_id: int, suffix: str) -> BytesIO:
    login_as(client, "lanhdao")
    response = client.get(f"/giao-ban/{review_id}/bao-cao.{suffix}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert f"giao-ban-2021-Q2.{suffix}" in disposition
    return BytesIO(response.data)


def _rows(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[cell.text for cell in row.cells] for row in table.rows]


SUMMARY = [
    ["Chỉ tiêu", "Quý II/2021", "Quý I/2021"],
    ["Tổng số nhiệm vụ", "7", "4"],
    ["Hoàn thành đúng hạn", "1", "1"],
    ["Hoàn thành quá hạn", "1", "0"],
    ["Đang thực hiện trong hạn", "0", "2"],
    ["Chưa triển khai", "0", "0"],
    ["Quá hạn chưa hoàn thành", "5", "0"],
    ["Đã hủy", "0", "1"],
    ["Tỷ lệ hoàn thành", "29%", "33%"],
    ["Tỷ lệ hoàn thành đúng hạn (trên số đã hoàn thành)", "50%", "100%"],
]
UNIT_HEADERS = ["TT", "Đơn vị", "Tổng số", "HT đúng hạn", "HT quá hạn", "Đang thực hiện"]
UNIT_HEADERS += ["Chưa triển khai", "Quá hạn chưa HT", "Đã hủy", "Tỷ lệ HT", "Nhận xét"]
HOI_ROW = ["2", "Hội Nông dân tỉnh", "2", "0", "0", "0", "0", "2", "0", "0%"]
TINH_ROW = ["1", "Ban Dân vận Tỉnh ủy", "5", "1", "1", "0", "0", "3", "0", "40%"]
EXPLANATION = "Yêu cầu ngày 01/07/2021: Giải trình việc chậm.\nGiải trình ngày 03/07/2021: Mưa bão."
ASKED_ONLY = "Yêu cầu ngày 01/07/2021: Giải trình việc chậm.\nChưa giải trình."
TASKS = {
    "Ban Dân vận Huyện ủy An Phú": [
        [
            "1.2. Nhiệm vụ 1.2 của HUYEN_A – TB số 02-TB/BDVTU",
            "30/06/2021",
            "Đang thực hiện – Quá hạn chưa hoàn thành (50%)",
            "Ngày 01/01/2021: 50%. Đã họp triển khai tới các xã.",
            "",
        ]
    ],
    "Ban Dân vận Huyện ủy Bình Sơn": [
        [
            "2.2. Nhiệm vụ 2.2 của HUYEN_B – TB số 02-TB/BDVTU",
            "15/05/2021",
            "Đang thực hiện – Quá hạn chưa hoàn thành (50%)",
            "",
            "",
        ]
    ],
    "Ban Dân vận Tỉnh ủy": [
        [
            "1.1. Nhiệm vụ 1.1 của TINH – TB số 02-TB/BDVTU",
            "30/06/2021",
            "Hoàn thành – Hoàn thành đúng hạn (30/06/2021)",
            "",
            "",
        ]
    ],
    "Đảng ủy xã Tân An": [
        [
            "1.2. Nhiệm vụ 1.2 của XA_A1 – TB số 01-TB/BDVTU (chuyển từ kỳ trước)",
            "31/03/2021",
            "Hoàn thành – Hoàn thành quá hạn (10/04/2021)",
            "",
            "",
        ],
        [
            "1.3. Nhiệm vụ 1.3 của XA_A1 – TB số 02-TB/BDVTU",
            "30/06/2021",
            "Chưa triển khai – Quá hạn chưa hoàn thành",
            "",
            "",
        ],
    ],
    "Hội Nông dân tỉnh": [
        [
            "2.1. Nhiệm vụ 2.1 của HOI – TB số 01-TB/BDVTU (chuyển từ kỳ trước)",
            "31/03/2021",
            "Đang thực hiện – Quá hạn chưa hoàn thành (50%)",
            "",
            EXPLANATION,
        ],
        [
            "2.1. Nhiệm vụ 2.1 của HOI – TB số 02-TB/BDVTU",
            "30/06/2021",
            "Đang thực hiện – Quá hạn chưa hoàn thành (50%)",
            "",
            ASKED_ONLY,
        ],
    ],
}


def _paragraphs(cell) -> list[str]:  # type: ignore[no-untyped-def]
    return [paragraph.text for paragraph in cell.paragraphs if paragraph.text]


def test_word_report(client: FlaskClient, frozen_review: int) -> None:
    document = docx.Document(_download(client, frozen_review, "docx"))
    heading, summary, units, tasks, closing = document.tables
    (board, state), (number, dated) = (row.cells for row in heading.rows)
    assert _paragraphs(board) == ["BAN DÂN VẬN TỈNH ỦY"]
    assert _paragraphs(state) == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    # Nothing in the test installation names the place or the board's abbreviation: dotted.
    assert _paragraphs(number) == ["Số: ………/BC-………"]
    assert _paragraphs(dated) == ["………, ngày 01 tháng 7 năm 2021"]
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "BÁO CÁO" in texts
    assert "Kết quả thực hiện nhiệm vụ theo thông báo kết luận Quý II/2021" in texts
    assert "(Số liệu đã chốt tại kỳ giao ban ngày 01/07/2021)" in texts
    summary_text = next(text for text in texts if text.startswith("Tính đến hết ngày"))
    assert "Quý II/2021 có tổng số 7 nhiệm vụ phải thực hiện" in summary_text
    assert "trong đó 2 nhiệm vụ chuyển từ kỳ trước" in summary_text
    assert "Đã hoàn thành 2 nhiệm vụ, đạt tỷ lệ 29%" in summary_text
    assert "hoàn thành đúng hạn 1 nhiệm vụ (50% số đã hoàn thành)" in summary_text
    assert "quá hạn chưa hoàn thành 5 nhiệm vụ" in summary_text
    assert _rows(summary) == SUMMARY
    assert _rows(units) == [
        UNIT_HEADERS,
        [*TINH_ROW, ""],
        [*HOI_ROW, "Cần đôn đốc các chi hội."],
        ["", "Tổng cộng", "7", "1", "1", "0", "0", "5", "0", "29%", ""],
    ]
    rows = _rows(tasks)
    assert rows[0] == ["TT", "Nhiệm vụ", "Hạn", "Tình trạng", "Báo cáo gần nhất", "Giải trình"]
    by_unit: dict[str, list[list[str]]] = {}
    unit = ""
    for row in rows[1:]:
        if len(set(row)) == 1:  # a unit's heading: one cell merged across the table
            unit = row[0]
            continue
        by_unit.setdefault(unit, []).append(row[1:])
    assert by_unit == TASKS
    numbers = [row[0] for row in rows[1:] if len(set(row)) > 1]
    assert numbers == [str(n) for n in range(1, 8)]
    recipients, signature = closing.rows[0].cells
    assert _paragraphs(recipients) == ["Nơi nhận:", "- ………;", "- Lưu: VT, ………."]
    # The head who froze the figures signs; the board is a "Ban", so its head is Trưởng ban.
    assert _paragraphs(signature) == ["TRƯỞNG BAN", "Người dùng head"]


def test_excel_workbook(client: FlaskClient, frozen_review: int) -> None:
    workbook = openpyxl.load_workbook(_download(client, frozen_review, "xlsx"))
    assert workbook.sheetnames == ["Tổng hợp", "Theo đơn vị", "TB 01-TB_BDVTU", "TB 02-TB_BDVTU"]
    summary = workbook["Tổng hợp"]
    assert summary["A1"].value == "Kỳ giao ban Quý II/2021"
    assert (summary["A2"].value, summary["B2"].value) == (
        "Tính đến ngày 01/07/2021",
        "Đã chốt số liệu",
    )
    values = [[cell.value for cell in row] for row in summary.iter_rows(min_row=4, max_row=13)]
    assert [row[:3] for row in values[:8]] == [
        [name, int(a) if a.isdigit() else a, int(b) if b.isdigit() else b]
        for name, a, b in SUMMARY[:8]
    ]
    assert values[8][1] == pytest.approx(2 / 7) and values[8][2] == pytest.approx(1 / 3)
    assert values[9][1] == pytest.approx(1 / 2) and values[9][2] == pytest.approx(1.0)
    assert summary["B12"].number_format == "0%"
    assert summary.max_row == 13  # the units have their own sheet

    units = workbook["Theo đơn vị"]
    header = [cell.value for cell in units[1]]
    assert header[:3] == ["Xếp hạng", "Đơn vị", "Tổng số"] and header[-1] == "Nhận xét"
    tinh = [cell.value for cell in units[2]]
    assert tinh[:9] == [1, "Ban Dân vận Tỉnh ủy", 5, 1, 1, 0, 0, 3, 0]
    hoi = [cell.value for cell in units[3]]
    assert hoi[:9] == [2, "Hội Nông dân tỉnh", 2, 0, 0, 0, 0, 2, 0]
    assert hoi[9:] == [0.0, None, "Cần đôn đốc các chi hội."]
    assert units.auto_filter.ref == "A1:L3"  # the totals row stays out of the filter
    assert units.max_row == 4

    first = workbook["TB 01-TB_BDVTU"]
    assert first.auto_filter.ref == "A1:K3" and first.freeze_panes == "A2"
    assert [cell.value for cell in first[1]][:4] == ["Đơn vị", "Mã", "Nhiệm vụ", "Hạn"]
    rows = {row[0]: row for row in first.iter_rows(min_row=2, values_only=True)}
    assert rows["Hội Nông dân tỉnh"] == (
        "Hội Nông dân tỉnh",
        "2.1",
        "Nhiệm vụ 2.1 của HOI",
        datetime(2021, 3, 31),
        "Đang thực hiện",
        "Quá hạn chưa hoàn thành",
        50,
        None,
        "Có",
        None,
        EXPLANATION,
    )
    assert rows["Đảng ủy xã Tân An"][3:9] == (
        datetime(2021, 3, 31),
        "Hoàn thành",
        "Hoàn thành quá hạn",
        100,
        datetime(2021, 4, 10),
        "Có",
    )
    assert first["D2"].number_format == "DD/MM/YYYY"
    second = workbook["TB 02-TB_BDVTU"]
    assert second.max_row == 6  # b1..b5 under their header
    codes = sorted((row[0], row[1]) for row in second.iter_rows(min_row=2, values_only=True))
    assert codes == [
        ("Ban Dân vận Huyện ủy An Phú", "1.2"),
        ("Ban Dân vận Huyện ủy Bình Sơn", "2.2"),
        ("Ban Dân vận Tỉnh ủy", "1.1"),
        ("Hội Nông dân tỉnh", "2.1"),
        ("Đảng ủy xã Tân An", "1.3"),
    ]


def test_units_cannot_export(client: FlaskClient, frozen_review: int) -> None:
    login_as(client, "hoi")
    assert client.get(f"/giao-ban/{frozen_review}/bao-cao.docx").status_code == 403


FORMULA = '=HYPERLINK("http://xau.example/","Bấm vào đây")'


def test_formula_like_text_is_written_as_text_and_control_characters_are_dropped(
    client: FlaskClient, session: Session, world: World, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from tracker.assignments import progress
    from tracker.assignments.evidence import EvidenceStore
    from tracker.notices.models import Task

    b2 = world.assignments["b2"]
    report = progress.report_progress(
        session,
        actor=world.users["huyen_a"],
        assignment_id=b2.id,
        expected_version=b2.version,
        status="in_progress",
        percent=60,
        note=FORMULA + "\x00\x07",
        uploads=[],
        store=EvidenceStore(tmp_path),
        today=JULY_1,
    )
    assert report.note == FORMULA  # NUL and BEL dropped on the way in
    world.units["HOI"].name = "+Hội Nông dân tỉnh"
    task = session.get(Task, world.assignments["b4"].task_id)
    task.text, task.code = "@SUM(1+1)", "-2.1"
    session.add_all([world.units["HOI"], task])
    review = reviews.open_review(session, actor=world.head, period=Period.parse("2021-Q2"))
    session.commit()
    workbook = openpyxl.load_workbook(_download(client, review.id, "xlsx"))
    sheet = workbook["TB 02-TB_BDVTU"]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    note = cells["Ban Dân vận Huyện ủy An Phú"][9]
    assert (note.value, note.data_type, note.quotePrefix) == (FORMULA, "s", True)
    hoi = cells["+Hội Nông dân tỉnh"]
    for cell in (hoi[0], hoi[1], hoi[2]):
        assert cell.data_type == "s" and cell.quotePrefix
    assert (hoi[1].value, hoi[2].value) == ("-2.1", "@SUM(1+1)")
    assert hoi[6].data_type == "n" and hoi[6].value == 100  # numbers the code chose stay numbers
    assert workbook["Tổng hợp"]["B1"].value is None
    ranked = [row for row in workbook["Theo đơn vị"].iter_rows(min_row=2) if row[1].value]
    hoi_line = next(row for row in ranked if row[1].value.startswith("+Hội"))
    assert hoi_line[1].data_type == "s" and hoi_line[1].quotePrefix


def test_frozen_review_with_control_characters_still_exports(
    client: FlaskClient, session: Session, frozen_review: int
) -> None:
    # Text stored before the input rule: the exports clean it instead of failing with a 500.
    from sqlalchemy import update

    from tracker.rollups.models import ReviewComment, ReviewItem

    session.execute(
        update(ReviewItem)
        .where(ReviewItem.review_id == frozen_review)
        .values(latest_report="Ghi chú\x07 cũ\x1b\x0b")
    )
    session.execute(update(ReviewComment).values(body="\x08Cần đôn đốc\x0c các chi hội."))
    session.commit()
    workbook = openpyxl.load_workbook(_download(client, frozen_review, "xlsx"))
    rows = list(workbook["TB 01-TB_BDVTU"].iter_rows(min_row=2, values_only=True))
    assert {row[9] for row in rows} == {"Ghi chú cũ"}
    summary = [cell.value for row in workbook["Theo đơn vị"].iter_rows() for cell in row]
    assert "Cần đôn đốc các chi hội." in summary
    word = client.get(f"/giao-ban/{frozen_review}/bao-cao.docx")
    assert word.status_code == 200
    report = docx.Document(BytesIO(word.data))
    text = "\n".join(
        cell.text for table in report.tables for row in table.rows for cell in row.cells
    )
    assert "Ghi chú cũ" in text and "Cần đôn đốc các chi hội." in text


# --- The Word report's layout (Nghị định 30/2020/NĐ-CP) and the workbook's print set-up ---

A4_MM = (210, 297)


def _mm(length: int) -> float:
    return length / 36000  # EMU per mm


def _body_order(document) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """Each table of the body with the section it lies in: ("table", section number)."""
    found, section = [], 0
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:tbl"):
            found.append(("table", section))
        elif (
            element.tag == qn("w:p") and element.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None
        ):
            section += 1
    return found


def _repeats(table) -> list[bool]:  # type: ignore[no-untyped-def]
    return [bool(row._tr.xpath("./w:trPr/w:tblHeader")) for row in table.rows]


def _column_widths(table) -> list[float]:  # type: ignore[no-untyped-def]
    return [_mm(int(col.get(qn("w:w"))) * 635) for col in table._tbl.tblGrid.iterchildren()]


def test_word_report_layout(client: FlaskClient, frozen_review: int) -> None:
    document = docx.Document(_download(client, frozen_review, "docx"))
    portrait, landscape, back = document.sections
    assert [section.orientation for section in document.sections] == [
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.LANDSCAPE,
        WD_ORIENT.PORTRAIT,
    ]
    for section in document.sections:
        size = sorted((round(_mm(section.page_width)), round(_mm(section.page_height))))
        assert tuple(size) == A4_MM
        assert 20 <= round(_mm(section.top_margin)) <= 25
        assert 20 <= round(_mm(section.bottom_margin)) <= 25
        assert 30 <= round(_mm(section.left_margin)) <= 35
        assert 15 <= round(_mm(section.right_margin)) <= 20
    assert _mm(portrait.page_width) < _mm(portrait.page_height)
    assert _mm(landscape.page_width) > _mm(landscape.page_height)
    # Heading, summary: portrait; the unit table alone on landscape pages; tasks and closing back.
    assert [section for _, section in _body_order(document)] == [0, 0, 1, 2, 2]

    # The page number: a PAGE field at the top, centred, not on the first page.
    assert portrait.different_first_page_header_footer
    header = portrait.header.paragraphs[0]
    assert header.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert [text.strip() for text in header._p.xpath(".//w:instrText/text()")] == ["PAGE"]
    assert not portrait.first_page_header._element.xpath(".//w:instrText")
    for later in (landscape, back):
        assert later.header.is_linked_to_previous
        assert not later.different_first_page_header_footer

    heading, summary, units, tasks, closing = document.tables
    for table in (summary, units, tasks):
        assert _repeats(table) == [True] + [False] * (len(table.rows) - 1)
    for table in (heading, closing):
        assert not any(_repeats(table))
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert {edge.get(qn("w:val")) for edge in borders} == {"nil"}
    # The columns share the text width by their content: the numbers narrow, the texts wide.
    for table, width in ((summary, 165), (units, 252), (tasks, 165)):
        assert sum(_column_widths(table)) == pytest.approx(width, abs=1)
    unit_widths = _column_widths(units)
    assert unit_widths[0] < unit_widths[1] and unit_widths[2] < unit_widths[1]
    task_widths = _column_widths(tasks)
    assert task_widths[0] == min(task_widths) and task_widths[1] == max(task_widths)
    lines = [row for row in _rows(tasks)[1:] if len(set(row)) > 1]  # not the unit headings
    for column, width in enumerate(task_widths):
        longest = max((word for row in lines for word in row[column].split()), key=len)
        assert width >= text_mm(longest, 12)  # no word breaks

    normal = document.styles["Normal"].font
    assert (normal.name, normal.size) == ("Times New Roman", Pt(14))
    (board, state), (_, dated) = (row.cells for row in heading.rows)
    national, motto, line = state.paragraphs[:3]
    assert (national.runs[0].bold, national.runs[0].font.size) == (True, Pt(12))
    assert (motto.runs[0].bold, motto.runs[0].font.size) == (True, Pt(13))
    assert line.text == "" and line._p.xpath("./w:pPr/w:pBdr/w:bottom")  # the line under it
    assert board.paragraphs[0].runs[0].bold and board.paragraphs[1]._p.xpath("./w:pPr/w:pBdr")
    assert dated.paragraphs[0].runs[0].italic
    title = next(p for p in document.paragraphs if p.text == "BÁO CÁO")
    assert title.runs[0].bold and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    recipients, signature = closing.rows[0].cells
    label, *entries = [p for p in recipients.paragraphs if p.text]
    assert (label.runs[0].bold, label.runs[0].italic, label.runs[0].font.size) == (
        True,
        True,
        Pt(12),
    )
    assert {entry.runs[0].font.size for entry in entries} == {Pt(11)}
    signer = [p for p in signature.paragraphs if p.text]
    assert all(p.runs[0].bold for p in signer)


def test_word_totals_are_the_as_of_figures(
    client: FlaskClient, session: Session, world: World, frozen_review: int
) -> None:
    from tracker.assignments.status import Category
    from tracker.rollups import queries
    from tracker.rollups.models import Review

    document = docx.Document(_download(client, frozen_review, "docx"))
    rows = _rows(document.tables[2])
    lines, total = rows[1:-1], rows[-1]
    assert total[1] == "Tổng cộng"
    for column in range(2, 9):
        assert int(total[column]) == sum(int(line[column]) for line in lines)
    review = session.get(Review, frozen_review)
    as_of = queries.totals(session, actor=world.head, scope=reviews.scope_of(review, JULY_1))
    assert [int(value) for value in total[2:9]] == [
        as_of.total,
        *[as_of.counts[category] for category in Category],
    ]
    assert total[9] == f"{round(as_of.completion_rate * 100)}%"


def test_word_heading_from_the_boards_notices_and_a_review_not_yet_frozen(
    app, session: Session, world: World
) -> None:  # type: ignore[no-untyped-def]
    # The board's own notices are numbered "…-TB/BDVTU": its report is "…/BC-BDVTU".
    for notice in world.notices.values():
        notice.issuer_unit_id = world.units["TINH"].id
        session.add(notice)
    review = reviews.open_review(session, actor=world.head, period=Period.parse("2021-Q2"))
    session.commit()
    with app.app_context():
        content = exports.build(session, actor=world.head, review=review, today=JULY_1)
        buffer = BytesIO()
        export_docx.write(content, buffer)
    document = docx.Document(buffer)
    heading, *_, closing = document.tables
    assert _paragraphs(heading.rows[1].cells[0]) == ["Số: ………/BC-BDVTU"]
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "(Số liệu tạm tính đến ngày 01/07/2021, chưa chốt)" in texts
    # Nobody has frozen the figures yet: who signs is left for the office to write.
    assert _paragraphs(closing.rows[0].cells[1]) == ["TRƯỞNG BAN", "………"]


def _word_report_with(app, session: Session, world: World, letterhead: exports.Letterhead):  # type: ignore[no-untyped-def]
    """The Word report of a Q2 2021 review, not yet frozen, with the heading `letterhead`."""
    review = reviews.open_review(session, actor=world.head, period=Period.parse("2021-Q2"))
    session.commit()
    with app.app_context():
        content = exports.build(
            session, actor=world.head, review=review, today=JULY_1, letterhead=letterhead
        )
        buffer = BytesIO()
        export_docx.write(content, buffer)
    return docx.Document(buffer)


def test_word_heading_takes_what_the_installation_is_told(
    app, session: Session, world: World
) -> None:  # type: ignore[no-untyped-def]
    letterhead = exports.Letterhead(
        issuer="Ban Dân vận Tỉnh ủy",
        parent_body="Tỉnh ủy Bình Định",
        abbreviation="BDVTU",
        place="Quy Nhơn",
        signer_title="Phó Trưởng ban",
        signer_name="Nguyễn Văn A",
        recipients=("- Thường trực Tỉnh ủy (b/c);", "- Lưu: VT."),
    )
    document = _word_report_with(app, session, world, letterhead)
    heading, *_, closing = document.tables
    (board, _), (number, dated) = (row.cells for row in heading.rows)
    assert _paragraphs(board) == ["TỈNH ỦY BÌNH ĐỊNH", "BAN DÂN VẬN TỈNH ỦY"]
    assert _paragraphs(number) == ["Số: ………/BC-BDVTU"]
    assert _paragraphs(dated) == ["Quy Nhơn, ngày 01 tháng 7 năm 2021"]
    recipients, signature = closing.rows[0].cells
    assert _paragraphs(recipients) == ["Nơi nhận:", "- Thường trực Tỉnh ủy (b/c);", "- Lưu: VT."]
    assert _paragraphs(signature) == ["PHÓ TRƯỞNG BAN", "Nguyễn Văn A"]


def test_word_heading_in_the_partys_form(app, session: Session, world: World) -> None:  # type: ignore[no-untyped-def]
    """A Ban Dân vận is a body of the Party committee: its reports take the Party's form."""
    letterhead = exports.Letterhead(
        issuer="Ban Dân vận Tỉnh ủy",
        parent_body="Tỉnh ủy Bình Định",
        abbreviation="BDVTU",
        place="Quy Nhơn",
        signer_title="Trưởng ban",
        form="party",
    )
    document = _word_report_with(app, session, world, letterhead)
    heading, *_, closing = document.tables
    (board, title), (number, dated) = (row.cells for row in heading.rows)
    assert _paragraphs(board) == ["TỈNH ỦY BÌNH ĐỊNH", "BAN DÂN VẬN TỈNH ỦY", "*"]
    assert _paragraphs(number) == ["Số ………-BC/BDVTU"]
    assert _paragraphs(title) == ["ĐẢNG CỘNG SẢN VIỆT NAM"]
    assert _paragraphs(dated) == ["Quy Nhơn, ngày 01 tháng 7 năm 2021"]
    every_text = "\n".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA" not in every_text and "Độc lập" not in every_text
    recipients, signature = closing.rows[0].cells
    assert _paragraphs(recipients) == ["Nơi nhận:", "- ………,", "- Lưu ………."]
    assert recipients.paragraphs[0].runs[0].underline
    assert not recipients.paragraphs[0].runs[0].bold
    assert _paragraphs(signature)[0] == "TRƯỞNG BAN"


def test_the_report_form_is_a_setting() -> None:
    def form(value: str) -> str:
        env = {"TRACKER_REPORT_FORM": value}
        return load_settings(env=env, environment="testing", secret_key="x" * 40).report.form

    assert load_settings(env={}, environment="testing", secret_key="x" * 40).report.form == "state"
    assert form(" Party ") == "party"
    with pytest.raises(ConfigError, match="TRACKER_REPORT_FORM"):
        form("đảng")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 5), "………, ngày 05 tháng 01 năm 2026"),
        (date(2026, 2, 28), "………, ngày 28 tháng 02 năm 2026"),
        (date(2026, 3, 9), "………, ngày 09 tháng 3 năm 2026"),
        (date(2026, 12, 25), "………, ngày 25 tháng 12 năm 2026"),
    ],
)
def test_date_line_writes_zeros_as_the_decree_does(day: date, expected: str) -> None:
    assert export_docx.date_line(None, day) == expected


def test_column_widths_follow_their_text() -> None:
    columns = [
        ["TT", "1", "2"],
        ["Nhiệm vụ", "Triển khai thực hiện nghị quyết của Tỉnh ủy về công tác dân vận", "Họp"],
        ["Hạn", "30/06/2021", "15/05/2021"],
    ]
    widths = export_docx.fit_widths(columns, 165, 12)
    assert sum(widths) == pytest.approx(165)
    assert widths[0] < widths[2] < widths[1]
    assert widths[2] >= text_mm("30/06/2021", 12)  # a date never wraps
    narrow = export_docx.fit_widths(columns, 60, 12)
    assert sum(narrow) == pytest.approx(60)
    assert narrow[1] >= text_mm("Triển", 12)  # words never break


def test_excel_print_setup_and_totals(
    client: FlaskClient, session: Session, world: World, frozen_review: int
) -> None:
    from tracker.assignments.status import Category
    from tracker.rollups import queries
    from tracker.rollups.models import Review

    workbook = openpyxl.load_workbook(_download(client, frozen_review, "xlsx"))
    wide = {"Theo đơn vị", "TB 01-TB_BDVTU", "TB 02-TB_BDVTU"}
    for sheet in workbook:
        setup = sheet.page_setup
        assert setup.paperSize == 9  # A4
        assert setup.orientation == ("landscape" if sheet.title in wide else "portrait")
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        header_row = 4 if sheet.title == "Tổng hợp" else 1
        assert sheet.print_title_rows == f"${header_row}:${header_row}"
        assert sheet.freeze_panes == f"A{header_row + 1}"
        assert sheet.oddFooter.center.text == "Trang &P/&N"
        assert sheet.oddHeader.center.text == (
            "Kỳ giao ban Quý II/2021 - số liệu đến ngày 01/07/2021"
        )
        assert [cell.font.bold for cell in sheet[header_row] if cell.value] == [True] * len(
            [cell for cell in sheet[header_row] if cell.value]
        )
        for letter, dimension in sheet.column_dimensions.items():
            assert 8 <= dimension.width <= 60, (sheet.title, letter)

    units = workbook["Theo đơn vị"]
    total = [cell.value for cell in units[4]]
    assert total[:2] == [None, "Tổng cộng"]
    assert total[2:9] == [f"=SUM({letter}2:{letter}3)" for letter in "CDEFGHI"]
    assert total[9] == '=IF((C4-I4)=0,"",(D4+E4)/(C4-I4))'
    assert total[10] == '=IF((D4+E4)=0,"",D4/(D4+E4))'
    assert all(cell.font.bold for cell in units[4][1:11])
    # What the formulas add up, the unit rows, is the review's as-of figures at its date.
    review = session.get(Review, frozen_review)
    as_of = queries.totals(session, actor=world.head, scope=reviews.scope_of(review, JULY_1))
    sums = [sum(units.cell(row, column).value for row in (2, 3)) for column in range(3, 10)]
    assert sums == [as_of.total, *[as_of.counts[category] for category in Category]]


def test_excel_totals_row_stays_a_formula_while_a_hostile_unit_name_stays_text(
    client: FlaskClient, session: Session, world: World
) -> None:
    world.units["HOI"].name = FORMULA
    session.add(world.units["HOI"])
    review = reviews.open_review(session, actor=world.head, period=Period.parse("2021-Q2"))
    session.commit()
    workbook = openpyxl.load_workbook(_download(client, review.id, "xlsx"))
    units = workbook["Theo đơn vị"]
    [hostile] = [row for row in units.iter_rows(min_row=2) if row[1].value == FORMULA]
    assert (hostile[1].data_type, hostile[1].quotePrefix) == ("s", True)
    totals = units[units.max_row]
    assert totals[1].value == "Tổng cộng" and totals[1].data_type == "s"
    assert {cell.data_type for cell in totals[2:11]} == {"f"}
    for sheet in workbook.worksheets[2:]:
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == FORMULA:
                assert (row[0].data_type, row[0].quotePrefix) == ("s", True)
    document = docx.Document(_download_again(client, review.id, "docx"))
    assert FORMULA in [row.cells[1].text for row in document.tables[2].rows]


def _download_again(client: FlaskClient, review_id: int, suffix: str) -> BytesIO:
    response = client.get(f"/giao-ban/{review_id}/bao-cao.{suffix}")
    assert response.status_code == 200
    return BytesIO(response.data)


OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


@pytest.mark.slow
def test_word_report_prints_as_an_office_document(
    client: FlaskClient, engine: Engine, frozen_review: int, tmp_path: Path
) -> None:
    """Rendered by LibreOffice: three A4 pages, the unit table's page landscape, the page
    number on pages 2 and 3 only; page images under test-output/ for a person to look at."""
    soffice = soffice_path()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the report cannot be rendered")
    if engine.dialect.name != "sqlite":
        pytest.skip("the layout does not depend on the database: rendered once, on SQLite")
    pdfium = pytest.importorskip("pypdfium2")
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(_download(client, frozen_review, "docx").getvalue())
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = pdfium.PdfDocument(str(tmp_path / "bao-cao.pdf"))
    sizes = [tuple(round(side / 72 * 25.4) for side in page.get_size()) for page in pdf]
    assert sizes == [(210, 297), (297, 210), (210, 297)]
    texts = [page.get_textpage().get_text_range() for page in pdf]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts[0] and "BÁO CÁO" in texts[0]
    assert not texts[0].lstrip().startswith("1")  # no number on the first page
    assert texts[1].lstrip().startswith("2") and texts[2].lstrip().startswith("3")
    assert "Tổng cộng" in texts[1] and "Nơi nhận:" in texts[2]
    OUTPUT.mkdir(exist_ok=True)
    for number, page in enumerate(pdf, start=1):
        page.render(scale=1.5).to_pil().save(OUTPUT / f"bao-cao-trang-{number}.png")


def test_a_review_with_no_work_still_exports_its_totals(
    client: FlaskClient, session: Session, world: World
) -> None:
    review = reviews.open_review(session, actor=world.head, period=Period.parse("2020-Q1"))
    session.commit()
    login_as(client, "lanhdao")
    document = docx.Document(_download_again(client, review.id, "docx"))
    units = document.tables[2]
    assert _rows(units)[1:] == [["", "Tổng cộng", "0", "0", "0", "0", "0", "0", "0", "—", ""]]
    workbook = openpyxl.load_workbook(_download_again(client, review.id, "xlsx"))
    totals = [cell.value for cell in workbook["Theo đơn vị"][2]]
    assert totals[1:9] == ["Tổng cộng", 0, 0, 0, 0, 0, 0, 0]


def test_word_report_takes_the_installations_report_settings(
    app, client: FlaskClient, frozen_review: int
) -> None:  # type: ignore[no-untyped-def]
    env = {
        "TRACKER_REPORT_PLACE": "  Quy   Nhơn ",
        "TRACKER_REPORT_PARENT_BODY": "Tỉnh ủy Bình Định",
        "TRACKER_REPORT_SIGNER_TITLE": "KT. Trưởng ban",
        "TRACKER_REPORT_SIGNER_NAME": "Nguyễn Văn A",
        "TRACKER_REPORT_RECIPIENTS": "- Thường trực Tỉnh ủy (b/c); ;- Lưu: VT.",
    }
    report = load_settings(env=env, environment="testing", secret_key="x" * 40).report
    assert report.place == "Quy Nhơn"
    assert report.recipients == ("- Thường trực Tỉnh ủy (b/c)", "- Lưu: VT.")
    app.extensions["tracker.settings"] = dataclasses.replace(
        app.extensions["tracker.settings"], report=report
    )
    document = docx.Document(_download(client, frozen_review, "docx"))
    heading, *_, closing = document.tables
    (board, _), (_number, dated) = (row.cells for row in heading.rows)
    assert _paragraphs(board)[0] == "TỈNH ỦY BÌNH ĐỊNH"
    assert _paragraphs(dated)[0].startswith("Quy Nhơn, ngày ")
    recipients, signature = closing.rows[0].cells
    assert _paragraphs(recipients)[1:] == ["- Thường trực Tỉnh ủy (b/c)", "- Lưu: VT."]
    assert _paragraphs(signature) == ["KT. TRƯỞNG BAN", "Nguyễn Văn A"]
