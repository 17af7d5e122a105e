"""In Chromium on a 375 px phone: a unit lead types a new due date as eight digits, with the
ordinary keyboard (no number pad without "/"), and reads it back as dd/mm/yyyy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.assignments.conftest import World, world
from tests.browser.pages import sign_in

__all__ = ["world"]

pytestmark = pytest.mark.browser


def test_a_date_typed_as_eight_digits_on_a_phone(  # type: ignore[no-untyped-def]
    world: World, live_server: str, browser, output_dir
) -> None:
    shots = output_dir / "browser"
    shots.mkdir(exist_ok=True)
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, locale="vi-VN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        sign_in(page, live_server, "huyen")
        page.goto(f"{live_server}/nhiem-vu/{world.assignment.id}")
        field = page.locator("#requested_due")
        assert field.get_attribute("inputmode") in (None, "text")
        assert field.get_attribute("placeholder") == "dd/mm/yyyy"
        wanted = date.today() + timedelta(days=40)
        field.fill(wanted.strftime("%d%m%Y"))
        page.fill("#gia-han textarea", "Chờ số liệu của các xã")
        page.screenshot(path=str(shots / "date-typed-375.png"), full_page=False)
        page.locator("#gia-han button[type=submit]").click()
        page.wait_for_load_state()
        assert wanted.strftime("%d/%m/%Y") in page.locator("main").inner_text()
        page.get_by_text(wanted.strftime("%d/%m/%Y")).first.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "date-saved-375.png"), full_page=False)
    finally:
        context.close()
