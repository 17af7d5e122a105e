"""Scanned notices: PDF pages without a text layer and images (.png, .jpg, .tif), via Tesseract.

Each page is rendered (pdfium, ~300 dpi), cleaned (scan_image), read by Tesseract with its
Vietnamese model (`--psm 4`: one column of text of varying sizes), and rebuilt into paragraphs
(ocr_lines) with misread labels repaired (ocr_fixes), so the parser sees what a .docx gives.
Work is bounded: pages per document, seconds per page, pixels per page.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tracker.parsing.errors import ParseError
from tracker.parsing.readers.engines import OCR_LANGUAGE, missing_ocr, tesseract_path
from tracker.parsing.readers.ocr_fixes import fix_labels
from tracker.parsing.readers.ocr_lines import join_pages, page_text, words_of

# (pages done, pages in all): the CLI prints it, the web import's background job stores it.
Progress = Callable[[int, int], None]

DEFAULT_MAX_PAGES = 40
DEFAULT_PAGE_SECONDS = 60
DPI = 300
MAX_PAGE_PIXELS = 40_000_000  # an A4 page at 300 dpi has 8.7 million; A3 at 300 dpi 17.4
SMALL_IMAGE = 1600  # a photo narrower than this is enlarged before OCR

# One Tesseract thread per page: several imports at once must not fight over the cores.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@dataclass(frozen=True)
class OcrLimits:
    """How much work one document may cost; over a limit it is refused, naming the limit."""

    max_pages: int = DEFAULT_MAX_PAGES
    page_seconds: int = DEFAULT_PAGE_SECONDS

    @classmethod
    def from_env(cls) -> OcrLimits:
        return cls(
            max_pages=_env_int("TRACKER_OCR_MAX_PAGES", DEFAULT_MAX_PAGES),
            page_seconds=_env_int("TRACKER_OCR_PAGE_SECONDS", DEFAULT_PAGE_SECONDS),
        )


@dataclass
class OcrReading:
    """What OCR made of a document: paragraphs, the page each starts on, how sure it was."""

    paragraphs: list[str]
    pages: list[int]
    page_count: int
    confidence: float  # Tesseract's mean word confidence, 0-100


def has_text_layer(data: bytes) -> bool | None:
    """Whether any page of a PDF has text; None when pdfium cannot open it."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return None
    try:
        for page in pdf:
            text_page = page.get_textpage()
            if text_page.count_chars() > 0:
                return True
        return False
    finally:
        pdf.close()


def read_scanned_pdf(
    data: bytes, limits: OcrLimits | None = None, progress: Progress | None = None
) -> OcrReading:
    """OCR every page of a PDF that has no text layer."""
    import pypdfium2

    limits = limits or OcrLimits.from_env()
    _require_engine()
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        raise ParseError("Tệp PDF bị hỏng", "The PDF file is corrupt") from None
    try:
        count = len(pdf)
        _check_pages(count, limits)

        def pages() -> Iterator:
            for index in range(count):
                page = pdf[index]
                width, height = page.get_size()
                scale = min(DPI / 72, math.sqrt(MAX_PAGE_PIXELS / max(width * height, 1.0)))
                yield page.render(scale=scale).to_pil()

        return _read_pages(pages(), count, limits, progress)
    finally:
        pdf.close()


def read_image(
    data: bytes, limits: OcrLimits | None = None, progress: Progress | None = None
) -> OcrReading:
    """OCR a picture of a notice (.png, .jpg, .tif; a multi-page TIFF page by page)."""
    from PIL import Image, UnidentifiedImageError

    limits = limits or OcrLimits.from_env()
    try:
        image = Image.open(io.BytesIO(data))
        count = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ParseError(
            "Tệp ảnh bị hỏng hoặc quá lớn", "The image file is corrupt or too large"
        ) from None
    _require_engine()
    _check_pages(count, limits)

    def pages() -> Iterator:
        for index in range(count):
            image.seek(index)
            if image.width * image.height > MAX_PAGE_PIXELS:
                raise ParseError(
                    f"Trang {index + 1} của ảnh quá lớn (hơn {MAX_PAGE_PIXELS // 1_000_000} triệu "
                    "điểm ảnh); hãy quét lại ở 300 dpi",
                    f"Page {index + 1} of the image is too large (over "
                    f"{MAX_PAGE_PIXELS // 1_000_000} megapixels); scan it again at 300 dpi",
                )
            frame = image.convert("RGB")
            if frame.width < SMALL_IMAGE:
                factor = SMALL_IMAGE / frame.width
                frame = frame.resize((SMALL_IMAGE, int(frame.height * factor)))
            yield frame

    try:
        return _read_pages(pages(), count, limits, progress)
    except OSError:
        raise ParseError(
            "Tệp ảnh bị hỏng hoặc quá lớn", "The image file is corrupt or too large"
        ) from None


def _read_pages(
    images: Iterator, count: int, limits: OcrLimits, progress: Progress | None
) -> OcrReading:
    import pytesseract

    from tracker.parsing.readers.scan_image import clean_page

    texts = []
    for number, image in enumerate(images, start=1):
        page = clean_page(image)
        del image
        try:
            data = pytesseract.image_to_data(
                page,
                lang=OCR_LANGUAGE,
                config="--psm 4",
                output_type=pytesseract.Output.DICT,
                timeout=limits.page_seconds,
            )
        except RuntimeError as exc:  # pytesseract's timeout
            if "timeout" not in str(exc).lower():
                raise
            raise ParseError(
                f"Trang {number} đọc quá {limits.page_seconds} giây (giới hạn "
                "TRACKER_OCR_PAGE_SECONDS) nên tệp bị từ chối; hãy quét lại rõ hơn hoặc dùng "
                "bản .docx",
                f"Page {number} took over {limits.page_seconds} s to read (the "
                "TRACKER_OCR_PAGE_SECONDS limit), so the file is refused; scan it more "
                "cleanly or use the .docx",
            ) from None
        except pytesseract.TesseractError as exc:
            raise ParseError(
                f"Tesseract không đọc được trang {number} ({exc.message.strip()[:120]})",
                f"Tesseract could not read page {number} ({exc.message.strip()[:120]})",
            ) from None
        texts.append(page_text(words_of(data), first_page=number == 1))
        if progress is not None:
            progress(number, count)
    paragraphs, starts = join_pages(texts)
    confidences = [c for text in texts for c in text.confidences]
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    if not any(p.strip() for p in paragraphs):
        raise ParseError(
            "Không đọc được chữ nào trên bản scan; hãy quét lại rõ hơn (300 dpi) hoặc dùng .docx",
            "No text could be read from the scan; scan it again (300 dpi) or use the .docx",
        )
    return OcrReading(fix_labels(paragraphs), starts, count, mean)


def _check_pages(count: int, limits: OcrLimits) -> None:
    if count > limits.max_pages:
        raise ParseError(
            f"Bản scan có {count} trang, vượt giới hạn {limits.max_pages} trang "
            "(TRACKER_OCR_MAX_PAGES); hãy tách tệp hoặc dùng bản .docx",
            f"The scan has {count} pages, over the limit of {limits.max_pages} "
            "(TRACKER_OCR_MAX_PAGES); split the file or use the .docx",
        )


def _require_engine() -> None:
    if tesseract_path() is None:
        raise missing_ocr()


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ParseError(
            f"Cấu hình {name}={raw!r} không hợp lệ: cần một số nguyên dương",
            f"The setting {name}={raw!r} is invalid: it must be a positive whole number",
        )
    return int(raw)
