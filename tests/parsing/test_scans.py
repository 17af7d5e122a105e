"""Scanned notices: tests build their own scans (Pillow), OCR them and compare with the text.

The scan is our fictional notice typeset on A4 at 250 dpi, turned by under a degree, with
sensor noise and a red stamp over the text, wrapped in a PDF with no text layer. Its parse
must give the text version's tasks (codes, lead, support, due, recurrence), each flagged for
review with the page it came from.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from tests.parsing.conftest import FIXTURES
from tests.parsing.scan_builder import font_path, render_pages, scanned_image, scanned_pdf
from tracker.parsing import ParseError, ParseResult, parse_bytes, parse_file
from tracker.parsing.cli import parse_command
from tracker.parsing.readers import ocr
from tracker.parsing.readers.engines import tesseract_path

NOTICE = FIXTURES / "tb-binh-nguyen-q3.txt"
UNITS = FIXTURES / "units-binh-nguyen.yaml"


def _require_ocr() -> None:
    if tesseract_path() is None:
        pytest.skip("Tesseract with Vietnamese (tesseract-ocr, tesseract-ocr-vie) is not installed")
    if font_path() is None:
        pytest.skip("no serif font with Vietnamese letters (fonts-liberation2 or fonts-dejavu)")


def _tasks(result: ParseResult) -> list[tuple]:
    return [(t.code, tuple(t.lead), tuple(t.support), t.due, t.recurrence) for t in result.tasks]


@pytest.fixture(scope="module")
def text_result(province) -> ParseResult:
    return parse_file(NOTICE, province)


@pytest.fixture(scope="module")
def scan() -> bytes:
    _require_ocr()
    return scanned_pdf(NOTICE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scan_result(scan, province) -> tuple[ParseResult, list[tuple[int, int]]]:
    calls: list[tuple[int, int]] = []
    result = parse_bytes(scan, "tb-scan.pdf", province, progress=lambda *a: calls.append(a))
    return result, calls


@pytest.mark.slow
def test_scan_parses_like_the_text(scan_result, text_result) -> None:
    result, _ = scan_result
    assert _tasks(result) == _tasks(text_result)
    assert (result.number, result.issued_on, result.issuer, result.period) == (
        text_result.number,
        text_result.issued_on,
        text_result.issuer,
        text_result.period,
    )


@pytest.mark.slow
def test_every_task_needs_review_and_names_its_page(scan_result) -> None:
    result, _ = scan_result
    pages = []
    for task in result.tasks:
        assert task.needs_review
        first = task.warnings[0]
        assert first.startswith("Đọc bằng OCR từ trang ") and "from page" in first
        pages.append(int(first.split("trang ")[1].split(":")[0]))
    assert pages == sorted(pages) and set(pages) == {1, 2}  # the notice runs onto page 2
    document = result.to_json_dict()
    assert document["ocr"] is True and document["pages"] == 2
    assert 80 <= document["ocr_confidence"] <= 100
    assert all(t["needs_review"] for t in document["tasks"])


@pytest.mark.slow
def test_progress_is_reported_page_by_page(scan_result) -> None:
    _, calls = scan_result
    assert calls == [(1, 2), (2, 2)]


@pytest.mark.slow
def test_photo_with_a_shadow_reads_its_first_page(province, text_result, tmp_path: Path) -> None:
    """A PNG of page 1 with its left side in shadow, through the CLI: progress on stderr."""
    _require_ocr()
    picture = tmp_path / "trang-1.png"
    picture.write_bytes(scanned_image(NOTICE.read_text(encoding="utf-8"), shadow=True))
    run = CliRunner().invoke(parse_command, [str(picture), "--units", str(UNITS), "--json"])
    assert run.exit_code == 0, run.output
    assert "page 1 of 1" in run.stderr
    document = json.loads(run.stdout)
    assert document["ocr"] is True and document["number"] == text_result.number
    read = {t["code"]: t for t in document["tasks"]}
    # Tasks printed whole on page 1 come out as in the text; the last one may be cut short.
    whole = [t for t in text_result.tasks if t.code in read][:-1]
    assert [t.code for t in whole] == ["1.a", "1.b", "1.c", "1.d", "1.đ", "2.a", "2.b"]
    for task in whole:
        assert (read[task.code]["lead"], read[task.code]["due"]) == (
            task.lead,
            task.due.isoformat() if task.due else None,
        )


# --- refusals ----------------------------------------------------------------------------


def test_too_many_pages_is_refused_before_any_ocr(monkeypatch) -> None:
    _require_ocr()
    monkeypatch.setenv("TRACKER_OCR_MAX_PAGES", "1")
    pages = render_pages(NOTICE.read_text(encoding="utf-8"), dpi=100)
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=100)
    calls = []
    with pytest.raises(ParseError) as error:
        parse_bytes(buffer.getvalue(), "dai.pdf", progress=lambda *a: calls.append(a))
    assert "TRACKER_OCR_MAX_PAGES" in error.value.message_vi
    assert "2 pages, over the limit of 1" in error.value.message_en
    assert calls == []


@pytest.mark.slow
def test_page_over_its_time_is_refused(monkeypatch) -> None:
    _require_ocr()
    monkeypatch.setenv("TRACKER_OCR_PAGE_SECONDS", "1")
    picture = scanned_image(NOTICE.read_text(encoding="utf-8"), dpi=300)
    with pytest.raises(ParseError) as error:
        parse_bytes(picture, "cham.png")
    assert "TRACKER_OCR_PAGE_SECONDS" in error.value.message_en
    assert error.value.message_vi.startswith("Trang 1 đọc quá 1 giây")


def test_oversized_image_is_refused() -> None:
    _require_ocr()
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000), 1).save(buffer, "PNG")
    with pytest.raises(ParseError) as error:
        parse_bytes(buffer.getvalue(), "to.png")
    assert "megapixels" in error.value.message_en and "300 dpi" in error.value.message_vi


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "hong.png"),
        (b"\xff\xd8\xff\xe0" + b"junk" * 10, "hong.jpg"),
        (b"II*\x00" + b"\x00" * 20, "hong.tif"),
    ],
)
def test_corrupt_images_are_refused(data: bytes, name: str) -> None:
    with pytest.raises(ParseError, match="corrupt"):
        parse_bytes(data, name)


def test_missing_ocr_engine_names_the_packages(monkeypatch) -> None:
    monkeypatch.setattr(ocr, "tesseract_path", lambda: None)
    buffer = io.BytesIO()
    Image.new("L", (400, 300), 255).save(buffer, "PNG")
    with pytest.raises(ParseError) as error:
        parse_bytes(buffer.getvalue(), "anh.png")
    assert error.value.message_vi.startswith("Máy chủ chưa cài Tesseract")
    assert "tesseract-ocr tesseract-ocr-vie" in error.value.message_en


def test_unusable_limit_setting_is_named(monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_OCR_MAX_PAGES", "bốn mươi")
    with pytest.raises(ParseError) as error:
        ocr.OcrLimits.from_env()
    assert "TRACKER_OCR_MAX_PAGES" in error.value.message_vi
    assert "positive whole number" in error.value.message_en
