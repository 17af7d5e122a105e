"""Word .docx reader: body paragraphs and table cells in order, with list labels rebuilt."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

from tracker.parsing.errors import ParseError
from tracker.parsing.limits import (
    DEFAULT_LIMITS,
    ParseLimits,
    inflated_too_large,
    part_too_large,
    too_many_objects,
)
from tracker.parsing.readers.numbering import Numbering, W
from tracker.parsing.readers.tables import table_lines

_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TEXT_TAGS = {W + "t": None, W + "tab": " ", W + "br": " ", W + "cr": " ", W + "noBreakHyphen": "-"}


def read_docx(data: bytes, limits: ParseLimits = DEFAULT_LIMITS) -> list[str]:
    """Lines of a .docx: one per paragraph, numbered ones prefixed with their label."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_sizes(archive, limits)
            document = _xml(archive, "word/document.xml", limits)
            numbering = _xml(archive, "word/numbering.xml", limits, required=False)
            styles = _xml(archive, "word/styles.xml", limits, required=False)
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError, EOFError):
        raise _corrupt() from None
    if document is None:
        raise _corrupt()
    body = document.find(W + "body")
    if body is None:
        raise _corrupt()
    lines: list[str] = []
    _walk(body, Numbering(numbering, styles), lines)
    return lines


def _check_sizes(archive: zipfile.ZipFile, limits: ParseLimits) -> None:
    """Refuse a zip bomb by the sizes its directory declares, before inflating anything."""
    entries = archive.infolist()
    if len(entries) > limits.max_objects:
        raise too_many_objects(limits)
    if any(entry.file_size > limits.max_part_bytes for entry in entries):
        raise part_too_large(limits)
    if sum(entry.file_size for entry in entries) > limits.max_inflated_bytes:
        raise inflated_too_large(limits)


def _xml(
    archive: zipfile.ZipFile, name: str, limits: ParseLimits, required: bool = True
) -> Element | None:
    try:
        with archive.open(name) as part:
            # The declared size may lie: read at most one byte past the cap and look.
            content = part.read(limits.max_part_bytes + 1)
    except KeyError:
        if required:
            raise _corrupt() from None
        return None
    if len(content) > limits.max_part_bytes:
        raise part_too_large(limits)
    return ElementTree.fromstring(content)


def _walk(container: Element, numbering: Numbering, lines: list[str]) -> None:
    for child in container:
        if child.tag == W + "p":
            lines.append(_paragraph(child, numbering))
        elif child.tag == W + "tbl":
            lines.extend(table_lines(_rows(child, numbering)))
        elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
            _walk(child, numbering, lines)


def _rows(table: Element, numbering: Numbering) -> list[list[list[str]]]:
    """Rows of cells, each cell a list of lines (nested tables flattened into their cell)."""
    rows = []
    for row in table.findall(W + "tr"):
        cells = []
        for cell in row.findall(W + "tc"):
            cell_lines: list[str] = []
            _walk(cell, numbering, cell_lines)
            cells.append(cell_lines)
        rows.append(cells)
    return rows


def _paragraph(paragraph: Element, numbering: Numbering) -> str:
    parts: list[str] = []
    _collect(paragraph, parts)
    text = "".join(parts).strip()
    label = numbering.label(paragraph)
    if label and text:
        return f"{label} {text}"
    return text


def _collect(element: Element, parts: list[str]) -> None:
    for child in element:
        if child.tag == _FALLBACK:  # the same content again, for old readers
            continue
        if child.tag in _TEXT_TAGS:
            parts.append(
                (child.text or "") if child.tag == W + "t" else _TEXT_TAGS[child.tag] or ""
            )
        else:
            _collect(child, parts)


def _corrupt() -> ParseError:
    return ParseError(
        "Tệp .docx bị hỏng hoặc không phải tài liệu Word",
        "The .docx file is corrupt or not a Word document",
    )
