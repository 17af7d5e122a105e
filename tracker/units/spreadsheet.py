"""The unit directory as an Excel workbook (.xlsx), the way offices already keep their lists.

Sheet 1 (units), one row per unit under a header row: Mã, Tên, Tên khác, Cấp trên
(or code, name, aliases, parent). An optional sheet named "Nhóm" (or "groups"): Mã, Tên,
Tên khác, Thành viên. Several aliases or members in one cell are separated by ";", "," or line
breaks. The result is the same `UnitDirectory` the YAML reader gives, checked by the same rules,
with the sheet and row of every mistake.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tracker.errors import N_
from tracker.units.directory import (
    CODE_PATTERN,
    DirectoryError,
    DirectoryGroup,
    DirectoryUnit,
    SheetSource,
    UnitDirectory,
    check_directory,
    parse_directory,
)

ZIP_MAGIC = b"PK\x03\x04"
MAX_ROWS = 5000
# A workbook of 5,000 short rows is well under this once unzipped; more is a zip bomb.
MAX_INFLATED_BYTES = 50 * 1024 * 1024
_SPLIT = re.compile(r"[;,\n]+")
_HEADERS = {
    "code": {"ma", "ma don vi", "ma nhom", "code"},
    "name": {"ten", "ten don vi", "ten nhom", "name"},
    "aliases": {"ten khac", "ten goi khac", "aliases", "alias"},
    "parent": {"cap tren", "don vi cap tren", "ma cap tren", "parent"},
    "members": {"thanh vien", "cac thanh vien", "members"},
}
_GROUP_SHEETS = {"nhom", "groups", "nhom don vi"}


def looks_like_workbook(data: bytes) -> bool:
    """An .xlsx is a zip archive; YAML never starts with these bytes."""
    return data.startswith(ZIP_MAGIC)


def _fold(text: str) -> str:
    """'Cấp trên' -> 'cap tren': headers match however they are accented or cased."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(plain.lower().split())


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a numeric code typed in Excel ("101") comes back as 101.0
    return " ".join(str(value).split())


def _check_archive(data: bytes, source: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DirectoryError(
            N_("tệp Excel bị hỏng hoặc không phải .xlsx; mở bằng Excel rồi lưu lại dạng .xlsx"),
            source=source,
        ) from None
    with archive:
        inflated = sum(info.file_size for info in archive.infolist())
    if inflated > MAX_INFLATED_BYTES:
        raise DirectoryError(
            N_("tệp Excel giải nén ra quá {mb} MB; chỉ giữ danh sách đơn vị trong tệp"),
            source=source,
            mb=MAX_INFLATED_BYTES // (1024 * 1024),
        )


def _rows(sheet: Worksheet, source: str, wanted: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) under the header row; blank rows skipped."""
    columns: dict[int, str] = {}
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS + 1:
            raise DirectoryError(
                N_("trang '{sheet}' có quá {rows} dòng"),
                number,
                source,
                sheet=sheet.title,
                rows=MAX_ROWS,
            )
        texts = [_cell_text(value) for value in values]
        if not columns:
            if not any(texts):
                continue
            for index, text in enumerate(texts):
                for column, names in _HEADERS.items():
                    if column in wanted and _fold(text) in names:
                        columns[index] = column
            if "code" not in columns.values() or "name" not in columns.values():
                raise DirectoryError(
                    N_("trang '{sheet}' cần dòng tiêu đề có cột 'Mã' và 'Tên'"),
                    number,
                    source,
                    sheet=sheet.title,
                )
            continue
        row = {column: texts[index] for index, column in columns.items() if index < len(texts)}
        if any(row.values()):
            yield number, row


def _code(text: str, what: str, line: int, source: str) -> str:
    if not CODE_PATTERN.match(text):
        raise DirectoryError(
            N_("{what} '{text}' không hợp lệ: chỉ dùng chữ không dấu, số, '.', '_' hoặc '-'"),
            line,
            source,
            what=what,
            text=text,
        )
    return text


def _list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in _SPLIT.split(text) if part.strip())


def read_directory_workbook(data: bytes, source: str = "<xlsx>") -> UnitDirectory:
    """Read and validate a directory workbook given as bytes."""
    _check_archive(data, source)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean the same here
        raise DirectoryError(
            N_("không đọc được tệp Excel; mở bằng Excel rồi lưu lại dạng .xlsx"), source=source
        ) from None
    try:
        sheets = list(workbook.worksheets)
        group_sheet = next((s for s in sheets[1:] if _fold(s.title) in _GROUP_SHEETS), None)
        source_units = SheetSource(source, sheets[0].title)
        units, unit_lines = [], []
        for line, row in _rows(sheets[0], source_units, {"code", "name", "aliases", "parent"}):
            if not row.get("name"):
                raise DirectoryError(N_("thiếu tên đơn vị"), line, source_units)
            parent = row.get("parent") or None
            units.append(
                DirectoryUnit(
                    code=_code(row.get("code", ""), N_("mã đơn vị"), line, source_units),
                    name=row["name"],
                    aliases=_list(row.get("aliases", "")),
                    parent=_code(parent, N_("mã cấp trên"), line, source_units) if parent else None,
                )
            )
            unit_lines.append(line)
        if not units:
            raise DirectoryError(N_("trang đầu không có đơn vị nào"), None, source_units)
        groups, group_lines = [], []
        source_groups = SheetSource(source, group_sheet.title) if group_sheet else source
        if group_sheet is not None:
            wanted = {"code", "name", "aliases", "members"}
            for line, row in _rows(group_sheet, source_groups, wanted):
                members = tuple(
                    _code(member, N_("mã thành viên"), line, source_groups)
                    for member in _list(row.get("members", ""))
                )
                if not members:
                    raise DirectoryError(N_("nhóm chưa có thành viên"), line, source_groups)
                groups.append(
                    DirectoryGroup(
                        code=_code(row.get("code", ""), N_("mã nhóm"), line, source_groups),
                        name=row.get("name") or row.get("code", ""),
                        aliases=_list(row.get("aliases", "")),
                        members=members,
                    )
                )
                group_lines.append(line)
    finally:
        workbook.close()
    check_directory(tuple(units), (), unit_lines, [], source_units)
    check_directory(tuple(units), tuple(groups), unit_lines, group_lines, source_groups)
    return UnitDirectory(units=tuple(units), groups=tuple(groups))


def read_directory_upload(data: bytes, source: str) -> UnitDirectory:
    """A directory file as uploaded or named on the command line: .xlsx or YAML."""
    if looks_like_workbook(data):
        return read_directory_workbook(data, source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DirectoryError(
            N_(
                "tệp không phải YAML UTF-8 cũng không phải Excel .xlsx; lưu danh sách dạng .xlsx "
                "hoặc YAML mã UTF-8 rồi tải lên lại"
            ),
            source=source,
        ) from None
    return parse_directory(text, source=source)
