"""In Chromium: a unit lead types words without diacritics in the header's box and finds the
task, at 1280 px and on a 375 px phone; screenshots are kept under test-output/browser."""

from __future__ import annotations

import pytest

from tests.browser.pages import sign_in
from tests.search.conftest import Province, province

__all__ = ["province"]

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (375, 800)], ids=["desk", "phone"])
def test_a_unit_lead_finds_a_task_by_typing_without_diacritics(  # type: ignore[no-untyped-def]
    province: Province, live_server: str, browser, output_dir, width: int, height: int
) -> None:
    shots = output_dir / "browser"
    shots.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    try:
        sign_in(page, live_server, "mattran")
        box = page.locator("header form[role=search] input[type=search]")
        assert box.is_visible()
        box.fill("quy che dan chu")
        box.press("Enter")
        page.wait_for_url("**/tim-kiem?q=quy+che+dan+chu")
        hits = page.locator("ol.hits li.hit")
        assert hits.count() == 2  # the notice and the unit's own task; not the other unit's
        assert "<mark>" in hits.first.inner_html() or "<mark>" in hits.last.inner_html()
        text = page.locator("main").inner_text()
        assert "Tổng kết mô hình" not in text
        # Nothing wider than the screen: no sideways scrolling on the phone.
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width
        page.screenshot(path=str(shots / f"search-{width}.png"), full_page=True)
        page.locator("ol.hits a.hit-title", has_text="1").first.click()
        page.wait_for_url(f"**/nhiem-vu/{province.mine.id}")
        assert "Đôn đốc các xã" in page.locator("main").inner_text()
    finally:
        context.close()
