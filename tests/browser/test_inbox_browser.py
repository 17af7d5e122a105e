"""The inbox in Chromium (1280 px and a 375 px phone): a unit lead sees the count in the header,
reads and dismisses entries, answers an explanation request from its entry on one page; the
head then finds the answer in the inbox. On the phone, a date is picked with the phone's own
picker or typed as 31012027. Screenshots: test-output/browser/inbox-*.png."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from tests.assignments.conftest import DUE, World, world
from tests.browser.pages import sign_in
from tests.helpers import deliver_inbox, make_assignment
from tracker.assignments.extensions import decide_extension, request_extension
from tracker.db import clock_at
from tracker.notices.models import Conclusion, Task
from tracker.rollups import explanations, reviews
from tracker.rollups.periods import Period

__all__ = ["world"]

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 375}


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def window(browser: Any, width: int) -> tuple[Any, Any]:
    phone = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": 800 if phone else 900},
        locale="vi-VN",
        is_mobile=phone,
        has_touch=phone,
    )
    return context, context.new_page()


def arrange(session: Session, world: World) -> None:
    """Three overdue tasks asked about at once, and a refused extension: two entries for the
    district's lead."""
    task = session.get(Task, world.assignment.task_id)
    assert task is not None
    notice = session.get(Conclusion, task.conclusion_id)
    assert notice is not None
    with clock_at(datetime(2021, 1, 4, 2, tzinfo=UTC)):
        make_assignment(session, notice, world.district, code="1.2", due=DUE, text="Báo cáo sơ kết")
        make_assignment(session, notice, world.commune, code="2.1", due=DUE, text="Tuyên truyền")
    session.commit()
    asked = request_extension(
        session,
        actor=world.district_user,
        assignment_id=world.assignment.id,
        requested_due=date.today() + timedelta(days=60),
        reason="Chờ số liệu của các xã",
        today=date.today(),
    )
    decide_extension(
        session,
        actor=world.secretary,
        request_id=asked.id,
        approve=False,
        comment="Cần hoàn thành đúng hạn",
    )
    review = reviews.open_review(session, actor=world.head, period=Period.parse("2021-Q2"))
    explanations.request_for_unit(
        session,
        actor=world.head,
        review_id=review.id,
        unit_id=world.district.id,
        message="Đề nghị giải trình lý do chậm tiến độ",
        today=date(2021, 7, 5),
    )
    session.commit()


@pytest.mark.parametrize("size", list(WIDTHS))
def test_a_unit_lead_reads_dismisses_and_answers_and_the_head_sees_it(  # type: ignore[no-untyped-def]
    size: str, app: Flask, session: Session, world: World, live_server: str, browser, shots
) -> None:
    arrange(session, world)
    deliver_inbox(app)
    context, page = window(browser, WIDTHS[size])
    try:
        sign_in(page, live_server, "huyen")
        assert page.locator("#inbox-count").inner_text() == "2"
        page.screenshot(path=str(shots / f"inbox-count-{size}.png"))
        page.click("a.inbox-link")
        page.wait_for_load_state()
        entries = page.locator("li.inbox-entry")
        assert entries.count() == 2
        # The district answers for its commune too: one entry names all three tasks.
        assert "yêu cầu giải trình về 3 nhiệm vụ quá hạn: 1.1, 1.2, 2.1" in page.inner_text("main")
        assert "không được đồng ý" in page.inner_text("main")
        page.screenshot(path=str(shots / f"inbox-list-{size}.png"), full_page=True)

        # Dismiss the decision: it leaves the list, the count drops to one.
        decision = entries.filter(has_text="không được đồng ý")
        decision.get_by_role("button", name="Ẩn").click()
        page.wait_for_load_state()
        assert page.locator("li.inbox-entry").count() == 1
        assert page.locator("#inbox-count").inner_text() == "1"

        # Open the explanation request: one page, every task, answered together.
        page.locator("li.inbox-entry button.inbox-open").click()
        page.wait_for_load_state()
        assert "/giai-trinh/" in page.url
        assert page.locator("#inbox-count").count() == 0  # opened: read
        boxes = page.locator("textarea[name^=answer-]")
        assert boxes.count() == 3
        boxes.nth(0).fill("Do mưa lũ kéo dài, đã đề nghị gia hạn")
        boxes.nth(1).fill("Chờ kinh phí của tỉnh")
        page.screenshot(path=str(shots / f"inbox-explanation-{size}.png"), full_page=True)
        page.get_by_role("button", name="Gửi giải trình").click()
        page.wait_for_load_state()
        assert "Đã gửi giải trình về 2 nhiệm vụ." in page.inner_text("main")
        assert page.locator("textarea[name^=answer-]").count() == 1  # 2.1 left for later
        page.screenshot(path=str(shots / f"inbox-answered-{size}.png"), full_page=True)
    finally:
        context.close()

    deliver_inbox(app)
    context, page = window(browser, WIDTHS[size])
    try:
        sign_in(page, live_server, "lanhdao")
        assert page.locator("#inbox-count").inner_text() == "1"
        page.click("a.inbox-link")
        page.wait_for_load_state()
        text = page.inner_text("main")
        assert "Ban Dân vận Huyện ủy Sông Lam đã giải trình về 2 nhiệm vụ: 1.1, 1.2" in text
        page.screenshot(path=str(shots / f"inbox-head-{size}.png"), full_page=True)
        page.locator("li.inbox-entry button.inbox-open").click()
        page.wait_for_load_state()
        assert "Chờ kinh phí của tỉnh" in page.inner_text("main")
        # Opening the entry read it: the count is gone.
        page.goto(f"{live_server}/hop-thu")
        assert page.locator("#inbox-count").count() == 0
    finally:
        context.close()


def test_a_date_picked_or_typed_on_a_phone(  # type: ignore[no-untyped-def]
    world: World, live_server: str, browser, shots
) -> None:
    context, page = window(browser, WIDTHS["phone"])
    try:
        sign_in(page, live_server, "huyen")
        page.goto(f"{live_server}/nhiem-vu/{world.assignment.id}")
        field = page.locator("#requested_due")
        picker = page.locator("input[type=date][data-date-for=requested_due]")
        # dates.js showed the phone's picker beside the text field.
        assert picker.is_visible()
        assert picker.get_attribute("name") is None
        picker.fill("2027-02-28")
        assert field.input_value() == "28/02/2027"
        page.screenshot(path=str(shots / "inbox-date-picked-375.png"))
        # Typed as eight digits, the picker follows; the typed text is what is sent.
        field.fill("31012027")
        assert picker.input_value() == "2027-01-31"
        page.fill("#gia-han textarea", "Chờ số liệu của các xã")
        page.screenshot(path=str(shots / "inbox-date-typed-375.png"))
        page.locator("#gia-han button[type=submit]").click()
        page.wait_for_load_state()
        assert "31/01/2027" in page.inner_text("main")
    finally:
        context.close()
