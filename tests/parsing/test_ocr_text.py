"""OCR output made into a notice's lines, without Tesseract: word boxes in, paragraphs out."""

from __future__ import annotations

import pytest

from tests.parsing.conftest import FIXTURES
from tracker.parsing.readers.ocr_fixes import fix_labels
from tracker.parsing.readers.ocr_lines import join_pages, page_text, words_of
from tracker.parsing.scanned import correct_common_phrases, correct_unit_names
from tracker.units.directory import read_directory

H = 50  # text height in pixels (13 pt at 300 dpi, accents included)
LEFT, RIGHT = 350, 1700


def _data(lines: list[list[tuple[str, int]]], top: int = 200) -> dict[str, list]:
    """image_to_data's dictionary for printed lines of (word, left edge) pairs."""
    data: dict[str, list] = {
        k: [] for k in ("text", "conf", "block_num", "par_num", "line_num", "left", "top")
    }
    data["width"], data["height"] = [], []
    for number, words in enumerate(lines):
        for text, left in words:
            width = 28 * len(text)
            for key, value in (
                ("text", text), ("conf", 95), ("block_num", 1), ("par_num", 1),
                ("line_num", number + 1), ("left", left), ("top", top + number * 70),
                ("width", width), ("height", H),
            ):  # fmt: skip
                data[key].append(value)
    return data


def _line(text: str, left: int = LEFT, right: int | None = None) -> list[tuple[str, int]]:
    """Words spread from `left` to `right` (a justified line) or set close (a short one)."""
    words = text.split()
    if right is None:
        positions, x = [], left
        for word in words:
            positions.append(x)
            x += 28 * len(word) + 14
        return list(zip(words, positions, strict=True))
    natural = sum(28 * len(word) for word in words) + 14 * (len(words) - 1)
    assert natural <= right - left, "a justified line must fit between its margins"
    gap = 14 + (right - left - natural) / max(len(words) - 1, 1)
    placed, x = [], float(left)
    for word in words:
        placed.append((word, int(x)))
        x += 28 * len(word) + gap
    return placed


def test_header_columns_come_apart_and_wrapped_lines_join() -> None:
    data = _data(
        [
            _line("ỦY BAN NHÂN DÂN", 450) + _line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA", 1050),
            _line("TỈNH BÌNH NGUYÊN", 450) + _line("Độc lập - Tự do", 1150),
            _line("Số: 12/TB-UBND", 450) + _line("Bình Nguyên, ngày 2", 1150),
            _line("THÔNG BÁO", 900),
            _line("1. Sở Y tế chủ trì tổ chức tiêm chủng", LEFT + 120, RIGHT),
            _line("mùa thu cho trẻ em dưới năm tuổi trên địa", LEFT, RIGHT),
            _line("hoàn thành trong quý III.", LEFT),
            _line("2. Công an tỉnh bảo đảm an ninh.", LEFT + 120),
        ]
    )
    page = page_text(words_of(data), first_page=True)
    assert page.paragraphs == [
        "ỦY BAN NHÂN DÂN",
        "TỈNH BÌNH NGUYÊN",
        "Số: 12/TB-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA",
        "Độc lập - Tự do",
        "Bình Nguyên, ngày 2",
        "THÔNG BÁO",
        "1. Sở Y tế chủ trì tổ chức tiêm chủng mùa thu cho trẻ em dưới năm tuổi trên địa "
        "hoàn thành trong quý III.",
        "2. Công an tỉnh bảo đảm an ninh.",
    ]


def test_paragraph_runs_over_the_page_break_but_page_numbers_do_not() -> None:
    first = page_text(
        words_of(
            _data(
                [
                    _line("I. NHIỆM VỤ", LEFT),
                    _line("1. Sở Y tế chủ trì tổ chức tiêm chủng", LEFT + 120, RIGHT),
                ]
            )
        ),
        False,
    )
    second = page_text(
        words_of(
            _data(
                [
                    _line("2", 1280),
                    _line("chủng cho trẻ em.", LEFT),
                    _line("2. Công an tỉnh bảo đảm.", LEFT + 120),
                ]
            )
        ),
        False,
    )
    paragraphs, pages = join_pages([first, second])
    assert paragraphs == [
        "I. NHIỆM VỤ",
        "1. Sở Y tế chủ trì tổ chức tiêm chủng chủng cho trẻ em.",
        "2. Công an tỉnh bảo đảm.",
    ]
    assert pages == [1, 1, 2]


def test_fax_header_lines_are_dropped() -> None:
    page = page_text(
        words_of(
            _data(
                [
                    _line("12/01/2024 10:22 FAX 0255385", LEFT),
                    _line("P.002/003", 1400),
                    _line("2.3. Giao Công an tỉnh.", LEFT + 120),
                ]
            )
        ),
        False,
    )
    assert page.paragraphs == ["2.3. Giao Công an tỉnh."]


def test_a_reference_at_a_line_start_is_not_a_new_item() -> None:
    page = page_text(
        words_of(
            _data(
                [
                    _line("1. Thực hiện nghiêm Nghị quyết số", LEFT + 120, RIGHT),
                    _line("66/NQ-CP của Chính phủ.", LEFT),
                ]
            )
        ),
        False,
    )
    assert page.paragraphs == ["1. Thực hiện nghiêm Nghị quyết số 66/NQ-CP của Chính phủ."]


def test_misread_labels_are_put_right_by_their_place_in_the_outline() -> None:
    read = [
        "I. ĐÁNH GIÁ CHUNG",
        "H. NHIỆM VỤ",  # II.
        ".3. Sở Nội vụ",  # dust before the label
        "a) Một",
        "b) Hai",
        "È) Ba",  # c)
        "-_ đ) Bốn",
        "e) Năm",
        "ø) Sáu",  # g) in the Vietnamese order
        "HI. TỔ CHỨC THỰC HIỆN",  # III.
        "IV TỔNG KẾT",  # dot lost
        "Nơinhận:",
        "1. ĐÁNH GIÁ KẾT QUẢ",  # a numbered heading stays numbered
        "2. Về nhiệm vụ",
        "2.9. Giao",
        "2,10. Giao",  # comma for dot
        "3.11. Giao",  # 2.11: section 3 has not begun
        "3. Về kiến nghị",
        "3.1. Về",
        "2.5 triệu đồng được cấp",  # a sentence, not an item
        "nhiệm vụ trọng tâm quý Ï năm 2024, quý lI và quý IV",  # bent I's in quarters
    ]
    assert fix_labels(read) == [
        "I. ĐÁNH GIÁ CHUNG",
        "II. NHIỆM VỤ",
        "3. Sở Nội vụ",
        "a) Một",
        "b) Hai",
        "c) Ba",
        "đ) Bốn",
        "e) Năm",
        "g) Sáu",
        "III. TỔ CHỨC THỰC HIỆN",
        "IV. TỔNG KẾT",
        "Nơi nhận: ",
        "1. ĐÁNH GIÁ KẾT QUẢ",
        "2. Về nhiệm vụ",
        "2.9. Giao",
        "2.10. Giao",
        "2.11. Giao",
        "3. Về kiến nghị",
        "3.1. Về",
        "2.5 triệu đồng được cấp",
        "nhiệm vụ trọng tâm quý I năm 2024, quý II và quý IV",
    ]


@pytest.fixture(scope="module")
def province():
    return read_directory(FIXTURES / "units-binh-nguyen.yaml")


def test_unit_names_read_with_wrong_marks_are_corrected_with_their_score(province) -> None:
    paragraphs = [
        "a) Ban Tuyên giao và Dân vân Tỉnh ủy chủ trì.",
        "b) Phối hợp với các Ban: Tuyên giáo và Dân vận Tỉnh ủy.",  # a list, not a name
        "c) Hội Nông dân tỉnh chủ trì.",  # already right
        "d) Ủy ban MTTQ tính phối hợp.",  # one letter off, marks aside
    ]
    fixes = correct_unit_names(paragraphs, province)
    assert paragraphs[0] == "a) Ban Tuyên giáo và Dân vận Tỉnh ủy chủ trì."
    assert paragraphs[1:] == [
        "b) Phối hợp với các Ban: Tuyên giáo và Dân vận Tỉnh ủy.",
        "c) Hội Nông dân tỉnh chủ trì.",
        "d) Ủy ban MTTQ tỉnh phối hợp.",
    ]
    assert [(f.read, f.name) for f in fixes] == [
        ("Ban Tuyên giao và Dân vân Tỉnh ủy", "Ban Tuyên giáo và Dân vận Tỉnh ủy"),
        ("Ủy ban MTTQ tính", "Ủy ban MTTQ tỉnh"),
    ]
    assert 90 <= fixes[0].score < 100


def test_marks_of_the_phrases_the_parser_keys_on_are_put_right() -> None:
    paragraphs = [
        "2.4. Ban Dân vận chú trì theo dõi, tõng hợp tình hình, phôi hợp với Sở Y tế.",
        "Đê nghị Ủy ban tô chức hội nghị trưóc ngày 15/8.",
        "Ban Tuyên giáo chủ trì; Tổ chức tốt.",  # right already: unchanged
    ]
    assert correct_common_phrases(paragraphs) == 6
    assert paragraphs == [
        "2.4. Ban Dân vận chủ trì theo dõi, tổng hợp tình hình, phối hợp với Sở Y tế.",
        "Đề nghị Ủy ban tổ chức hội nghị trước ngày 15/8.",
        "Ban Tuyên giáo chủ trì; Tổ chức tốt.",
    ]
