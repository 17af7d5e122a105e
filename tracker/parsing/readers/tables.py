"""Tables: read cell by cell, except a task table (STT | Nội dung | Chủ trì | Phối hợp | Thời
hạn), whose rows are rewritten as numbered task lines the structure parser already knows."""

from __future__ import annotations

import re

from tracker.parsing.normalize import canonical, fold_ws

_COLUMNS = {
    "number": re.compile(r"^(stt|tt|số tt|số thứ tự)$"),
    "content": re.compile(r"nội dung|nhiệm vụ|công việc"),
    "lead": re.compile(r"chủ trì|thực hiện|đơn vị|cơ quan|trách nhiệm"),
    "support": re.compile(r"phối hợp"),
    "due": re.compile(r"thời hạn|thời gian|hoàn thành|tiến độ"),
}
_ROMAN = re.compile(r"^[IVX]+$")


def table_lines(rows: list[list[list[str]]]) -> list[str]:
    """The lines a table contributes to the document."""
    columns = _task_columns(rows[0]) if rows else None
    if columns is None:
        return [line for row in rows for cell in row for line in cell]
    lines = []
    for row in rows[1:]:
        cells = [fold_ws(" ".join(cell)) for cell in row]
        lines.append(_task_line(cells, columns))
    return [line for line in lines if line]


def _task_columns(header: list[list[str]]) -> dict[str, int] | None:
    names = [fold_ws(canonical(" ".join(cell))).lower() for cell in header]
    if any(len(name.split()) > 6 for name in names):  # header cells are short labels
        return None
    found: dict[str, int] = {}
    # "phối hợp" is tested before "chủ trì / đơn vị" so a support column is not read as lead.
    for role in ("number", "support", "content", "due", "lead"):
        for index, name in enumerate(names):
            if index not in found.values() and _COLUMNS[role].search(name):
                found[role] = index
                break
    return found if {"content", "lead"} <= found.keys() else None


def _task_line(cells: list[str], columns: dict[str, int]) -> str:
    def cell(role: str) -> str:
        index = columns.get(role)
        return cells[index] if index is not None and index < len(cells) else ""

    number, content = cell("number").rstrip("."), cell("content")
    if not content:
        return ""
    if _ROMAN.match(number) or not number:  # a group row: a section heading, or plain text
        return f"{number}. {content}" if number else content
    line = f"{number}. {content}"
    roles = "; ".join(
        part
        for part in (
            f"{cell('lead')} chủ trì" if cell("lead") else "",
            f"{cell('support')} phối hợp" if cell("support") else "",
        )
        if part
    )
    if roles:
        line += f" ({roles})"
    if cell("due"):
        line += f"; thời hạn: {cell('due')}"
    return line
