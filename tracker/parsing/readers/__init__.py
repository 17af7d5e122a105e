"""Readers turn a file's bytes into lines of text; the content decides, the name only hints."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from tracker.parsing.errors import ParseError
from tracker.parsing.limits import DEFAULT_LIMITS, ParseLimits, text_too_large
from tracker.parsing.readers.docx import read_docx
from tracker.parsing.readers.pdf import read_pdf
from tracker.parsing.readers.text import decode_text

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}


def read_lines(data: bytes, filename: str, limits: ParseLimits = DEFAULT_LIMITS) -> list[str]:
    """Lines (paragraphs) of a .txt, .docx or .pdf file given as bytes, within `limits`."""
    suffix = PurePath(filename).suffix.lower()
    if not data.strip():
        raise ParseError("Tệp rỗng", "The file is empty")
    if b"%PDF-" in data[:1024]:
        return read_pdf(data, limits)
    if data.startswith(b"PK\x03\x04"):
        if _is_docx(data):
            return read_docx(data, limits)
        raise _unsupported(suffix or ".zip")
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # the pre-2007 binary Office format
        raise ParseError(
            "Tệp .doc (Word cũ) chưa được hỗ trợ; hãy lưu lại thành .docx",
            "Old Word .doc files are not supported; save it as .docx",
        )
    if suffix == ".pdf":
        raise ParseError("Tệp PDF bị hỏng", "The PDF file is corrupt")
    if suffix == ".docx":
        raise ParseError(
            "Tệp .docx bị hỏng hoặc không phải tài liệu Word",
            "The .docx file is corrupt or not a Word document",
        )
    if suffix not in TEXT_SUFFIXES:
        raise _unsupported(suffix)
    if len(data) > limits.max_text_bytes:
        raise text_too_large(limits)
    return decode_text(data).splitlines()


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        # A broken zip named .docx is a corrupt Word file; read_docx says so.
        return True


def _unsupported(suffix: str) -> ParseError:
    return ParseError(
        f"Định dạng tệp không được hỗ trợ ({suffix}); hãy dùng .txt, .docx hoặc .pdf",
        f"Unsupported file type ({suffix}); use .txt, .docx or .pdf",
    )
