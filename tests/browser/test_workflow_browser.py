"""The whole path in Chromium: the secretary imports seed 004, corrects one unit and publishes;
the unit lead reports 50% then done with an evidence file; the head sees it done.
Screenshots of each step go to the run's output folder (one at 375 px)."""

from pathlib import Path

import pytest
from sqlmodel import Session

from tests.browser.pages import sign_in
from tests.conftest import SHARED_DIR
from tests.helpers import make_user
from tracker.units.directory import read_directory
from tracker.units.service import load_directory

pytestmark = pytest.mark.browser
CORPUS = SHARED_DIR / "corpus"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.slow
def test_import_publish_report_and_review(
    app,
    session: Session,
    live_server: str,
    browser,  # type: ignore[no-untyped-def]
    output_dir: Path,
    tmp_path: Path,
) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpus not found at {CORPUS}: this test imports seed-004.txt")
    load_directory(session, actor=None, directory=read_directory(CORPUS / "units-demo.yaml"))
    make_user(session, "secretary", username="thuky")
    make_user(session, "head", username="lanhdao")
    from sqlmodel import select

    from tracker.units.models import Unit

    mttq = session.exec(select(Unit).where(Unit.code == "MTTQ")).one()
    make_user(session, "unit", unit=mttq, username="mattran")
    session.commit()
    shots = output_dir / "browser" / "workflow"
    shots.mkdir(parents=True, exist_ok=True)

    secretary = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(secretary, live_server, "thuky")
    secretary.goto(f"{live_server}/thong-bao/nhap")
    secretary.set_input_files("input[name=file]", str(CORPUS / "seed-004.txt"))
    secretary.click("main form button[type=submit]")
    secretary.wait_for_url("**/soan")
    assert secretary.locator("tr.task-row").count() == 19
    secretary.screenshot(path=str(shots / "1-draft.png"), full_page=False)
    # Task 1.1 fell back to the issuer; the secretary gives it to the Fatherland Front instead.
    lead = secretary.locator("#nv-0 .c-units").first
    lead.locator(".chip-remove").first.click()
    lead.locator("input.picker-input").type("Mặt trận")
    lead.locator("input.picker-input").press("Enter")
    assert lead.locator(".chip").all_inner_texts() == ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh ×"]
    secretary.click("input[name=publish]")
    secretary.wait_for_url("**/ban-hanh")
    secretary.click("button[name=confirm]")
    secretary.wait_for_url(f"{live_server}/thong-bao/*")
    assert "Đã ban hành" in secretary.content()
    secretary.screenshot(path=str(shots / "2-published.png"))

    phone = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    lead = phone.new_page()
    sign_in(lead, live_server, "mattran")
    lead.click("text=1.1")
    lead.wait_for_url("**/nhiem-vu/*")
    lead.select_option("select[name=status]", "in_progress")
    lead.fill("input[name=percent]", "50")
    lead.fill("textarea[name=note]", "Đã xây dựng kế hoạch, đang triển khai")
    lead.click("#bao-cao button[type=submit]")
    lead.wait_for_load_state()
    assert "Đã ghi nhận báo cáo tiến độ" in lead.content()
    assert lead.evaluate("document.documentElement.scrollWidth") <= 375
    lead.screenshot(path=str(shots / "3-unit-50-percent-375px.png"), full_page=True)
    evidence = tmp_path / "bien-ban-so-ket.pdf"
    evidence.write_bytes(PDF)
    lead.select_option("select[name=status]", "done")
    lead.fill("textarea[name=note]", "Đã hoàn thành, gửi kèm biên bản")
    lead.set_input_files("input[name=files]", str(evidence))
    lead.click("#bao-cao button[type=submit]")
    lead.wait_for_load_state()
    assert "bien-ban-so-ket.pdf" in lead.content()
    lead.screenshot(path=str(shots / "4-unit-done.png"), full_page=True)
    phone.close()

    head = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(head, live_server, "lanhdao")
    head.goto(f"{live_server}/thong-bao")
    head.click("main table tbody a")  # the headings are sort links
    row = head.locator("li", has_text="Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh").first
    assert "100%" in row.inner_text() and "Hoàn thành" in row.inner_text()
    head.screenshot(path=str(shots / "5-head-sees-done.png"), full_page=False)
