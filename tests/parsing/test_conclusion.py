"""Our own notice (a fictional province): header, structure, units and dates end to end."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from tests.parsing.conftest import FIXTURES
from tracker.parsing import parse_bytes, parse_file, parse_text

NOTICE = FIXTURES / "tb-binh-nguyen-q3.txt"

# code: (lead, support, due, recurrence, needs_review)
EXPECTED = {
    "1.a": ({"BTGDV"}, set(), "2025-08-15", None, False),
    "1.b": ({"BTGDV"}, {"SYT"}, "2025-09-30", None, False),
    "1.c": ({"BTGDV"}, set(), "2025-09-30", "monthly", False),
    "1.d": ({"BTGDV"}, set(), "2025-09-30", None, False),
    "1.đ": ({"BTGDV"}, {"MTTQ"}, "2025-09-30", None, False),
    "2.a": ({"MTTQ", "HND", "HLHPN", "TD"}, set(), "2025-09-30", None, False),
    "2.b": ({"HND"}, {"TD"}, "2025-09-30", None, False),
    "3.a": ({"SGDDT"}, {"SYT"}, "2025-08-31", None, False),
    "3.b": (set(), set(), "2025-09-30", None, True),
    "3.c": ({"SNNMT"}, {"CAT"}, "2025-09-30", None, True),
    # A numbered line naming only a unit, with bullets, is one task (real/CONVENTIONS.md A1).
    "4": ({"CAT", "BCHQS"}, {"HND", "HLHPN", "TD"}, "2025-09-30", None, False),
}


@pytest.fixture(scope="module")
def parsed(province):
    return parse_file(NOTICE, province).to_json_dict()


def test_head(parsed) -> None:
    assert parsed["kind"] == "conclusion"
    assert parsed["number"] == "27-TB/BTGDVTU"
    assert parsed["issuer"] == "BTGDV"
    assert parsed["issued_on"] == "2025-07-12"  # the header date, not the meeting's
    assert parsed["period"] == "2025-Q3"
    assert parsed["default_due"] == "2025-09-30"
    assert parsed["title"].startswith("THÔNG BÁO Kết luận của đồng chí Trưởng Ban")


def test_only_action_items_are_tasks(parsed) -> None:
    # Not the assessment's "1. Ưu điểm", not the closing paragraph, not "Nơi nhận".
    assert [t["code"] for t in parsed["tasks"]] == list(EXPECTED)
    assert not any("Văn phòng Tỉnh ủy theo dõi" in t["text"] for t in parsed["tasks"])


@pytest.mark.parametrize("code", list(EXPECTED))
def test_task(parsed, code: str) -> None:
    task = next(t for t in parsed["tasks"] if t["code"] == code)
    lead, support, due, recurrence, review = EXPECTED[code]
    assert (set(task["lead"]), set(task["support"])) == (lead, support)
    assert (task["due"], task["recurrence"], task["needs_review"]) == (due, recurrence, review)


def test_continuation_line_is_joined_and_groups_are_titled(parsed) -> None:
    task = next(t for t in parsed["tasks"] if t["code"] == "1.d")
    assert task["text"].endswith('"Dân vận khéo" gắn với chuyển đổi số ở cơ sở.')
    assert task["group_title"] == "Ban Tuyên giáo và Dân vận Tỉnh ủy"  # "Uỷ" made canonical


def test_unknown_and_fuzzy_units_are_warned_per_task(parsed) -> None:
    unknown = next(t for t in parsed["tasks"] if t["code"] == "3.b")
    assert unknown["unresolved"] == [{"name": "Sở Khoa học và Công nghệ", "role": "lead"}]
    assert any("Sở Khoa học và Công nghệ" in w for w in unknown["warnings"])
    guessed = next(t for t in parsed["tasks"] if t["code"] == "3.c")
    assert any("SNNMT" in w and "%" in w for w in guessed["warnings"])
    assert any(w.startswith("[3.c]") for w in parsed["warnings"])


def _without_source(result: dict) -> dict:
    return {key: value for key, value in result.items() if key != "source"}


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda t: t.encode("utf-8-sig"), id="bom"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(lambda t: unicodedata.normalize("NFD", t).encode(), id="nfd"),
        pytest.param(lambda t: t.replace("ủy", "uỷ").replace("Ủy", "Uỷ").encode(), id="old-tones"),
    ],
)
def test_text_variants_parse_the_same(province, parsed, variant) -> None:
    data = variant(NOTICE.read_text(encoding="utf-8"))
    assert _without_source(parse_bytes(data, "x.txt", province).to_json_dict()) == (
        _without_source(parsed)
    )


def test_without_directory_every_task_needs_review() -> None:
    result = parse_file(NOTICE).to_json_dict()
    assert result["issuer"] is None
    assert all(t["lead"] == [] and t["needs_review"] for t in result["tasks"])
    assert any("No unit directory" in w for w in result["warnings"])


def test_sections_reusing_numbers_get_the_roman_prefix() -> None:
    text = (
        "THÔNG BÁO\nKẾT LUẬN CỦA BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY\nvề nhiệm vụ năm 2025\n\n"
        "I. NHIỆM VỤ TRỌNG TÂM\n1. Rà soát quy chế.\n2. Sơ kết chương trình.\n"
        "II. ĐỐI VỚI CÁC KIẾN NGHỊ\n1. Trả lời kiến nghị của cử tri.\n"
    )
    codes = [t.code for t in parse_text(text, "t").tasks]
    assert codes == ["I.1", "I.2", "II.1"]


def test_letters_follow_the_vietnamese_sequence(province) -> None:
    letters = ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n"]
    items = "\n".join(f"{x}) Việc thứ {n} của Sở Y tế." for n, x in enumerate(letters, 1))
    text = f"THÔNG BÁO\nKẾT LUẬN\nnăm 2025\n\n1. Sở Y tế\n{items}\n"
    tasks = parse_text(text, "t", province).tasks
    assert [t.code for t in tasks] == [f"1.{x}" for x in letters]
    assert all(t.lead == ["SYT"] and t.due == date(2025, 12, 31) for t in tasks)


@pytest.mark.parametrize(
    ("phrase", "period", "default_due"),
    [
        ("quý II năm 2021", "2021-Q2", "2021-06-30"),
        ("quý II/2021", "2021-Q2", "2021-06-30"),
        ("6 tháng cuối năm 2021", "2021-H2", "2021-12-31"),
        ("6 tháng đầu năm 2022", "2022-H1", "2022-06-30"),
        ("năm 2024", "2024", "2024-12-31"),
        ("tháng 5/2021", "2021-05", "2021-05-31"),
    ],
)
def test_period_forms(phrase: str, period: str, default_due: str) -> None:
    text = f"THÔNG BÁO\nKẾT LUẬN hội nghị triển khai nhiệm vụ {phrase}\n\n1. Làm việc A.\n"
    result = parse_text(text, "t").to_json_dict()
    assert (result["period"], result["default_due"]) == (period, default_due)


def test_meeting_date_when_there_is_no_header() -> None:
    text = "THÔNG BÁO\nKẾT LUẬN\n\nNgày 09/4/2021, hội nghị họp và kết luận như sau:\n1. Làm A.\n"
    assert parse_text(text, "t").issued_on == date(2021, 4, 9)


def test_other_province_style(province) -> None:
    """Slashes after numbers and letters, a past-period review, a unit's bullets as one task."""
    text = """ỦY BAN NHÂN DÂN TỈNH BÌNH NGUYÊN
Số: 145/TB-VPTU                         Bình Nguyên, ngày 03 tháng 10 năm 2025
THÔNG BÁO
Ý kiến kết luận của Văn phòng Tỉnh ủy về nhiệm vụ quý IV/2025

I/ Những việc đã làm trong quý III/2025
1/ Hoàn thành kế hoạch tuyên truyền.
II/ Nhiệm vụ quý IV/2025
1/ Đối với Sở Y tế:
- Kiểm tra an toàn thực phẩm dịp cuối năm; thời gian hoàn thành: tháng 11/2025.
- Tổ chức tiêm chủng mở rộng.
2/ Công an tỉnh
a/ Bảo đảm an ninh trật tự dịp lễ; hoàn thành trước 31/12.
b/ Phối hợp với Bộ Chỉ huy Quân sự tỉnh diễn tập phòng thủ khu vực.
"""
    result = parse_text(text, "khac.txt", province)
    assert (result.number, result.issuer, result.period) == ("145/TB-VPTU", "VPTU", "2025-Q4")
    summary = [(t.code, t.lead, t.support, str(t.due)) for t in result.tasks]
    # "1/ Đối với Sở Y tế:" with bullets is one task of that unit (real/CONVENTIONS.md A1).
    assert summary == [
        ("1", ["SYT"], [], "2025-11-30"),
        ("2.a", ["CAT"], [], "2025-12-31"),
        ("2.b", ["CAT"], ["BCHQS"], "2025-12-31"),
    ]
    assert result.tasks[0].group_title == "Nhiệm vụ quý IV/2025"
