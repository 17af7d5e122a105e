"""Deadlines and recurrence, alone and inside a notice."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.parsing import parse_text
from tracker.parsing.dates import find_deadline
from tracker.parsing.recurrence import find_recurrence


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("hoàn thành trước ngày 30/6/2021", date(2021, 6, 30)),
        ("báo cáo kết quả trước ngày 15/10", date(2024, 10, 15)),  # the notice's year
        ("trước ngày 15 tháng 10 năm 2023", date(2023, 10, 15)),
        ("hoàn thành trong tháng 9/2024", date(2024, 9, 30)),
        ("trong tháng 02/2024", date(2024, 2, 29)),
        ("hoàn thành trong quý III/2024", date(2024, 9, 30)),
        ("trong quý 4 năm 2025", date(2025, 12, 31)),
        ("trong 6 tháng đầu năm 2025", date(2025, 6, 30)),
        ("chậm nhất ngày 05/3/2024", date(2024, 3, 5)),
        ("trước tháng 6/2024", date(2024, 5, 31)),
        ("hoàn thành trong năm 2025", date(2025, 12, 31)),
    ],
)
def test_deadline_phrases(text: str, due: date) -> None:
    assert find_deadline(text, 2024).due == due


@pytest.mark.parametrize(
    "text",
    [
        "thực hiện Kết luận số 120-KL/TW ngày 07/01/2016 của Bộ Chính trị",
        "kỷ niệm 94 năm Ngày thành lập Đảng (03/02/1930 - 03/02/2024)",
        "theo kế hoạch năm 2021",
        "giai đoạn 2023 - 2025",
        "trước, trong và sau Tết",
        "tính đến ngày 30/6/2024 toàn tỉnh có 20 mô hình",
    ],
)
def test_dates_that_are_not_deadlines(text: str) -> None:
    assert find_deadline(text, 2024).due is None


def _notice(task: str) -> str:
    return f"THÔNG BÁO\nKẾT LUẬN\nvề nhiệm vụ quý IV năm 2024\n\n1. {task}\n"


def test_date_in_task_beats_default() -> None:
    task = parse_text(_notice("Làm A; hoàn thành trước ngày 15/11."), "t").tasks[0]
    assert task.due == date(2024, 11, 15)


def test_default_due_otherwise() -> None:
    assert parse_text(_notice("Làm A."), "t").tasks[0].due == date(2024, 12, 31)


def test_impossible_date_is_a_warning_and_needs_review() -> None:
    result = parse_text(_notice("Làm A; hoàn thành trước ngày 31/02/2025."), "t")
    task = result.tasks[0]
    assert task.needs_review and task.due is None
    assert any("31/02/2025" in w for w in task.warnings)
    assert any(w.startswith("[1]") and "31/02" in w for w in result.warnings)


def test_year_less_date_without_any_year_is_a_warning() -> None:
    text = "THÔNG BÁO\nKẾT LUẬN\n\n1. Làm A trước ngày 15/10.\n"
    task = parse_text(text, "t").tasks[0]
    assert task.due is None and task.needs_review
    assert any("15/10" in w for w in task.warnings)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hằng tháng báo cáo Thường trực Tỉnh ủy", "monthly"),
        ("báo cáo hàng tháng", "monthly"),
        ("định kỳ hàng tháng tổng hợp", "monthly"),
        ("Định kỳ hằng quý sơ kết", "quarterly"),
        ("mỗi quý một lần", "quarterly"),
        ("tổ chức hằng năm", "yearly"),
        ("hoàn thành trước ngày 30/6", None),
        ("năm 2024 và tháng 5", None),
    ],
)
def test_recurrence(text: str, kind: str | None) -> None:
    assert find_recurrence(text) == kind


def test_recurring_task_keeps_the_default_due() -> None:
    task = parse_text(_notice("Hằng tháng báo cáo tiến độ."), "t").tasks[0]
    assert (task.recurrence, task.due) == ("monthly", date(2024, 12, 31))
