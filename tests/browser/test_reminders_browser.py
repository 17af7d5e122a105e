"""Reminders in Chromium, as people use them: a unit user links and unlinks Telegram from the
profile page; the admin reads the delivery overview, queues a test message and keeps the
working calendar. Screenshots of each step go to the run's output folder (reminders-*.png)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.browser.pages import desk_page, sign_in
from tests.conftest import _empty_tables
from tests.helpers import make_unit, make_user
from tracker import create_app
from tracker.accounts.models import ChatLink, User
from tracker.chat import linking
from tracker.config import TelegramSettings
from tracker.reminders.models import OutboxMessage
from tracker.workdays import CalendarDay

pytestmark = pytest.mark.browser

BOT = "dondoc_test_bot"
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
CODE_SHAPE = re.compile(r"^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$")
BLOCKED = "Forbidden: bot was blocked by the user"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The browser conftest's application, with a Telegram bot configured (token and name),
    so the profile page shows the deep link and test messages may go out on Telegram."""
    application = create_app(
        environment="testing",
        database_url=database_url,
        instance_path=tmp_path / "instance",
        secret_key="test-secret",
        telegram=TelegramSettings(token="123456:TEST-TOKEN", bot_username=BOT),
    )
    yield application
    engine: Engine = application.extensions["tracker.engine"]
    _empty_tables(engine)
    engine.dispose()


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def person(
    session: Session, role: str, username: str, full_name: str, unit_code: str | None = None
) -> User:
    unit = make_unit(session, unit_code, f"Văn phòng {unit_code}") if unit_code else None
    user = make_user(session, role, unit=unit, username=username)
    user.full_name = full_name
    session.add(user)
    session.flush()
    return user


def test_a_unit_user_links_and_unlinks_telegram_from_the_profile(
    app: Flask,
    session: Session,
    live_server: str,
    browser,  # type: ignore[no-untyped-def]
    shots: Path,
) -> None:
    me = person(session, "unit", "huyen", "Nguyễn Thị Hòa", unit_code="HUYEN")
    session.commit()
    context, page = desk_page(browser)
    sign_in(page, live_server, "huyen")
    page.wait_for_url(f"{live_server}/don-vi")

    page.locator("header a.who", has_text="Nguyễn Thị Hòa").click()
    page.wait_for_url(f"{live_server}/ho-so")
    assert page.locator("h1").inner_text() == "Hồ sơ cá nhân"
    assert "Chưa liên kết tài khoản chat nào" in page.locator("main").inner_text()
    page.screenshot(path=str(shots / "reminders-1-profile.png"), full_page=True)

    before = datetime.now(UTC)
    page.get_by_role("button", name="Lấy mã liên kết").click()
    page.wait_for_load_state()
    code = page.locator("#link-code").inner_text().strip()
    assert CODE_SHAPE.match(code), code
    card = page.locator("#lien-ket").inner_text()
    expiry = re.search(r"Mã hết hạn lúc (\d{2}/\d{2}/\d{4} \d{2}:\d{2})\.", card)
    assert expiry, card
    expires = datetime.strptime(expiry.group(1), "%d/%m/%Y %H:%M").replace(tzinfo=LOCAL)
    assert before + timedelta(minutes=14) <= expires <= before + timedelta(minutes=16)
    deep_link = page.get_by_role("link", name="Mở Telegram và liên kết")
    assert deep_link.get_attribute("href") == f"https://t.me/{BOT}?start={code}"
    assert f"@{BOT}" in card and f"/start {code}" in card
    # Once a code is shown, the button offers a new one.
    assert page.get_by_role("button", name="Lấy mã mới").is_visible()
    page.screenshot(path=str(shots / "reminders-2-link-code.png"), full_page=True)

    # The person sends /start CODE to the bot; the bot links the chat through the service.
    linking.link_account(session, code=code, channel="telegram", external_id="555123")
    session.commit()
    page.locator("header a.who").click()
    page.wait_for_url(f"{live_server}/ho-so")
    assert code not in page.content()  # the code is shown once only
    rows = page.locator("main table.list tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert "Telegram" in row and "Đang nhận nhắc việc" in row
    page.screenshot(path=str(shots / "reminders-3-linked.png"), full_page=True)

    page.get_by_role("button", name="Hủy liên kết").click()
    page.wait_for_url(f"{live_server}/ho-so")
    assert (
        "Đã hủy liên kết Telegram: tài khoản đó sẽ không nhận nhắc việc nữa."
        in page.locator("main [role=status]").inner_text()
    )
    row = page.locator("main table.list tbody tr").first.inner_text()
    assert "Đang nhận nhắc việc" not in row
    assert re.search(r"Đã ngừng: Người dùng hủy liên kết \(\d{2}/\d{2}/\d{4} \d{2}:\d{2}\)", row)
    assert page.get_by_role("button", name="Hủy liên kết").count() == 0
    page.screenshot(path=str(shots / "reminders-4-unlinked.png"), full_page=True)
    session.expire_all()
    link = session.exec(select(ChatLink).where(ChatLink.user_id == me.id)).one()
    assert (link.external_id, link.is_active) == ("555123", False)
    session.rollback()
    context.close()


def _tile(page, label: str) -> str:  # type: ignore[no-untyped-def]
    tile = page.locator(
        "a.tile", has=page.locator(".tile-label", has_text=re.compile(f"^{re.escape(label)}$"))
    )
    return tile.locator(".tile-count").inner_text()


def test_the_admin_reads_deliveries_and_sends_a_test_message(
    app: Flask,
    session: Session,
    live_server: str,
    browser,  # type: ignore[no-untyped-def]
    shots: Path,
) -> None:
    person(session, "admin", "quantri", "Trần Quản Trị")
    linked = person(session, "unit", "vanphong", "Lê Văn Phòng", unit_code="VP")
    blocked = person(session, "unit", "tuphap", "Hoàng Minh Chặn", unit_code="TP")
    unlinked = person(session, "unit", "noivu", "Phạm Chưa Nối", unit_code="NV")
    session.add(ChatLink(user_id=linked.id, channel="telegram", external_id="777001"))
    session.commit()
    context, page = desk_page(browser)
    sign_in(page, live_server, "quantri")
    page.wait_for_url(f"{live_server}/quan-tri/tai-khoan")

    page.locator("nav.mainnav a", has_text="Nhắc việc").click()
    page.wait_for_url(f"{live_server}/quan-tri/nhac-viec")
    assert page.locator("h1").inner_text() == "Nhắc việc: tin đã gửi"
    today = datetime.now(LOCAL).date()
    assert page.locator("#today-title").inner_text() == f"Hôm nay, {today:%d/%m/%Y}"
    for label in ("Chờ gửi", "Đang gửi", "Đã gửi", "Chưa rõ đã đến (hết thời gian chờ)"):
        assert _tile(page, label) == "0"
    main = page.locator("main").inner_text()
    assert "Không có tin nào thất bại." in main
    assert "Mọi liên kết chat đều đang hoạt động." in main
    assert "Không có tin nhắn nào phù hợp." in main
    page.screenshot(path=str(shots / "reminders-5-messages-empty.png"), full_page=True)

    # This morning's digests: one delivered, one refused because the person blocked the bot,
    # which also retired that person's Telegram link.
    now = datetime.now(UTC).replace(microsecond=0)
    dead = ChatLink(
        user_id=blocked.id,
        channel="telegram",
        external_id="888002",
        is_active=False,
        inactive_reason=BLOCKED,
        inactive_at=now - timedelta(minutes=5),
    )
    session.add(dead)
    session.flush()
    for user, chat, link_id, status, error in (
        (linked, "777001", None, "sent", None),
        (blocked, "888002", dead.id, "failed", BLOCKED),
    ):
        session.add(
            OutboxMessage(
                user_id=user.id,
                channel="telegram",
                day=today,
                covers=f"digest-{status}",
                address=chat,
                chat_link_id=link_id,
                body="Nhắc việc hằng ngày",
                status=status,
                attempts=1,
                last_error=error,
                created_at=now - timedelta(minutes=10),
                sent_at=now - timedelta(minutes=9) if status == "sent" else None,
            )
        )
    session.commit()
    page.reload()
    assert _tile(page, "Đã gửi") == "1" and _tile(page, "Thất bại") == "1"
    assert (
        "Mọi ngày: 0 chờ gửi, 0 đang gửi, 0 chưa rõ đã đến, 1 thất bại."
        in page.locator("main").inner_text()
    )
    problems = page.locator("section[aria-labelledby=problems-title] tbody tr")
    assert problems.count() == 1
    problem = problems.first.inner_text()
    assert "Hoàng Minh Chặn" in problem and "Thất bại" in problem and BLOCKED in problem
    dead_links = page.locator("section[aria-labelledby=links-title] tbody tr")
    assert dead_links.count() == 1
    dead_row = dead_links.first.inner_text()
    assert "Hoàng Minh Chặn (tuphap)" in dead_row and "Telegram" in dead_row
    assert BLOCKED in dead_row
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", dead_row)
    everything = page.locator("section[aria-labelledby=all-title] tbody tr")
    assert everything.count() == 2
    page.screenshot(path=str(shots / "reminders-6-messages-sent-failed.png"), full_page=True)

    # The recipient list says who can be reached on what.
    options = page.locator("#test-user option").all_inner_texts()
    assert "Lê Văn Phòng (vanphong) — Telegram" in options
    assert "Phạm Chưa Nối (noivu) — chưa có kênh nào" in options
    assert "Hoàng Minh Chặn (tuphap) — chưa có kênh nào" in options
    page.select_option("#test-user", label="Lê Văn Phòng (vanphong) — Telegram")
    page.select_option("#test-channel", label="Telegram")
    page.get_by_role("button", name="Gửi tin nhắn thử").click()
    page.wait_for_url(f"{live_server}/quan-tri/nhac-viec")
    flash = page.locator("main [role=status]").inner_text()
    assert re.search(r"Đã đưa tin thử \(số \d+\) qua Telegram vào hàng đợi\.", flash), flash
    assert everything.count() == 3
    newest = everything.first.inner_text()
    assert "Lê Văn Phòng" in newest and "(777001)" in newest
    assert "Tin thử" in newest and "Chờ gửi" in newest
    assert _tile(page, "Chờ gửi") == "1"
    page.screenshot(path=str(shots / "reminders-7-test-queued.png"), full_page=True)

    page.select_option("#test-user", label="Phạm Chưa Nối (noivu) — chưa có kênh nào")
    page.get_by_role("button", name="Gửi tin nhắn thử").click()
    page.wait_for_load_state()
    alert = page.locator("main [role=alert]").inner_text()
    assert alert.startswith("Phạm Chưa Nối chưa liên kết Telegram (hoặc liên kết đã ngừng).")
    assert "mở trang Hồ sơ" in alert and "/start" in alert
    # The form keeps the choice, so the admin sees whom the advice is about.
    assert page.locator("#test-user option:checked").inner_text().startswith("Phạm Chưa Nối")
    assert everything.count() == 3
    page.screenshot(path=str(shots / "reminders-8-test-no-link.png"), full_page=True)

    session.expire_all()
    tests = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "test")).all()
    assert [(m.user_id, m.status, m.address) for m in tests] == [(linked.id, "pending", "777001")]
    assert not session.exec(select(OutboxMessage).where(OutboxMessage.user_id == unlinked.id)).all()
    session.rollback()
    context.close()


def test_the_admin_keeps_the_working_calendar(
    app: Flask,
    session: Session,
    live_server: str,
    browser,  # type: ignore[no-untyped-def]
    shots: Path,
) -> None:
    person(session, "admin", "quantri", "Trần Quản Trị")
    session.commit()
    context, page = desk_page(browser)
    sign_in(page, live_server, "quantri")
    page.wait_for_url(f"{live_server}/quan-tri/tai-khoan")

    page.locator("nav.mainnav a", has_text="Lịch làm việc").click()
    page.wait_for_url(f"{live_server}/quan-tri/lich-lam-viec")
    this_year = datetime.now(LOCAL).year
    assert page.locator("h1").inner_text() == f"Lịch làm việc năm {this_year}"

    # A Saturday worked in January to make a bridge day off after Tết.
    page.fill("#day", "16/01/2027")
    page.select_option("#kind", label="Ngày làm bù (đi làm vào ngày nghỉ)")
    page.fill("#note", "Làm bù cho ngày nghỉ 12/02/2027")
    page.get_by_role("button", name="Thêm vào lịch").click()
    page.wait_for_url(f"{live_server}/quan-tri/lich-lam-viec?nam=2027")
    assert page.locator("h1").inner_text() == "Lịch làm việc năm 2027"
    assert "Đã thêm ngày làm bù 16/01/2027." in page.locator("main [role=status]").inner_text()

    page.fill("#day", "12/02/2027")
    page.select_option("#kind", label="Ngày nghỉ thêm")
    page.fill("#note", "Nghỉ bù sau Tết, đã làm bù thứ Bảy 16/01/2027")
    page.get_by_role("button", name="Thêm vào lịch").click()
    page.wait_for_url(f"{live_server}/quan-tri/lich-lam-viec?nam=2027")
    assert "Đã thêm ngày nghỉ 12/02/2027." in page.locator("main [role=status]").inner_text()

    exceptions = page.locator("section[aria-labelledby=exceptions-title] tbody tr")
    assert exceptions.all_inner_texts() == [
        "16/01/2027\tThứ Bảy\tNgày làm bù\tLàm bù cho ngày nghỉ 12/02/2027\tXóa",
        "12/02/2027\tThứ Sáu\tNgày nghỉ thêm\tNghỉ bù sau Tết, đã làm bù thứ Bảy 16/01/2027\tXóa",
    ]
    holidays = page.locator("section[aria-labelledby=holidays-title] tbody tr").all_inner_texts()
    for expected in (
        "04/02/2027\tThứ Năm\t29 Tết\tNghỉ",
        "05/02/2027\tThứ Sáu\tGiao thừa Tết Nguyên Đán\tNghỉ",
        "06/02/2027\tThứ Bảy\tTết Nguyên Đán\tNghỉ",
        "07/02/2027\tChủ nhật\tMùng hai Tết Nguyên Đán\tNghỉ",
        "10/02/2027\tThứ Tư\tMùng năm Tết Nguyên Đán\tNghỉ",
    ):
        assert expected in holidays, holidays
    page.screenshot(path=str(shots / "reminders-9-calendar-2027.png"), full_page=True)

    page.fill("#day", "31/02/2027")
    page.select_option("#kind", label="Ngày nghỉ thêm")
    page.fill("#note", "")
    page.get_by_role("button", name="Thêm vào lịch").click()
    page.wait_for_load_state()
    error = page.locator("main .field-error").inner_text()
    assert error == (
        "Ngày '31/02/2027' không có thật hoặc sai dạng. Nhập ngày/tháng/năm, "
        f"ví dụ 30/06/{date.today().year}."
    )
    assert page.locator("#day").input_value() == "31/02/2027"
    assert exceptions.count() == 2
    page.screenshot(path=str(shots / "reminders-10-calendar-bad-date.png"), full_page=True)

    session.expire_all()
    assert [
        (row.day, row.is_working)
        for row in session.exec(select(CalendarDay).order_by(CalendarDay.day)).all()
    ] == [
        (date(2027, 1, 16), True),
        (date(2027, 2, 12), False),
    ]
    session.rollback()
    context.close()
