"""The secretary's desk in Chromium, at 1280 px and at 375 px: import seed 004 with the demo
directory, show only the flagged tasks, fix a lead with the picker by typing without
diacritics, tick the rest, move the past due dates, confirm and publish. The page loads and
clicks of that path are printed; screenshots go to test-output/browser/desk/."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

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


class Counter:
    """Page loads (navigations of the main frame) and clicks or key presses of the person."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.loads = 0
        self.actions = 0
        page.on("framenavigated", self._navigated)
        self._page = page

    def _navigated(self, frame) -> None:  # type: ignore[no-untyped-def]
        if frame == self._page.main_frame:
            self.loads += 1

    def act(self, count: int = 1) -> None:
        self.actions += count


@pytest.mark.parametrize("width", [1280, 375])
def test_review_fix_and_publish_seed_004(
    app,
    session: Session,
    live_server: str,
    browser,  # type: ignore[no-untyped-def]
    output_dir: Path,
    width: int,
) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpus not found at {CORPUS}: this test imports seed-004.txt")
    load_directory(session, actor=None, directory=read_directory(CORPUS / "units-demo.yaml"))
    make_user(session, "secretary", username="thuky")
    session.commit()
    shots = output_dir / "browser" / "desk"
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport={"width": width, "height": 900 if width > 800 else 800}, locale="vi-VN"
    )
    page = context.new_page()
    problems: list[str] = []
    # Script errors and Content-Security-Policy refusals (the favicon's 404 is no concern).
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: "Refused" in message.text and problems.append(message.text))
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

    counter_text = page.locator(".review-count").inner_text()
    flagged_before = int(counter_text.split("Còn ")[1].split(" ")[0])
    assert flagged_before >= 1
    page.click("a.filter-flagged")
    counter.act()
    page.wait_for_load_state()
    visible = page.locator("tr.task-row:visible")
    assert visible.count() == flagged_before
    page.screenshot(path=str(shots / f"{width}-2-flagged.png"), full_page=True)

    # Fix the first flagged task's lead: type without diacritics, choose with the keyboard.
    row = visible.first
    code = row.locator("input.code").input_value()
    lead = row.locator(".c-units").first
    chips_before = lead.locator(".chip").count()
    search = lead.locator("input.picker-input")
    search.click()
    search.type("mat tran")
    option = lead.locator(".picker-options li[role=option]").first
    assert "Mặt trận Tổ quốc" in option.inner_text()
    page.screenshot(path=str(shots / f"{width}-3-picker.png"))
    search.press("Enter")
    counter.act(3)
    assert lead.locator(".chip").count() == chips_before + 1  # added, nothing wiped
    # A plain click on another unit adds it too; its × removes only that one.
    search.type("phu nu")
    lead.locator(".picker-options li[role=option]").first.click()
    assert lead.locator(".chip").count() == chips_before + 2
    lead.locator(".chip", has_text="Phụ nữ").locator(".chip-remove").click()
    assert lead.locator(".chip").count() == chips_before + 1
    counter.act(3)
    # Tick "đã kiểm tra" on every other flagged row and save.
    ticks = page.locator("tr.task-row:visible input[name$='-reviewed']")
    for index in range(ticks.count()):
        ticks.nth(index).check()
        counter.act()
    page.click("input[name=save]")
    counter.act()
    page.wait_for_load_state()
    assert "Không còn nhiệm vụ nào cần kiểm tra" in page.locator(".review-count").inner_text()
    notice = session.exec(select(Conclusion)).one()
    task = session.exec(
        select(Task).where(Task.conclusion_id == notice.id, Task.code == code)
    ).one()
    mttq = session.exec(select(Unit).where(Unit.code == "MTTQ")).one()
    lead_ids = session.exec(
        select(TaskUnit.unit_id).where(TaskUnit.task_id == task.id, TaskUnit.role == "lead")
    ).all()
    assert mttq.id in lead_ids and len(lead_ids) == chips_before + 1

    # Publishing asks first; the past due dates (2021) move to a chosen date.
    page.click("input[name=publish]")
    counter.act()
    page.wait_for_url("**/ban-hanh")
    page.screenshot(path=str(shots / f"{width}-4-confirm.png"), full_page=True)
    assert "sẽ quá hạn ngay" in page.content()
    page.fill("input[name=new_due]", "31/12/2099")
    page.click("form.move-due button[type=submit]")
    counter.act(2)
    page.wait_for_url("**/ban-hanh")
    assert page.locator(".confirm-facts li").nth(2).inner_text().startswith("0")
    page.screenshot(path=str(shots / f"{width}-5-moved.png"), full_page=True)
    page.click("button[name=confirm]")
    counter.act()
    page.wait_for_url(f"{live_server}/thong-bao/{notice.id}")
    assert "Đã ban hành" in page.content()
    assert page.locator("a", has_text="seed-004.txt").count() == 1  # the original, one click away
    page.screenshot(path=str(shots / f"{width}-6-published.png"))
    session.expire_all()
    assignments = session.exec(select(Assignment)).all()
    assert assignments and all(item.due.year == 2099 for item in assignments)
    assert not problems, problems
    print(
        f"\n[desk {width}px] seed 004: {tasks} tasks, {flagged_before} flagged; "
        f"{counter.loads} page loads and {counter.actions} clicks/keys from upload to published"
    )
    context.close()


def _seed_draft(session: Session, page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    load_directory(session, actor=None, directory=read_directory(CORPUS / "units-demo.yaml"))
    make_user(session, "secretary", username="thuky")
    session.commit()
    sign_in(page, live_server, "thuky")
    page.goto(f"{live_server}/thong-bao/nhap")
    page.set_input_files("input[name=file]", str(CORPUS / "seed-004.txt"))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/soan", timeout=60_000)


def _leads(session: Session, code: str) -> set[str]:
    session.expire_all()
    task = session.exec(select(Task).where(Task.code == code)).one()
    return set(
        session.exec(
            select(Unit.code)
            .join(TaskUnit, TaskUnit.unit_id == Unit.id)
            .where(TaskUnit.task_id == task.id, TaskUnit.role == "lead")
        ).all()
    )


def test_the_picker_with_the_keyboard_only(
    app,
    session: Session,
    live_server: str,
    browser,  # type: ignore[no-untyped-def]
    output_dir: Path,
) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpus not found at {CORPUS}: this test imports seed-004.txt")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    _seed_draft(session, page, live_server)
    before = _leads(session, "1.1")
    page.focus("#nv-0 input.code")
    page.keyboard.press("Tab")  # the task text's summary
    page.keyboard.press("Tab")  # the first chip's remove button
    page.keyboard.press("Tab")  # the lead picker's search box
    assert page.evaluate("document.activeElement.className") == "picker-input"
    page.keyboard.type("hoi nong dan")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")  # adds the unit; does not submit the form
    assert page.url.endswith("/soan")
    lead = page.locator("#nv-0 .c-units").first
    page.keyboard.type("tinh doan")
    assert lead.locator("[role=option]").first.inner_text() == "Tỉnh Đoàn"  # before the group
    page.keyboard.press("Enter")
    assert len(lead.locator(".chip").all_inner_texts()) == len(before) + 2
    page.keyboard.press("Backspace")  # the empty box: removes the chip just before it
    chips = lead.locator(".chip").all_inner_texts()
    assert len(chips) == len(before) + 1
    page.keyboard.press("Escape")
    page.screenshot(path=str(output_dir / "browser" / "desk" / "1280-keyboard.png"))
    page.click("input[name=save]")
    page.wait_for_load_state()
    assert len(_leads(session, "1.1")) == len(before) + 1
    assert "HND" in _leads(session, "1.1")
    context.close()


def test_the_review_screen_without_javascript(
    app,
    session: Session,
    live_server: str,
    browser,  # type: ignore[no-untyped-def]
    output_dir: Path,
) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpus not found at {CORPUS}: this test imports seed-004.txt")
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, locale="vi-VN", java_script_enabled=False
    )
    page = context.new_page()
    _seed_draft(session, page, live_server)
    before = _leads(session, "1.1")
    lead = page.locator("#nv-0 .c-units").first
    lead.locator("summary").click()  # "Chọn đơn vị" opens the list of checkboxes
    lead.locator("label", has_text="Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh").click()
    page.screenshot(path=str(output_dir / "browser" / "desk" / "375-no-js.png"))
    page.click("input[name=save]")
    page.wait_for_load_state()
    assert _leads(session, "1.1") == before | {"MTTQ"}  # a plain click added, wiped nothing
    context.close()
