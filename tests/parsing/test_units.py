"""Unit names: aliases, case, composed or decomposed marks, abbreviations, groups, roles."""

from __future__ import annotations

import unicodedata

import pytest

from tracker.parsing import parse_text
from tracker.parsing.normalize import canonical
from tracker.parsing.roles import unit_like
from tracker.parsing.units import UnitIndex, name_words

HEAD = "THÔNG BÁO\nKẾT LUẬN CỦA BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY\nvề nhiệm vụ quý III/2025\n\n"


def _task(province, body: str):
    """The single task of a notice made of HEAD and `body`."""
    result = parse_text(HEAD + body, "t", province)
    assert len(result.tasks) == 1, [t.code for t in result.tasks]
    return result.tasks[0]


@pytest.mark.parametrize(
    "written",
    [
        "Sở Y tế",
        "SỞ Y TẾ",
        "sở y tế",
        unicodedata.normalize("NFD", "Sở Y tế"),
    ],
)
def test_names_match_in_any_case_and_form(province, written: str) -> None:
    index = UnitIndex(province)
    mentions = index.find(canonical(f"giao {written} chủ trì"))
    assert [m.ref.code for m in mentions] == ["SYT"]


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Uỷ ban MTTQ tỉnh", "MTTQ"),
        ("Ủy ban Mặt trận Tổ quốc tỉnh", "MTTQ"),  # the name without "Việt Nam"
        ("Ban cán sự đảng UBND tỉnh", "BCSD"),
        ("Ban cán sự đảng Ủy ban nhân dân tỉnh", "BCSD"),
        ("Thường trực HĐND tỉnh", "TTHDND"),
        ("các tổ chức CT-XH tỉnh", "DOANTHE"),
        ("các tổ chức chính trị-xã hội tỉnh", "DOANTHE"),
        ("LLVT tỉnh", "LLVT"),
        ("Ban TG&DV Tỉnh ủy", "BTGDV"),
    ],
)
def test_aliases_and_abbreviations(province, written: str, code: str) -> None:
    mentions = UnitIndex(province).find(canonical(written))
    assert [m.ref.code for m in mentions] == [code]


def test_abbreviation_btv_is_spelled_out() -> None:
    assert name_words("BTV Tỉnh ủy") == name_words("Ban Thường vụ Tỉnh ủy")


def test_group_heading_expands_to_members(province) -> None:
    task = _task(province, "1. Các tổ chức chính trị - xã hội tỉnh\na) Vận động hội viên.\n")
    assert task.lead == ["HLHPN", "HND", "TD"]
    assert not task.needs_review


def test_explicit_phrase_beats_the_heading(province) -> None:
    task = _task(province, "1. Sở Y tế\na) Giao Công an tỉnh chủ trì, phối hợp với Sở Y tế.\n")
    assert (task.lead, task.support) == (["CAT"], ["SYT"])


def test_parenthesised_roles(province) -> None:
    task = _task(province, "1. Rà soát (Sở Y tế chủ trì; Công an tỉnh, Tỉnh Đoàn phối hợp).\n")
    assert (task.lead, task.support) == (["SYT"], ["CAT", "TD"])


def test_parenthesised_performer(province) -> None:
    task = _task(province, "1. Tổ chức hội nghị tập huấn (Sở Giáo dục và Đào tạo thực hiện).\n")
    assert task.lead == ["SGDDT"]


def test_de_nghi_names_the_lead(province) -> None:
    task = _task(province, "1. Đề nghị Thường trực HĐND tỉnh giám sát việc giải quyết kiến nghị.\n")
    assert task.lead == ["TTHDND"]


def test_objects_are_neither_lead_nor_support(province) -> None:
    task = _task(
        province,
        "1. Giao Sở Y tế hướng dẫn Tỉnh Đoàn, tham mưu Ủy ban MTTQ tỉnh và báo cáo Công an tỉnh.\n",
    )
    assert (task.lead, task.support) == (["SYT"], [])


def test_generic_bodies_give_no_support(province) -> None:
    text = "1. Sở Y tế chủ trì, phối hợp với các sở, ngành liên quan và Công an tỉnh.\n"
    task = _task(province, text)
    assert (task.lead, task.support) == (["SYT"], ["CAT"])


def test_lead_units_are_removed_from_support(province) -> None:
    text = "1. Hội Nông dân tỉnh chủ trì, phối hợp với các tổ chức chính trị - xã hội tỉnh.\n"
    task = _task(province, text)
    assert (task.lead, task.support) == (["HND"], ["HLHPN", "TD"])


def test_unknown_name_is_a_warning_never_dropped(province) -> None:
    task = _task(province, "1. Giao Sở Văn hóa, Thể thao và Du lịch chủ trì tổ chức lễ hội.\n")
    assert task.lead == [] and task.needs_review
    assert task.unresolved and task.unresolved[0]["role"] == "lead"
    assert any("not in the directory" in w for w in task.warnings)


def test_fuzzy_match_is_always_warned(province) -> None:
    task = _task(province, "1. Giao So Y te chu tri kiem tra an toan thuc pham.\n")
    assert task.lead == ["SYT"]
    assert task.needs_review
    assert any("read as Sở Y tế (SYT)" in w for w in task.warnings)


def test_fuzzy_match_needs_a_close_name(province) -> None:
    assert UnitIndex(province).guess("Sở Tài chính") is None


def test_no_named_lead_falls_back_to_the_issuer(province) -> None:
    task = _task(province, "1. Công tác tuyên truyền\na) Tăng cường tuyên truyền về bầu cử.\n")
    assert task.lead == ["BTGDV"] and task.needs_review


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Công an huyện Bình Lục", True),
        ("Ủy ban nhân dân xã Tân Phú", True),
        ("Sở Văn hóa", True),
        ("Hội nghị biểu dương", False),
        ("Ban hành kế hoạch", False),
        ("các sở, ngành", False),
    ],
)
def test_unit_like(phrase: str, expected: bool) -> None:
    assert unit_like(phrase) is expected


def test_unknown_body_after_de_nghi(province) -> None:
    task = _task(province, "1. Đề nghị Công an huyện Bình Lục rà soát địa bàn.\n")
    assert task.unresolved == [{"name": "Công an huyện Bình Lục", "role": "lead"}]
