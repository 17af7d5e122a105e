"""In Chromium, at 1280 px and on a 375 px phone: a unit lead sorts the list, filters the
overdue work from the count at the top, and exports it as CSV (the download is read back).
Screenshots are kept under test-output/browser."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.browser.pages import sign_in
from tests.lists.conftest import World, world

__all__ = ["world"]

pytestmark = pytest.mark.browser


def _row_ids(page) -> list[int]:  # type: ignore[no-untyped-def]
    return [
        int(value)
        for value in page.locator("table.list tbody tr").evaluate_all(
            "rows => rows.map(row => row.dataset.id)"
        )
    ]


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (375, 800)], ids=["desk", "phone"])
def test_a_unit_lead_sorts_filters_overdue_and_exports_csv(  # type: ignore[no-untyped-def]
    world: World, live_server: str, browser, output_dir, width: int, height: int
) -> None:
    shots = output_dir / "browser"
    shots.mkdir(exist_ok=True)
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="vi-VN", accept_downloads=True
    )
    page = context.new_page()
    try:
        sign_in(page, live_server, "beta")
        page.goto(f"{live_server}/don-vi")
        # Open work only, soonest due first; the task without a due date last.
        work = world.work
        assert _row_ids(page) == [work[n].id for n in ("a1", "a2", "a3", "a6")]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(shots / f"lists-unit-{width}.png"), full_page=True)

        # Sort by progress, highest first.
        if width >= 1000:
            page.locator("th a.sort", has_text="Tiến độ").click()
            page.wait_for_url("**sap=tien-do**")
            assert page.locator("th[aria-sort=descending]").inner_text().startswith("Tiến độ")
        else:
            # On a phone the headings are cards' labels: the filter form sorts.
            page.locator("summary", has_text="Lọc và sắp xếp").click()
            page.select_option("#f-sap", "tien-do")
            page.select_option("#f-chieu", "giam")
            page.locator(".list-filters button[type=submit]").click()
            page.wait_for_url("**sap=tien-do**")
        assert _row_ids(page) == [work[n].id for n in ("a3", "a1", "a2", "a6")]
        page.screenshot(path=str(shots / f"lists-sorted-{width}.png"), full_page=True)

        # The "overdue" count at the top lists exactly the overdue work.
        tally = page.locator("a.tally-qua-han")
        assert tally.locator(".tally-count").inner_text() == "1"
        tally.click()
        page.wait_for_url("**han=qua-han**")
        assert _row_ids(page) == [work["a1"].id]
        assert page.locator("#f-han").input_value() == "qua-han"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(shots / f"lists-overdue-{width}.png"), full_page=True)

        with page.expect_download() as info:
            page.locator("a", has_text="Xuất CSV").click()
        download = info.value
        assert download.suggested_filename.endswith(".csv")
        data = Path(download.path()).read_bytes()
        assert data.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert [int(row[0]) for row in rows[1:]] == [work["a1"].id]
        assert rows[1][4] == "Ban Beta"
    finally:
        context.close()


def test_the_secretary_sorts_every_assignment_and_the_notices(  # type: ignore[no-untyped-def]
    world: World, live_server: str, browser, output_dir
) -> None:
    shots = output_dir / "browser"
    shots.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    try:
        sign_in(page, live_server, "thuky")
        page.goto(f"{live_server}/nhiem-vu")
        page.locator("th a.sort", has_text="Đơn vị").click()
        page.wait_for_url("**sap=don-vi**")
        units = page.locator("table.list tbody td[data-label='Đơn vị']").all_inner_texts()
        assert units == sorted(units) and "Ban Gamma" in units
        page.screenshot(path=str(shots / "lists-secretary-assignments.png"), full_page=True)
        page.goto(f"{live_server}/thong-bao")
        page.locator("th a.sort", has_text="Quá hạn").click()
        page.wait_for_url("**sap=qua-han**")
        assert page.locator("th[aria-sort=descending]").inner_text().startswith("Quá hạn")
        assert page.locator("table.list tbody tr").first.get_attribute("data-id") == str(
            world.notices["n1"].id
        )
        page.screenshot(path=str(shots / "lists-secretary-notices.png"), full_page=True)
    finally:
        context.close()
