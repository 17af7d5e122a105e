"""In a real browser: each demo login reaches its home page; the pages fit a 375 px phone."""

import pytest
from sqlmodel import Session

from tracker.demo import DEMO_PASSWORD, load_demo
from tracker.i18n import local_today

pytestmark = pytest.mark.browser

HOMES = [
    ("quantri", "/quan-tri/tai-khoan", "Tài khoản"),
    ("lanhdao", "/tong-hop", "Tổng hợp tình hình thực hiện"),
    ("thuky", "/thong-bao", "Thông báo kết luận"),
    ("mattran", "/don-vi", "Nhiệm vụ của đơn vị"),
]


def test_demo_logins_in_chromium(
    app,
    session: Session,
    live_server: str,
    browser,  # type: ignore[no-untyped-def]
    output_dir,
) -> None:
    with app.app_context():
        load_demo(
            session,
            today=local_today(),
            source_dir=app.extensions["tracker.settings"].instance_path / "notices",
        )
    session.commit()
    shots = output_dir / "browser"
    shots.mkdir(exist_ok=True)
    for username, home, heading in HOMES:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{live_server}/dang-nhap")
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{live_server}{home}")
        assert page.locator("h1").inner_text() == heading
        page.screenshot(path=str(shots / f"home-{username}.png"), full_page=True)
        context.close()


def test_wrong_password_message_in_chromium(app, live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(f"{live_server}/dang-nhap")
    page.fill("#username", "khongco")
    page.fill("#password", "sai-mat-khau")
    page.click("main form button[type=submit]")
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.locator("[role=alert]").inner_text()
    page.close()


def test_unit_home_fits_a_phone(
    app,
    session: Session,
    live_server: str,
    browser,  # type: ignore[no-untyped-def]
    output_dir,
) -> None:
    with app.app_context():
        load_demo(
            session,
            today=local_today(),
            source_dir=app.extensions["tracker.settings"].instance_path / "notices",
        )
    session.commit()
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server}/dang-nhap")
    page.fill("#username", "mattran")
    page.fill("#password", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server}/don-vi")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(output_dir / "browser" / "unit-home-375px.png"), full_page=True)
    context.close()
