"""The secretary's desk in Chromium, at 1280 px and at 375 px: import seed 004 with the
corpus directory, find every flagged task through the filter, fix two leads with the picker by
typing without diacritics, tick the rest, move the past due dates, confirm and publish; the
same path with the keyboard only; a plain click never wipes a selection; a junk PDF's draft is
deleted. The page loads, clicks and typed fields of the path are printed; screenshots go to
test-output/browser/desk/."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, func, select

from tests.browser.pages import sign_in
from tests.conftest import SHARED_DIR
from tests.helpers import make_user
from tracker.assignments.models import Assignment
from tracker.notices.models import Conclusion, Task, TaskUnit
from tracker.units.directory import read_directory
from tracker.units.models import Unit
from tracker.units.service import load_directory

pytestmark = pytest.mark.browser
CORPUS = SHARED_DIR / "corpus"
# Units to add as a second lead, typed without diacritics; the first not yet chosen is used.
CANDIDATES = [
    ("mat tran", "Mặt trận Tổ quốc"),
    ("hoi nong dan", "Nông dân"),
    ("phu nu", "Phụ nữ"),
    ("tinh doan", "Tỉnh Đoàn"),
]


class Counter:
    """Page loads (navigations of the main frame), clicks and key presses, typed fields."""

    def __init__(self, page: Any) -> None:
        self.loads = 0
        self.actions = 0
        self.typed = 0
        page.on("framenavigated", self._navigated)
        self._page = page

    def _navigated(self, frame: Any) -> None:
        if frame == self._page.main_frame:
            self.loads += 1

    def act(self, count: int = 1) -> None:
        self.actions += count

    def type(self, count: int = 1) -> None:
        self.typed += count

    def line(self, label: str) -> str:
        return (
            f"{label}: {self.loads} page loads, {self.actions} clicks/key presses and "
            f"{self.typed} typed fields from upload to published"
        )


def _skip_without_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpus not found at {CORPUS}: this test imports seed-004.txt")


def _directory_and_secretary(session: Session) -> None:
    load_directory(session, actor=None, directory=read_directory(CORPUS / "units-demo.yaml"))
    make_user(session, "secretary", username="thuky")
    session.commit()


def _watch(page: Any) -> list[str]:
    """Script errors and Content-Security-Policy refusals (the favicon's 404 is no concern)."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: "Refused" in message.text and problems.append(message.text))
    return problems


def _flagged_count(page: Any) -> int:
    text = page.locator(".review-count").inner_text()
    return int(text.split("Còn ")[1].split(" ")[0]) if "Còn " in text else 0


def _free_candidate(picker: Any) -> tuple[str, str]:
    """The first candidate unit this picker has not chosen yet."""
    chosen = " ".join(picker.locator(".chip").all_inner_texts())
    return next((typed, name) for typed, name in CANDIDATES if name not in chosen)


def _leads(session: Session, notice_id: int, code: str) -> list[str]:
    session.expire_all()
    task = session.exec(
        select(Task).where(Task.conclusion_id == notice_id, Task.code == code)
    ).one()
    return list(
        session.exec(
            select(Unit.name)
            .join(TaskUnit, TaskUnit.unit_id == Unit.id)
            .where(TaskUnit.task_id == task.id, TaskUnit.role == "lead")
        ).all()
    )


def _published_check(session: Session) -> Conclusion:
    session.expire_all()
    notice = session.exec(select(Conclusion)).one()
    assert notice.status == "published"
    assignments = session.exec(select(Assignment)).all()
    assert assignments and all(item.due.year == 2099 for item in assignments)
    return notice


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 375])
def test_review_fix_and_publish_seed_004(
    app: Any,
    session: Session,
    live_server: str,
    browser: Any,
    output_dir: Path,
    width: int,
) -> None:
    _skip_without_corpus()
    _directory_and_secretary(session)
    shots = output_dir / "browser" / "desk"
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport={"width": width, "height": 900 if width > 800 else 800}, locale="vi-VN"
    )
    page = context.new_page()
    problems = _watch(page)
    sign_in(page, live_server, "thuky")
    counter = Counter(page)

    page.goto(f"{live_server}/thong-bao/nhap")
    page.set_input_files("input[name=file]", str(CORPUS / "seed-004.txt"))
    page.click("main form button[type=submit]")
    counter.act(2)
    page.wait_for_url("**/soan", timeout=60_000)
    tasks = page.locator("tr.task-row").count()
    assert tasks == 19
    page.screenshot(path=str(shots / f"{width}-1-draft.png"))

    # Every flagged task, and only those, through the filter.
    flagged_before = _flagged_count(page)
    assert flagged_before >= 3
    page.click("a.filter-flagged")
    counter.act()
    page.wait_for_load_state()
    visible = page.locator("tr.task-row:visible")
    assert visible.count() == flagged_before
    assert page.locator("tr.task-row.needs-review:visible").count() == flagged_before
    assert page.locator("tr.task-row.needs-review:not(:visible)").count() == 0
    page.screenshot(path=str(shots / f"{width}-2-flagged.png"), full_page=True)

    # Fix the leads of two flagged tasks: type without diacritics, choose from the list.
    fixed: dict[str, tuple[int, str]] = {}
    for index in range(2):
        row = visible.nth(index)
        code = row.locator("input.code").input_value()
        lead = row.locator(".c-units").first
        chips_before = lead.locator(".chip").count()
        typed, name = _free_candidate(lead)
        search = lead.locator("input.picker-input")
        search.click()
        search.type(typed)
        counter.act()
        counter.type()
        option = lead.locator(".picker-options li[role=option]").first
        assert name in option.inner_text()
        if index == 0:
            page.screenshot(path=str(shots / f"{width}-3-picker.png"))
        option.click()
        counter.act()
        assert lead.locator(".chip").count() == chips_before + 1  # added, nothing wiped
        fixed[code] = (chips_before + 1, name)

    # A plain click never wipes a selection: on a chip's text, on another option, on the box.
    lead = visible.first.locator(".c-units").first
    chips = lead.locator(".chip").all_inner_texts()
    lead.locator(".chip").first.click(position={"x": 8, "y": 6})
    lead.locator("input.picker-input").click()
    lead.locator("input.picker-input").type("phu nu")
    lead.locator(".picker-options li[role=option]").first.click()
    assert len(lead.locator(".chip").all_inner_texts()) == len(chips) + 1
    lead.locator(".chip", has_text="Phụ nữ").locator(".chip-remove").click()
    assert lead.locator(".chip").all_inner_texts() == chips

    # Tick "đã kiểm tra" on the rest, and save.
    for index in range(2, visible.count()):
        visible.nth(index).locator("input[name$='-reviewed']").check()
        counter.act()
    page.click("input[name=save]")
    counter.act()
    page.wait_for_load_state()
    assert "Không còn nhiệm vụ nào cần kiểm tra" in page.locator(".review-count").inner_text()
    notice = session.exec(select(Conclusion)).one()
    for code, (count, name) in fixed.items():
        leads = _leads(session, notice.id, code)
        assert len(leads) == count and any(name in lead for lead in leads), (code, leads)

    # Publishing asks first; the past due dates (2021) move to a chosen date.
    page.click("input[name=publish]")
    counter.act()
    page.wait_for_url("**/ban-hanh")
    page.screenshot(path=str(shots / f"{width}-4-confirm.png"), full_page=True)
    assert "sẽ quá hạn ngay" in page.content()
    page.fill("input[name=new_due]", "31/12/2099")
    counter.type()
    page.click("form.move-due button[type=submit]")
    counter.act()
    page.wait_for_url("**/ban-hanh")
    assert page.locator(".confirm-facts li").nth(2).inner_text().startswith("0")
    page.screenshot(path=str(shots / f"{width}-5-moved.png"), full_page=True)
    page.click("button[name=confirm]")
    counter.act()
    page.wait_for_url(f"{live_server}/thong-bao/{notice.id}")
    assert "Đã ban hành" in page.content()
    assert page.locator("a", has_text="seed-004.txt").count() == 1  # the original, one click away
    page.screenshot(path=str(shots / f"{width}-6-published.png"))
    _published_check(session)
    assert not problems, problems
    print(
        f"\n[desk {width}px] seed 004: {tasks} tasks, {flagged_before} flagged; "
        + counter.line("mouse")
    )

    # The task's paragraph in the original, one click from the published notice.
    page.locator("a", has_text="Xem trong văn bản gốc").first.click()
    page.wait_for_load_state()
    mark = page.locator("p.is-marked mark").first
    assert mark.is_visible() and mark.inner_text().strip()
    page.screenshot(path=str(shots / f"{width}-7-source.png"))

    # Bulk work on the published tasks: two ticked, their due dates moved by 7 days at once.
    page.go_back()
    page.wait_for_load_state()
    page.locator(".bulk-panel summary").click()
    boxes = page.locator("input[name=pick]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator("input[name=action][value=shift]").check()
    page.fill("input[name=days]", "7")
    page.fill("textarea[name=comment]", "Theo ý kiến lãnh đạo ban")
    page.screenshot(path=str(shots / f"{width}-8-bulk.png"))
    page.click(".bulk-panel button[type=submit]")
    page.wait_for_load_state()
    assert "Đã điều chỉnh 2 nhiệm vụ" in page.content()
    session.expire_all()
    moved = session.exec(select(Assignment).where(Assignment.due == date(2100, 1, 7))).all()
    assert len(moved) == 2

    # Withdrawn within 24 hours, nobody having reported: a page says what happens first.
    page.click("a.withdraw-link")
    page.wait_for_url("**/thu-hoi")
    page.screenshot(path=str(shots / f"{width}-9-withdraw.png"), full_page=True)
    page.click("button[name=confirm]")
    page.wait_for_url("**/soan")
    assert "Đã thu hồi thông báo" in page.content()
    assert page.locator("tr.task-row").count() == tasks  # the new draft carries every task
    assert not problems, problems
    context.close()


def _tab_to(page: Any, target: Any, counter: Counter, limit: int = 400) -> None:
    """Press Tab until `target` has the focus, as a keyboard user does; counted."""
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("(element) => document.activeElement === element", handle):
            return
        page.keyboard.press("Tab")
        counter.act()
    raise AssertionError(f"Tab never reached {target}")


@pytest.mark.slow
def test_the_same_path_with_the_keyboard_only(
    app: Any,
    session: Session,
    live_server: str,
    browser: Any,
    output_dir: Path,
) -> None:
    _skip_without_corpus()
    _directory_and_secretary(session)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    problems = _watch(page)
    sign_in(page, live_server, "thuky")
    counter = Counter(page)
    page.goto(f"{live_server}/thong-bao/nhap")
    _tab_to(page, page.locator("input[name=file]"), counter)
    page.set_input_files("input[name=file]", str(CORPUS / "seed-004.txt"))  # the file dialog
    counter.type()
    _tab_to(page, page.locator("main form button[type=submit]"), counter)
    page.keyboard.press("Enter")
    counter.act()
    page.wait_for_url("**/soan", timeout=60_000)
    flagged = _flagged_count(page)
    _tab_to(page, page.locator("a.filter-flagged"), counter)
    page.keyboard.press("Enter")
    counter.act()
    page.wait_for_url("**loc=can-kiem-tra")
    visible = page.locator("tr.task-row:visible")
    assert visible.count() == flagged
    fixed: dict[str, str] = {}
    for index in range(2):
        row = visible.nth(index)
        lead = row.locator(".c-units").first
        typed, name = _free_candidate(lead)
        _tab_to(page, lead.locator("input.picker-input"), counter)
        page.keyboard.type(typed)
        counter.type()
        page.keyboard.press("Enter")  # picks the first match; never submits the form
        counter.act()
        assert page.url.endswith("loc=can-kiem-tra")
        fixed[row.locator("input.code").input_value()] = name
    for index in range(2, visible.count()):
        _tab_to(page, visible.nth(index).locator("input[name$='-reviewed']"), counter)
        page.keyboard.press("Space")
        counter.act()
    _tab_to(page, page.locator("input[name=save]"), counter)
    with page.expect_navigation():  # the saved draft comes back as a new page
        page.keyboard.press("Enter")
    counter.act()
    assert "Không còn nhiệm vụ nào cần kiểm tra" in page.locator(".review-count").inner_text()
    notice = session.exec(select(Conclusion)).one()
    for code, name in fixed.items():
        assert any(name in lead for lead in _leads(session, notice.id, code)), code
    _tab_to(page, page.locator("input[name=publish]"), counter)
    page.keyboard.press("Enter")
    counter.act()
    page.wait_for_url("**/ban-hanh")
    _tab_to(page, page.locator("input[name=new_due]"), counter)
    page.keyboard.type("31/12/2099")
    counter.type()
    with page.expect_navigation():  # submits the form of the date: moves the past dates
        page.keyboard.press("Enter")
    counter.act()
    assert page.locator(".confirm-facts li").nth(2).inner_text().startswith("0")
    _tab_to(page, page.locator("button[name=confirm]"), counter)
    page.keyboard.press("Enter")
    counter.act()
    page.wait_for_url(f"{live_server}/thong-bao/{notice.id}")
    _published_check(session)
    page.screenshot(path=str(output_dir / "browser" / "desk" / "1280-keyboard-published.png"))
    assert not problems, problems
    print(f"\n[desk keyboard 1280px] seed 004, {flagged} flagged; " + counter.line("keyboard"))
    context.close()


def test_the_picker_keys_add_remove_and_never_submit(
    app: Any,
    session: Session,
    live_server: str,
    browser: Any,
    output_dir: Path,
) -> None:
    _skip_without_corpus()
    _directory_and_secretary(session)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server, "thuky")
    page.goto(f"{live_server}/thong-bao/nhap")
    page.set_input_files("input[name=file]", str(CORPUS / "seed-004.txt"))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/soan", timeout=60_000)
    notice = session.exec(select(Conclusion)).one()
    before = _leads(session, notice.id, "1.1")
    lead = page.locator("#nv-0 .c-units").first
    _tab_to(page, lead.locator("input.picker-input"), Counter(page))
    page.keyboard.type("hoi nong dan")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")  # adds the unit; does not submit the form
    assert page.url.endswith("/soan")
    page.keyboard.type("tinh doan")
    assert lead.locator("[role=option]").first.inner_text() == "Tỉnh Đoàn"  # before the group
    page.keyboard.press("Enter")
    assert len(lead.locator(".chip").all_inner_texts()) == len(before) + 2
    page.keyboard.press("Backspace")  # the empty box: removes the chip just before it
    assert len(lead.locator(".chip").all_inner_texts()) == len(before) + 1
    page.keyboard.press("Escape")
    page.screenshot(path=str(output_dir / "browser" / "desk" / "1280-keyboard.png"))
    page.click("input[name=save]")
    page.wait_for_load_state()
    after = _leads(session, notice.id, "1.1")
    assert len(after) == len(before) + 1 and "Hội Nông dân tỉnh" in after
    context.close()


def test_the_review_screen_without_javascript(
    app: Any,
    session: Session,
    live_server: str,
    browser: Any,
    output_dir: Path,
) -> None:
    _skip_without_corpus()
    _directory_and_secretary(session)
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, locale="vi-VN", java_script_enabled=False
    )
    page = context.new_page()
    sign_in(page, live_server, "thuky")
    page.goto(f"{live_server}/thong-bao/nhap")
    page.set_input_files("input[name=file]", str(CORPUS / "seed-004.txt"))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/soan", timeout=60_000)  # the progress page: a meta refresh
    notice = session.exec(select(Conclusion)).one()
    before = _leads(session, notice.id, "1.1")
    # The filter narrows every list on the server: "mat tran" typed without diacritics.
    page.fill("input[name=unit_filter]", "mat tran")
    page.click("input[name=filter_units]")
    page.wait_for_load_state()
    lead = page.locator("#nv-0 .c-units").first
    lead.locator("summary").click()  # "Chọn đơn vị" opens the (short) list of checkboxes
    assert lead.locator("label").count() <= len(before) + 3
    lead.locator("label", has_text="Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh").click()
    page.locator("#nv-0").scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "browser" / "desk" / "375-no-js.png"))
    page.click("input[name=save]")
    page.wait_for_load_state()
    after = _leads(session, notice.id, "1.1")
    assert set(after) == set(before) | {"Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"}  # nothing wiped
    context.close()


def _junk_pdf() -> bytes:
    """A PDF that is no notice at all: an invoice."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for line in ["INVOICE No. 0042", "Printer toner x 3", "Total: 1,350,000 VND", "Thank you"]:
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_a_junk_pdf_draft_is_deleted_in_the_browser(
    app: Any,
    session: Session,
    live_server: str,
    browser: Any,
    output_dir: Path,
    tmp_path: Path,
) -> None:
    make_user(session, "secretary", username="thuky")
    session.commit()
    junk = tmp_path / "hoa-don.pdf"
    junk.write_bytes(_junk_pdf())
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="vi-VN")
    page = context.new_page()
    problems = _watch(page)
    sign_in(page, live_server, "thuky")
    page.goto(f"{live_server}/thong-bao/nhap")
    page.set_input_files("input[name=file]", str(junk))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/soan", timeout=60_000)
    notice = session.exec(select(Conclusion)).one()
    stored = app.extensions["tracker.settings"].instance_path / "notices" / notice.source_path
    assert stored.is_file()
    page.click("a:has-text('Xóa bản nháp')")
    page.wait_for_url("**/xoa")
    page.screenshot(path=str(output_dir / "browser" / "desk" / "375-delete-junk.png"))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Đã xóa bản nháp" in page.content()
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Conclusion)).one() == 0
    assert not stored.exists()
    assert not problems, problems
    context.close()
