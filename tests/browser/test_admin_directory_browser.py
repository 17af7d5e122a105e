"""In Chromium at 1280 px and on a 375 px phone: the admin adds a unit under its parent, is told
in words why a second unit with a shared name is refused, makes a group by typing members'
names without diacritics, deletes a group made by mistake, then finds those changes in the
audit trail by person, action and day. Screenshots under test-output/browser/."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from tests.browser.pages import sign_in
from tests.helpers import make_unit, make_user
from tracker.i18n import format_date, local_today
from tracker.units.models import Unit, UnitGroup

pytestmark = pytest.mark.browser


def _fits(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 375])
def test_the_admin_adds_a_unit_and_a_group_then_filters_the_trail(  # type: ignore[no-untyped-def]
    width: int, session: Session, live_server: str, browser, output_dir, app
) -> None:
    make_user(session, "admin", username="quantri").full_name = "Lê Văn Quản"
    top = make_unit(session, "TU", "Tỉnh ủy")
    make_unit(session, "HND", "Hội Nông dân tỉnh")
    make_unit(session, "MTTQ", "Ủy ban Mặt trận Tổ quốc tỉnh")
    session.commit()
    shots = output_dir / "browser"
    shots.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    try:
        sign_in(page, live_server, "quantri")
        page.goto(f"{live_server}/quan-tri/don-vi")
        page.get_by_role("link", name="+ Thêm đơn vị").click()
        page.fill("#code", "BTG")
        page.fill("#name", "Ban Tuyên giáo Tỉnh ủy")
        page.select_option("#parent", label="Tỉnh ủy (TU)")
        page.fill("#aliases", "Ban Tuyên giáo tỉnh\nBTGTU")
        page.screenshot(path=str(shots / f"admin-unit-form-{width}.png"), full_page=True)
        page.get_by_role("button", name="Lưu").click()
        page.wait_for_url(f"{live_server}/quan-tri/don-vi#don-vi-*")
        listing = page.locator("main").inner_text()
        assert "Đã lưu đơn vị Ban Tuyên giáo Tỉnh ủy." in listing
        assert "Ban Tuyên giáo tỉnh; BTGTU" in listing
        _fits(page, width)
        page.screenshot(path=str(shots / f"admin-units-{width}.png"), full_page=True)

        # A second unit whose alias is the first one's name, typed differently: refused.
        page.goto(f"{live_server}/quan-tri/don-vi/moi")
        page.fill("#code", "BTT")
        page.fill("#name", "Ban Tuyên truyền")
        page.fill("#aliases", "ban tuyên giáo tỉnh ủy")
        page.get_by_role("button", name="Lưu").click()
        page.wait_for_load_state()
        alert = page.get_by_role("alert").inner_text()
        assert "trùng với tên 'Ban Tuyên giáo Tỉnh ủy' của đơn vị 'BTG'" in alert
        assert "chưa có gì thay đổi" in alert
        assert page.input_value("#aliases") == "ban tuyên giáo tỉnh ủy"  # what was typed stays
        _fits(page, width)
        page.screenshot(path=str(shots / f"admin-unit-refused-{width}.png"), full_page=True)

        page.goto(f"{live_server}/quan-tri/nhom-don-vi/moi")
        page.fill("#code", "CTXH")
        page.fill("#name", "các tổ chức chính trị - xã hội")
        search = page.locator("input.picker-input")
        for typed in ("nong dan", "mat tran"):
            search.fill(typed)
            search.press("Enter")
        chips = page.locator(".picker .chips").inner_text()
        assert "Hội Nông dân tỉnh" in chips and "Ủy ban Mặt trận Tổ quốc tỉnh" in chips
        page.screenshot(path=str(shots / f"admin-group-form-{width}.png"), full_page=True)
        page.get_by_role("button", name="Lưu").click()
        page.wait_for_url(f"{live_server}/quan-tri/don-vi#nhom-*")

        # A second group made by mistake is deleted: first without ticking the box (told what
        # to do), then confirmed; its units stay.
        page.goto(f"{live_server}/quan-tri/nhom-don-vi/moi")
        page.fill("#code", "NHAP")
        page.fill("#name", "nhóm nhập nhầm")
        search.fill("nong dan")
        search.press("Enter")
        page.get_by_role("button", name="Lưu").click()
        page.wait_for_url(f"{live_server}/quan-tri/don-vi#nhom-*")
        page.get_by_role("link", name="NHAP").click()
        page.get_by_role("button", name="Xóa nhóm NHAP").click()
        page.wait_for_load_state()
        alert = page.locator("#xoa-nhom [role=alert]").inner_text()
        assert "Đánh dấu ô xác nhận" in alert
        page.get_by_label("Tôi muốn xóa nhóm này").check()
        _fits(page, width)
        page.screenshot(path=str(shots / f"admin-group-delete-{width}.png"), full_page=True)
        page.get_by_role("button", name="Xóa nhóm NHAP").click()
        page.wait_for_url(f"{live_server}/quan-tri/don-vi#nhom-don-vi")
        listing = page.locator("main").inner_text()
        assert "Đã xóa nhóm nhóm nhập nhầm. Các đơn vị trong nhóm vẫn giữ nguyên." in listing
        assert "NHAP" not in listing and "CTXH" in listing

        with app.app_context():
            today = format_date(local_today())
        page.goto(f"{live_server}/quan-tri/nhat-ky")
        page.select_option("#person", label="Lê Văn Quản (quantri)")
        page.select_option("#action", label="Thêm đơn vị")
        page.fill("#since", today.replace("/", ""))  # typed on a phone: ddmmyyyy
        page.fill("#until", today)
        page.get_by_role("button", name="Lọc").click()
        page.wait_for_load_state()
        assert "action=unit.created" in page.url and "person=" in page.url
        assert page.input_value("#since") == today  # shown back the usual way
        rows = page.locator("table.list tbody").inner_text()
        assert "Lê Văn Quản thêm đơn vị Ban Tuyên giáo Tỉnh ủy" in rows
        assert "nhóm" not in rows
        page.get_by_role("link", name="Ban Tuyên giáo Tỉnh ủy").first.click()
        page.wait_for_load_state()
        assert page.input_value("#code") == "BTG"
        page.go_back()
        page.wait_for_load_state()
        _fits(page, width)
        page.screenshot(path=str(shots / f"admin-audit-filtered-{width}.png"), full_page=True)
    finally:
        context.close()
    session.expire_all()
    assert session.exec(select(Unit).where(Unit.code == "BTG")).one().parent_id == top.id
    assert session.exec(select(Unit).where(Unit.code == "BTT")).first() is None
    assert session.exec(select(UnitGroup).where(UnitGroup.code == "CTXH")).one()
    assert session.exec(select(UnitGroup).where(UnitGroup.code == "NHAP")).first() is None
    assert session.exec(select(Unit).where(Unit.code == "HND")).one()
