"""In Chromium on a 375 px phone: a unit lead reads which chat channels are on, changes the
password with the current one, and signs in again with the new one."""

from __future__ import annotations

import pytest

from tests.browser.pages import sign_in
from tests.helpers import PASSWORD
from tests.search.conftest import Province, province

__all__ = ["province"]

pytestmark = pytest.mark.browser

NEW_PASSWORD = "mật khẩu mới 2027"


def test_a_unit_lead_changes_the_password_on_a_phone(  # type: ignore[no-untyped-def]
    province: Province, live_server: str, browser, output_dir
) -> None:
    shots = output_dir / "browser"
    shots.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="vi-VN")
    page = context.new_page()
    try:
        sign_in(page, live_server, "mattran")
        page.goto(f"{live_server}/ho-so")
        channels = page.locator("ul.channels").inner_text()
        assert "Telegram: chưa bật" in channels and "Zalo: chưa bật" in channels
        assert page.locator("#link-code").count() == 0
        page.fill("#current_password", "not my password")
        page.fill("#new_password", NEW_PASSWORD)
        page.fill("#confirmation", NEW_PASSWORD)
        page.locator("#mat-khau button[type=submit]").click()
        page.wait_for_load_state()
        assert "Mật khẩu hiện tại không đúng" in page.locator("main").inner_text()
        page.fill("#current_password", PASSWORD)
        page.fill("#new_password", NEW_PASSWORD)
        page.fill("#confirmation", NEW_PASSWORD)
        page.locator("#mat-khau button[type=submit]").click()
        page.wait_for_url(f"{live_server}/ho-so")
        assert "Đã đổi mật khẩu" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.screenshot(path=str(shots / "profile-password-375.png"), full_page=True)
        page.locator("header button", has_text="Đăng xuất").click()
        page.wait_for_load_state()
        page.fill("#username", "mattran")
        page.fill("#password", NEW_PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{live_server}/don-vi")
    finally:
        context.close()
