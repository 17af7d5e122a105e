"""Word .docx reader: body paragraphs and table cells in order, with list labels rebuilt."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

from tracker.parsing.errors import ParseError
from tracker.parsing.readers.numbering import Numbering, W
from tracker.parsing.readers.tables import table_lines

_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TEXT_TAGS = {W + "t": None, W + "tab": " ", W + "br": " ", W + "cr": " ", W + "noBreakHyphen": "-"}


def read_docx(data: bytes) -> list[str]:
    """Lines of a .docx: one per paragraph, numbered ones prefixed with their label."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            document = _xml(archive, "word/document.xml")
            numbering = _xml(archive, "word/numbering.xml", required=False)
            styles = _xml(archive, "word/styles.xml", required=False)
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


def _xml(archive: zipfile.ZipFile, name: str, required: bool = True) -> Element | None:
    try:
        return ElementTree.fromstring(archive.read(name))
    except KeyError:
        if required:
            raise _corrupt() from None
        return None


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
            parts.append((child.text or "") if child.tag == W + "t" else _TEXT_TAGS[child.tag])
        else:
            _collect(child, parts)


def _corrupt() -> ParseError:
    return ParseError(
        "Tệp .docx bị hỏng hoặc không phải tài liệu Word",
        "The .docx file is corrupt or not a Word document",
    )
