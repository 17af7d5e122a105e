"""In Chromium: the dashboard renders its charts under our CSP, figures lead to their lists,
and the page fits a 375 px phone."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD
from tests.rollups.conftest import World, world

# The known province of tests/rollups (the browser fixtures live in this folder's conftest).
__all__ = ["world"]

pytestmark = pytest.mark.browser


def _sign_in(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/dang-nhap")
    page.fill("#username", "lanhdao")
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server}/tong-hop")


def test_dashboard_in_chromium(world: World, live_server: str, browser, output_dir) -> None:  # type: ignore[no-untyped-def]
    shots = output_dir / "browser"
    shots.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    _sign_in(page, live_server)
    page.goto(f"{live_server}/tong-hop?ngay=2021-07-01")
    assert page.locator("h1").inner_text() == "Tổng hợp tình hình thực hiện"
    overdue = page.locator("a.tile.badge-overdue")
    # b4, completed on 05/07, was still overdue at the end of 01/07 (figures as of a date).
    assert overdue.locator(".tile-count").inner_text() == "5"
    for chart in ("#chart-unit-status", "#chart-trend"):
        box = page.locator(chart).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
    # pygal's stylesheet, served from our origin, coloured the bars: the first series is green.
    fill = page.locator("#chart-trend .series.serie-0 rect").first.evaluate(
        "node => getComputedStyle(node).fill"
    )
    assert fill == "rgb(30, 123, 52)"
    page.screenshot(path=str(shots / "dashboard-head.png"), full_page=True)

    overdue.click()
    page.wait_for_url("**/tong-hop/danh-sach**")
    assert page.locator("table.list tbody tr").count() == 5
    page.go_back()
    # The latest quarter's overdue bar (series 4) lists that quarter's overdue work.
    page.locator("#chart-trend .serie-4 rect >> visible=true").last.click()
    page.wait_for_url("**/tong-hop/danh-sach**")
    assert "loai=overdue" in page.url and "ky=2021-Q2" in page.url
    assert page.locator("table.list tbody tr").count() == 4
    assert refused == []
    context.close()


def test_dashboard_fits_a_phone(world: World, live_server: str, browser, output_dir) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    _sign_in(page, live_server)
    page.goto(f"{live_server}/tong-hop?ngay=2021-07-01&dv={world.units['TINH'].id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(output_dir / "browser" / "dashboard-head-375px.png"), full_page=True)
    context.close()
