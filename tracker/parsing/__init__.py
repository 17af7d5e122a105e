"""Conclusion-notice parser: a file (or text) in, tasks with units and due dates out.

One entry point serves the `tracker parse` command and the web import. The unit directory
comes in as data, so nothing here touches the database.
"""

from __future__ import annotations

import os
from pathlib import Path

from tracker.parsing.document import parse_lines
from tracker.parsing.errors import ParseError
from tracker.parsing.limits import DEFAULT_LIMITS, ParseLimits
from tracker.parsing.readers import Progress, read_document
from tracker.parsing.result import ParsedTask, ParseResult
from tracker.units.directory import UnitDirectory

__all__ = ["ParseError", "ParseResult", "ParsedTask", "parse_bytes", "parse_file", "parse_text"]


def parse_file(
    path: str | os.PathLike[str],
    directory: UnitDirectory | None = None,
    progress: Progress | None = None,
) -> ParseResult:
    """Parse a notice file (.txt, .docx, .doc, .odt, .pdf, or a scan: .png, .jpg, .tif)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ParseError(f"Không tìm thấy tệp {path}", f"File not found: {path}") from None
    except IsADirectoryError:
        raise ParseError(f"{path} là một thư mục", f"{path} is a directory") from None
    except OSError as exc:
        raise ParseError(
            f"Không đọc được tệp {path} ({exc.strerror})", f"Cannot read {path} ({exc.strerror})"
        ) from None
    return parse_bytes(data, path.name, directory, progress)


def parse_bytes(
    data: bytes,
    filename: str,
    directory: UnitDirectory | None = None,
    progress: Progress | None = None,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> ParseResult:
    """Parse an uploaded notice; the file name hints at the type, the content decides.

    Scans take seconds per page: `progress(pages_done, pages)` is called after each page. The
    readers refuse a file over `limits` before decoding it; time and memory are only bounded
    when this runs in the parse child (tracker.parsing.sandbox).
    """
    reading = read_document(data, filename, progress, limits)
    if reading.ocr is not None:
        from tracker.parsing.scanned import parse_scanned

        return parse_scanned(reading.ocr, Path(filename).name, directory)
    return parse_lines(reading.lines, Path(filename).name, directory)


def parse_text(text: str, source: str, directory: UnitDirectory | None = None) -> ParseResult:
    """Parse a notice pasted as text."""
    if not text.strip():
        raise ParseError("Văn bản rỗng", "The text is empty")
    return parse_lines(text.splitlines(), source, directory)
