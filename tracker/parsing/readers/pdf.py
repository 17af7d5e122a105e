"""PDF reader (text layer only): lines rejoined into paragraphs by their geometry."""

from __future__ import annotations

import io
import re
from typing import Any

from tracker.parsing.errors import ParseError
from tracker.parsing.limits import DEFAULT_LIMITS, LimitExceeded, ParseLimits, too_many_pages
from tracker.parsing.outline import classify
from tracker.parsing.readers.pdf_limits import check_document, check_streams

_PAGE_NUMBER = re.compile(r"^\W*(?:trang\s*)?\d{1,3}(?:\s*/\s*\d{1,3})?\W*$", re.IGNORECASE)
_WRAP_SLACK = 0.12  # a line reaching within 12% of the right edge probably wraps


def read_pdf(data: bytes, limits: ParseLimits = DEFAULT_LIMITS) -> list[str]:
    """Paragraphs of a PDF's text layer; raises ParseError for scans and broken files."""
    # pdfplumber is slow to import; only PDF input pays for it.
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    check_streams(data, limits)
    pages: list[tuple[list[dict[str, Any]], bool]] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            check_document(pdf.doc, limits)
            if len(pdf.pages) > limits.max_pages:
                raise too_many_pages(limits)
            for page in pdf.pages:
                pages.append((page.extract_text_lines(return_chars=False), bool(page.images)))
                page.close()  # drop the page's objects: memory stays that of one page
    except LimitExceeded:
        raise
    except PDFPasswordIncorrect:
        raise ParseError("Tệp PDF được đặt mật khẩu", "The PDF is password-protected") from None
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AttributeError, OSError):
        raise ParseError("Tệp PDF bị hỏng", "The PDF file is corrupt") from None
    except Exception as exc:  # pdfminer raises many private error types for broken files
        if type(exc).__module__.startswith(("pdfminer", "pdfplumber", "pypdfium2")):
            raise ParseError("Tệp PDF bị hỏng", "The PDF file is corrupt") from None
        raise
    if not any(lines for lines, _ in pages):
        has_images = any(images for _, images in pages)
        raise ParseError(
            "Tệp PDF không có lớp chữ"
            + (" (có vẻ là bản scan/ảnh chụp)" if has_images else "")
            + "; hãy chạy OCR hoặc dùng bản .docx",
            "The PDF has no text layer"
            + (" (it looks like a scan)" if has_images else "")
            + "; run OCR on it or use the .docx",
        )
    paragraphs: list[str] = []
    wraps = False
    for lines, _ in pages:
        wraps = _join_page(lines, paragraphs, wraps)
    return paragraphs


def _join_page(lines: list[dict[str, Any]], paragraphs: list[str], wraps: bool) -> bool:
    """Append this page's paragraphs; say whether its last line runs on to the next page."""
    lines = [line for line in lines if not _PAGE_NUMBER.match(line["text"])]
    if not lines:
        return wraps
    left = min(line["x0"] for line in lines)
    right = max(line["x1"] for line in lines)
    width = max(right - left, 1.0)
    for index, line in enumerate(lines):
        gap_ok = index == 0 or line["top"] - lines[index - 1]["bottom"] < (
            line["bottom"] - line["top"]
        )
        indented = line["x0"] - left > 0.03 * width
        starts_item = classify(line["text"]).kind != "plain"
        if paragraphs and wraps and gap_ok and not indented and not starts_item:
            paragraphs[-1] += " " + line["text"]
        else:
            paragraphs.append(line["text"])
        wraps = line["x1"] >= right - _WRAP_SLACK * width
    return wraps
