"""The review's Word report and Excel workbook, downloaded, reopened and read cell by cell."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import docx
import openpyxl
import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.helpers import login_as
from tests.rollups.conftest import JULY_1, World
from tracker.rollups import explanations, reviews
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
            "Đã họp triển khai tới các xã.",
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


def test_word_report(client: FlaskClient, frozen_review: int) -> None:
    document = docx.Document(_download(client, frozen_review, "docx"))
    header, summary, units, tasks = document.tables
    assert _rows(header) == [
        ["BAN DÂN VẬN TỈNH ỦY", "ĐẢNG CỘNG SẢN VIỆT NAM"],
        ["Số:      -BC", "ngày 01 tháng 07 năm 2021"],
    ]
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "BÁO CÁO" in texts
    assert "Kết quả thực hiện nhiệm vụ theo thông báo kết luận – Quý II/2021" in texts
    assert "(Tính đến ngày 01/07/2021; đã chốt số liệu)" in texts
    assert _rows(summary) == SUMMARY
    assert _rows(units) == [
        UNIT_HEADERS,
        [*TINH_ROW, ""],
        [*HOI_ROW, "Cần đôn đốc các chi hội."],
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


def test_excel_workbook(client: FlaskClient, frozen_review: int) -> None:
    workbook = openpyxl.load_workbook(_download(client, frozen_review, "xlsx"))
    assert workbook.sheetnames == ["Tổng hợp", "TB 01-TB_BDVTU", "TB 02-TB_BDVTU"]
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
    header = [cell.value for cell in summary[15]]
    assert header[:3] == ["Xếp hạng", "Đơn vị", "Tổng số"] and header[-1] == "Nhận xét"
    hoi = [cell.value for cell in summary[17]]
    assert hoi[:9] == [2, "Hội Nông dân tỉnh", 2, 0, 0, 0, 0, 2, 0]
    assert hoi[9:] == [0.0, None, "Cần đôn đốc các chi hội."]
    tinh = [cell.value for cell in summary[16]]
    assert tinh[:9] == [1, "Ban Dân vận Tỉnh ủy", 5, 1, 1, 0, 0, 3, 0]
    assert summary.auto_filter.ref == "A15:L17"

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
    ranked = [row for row in workbook["Tổng hợp"].iter_rows(min_row=16) if row[1].value]
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
    summary = [cell.value for row in workbook["Tổng hợp"].iter_rows() for cell in row]
    assert "Cần đôn đốc các chi hội." in summary
    word = client.get(f"/giao-ban/{frozen_review}/bao-cao.docx")
    assert word.status_code == 200
    report = docx.Document(BytesIO(word.data))
    text = "\n".join(
        cell.text for table in report.tables for row in table.rows for cell in row.cells
    )
    assert "Ghi chú cũ" in text and "Cần đôn đốc các chi hội." in text
