"""The assignment's history and the admin's trail read as sentences with names, dates as
dd/mm/yyyy and links, in the reader's language; never internal action names or ids."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.assignments.conftest import TODAY, World, world
from tests.helpers import csrf_token, login_as, make_user
from tracker.accounts.models import User
from tracker.assignments.extensions import decide_extension, request_extension
from tracker.assignments.progress import add_comment, report_progress
from tracker.audit import service as audit

__all__ = ["world"]

RAW = ("assignment.", "extension.", "unit_id", "requested_due", "∅", "_id")


@pytest.fixture
def history(session: Session, world: World, tmp_path) -> World:  # type: ignore[no-untyped-def]
    from tracker.assignments.evidence import EvidenceStore

    world.district_user.full_name = "Nguyễn Văn A"
    world.head.full_name = "Trần Thị B"
    session.add_all([world.district_user, world.head])
    audit.record(
        session,
        actor=world.secretary,
        action="assignment.created",
        entity_type="assignment",
        entity_id=world.assignment.id,
        changes={"unit_id": [None, world.district.id], "due": [None, date(2021, 6, 30)]},
    )
    report_progress(
        session,
        actor=world.district_user,
        assignment_id=world.assignment.id,
        expected_version=world.assignment.version,
        status="in_progress",
        percent=50,
        note="Đã họp triển khai",
        uploads=[],
        store=EvidenceStore(tmp_path / "uploads"),
        today=TODAY,
    )
    request = request_extension(
        session,
        actor=world.district_user,
        assignment_id=world.assignment.id,
        requested_due=date(2021, 7, 31),
        reason="Chờ số liệu",
        today=TODAY,
    )
    decide_extension(session, actor=world.head, request_id=request.id, approve=True, comment="")
    add_comment(
        session, actor=world.district_user, assignment_id=world.assignment.id, body="<b>Rõ</b>"
    )
    session.commit()
    return world


def _sign_in(client: FlaskClient, user: User) -> None:
    login_as(client, user.username)


def test_the_assignment_history_reads_as_sentences(client: FlaskClient, history: World) -> None:
    _sign_in(client, history.district_user)
    page = client.get(f"/nhiem-vu/{history.assignment.id}").get_data(as_text=True)
    section = page[page.index('class="plain history"') :]
    assert "Nguyễn Văn A báo cáo 50 %" in section
    assert "Đã họp triển khai" in section
    assert "Hạn: 30/06/2021 → 31/07/2021 (gia hạn, Trần Thị B đồng ý)" in section
    assert "Nguyễn Văn A xin gia hạn đến 31/07/2021" in section
    assert "Giao cho Ban Dân vận Huyện ủy Sông Lam, hạn 30/06/2021" in section
    assert "góp ý: “&lt;b&gt;Rõ&lt;/b&gt;”" in section  # escaped, never markup
    for raw in RAW:
        assert raw not in section, raw


def test_the_history_in_english(client: FlaskClient, history: World) -> None:
    _sign_in(client, history.district_user)
    page_url = f"/nhiem-vu/{history.assignment.id}"
    client.post("/ngon-ngu", data={"lang": "en", "csrf_token": csrf_token(client, page_url)})
    page = client.get(page_url).get_data(as_text=True)
    section = page[page.index('class="plain history"') :]
    assert "Nguyễn Văn A reported 50 %" in section
    assert "Due: 30/06/2021 → 31/07/2021 (extended, approved by Trần Thị B)" in section
    assert "báo cáo" not in section and "gia hạn" not in section


def test_the_admins_trail_names_people_and_the_assignment(
    client: FlaskClient, session: Session, history: World
) -> None:
    admin = make_user(session, "admin", username="quantri")
    session.commit()
    _sign_in(client, admin)
    page = client.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "Trần Thị B đồng ý đề nghị gia hạn" in page
    # The admin may not open a unit's assignment (design's role table): named, not linked.
    assert f'href="/nhiem-vu/{history.assignment.id}"' not in page
    assert client.get(f"/nhiem-vu/{history.assignment.id}").status_code == 403
    assert "Hệ thống tạo tài khoản quantri (Quản trị)" in page  # created by no one
    table = page[page.index("<table") :]
    for raw in RAW:
        assert raw not in table, raw
