"""What the browser tests do on every page: open a desktop window, sign in."""

from __future__ import annotations

from typing import Any

from tests.helpers import PASSWORD


def sign_in(page: Any, base: str, username: str) -> None:
    """Sign in through the login form, as a person types it."""
    page.goto(f"{base}/dang-nhap")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def desk_page(browser: Any) -> tuple[Any, Any]:
    """A new office-screen window (1280×900, Vietnamese) and its page; close the context after."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    return context, context.new_page()
