"""The unit directory from an Excel workbook: read like the YAML, refused with sheet and row."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlmodel import Session, select

from tests.admin.test_admin_views import admin_client
from tests.helpers import csrf_token
from tracker.units.directory import DirectoryError, read_directory
from tracker.units.models import Unit
from tracker.units.spreadsheet import read_directory_upload, read_directory_workbook

UNITS = [
    ("Mã", "Tên đơn vị", "Tên khác", "Cấp trên"),
    ("MTTQ", "Ủy ban MTTQ tỉnh", "Mặt trận tỉnh; UBMTTQ tỉnh", None),
    ("HND", "Hội Nông dân tỉnh", None, None),
    (None, None, None, None),
    (101, "Đảng ủy xã Tân Phú", "", "MTTQ"),
]
GROUPS = [
    ("Mã nhóm", "Tên nhóm", "Thành viên"),
    ("CTXH", "các tổ chức chính trị - xã hội tỉnh", "MTTQ, HND"),
]


def workbook_bytes(units: list[tuple], groups: list[tuple] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Đơn vị"
    for row in units:
        sheet.append(row)
    if groups is not None:
        other = book.create_sheet("Nhóm")
        for row in groups:
            other.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_reads_like_the_yaml_directory() -> None:
    directory = read_directory_workbook(workbook_bytes(UNITS, GROUPS), "donvi.xlsx")
    assert [(u.code, u.name, u.aliases, u.parent) for u in directory.units] == [
        ("MTTQ", "Ủy ban MTTQ tỉnh", ("Mặt trận tỉnh", "UBMTTQ tỉnh"), None),
        ("HND", "Hội Nông dân tỉnh", (), None),
        ("101", "Đảng ủy xã Tân Phú", (), "MTTQ"),
    ]
    assert [(g.code, g.members) for g in directory.groups] == [("CTXH", ("MTTQ", "HND"))]


def test_the_command_line_and_the_parser_read_a_workbook_by_path(tmp_path: Path) -> None:
    path = tmp_path / "donvi.xlsx"
    path.write_bytes(workbook_bytes(UNITS))
    assert len(read_directory(path).units) == 3


@pytest.mark.parametrize(
    ("units", "groups", "message"),
    [
        ([("Tên", "Ghi chú"), ("X", "")], None, "cần dòng tiêu đề có cột 'Mã' và 'Tên'"),
        ([("Mã", "Tên"), ("MTTQ", "A"), ("MTTQ", "B")], None, "bị trùng"),
        ([("Mã", "Tên", "Cấp trên"), ("XA", "Xã", "HUYEN")], None, "cấp trên 'HUYEN'"),
        ([("Mã", "Tên"), ("Mặt trận", "A")], None, "không hợp lệ"),
        ([("Mã", "Tên"), ("A", "A")], [("Mã", "Tên", "Thành viên"), ("G", "G", "A, Z")], "Z"),
    ],
)
def test_a_wrong_workbook_is_refused_with_sheet_and_row(
    units: list[tuple], groups: list[tuple] | None, message: str
) -> None:
    with pytest.raises(DirectoryError) as refused:
        read_directory_workbook(workbook_bytes(units, groups), "donvi.xlsx")
    assert message in str(refused.value)
    assert "trang '" in str(refused.value)


def test_a_row_number_points_at_the_mistake() -> None:
    rows = [("Mã", "Tên"), ("A", "Một"), ("B", "Hai"), ("A", "Ba")]
    with pytest.raises(DirectoryError) as refused:
        read_directory_workbook(workbook_bytes(rows), "donvi.xlsx")
    assert refused.value.line == 4


def test_a_zip_bomb_posing_as_a_workbook_is_refused_unread() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    with pytest.raises(DirectoryError, match="giải nén"):
        read_directory_upload(buffer.getvalue(), "bom.xlsx")


def test_a_damaged_workbook_or_other_binary_is_refused_with_advice() -> None:
    with pytest.raises(DirectoryError, match=r"lưu lại dạng \.xlsx"):
        read_directory_upload(b"PK\x03\x04 not really a zip", "hong.xlsx")
    with pytest.raises(DirectoryError, match="không phải YAML UTF-8"):
        read_directory_upload(b"\xff\xfe\x00binary", "anh.png")


def test_the_admin_uploads_an_excel_list(client: FlaskClient, session: Session) -> None:
    admin_client(client, session)
    response = client.post(
        "/quan-tri/don-vi",
        data={
            "csrf_token": csrf_token(client, "/quan-tri/don-vi"),
            "file": (io.BytesIO(workbook_bytes(UNITS, GROUPS)), "danh-muc.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    codes = sorted(unit.code for unit in session.exec(select(Unit)).all())
    assert codes == ["101", "HND", "MTTQ"]
