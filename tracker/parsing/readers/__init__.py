"""Readers turn a file's bytes into lines of text; the content decides, the name only hints."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from tracker.parsing.errors import ParseError
from tracker.parsing.limits import DEFAULT_LIMITS, ParseLimits, text_too_large
from tracker.parsing.readers.docx import read_docx
from tracker.parsing.readers.legacy import read_legacy
from tracker.parsing.readers.ocr import (
    OcrReading,
    Progress,
    has_text_layer,
    read_image,
    read_scanned_pdf,
)
from tracker.parsing.readers.pdf import read_pdf
from tracker.parsing.readers.pdf_limits import check_streams
from tracker.parsing.readers.text import decode_text

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


@dataclass
class Reading:
    """A file's lines; for a scan, also what OCR made of it (pages, confidence)."""

    lines: list[str]
    ocr: OcrReading | None = None


def read_document(
    data: bytes,
    filename: str,
    progress: Progress | None = None,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> Reading:
    """Lines of any supported file; scans and images go through OCR, reporting progress."""
    if data.startswith(_IMAGE_MAGIC):
        reading = read_image(data, progress=progress)
        return Reading(reading.paragraphs, reading)
    if b"%PDF-" in data[:1024]:
        # Streams are measured before pdfium looks for a text layer: a deflate bomb is refused
        # with its cap named instead of inflating inside the text-layer probe.
        check_streams(data, limits)
    if b"%PDF-" in data[:1024] and has_text_layer(data) is False:
        reading = read_scanned_pdf(data, progress=progress)
        return Reading(reading.paragraphs, reading)
    return Reading(read_lines(data, filename, limits))


def read_lines(data: bytes, filename: str, limits: ParseLimits = DEFAULT_LIMITS) -> list[str]:
    """Lines (paragraphs) of a .txt, .docx, .odt, .doc or .pdf file given as bytes, within
    `limits`."""
    suffix = PurePath(filename).suffix.lower()
    if not data.strip():
        raise ParseError("Tệp rỗng", "The file is empty")
    if b"%PDF-" in data[:1024]:
        return read_pdf(data, limits)
    if data.startswith(b"PK\x03\x04"):
        if _is_docx(data):
            return read_docx(data, limits)
        if _is_odt(data):
            return read_legacy(data, ".odt")
        raise _unsupported(suffix or ".zip")
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # the pre-2007 binary Office format
        return read_legacy(data, ".doc")
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


def _is_odt(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text"
    except (zipfile.BadZipFile, KeyError, OSError, EOFError):
        return False


def _unsupported(suffix: str) -> ParseError:
    return ParseError(
        f"Định dạng tệp không được hỗ trợ ({suffix}); hãy dùng .txt, .docx, .doc, .odt, .pdf "
        "hoặc ảnh scan (.png, .jpg, .tif)",
        f"Unsupported file type ({suffix}); use .txt, .docx, .doc, .odt, .pdf or a scan "
        "(.png, .jpg, .tif)",
    )
