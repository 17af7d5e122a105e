"""Items lettered in capitals, "A)" and "B)", are read as letters (they once crashed the outline
with an IndexError, which a .txt or .docx upload could reach)."""

from tracker.parsing import parse_text
from tracker.parsing.outline import classify


def test_a_capital_letter_item_is_a_letter_item() -> None:
    line = classify("B) Xây dựng kế hoạch thực hiện")
    assert (line.kind, line.label, line.text) == ("letter", "b", "Xây dựng kế hoạch thực hiện")


def test_a_notice_with_capital_letter_items_parses() -> None:
    text = (
        "THÔNG BÁO KẾT LUẬN\n"
        "1. Đối với công tác dân vận:\n"
        "A) Ban Dân vận Tỉnh ủy chủ trì tổng kết công tác dân vận, hoàn thành trước 30/6/2026.\n"
        "B) Ủy ban MTTQ tỉnh xây dựng kế hoạch giám sát, hoàn thành trước 30/9/2026.\n"
    )
    result = parse_text(text, "chu-hoa.txt")
    assert [task.code for task in result.tasks] == ["1.a", "1.b"]
