"""The forms real plans, directives, letters and conclusions take (issue 10), one rule a test.

Every text here is ours (a fictional province, units-real-forms.yaml); the rules are those of
../shared/corpus/real/CONVENTIONS.md, cited by their numbers.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.parsing.conftest import FIXTURES
from tracker.parsing import ParsedTask, ParseResult, parse_text
from tracker.units.directory import UnitDirectory, read_directory

HEADER = """ỦY BAN NHÂN DÂN
TỈNH BÌNH NGUYÊN
-------
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
Số: 12/KH-UBND
Bình Nguyên, ngày 03 tháng 10 năm 2025
"""
TASK = "1. Sở Y tế chủ trì triển khai tiêm chủng, hoàn thành trước ngày 30/11/2025.\n"


@pytest.fixture(scope="module")
def units() -> UnitDirectory:
    return read_directory(FIXTURES / "units-real-forms.yaml")


def parse(text: str, units: UnitDirectory) -> ParseResult:
    return parse_text(text, "t.txt", units)


def task(result: ParseResult, code: str) -> ParsedTask:
    return next(t for t in result.tasks if t.code == code)


def plan(body: str, title: str = "KẾ HOẠCH\nTriển khai công tác chuyển đổi số\n") -> str:
    return HEADER + title + "Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:\n" + body


# Deliver 1: the header of every kind of document.


@pytest.mark.parametrize(
    ("title", "doc_type", "title_start"),
    [
        ("KẾ HOẠCH\nTriển khai tiêm chủng năm 2026\n", "ke_hoach", "KẾ HOẠCH Triển khai"),
        ("CHỈ THỊ\nVề việc tăng cường tiêm chủng\n", "chi_thi", "CHỈ THỊ Về việc"),
        ("CÔNG ĐIỆN\nVỀ VIỆC PHÒNG, CHỐNG DỊCH BỆNH\n", "chi_thi", "CÔNG ĐIỆN VỀ VIỆC"),
        ("THÔNG BÁO\nKẾT LUẬN CỦA CHỦ TỊCH UBND TỈNH\n", "thong_bao", "THÔNG BÁO KẾT LUẬN"),
        ("KẾT LUẬN\nCỦA UBND TỈNH VỀ CÔNG TÁC Y TẾ\n-----\n", "thong_bao", "KẾT LUẬN CỦA UBND"),
    ],
)
def test_header_of_every_kind(title: str, doc_type: str, title_start: str, units) -> None:
    result = parse(HEADER + title + TASK, units)
    assert (result.kind, result.doc_type) == ("conclusion", doc_type)
    assert (result.number, result.issued_on) == ("12/KH-UBND", date(2025, 10, 3))
    assert result.title is not None and result.title.startswith(title_start)
    assert result.issuer == "UBND"
    assert [(t.code, t.lead, t.due) for t in result.tasks] == [("1", ["SYT"], date(2025, 11, 30))]


def test_a_letter_has_its_trich_yeu_as_title(units) -> None:
    """A16: a công văn's title is its "V/v …"; the addressees are not part of the body."""
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH BÌNH NGUYÊN\nSố: 45/UBND-VP\nV/v triển khai tiêm chủng mở rộng\n"
        "Bình Nguyên, ngày 03 tháng 10 năm 2025\nKính gửi:\n- Sở Y tế;\n- Công an tỉnh.\n"
        "Chủ tịch UBND tỉnh có ý kiến chỉ đạo như sau:\n" + TASK
    )
    result = parse(text, units)
    assert (result.doc_type, result.title) == ("cong_van", "V/v triển khai tiêm chủng mở rộng")
    assert (result.number, result.issued_on, result.issuer) == (
        "45/UBND-VP",
        date(2025, 10, 3),
        "UBND",
    )
    assert [t.code for t in result.tasks] == ["1"]


def test_a_copy_that_starts_at_kinh_gui(units) -> None:
    """A15, B18, B3: no number, no date, no title; the lead-in's actor leads the items."""
    text = (
        "Kính gửi: Sở Y tế.\n"
        "Thực hiện chỉ đạo của Chính phủ, Ủy ban nhân dân tỉnh yêu cầu Sở Y tế thực hiện "
        "một số nội dung sau:\n"
        "1. Rà soát danh sách trẻ chưa tiêm chủng.\n2. Bổ sung vắc xin cho các trạm y tế.\n"
    )
    result = parse(text, units)
    assert (result.number, result.issued_on, result.title) == (None, None, None)
    assert (result.doc_type, result.issuer) == ("cong_van", "UBND")
    assert [(t.code, t.lead) for t in result.tasks] == [("1", ["SYT"]), ("2", ["SYT"])]


@pytest.mark.parametrize("blank", ["ngày      tháng 6 năm 2026", "ngày … tháng 6 năm 2026"])
def test_an_unissued_copy_has_no_number_and_no_date(blank: str, units) -> None:
    """A15: "Số: /UBND-VP" and a date with a blank day are no number and no date."""
    text = (
        "UBND TỈNH BÌNH NGUYÊN\nSỞ Y TẾ\nSố:        /SYT-NV\n"
        f"Bình Nguyên, {blank}\nV/v tiêm chủng\nKính gửi: Công an tỉnh.\n"
        "1. Công an tỉnh phối hợp với Sở Y tế bảo đảm an ninh tại điểm tiêm.\n"
    )
    result = parse(text, units)
    assert (result.number, result.issued_on) == (None, None)
    assert result.issuer == "SYT"  # the lower line of the header (A14)


def test_separator_lines_are_not_part_of_the_title(units) -> None:
    result = parse(HEADER + "KẾ HOẠCH\nTriển khai chuyển đổi số\n______________\n" + TASK, units)
    assert result.title == "KẾ HOẠCH Triển khai chuyển đổi số"


def test_text_is_kept_as_written(units) -> None:
    """Deliver 5: "hoặc" stays "hoặc" (the tone mover once wrote "họăc")."""
    result = parse(plan("1. Sở Y tế hướng dẫn tiêm chủng hoặc khám sàng lọc tại nhà.\n"), units)
    assert "tiêm chủng hoặc khám" in result.tasks[0].text
    assert "họăc" not in result.tasks[0].text


def test_a_conclusion_of_an_office_holder_names_his_body(units) -> None:
    """A14: "KẾT LUẬN CỦA THỦ TƯỚNG CHÍNH PHỦ … - TRƯỞNG BAN CHỈ ĐẠO" is the Government."""
    title = "THÔNG BÁO\nKẾT LUẬN CỦA THỦ TƯỚNG CHÍNH PHỦ - TRƯỞNG BAN CHỈ ĐẠO TẠI PHIÊN HỌP\n"
    assert parse(HEADER + title + TASK, units).issuer == "CP"


# Deliver 2: task structure.


def test_a_unit_line_with_bullets_or_a_paragraph_is_one_task(units) -> None:
    """A1: the bullets are the task's text and get no code."""
    body = (
        "I. PHÂN CÔNG NHIỆM VỤ\n1. Công an tỉnh\n"
        "- Chủ trì, phối hợp với Sở Y tế rà soát an ninh tại các điểm tiêm.\n"
        "- Tổ chức tập huấn cho lực lượng bảo vệ, hoàn thành trước ngày 15/12/2025.\n"
        "2. Sở Tài chính\nBố trí kinh phí thực hiện Kế hoạch.\n"
    )
    result = parse(plan(body), units)
    assert [(t.code, t.lead, t.support) for t in result.tasks] == [
        ("1", ["CAT"], ["SYT"]),
        ("2", ["STC"], []),
    ]
    first = result.tasks[0]
    assert first.text.startswith("Công an tỉnh - Chủ trì, phối hợp với Sở Y tế")
    assert first.due == date(2025, 12, 15)
    assert result.tasks[1].text == "Sở Tài chính Bố trí kinh phí thực hiện Kế hoạch."


def test_lettered_field_items_are_fields_not_tasks(units) -> None:
    """A2: "a) Nhiệm vụ / b) Cơ quan thực hiện / c) Thời gian thực hiện" is one task."""
    body = (
        "II. NHIỆM VỤ\n1. Số hóa hồ sơ sức khỏe\n"
        "a) Nhiệm vụ: số hóa hồ sơ sức khỏe của người dân.\n"
        "b) Cơ quan thực hiện: Sở Y tế; Sở Xây dựng.\nc) Thời gian thực hiện: Quý IV năm 2025.\n"
    )
    result = parse(plan(body), units)
    assert [(t.code, t.lead, t.due) for t in result.tasks] == [
        ("1", ["SXD", "SYT"], date(2025, 12, 31))
    ]


def test_lettered_jobs_stay_tasks(units) -> None:
    body = "II. NHIỆM VỤ\n1. Sở Y tế\na) Rà soát trạm y tế xã.\nb) Bổ sung trang thiết bị.\n"
    result = parse(plan(body), units)
    assert [(t.code, t.lead) for t in result.tasks] == [("1.a", ["SYT"]), ("1.b", ["SYT"])]


def test_sections_that_assign_nothing_are_skipped(units) -> None:
    """A5 and B28: purpose, targets, method, budget, reporting and the annex give no task, and
    the codes need no Roman prefix when only one section holds tasks."""
    body = (
        "I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\na) Nâng cao nhận thức.\n"
        "2. Yêu cầu\na) Bảo đảm an toàn.\n"
        "II. ĐỐI TƯỢNG\n1. Trẻ em dưới 5 tuổi.\n"
        "III. PHƯƠNG PHÁP\n1. Tiêm tại trạm y tế.\n"
        "IV. KINH PHÍ\n1. Sở Tài chính bố trí kinh phí từ ngân sách tỉnh.\n"
        "V. TỔ CHỨC THỰC HIỆN\n1. Sở Y tế chủ trì tổ chức tiêm.\n2. Công an tỉnh bảo đảm an ninh.\n"
        "VI. CHẾ ĐỘ BÁO CÁO\n1. Sở Y tế báo cáo kết quả hằng tháng.\n"
        "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHỤ LỤC\n1. Sở Xây dựng sửa chữa trạm y tế.\n"
    )
    result = parse(plan(body), units)
    assert [(t.code, t.lead) for t in result.tasks] == [("1", ["SYT"]), ("2", ["CAT"])]


def test_approval_items_are_no_tasks_and_numbering_goes_on(units) -> None:
    """B5."""
    body = (
        "1. Cơ bản thống nhất với Báo cáo của Sở Y tế.\n"
        "2. Giao Sở Y tế chủ trì triển khai tiêm chủng.\n"
    )
    result = parse(HEADER + "THÔNG BÁO\nKẾT LUẬN CỦA CHỦ TỊCH UBND TỈNH\n" + body, units)
    assert [t.code for t in result.tasks] == ["2"]


def test_parenthesised_items_are_coded_under_their_item(units) -> None:
    """B4."""
    body = (
        "2. Để hoàn thành công trình đúng hạn, đề nghị:\n"
        "(1) Sở Xây dựng đẩy nhanh tiến độ thi công.\n(2) Sở Tài chính bố trí vốn.\n"
    )
    result = parse(HEADER + "THÔNG BÁO\nKẾT LUẬN CỦA CHỦ TỊCH UBND TỈNH\n" + body, units)
    assert [(t.code, t.lead) for t in result.tasks] == [("2.1", ["SXD"]), ("2.2", ["STC"])]


def test_paragraph_between_items_continues_and_closing_paragraph_does_not(units) -> None:
    """A18."""
    body = (
        "1. Giao Sở Y tế rà soát các trạm y tế.\nYêu cầu hoàn thành việc rà soát trong quý IV.\n"
        "2. Giao Công an tỉnh bảo đảm an ninh.\n"
        "Ủy ban nhân dân tỉnh yêu cầu các cơ quan nghiêm túc thực hiện.\n"
    )
    result = parse(plan(body), units)
    assert result.tasks[0].text.endswith("trong quý IV.")
    assert result.tasks[1].text == "Giao Công an tỉnh bảo đảm an ninh."


# Deliver 3: units.


def test_unit_field_lines_also_after_the_bullets(units) -> None:
    """A3: field lines name the lead and the support, wherever they stand in the block."""
    body = (
        "II. NHIỆM VỤ\n1. Tuyên truyền về tiêm chủng\n- Nội dung: phát tờ rơi, loa truyền thanh.\n"
        "- Cơ quan chủ trì: Sở Nội vụ\n- Cơ quan phối hợp: Sở Y tế; Công an tỉnh\n"
        "- Thời gian thực hiện: Quý IV năm 2025\n"
    )
    found = parse(plan(body), units).tasks[0]
    assert (found.code, found.lead, found.support) == ("1", ["SNV"], ["CAT", "SYT"])
    assert found.due == date(2025, 12, 31)


def test_implementing_body_field_with_its_own_lead(units) -> None:
    """A3: "Cơ quan thực hiện: X chủ trì, phối hợp với Y" leads with X only."""
    body = (
        "II. NHIỆM VỤ\n1. Tháng hành động\n- Nội dung: tổ chức tháng hành động.\n"
        "- Cơ quan thực hiện: Sở Y tế chủ trì, phối hợp với Sở Xây dựng.\n"
    )
    found = parse(plan(body), units).tasks[0]
    assert (found.lead, found.support) == (["SYT"], ["SXD"])


def test_a_unit_as_the_subject_of_each_sentence_leads(units) -> None:
    """A4 and B26: two sentences with two subjects give two leads."""
    body = (
        "1. Về dự án bệnh viện tỉnh: Sở Xây dựng khẩn trương rà soát hồ sơ. Để bảo đảm tiến độ, "
        "Ủy ban nhân dân tỉnh An Phú phối hợp với Bộ Tài chính bố trí vốn.\n"
        "2. Trường hợp quá hạn mà chưa khởi công, Sở Tài chính tổng hợp, báo cáo UBND tỉnh.\n"
        "3. Giao Sở Y tế rà soát các trạm y tế. Công an tỉnh bảo đảm an ninh tại các trạm.\n"
    )
    result = parse(HEADER + "THÔNG BÁO\nKẾT LUẬN CỦA CHỦ TỊCH UBND TỈNH\n" + body, units)
    assert (task(result, "1").lead, task(result, "1").support) == (["AP", "SXD"], ["BTC"])
    assert task(result, "2").lead == ["STC"]
    assert task(result, "3").lead == ["CAT", "SYT"]


def test_lists_after_a_category_name_every_item(units) -> None:
    """A10, B16."""
    body = (
        "1. Các tỉnh An Phú, Bắc Sơn khẩn trương bàn giao mặt bằng.\n"
        "2. Đề nghị các Bộ: Tài chính, Nội vụ hướng dẫn thủ tục.\n"
        "3. Ủy ban nhân dân các tỉnh, thành phố: An Phú, Nam Hải quyết liệt chỉ đạo thi công.\n"
        "4. Bộ Tài chính các tỉnh Bắc Sơn, An Phú đôn đốc giải ngân vốn.\n"
        "5. Các bộ, cơ quan liên quan và các tỉnh: An Phú, Bắc Sơn xử lý các kiến nghị.\n"
        "6. UBND các phường: Đông Hòa, Tân Lập rà soát số nhà.\n"
    )
    result = parse(HEADER + "THÔNG BÁO\nKẾT LUẬN CỦA THỦ TƯỚNG CHÍNH PHỦ\n" + body, units)
    assert task(result, "1").lead == ["AP", "BS"]
    assert task(result, "2").lead == ["BNV", "BTC"]
    assert task(result, "3").lead == ["AP", "NH"]
    assert task(result, "4").lead == ["AP", "BS", "BTC"]  # a comma left out before the list
    assert task(result, "5").lead == ["AP", "BS"]  # the generic parties give nothing
    assert task(result, "6").lead == ["DH", "TL"]


def test_a_lead_in_that_names_its_actor_leads_the_items(units) -> None:
    """B2, and A12 for a request to generic parties."""
    body = (
        "I. NHIỆM VỤ TRỌNG TÂM\n"
        "Đề nghị Sở Y tế tập trung chỉ đạo, trong đó lưu ý một số nội dung sau:\n"
        "1. Rà soát các trạm y tế.\n2. Bổ sung nhân lực.\n"
        "II. MỘT SỐ NHIỆM VỤ KHÁC\nỦy ban nhân dân tỉnh yêu cầu các cơ quan, đơn vị:\n"
        "1. Tăng cường kiểm tra.\n"
    )
    result = parse(HEADER + "THÔNG BÁO\nKẾT LUẬN CỦA CHỦ TỊCH UBND TỈNH\n" + body, units)
    assert [(t.code, t.lead, t.needs_review) for t in result.tasks][:2] == [
        ("I.1", ["SYT"], True),  # no due date, so still to be reviewed
        ("I.2", ["SYT"], True),
    ]
    generic = task(result, "II.1")
    assert generic.lead == ["UBND"] and generic.needs_review  # the issuer, flagged
    assert any("đơn vị ban hành" in w for w in generic.warnings)


def test_collective_local_bodies_and_typos(units) -> None:
    """A11 and a typo a reader forgives ("phối với")."""
    body = "1. Sở Y tế phối với UBND các xã, phường tổ chức tiêm chủng.\n"
    found = parse(plan(body), units).tasks[0]
    assert (found.lead, found.support) == (["SYT"], ["UBND-XA"])


# Deliver 4: dates and recurrence.


@pytest.mark.parametrize(
    ("phrase", "due", "recurrence"),
    [
        ("Thời gian thực hiện: Quý IV năm 2025.", date(2025, 12, 31), None),
        ("Thời gian: Quý IV năm 2025.", date(2025, 12, 31), None),
        ("Thời gian: thường xuyên.", None, None),
        ("Thời gian thực hiện: Năm 2026 và các năm tiếp theo.", date(2026, 12, 31), None),
        ("Thời gian thực hiện: Quý IV năm 2025 và các năm tiếp theo.", date(2025, 12, 31), None),
        ("báo cáo kết quả trước ngày 25/12 hằng năm.", date(2025, 12, 25), "yearly"),
        ("hằng quý báo cáo kết quả về Ủy ban nhân dân tỉnh.", None, "quarterly"),
        ("hoàn thành trong tháng 12 năm 2025.", date(2025, 12, 31), None),
        ("khởi công dự án vào ngày 19 tháng 12 năm 2025.", date(2025, 12, 19), None),
        ("trước ngày 30 tháng 11 năm 2025; hoàn thành trong năm 2025.", date(2025, 12, 31), None),
        ("theo Chương trình giai đoạn 2026 - 2030.", None, None),
        ("rà soát các nhiệm vụ được giao trong năm 2025.", None, None),
        ("thực hiện thường xuyên.", None, None),
        ("báo cáo định kỳ hằng tuần.", None, None),
        ("gắn với công tác thi đua khen thưởng hằng năm của đơn vị.", None, None),
        ("phấn đấu sản lượng mỗi tháng đạt tối thiểu 20%.", None, None),
        ("xây dựng kế hoạch hằng năm.", None, "yearly"),
        ("trước ngày 30/11/2025. Thời gian hoàn thành: tháng 10/2025.", date(2025, 10, 31), None),
    ],
)
def test_dates_and_recurrence(phrase: str, due: date | None, recurrence: str | None, units):
    found = parse(plan(f"1. Sở Y tế chủ trì tổ chức tiêm chủng; {phrase}\n"), units).tasks[0]
    assert (found.due, found.recurrence) == (due, recurrence)
    assert found.needs_review == (due is None)
    assert any("hằng tuần" in w for w in found.warnings) == ("hằng tuần" in phrase)


def test_monthly_report_day_falls_back_to_the_plans_period(units) -> None:
    """A7: "trước ngày 20 hằng tháng" is monthly with no date of its own."""
    text = plan(
        "1. Sở Y tế báo cáo kết quả trước ngày 20 hằng tháng.\n",
        title="KẾ HOẠCH\nTriển khai tiêm chủng năm 2026\n",
    )
    found = parse(text, units).tasks[0]
    assert (found.due, found.recurrence, found.needs_review) == (
        date(2026, 12, 31),
        "monthly",
        False,
    )
    undated = parse(plan("1. Sở Y tế báo cáo kết quả trước ngày 20 hằng tháng.\n"), units)
    assert (undated.tasks[0].due, undated.tasks[0].needs_review) == (None, True)


def test_a_horizon_in_the_title_is_no_period(units) -> None:
    """A17: a plan "đến năm 2030" has no period and no default due date."""
    result = parse(plan(TASK, title="KẾ HOẠCH\nPHÁT TRIỂN HẠ TẦNG SỐ ĐẾN NĂM 2030\n"), units)
    assert (result.period, result.default_due) == (None, None)


def test_one_closing_deadline_for_all_items(units) -> None:
    """B9."""
    body = (
        "1. Rà soát các trạm y tế.\n2. Sở Y tế bổ sung nhân lực, bảo đảm đến hết tháng 12 năm 2025"
        " hoàn thành dứt điểm 02 nội dung nêu trên.\n"
    )
    result = parse(plan(body), units)
    assert [t.due for t in result.tasks] == [date(2025, 12, 31)] * 2


def test_an_approval_that_assigns_work_is_a_task(units) -> None:
    """B5 covers positions only: "Đồng ý chủ trương …, giao X thực hiện" sets work."""
    body = "1. Đồng ý chủ trương đầu tư trạm y tế, giao Sở Xây dựng chủ trì thực hiện.\n"
    result = parse(HEADER + "THÔNG BÁO\nKẾT LUẬN CỦA CHỦ TỊCH UBND TỈNH\n" + body, units)
    assert [(t.code, t.lead) for t in result.tasks] == [("1", ["SXD"])]


def test_a_plan_whose_only_list_is_its_content_section_keeps_its_tasks(units) -> None:
    """A "NỘI DUNG" section usually describes; when no other section holds tasks, its items are
    offered rather than reading the plan as having none."""
    body = "I. MỤC ĐÍCH\n1. Nâng cao nhận thức.\nII. NỘI DUNG\n1. Sở Y tế tổ chức tiêm chủng.\n"
    result = parse(plan(body), units)
    assert (result.kind, [(t.code, t.lead) for t in result.tasks]) == (
        "conclusion",
        [("1", ["SYT"])],
    )


def test_a_partner_inside_a_directed_clause_is_no_support(units) -> None:
    """A9: in "X chỉ đạo các Y phối hợp với Z", Z works with Y, not with X."""
    body = (
        "1. Sở Y tế chỉ đạo các trạm y tế phối hợp với Công an tỉnh rà soát đối tượng.\n"
        "2. Sở Y tế chỉ đạo, phối hợp với Công an tỉnh rà soát đối tượng.\n"
    )
    result = parse(plan(body), units)
    assert [(t.code, t.lead, t.support) for t in result.tasks] == [
        ("1", ["SYT"], []),
        ("2", ["SYT"], ["CAT"]),
    ]


def test_an_implied_addressee_falls_back_to_the_issuer_for_review(units) -> None:
    """A13: "Tỉnh …" without a name; "về việc giao X" names what is discussed, not who acts."""
    body = "1. Tỉnh chủ động làm việc với Bộ Tài chính về việc giao Sở Xây dựng làm chủ đầu tư.\n"
    found = parse(HEADER + "THÔNG BÁO\nKẾT LUẬN CỦA THỦ TƯỚNG CHÍNH PHỦ\n" + body, units).tasks[0]
    assert (found.lead, found.needs_review) == (["CP"], True)


def test_an_office_holder_stands_for_the_body(units) -> None:
    """B6, also when the directory does not list the office as an alias."""
    body = (
        "1. Giao đồng chí Giám đốc Sở Xây dựng trực tiếp chỉ đạo thi công.\n"
        "2. Đồng chí Giám đốc Công an tỉnh chỉ đạo bảo đảm an ninh.\n"
    )
    result = parse(plan(body), units)
    assert [(t.code, t.lead) for t in result.tasks] == [("1", ["SXD"]), ("2", ["CAT"])]


def test_a_list_of_partners_is_never_cut_into_a_subject(units) -> None:
    """ "Công an tỉnh, Sở Xây dựng phối hợp" (no "với"): both support, neither leads."""
    body = "1. Sở Y tế chủ trì triển khai. Công an tỉnh, Sở Xây dựng phối hợp.\n"
    found = parse(plan(body), units).tasks[0]
    assert (found.lead, found.support) == (["SYT"], ["CAT", "SXD"])
