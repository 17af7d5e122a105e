"""The published notice on the web, as a browser without JavaScript sends it: withdrawing it
(a page that says what happens, then the click), bulk re-assigning and moving due dates."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.form_scraper import form_values
from tests.helpers import login_as, make_notice, make_unit, make_user
from tracker.accounts.models import User
from tracker.assignments.evidence import EvidenceStore
from tracker.assignments.models import Assignment
from tracker.assignments.progress import report_progress
from tracker.audit.models import AuditEvent
from tracker.db import utcnow
from tracker.notices import drafts
from tracker.notices.models import Conclusion, NoticeStatus, Task, TaskUnit
from tracker.units.models import Unit

DUE = date(2099, 6, 30)


@pytest.fixture
def notice_id(session: Session) -> int:
    secretary = make_user(session, "secretary", username="thuky")
    units = [make_unit(session, code, name) for code, name in UNITS]
    make_user(session, "unit", unit=units[0], username="mattran")
    notice = make_notice(session, published=False, by=secretary)
    for position in range(4):
        task = Task(
            conclusion_id=notice.id,
            position=position,
            code=f"1.{position + 1}",
            text=f"Nhiệm vụ số {position + 1} <b>in đậm</b>",
            due=DUE,
        )
        session.add(task)
        session.flush()
        session.add(TaskUnit(task_id=task.id, unit_id=units[position % 2].id, role="lead"))
    session.flush()
    drafts.publish(
        session, actor=secretary, conclusion_id=notice.id, expected_version=notice.version
    )
    session.commit()
    return notice.id


UNITS = [("MTTQ", "Ủy ban MTTQ tỉnh"), ("HND", "Hội Nông dân tỉnh"), ("TD", "Tỉnh Đoàn")]


def test_withdraw_says_what_happens_then_opens_the_new_draft(
    client: FlaskClient, session: Session, notice_id: int
) -> None:
    login_as(client, "thuky")
    view = client.get(f"/thong-bao/{notice_id}").get_data(as_text=True)
    assert f'href="/thong-bao/{notice_id}/thu-hoi"' in view
    page = client.get(f"/thong-bao/{notice_id}/thu-hoi").get_data(as_text=True)
    assert "4 lượt giao việc cho 2 đơn vị bị hủy" in page
    assert "bản nháp mới" in page and "không có gì bị xóa" in page
    values = form_values(page.split("<main>")[1])
    response = client.post(f"/thong-bao/{notice_id}/thu-hoi", data=values)
    assert response.status_code == 302
    session.expire_all()
    draft = session.exec(select(Conclusion).where(Conclusion.revises_id == notice_id)).one()
    assert response.headers["Location"].endswith(f"/thong-bao/{draft.id}/soan")
    assert session.get(Conclusion, notice_id).status == NoticeStatus.WITHDRAWN
    view = client.get(f"/thong-bao/{notice_id}").get_data(as_text=True)
    assert "Đã thu hồi" in view and f"/thong-bao/{draft.id}" in view
    assert "Đã thu hồi" in client.get("/thong-bao").get_data(as_text=True)
    editor = client.get(f"/thong-bao/{draft.id}/soan").get_data(as_text=True)
    assert f'href="/thong-bao/{notice_id}"' in editor  # the new draft says where it came from
    # Twice (a double click): told, nothing doubled.
    again = client.post(f"/thong-bao/{notice_id}/thu-hoi", data=values)
    assert again.status_code == 400
    assert "Chỉ thu hồi được thông báo đang ban hành" in again.get_data(as_text=True)


def test_withdraw_refused_after_a_report_says_to_correct_task_by_task(
    client: FlaskClient, session: Session, notice_id: int
) -> None:
    assignment = session.exec(select(Assignment).order_by(Assignment.id)).first()
    report_progress(
        session,
        actor=session.exec(select(User).where(User.username == "mattran")).one(),
        assignment_id=assignment.id,
        expected_version=assignment.version,
        status="in_progress",
        percent=20,
        note="Đang làm",
        uploads=[],
        store=EvidenceStore(Path(client.application.instance_path) / "uploads"),
        today=date.today(),
    )
    session.commit()
    login_as(client, "thuky")
    page = client.get(f"/thong-bao/{notice_id}/thu-hoi").get_data(as_text=True)
    assert "Đã có đơn vị báo cáo trên thông báo này (Ủy ban MTTQ tỉnh)" in page
    assert 'name="confirm"' not in page
    session.expire_all()
    assert session.get(Conclusion, notice_id).status == NoticeStatus.PUBLISHED


def test_withdraw_refused_after_24_hours(
    client: FlaskClient, session: Session, notice_id: int
) -> None:
    notice = session.get(Conclusion, notice_id)
    notice.published_at = utcnow() - timedelta(hours=25)
    session.add(notice)
    session.commit()
    login_as(client, "thuky")
    page = client.get(f"/thong-bao/{notice_id}/thu-hoi").get_data(as_text=True)
    assert "quá 24 giờ" in page and "điều chỉnh từng nhiệm vụ" in page
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "conclusion.withdrawn"))
    assert events.all() == []


def _bulk_values(page: str) -> dict[str, str]:
    form = page.split('id="bulk"')[1].split("</form>")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert token
    return {"csrf_token": token[1]}


def test_bulk_moves_the_ticked_due_dates_with_one_comment(
    client: FlaskClient, session: Session, notice_id: int
) -> None:
    login_as(client, "thuky")
    page = client.get(f"/thong-bao/{notice_id}").get_data(as_text=True)
    boxes = re.findall(r'form="bulk" name="pick" value="(\d+:\d+)"', page)
    assert len(boxes) == 4
    data = _bulk_values(page) | {"action": "shift", "days": "10", "comment": "Lùi theo kết luận"}
    response = client.post(f"/thong-bao/{notice_id}/hang-loat", data={**data, "pick": boxes[:2]})
    assert response.status_code == 302
    session.expire_all()
    dues = [a.due for a in session.exec(select(Assignment).order_by(Assignment.id)).all()]
    assert dues == [DUE + timedelta(days=10)] * 2 + [DUE] * 2
    notes = session.exec(
        select(AuditEvent.note).where(AuditEvent.action == "assignment.due_corrected")
    ).all()
    assert notes == ["Lùi theo kết luận"] * 2
    assert "Đã điều chỉnh 2 nhiệm vụ" in client.get(f"/thong-bao/{notice_id}").get_data(
        as_text=True
    )


def test_bulk_refusal_lists_each_row_keeps_the_ticks_and_changes_nothing(
    client: FlaskClient, session: Session, notice_id: int
) -> None:
    login_as(client, "thuky")
    page = client.get(f"/thong-bao/{notice_id}").get_data(as_text=True)
    boxes = re.findall(r'form="bulk" name="pick" value="(\d+:\d+)"', page)
    mttq = session.exec(select(Unit).where(Unit.code == "MTTQ")).one()
    data = _bulk_values(page) | {"action": "reassign", "unit": str(mttq.id), "comment": "Đổi"}
    response = client.post(f"/thong-bao/{notice_id}/hang-loat", data={**data, "pick": boxes})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    # Tasks 1.1 and 1.3 are MTTQ's already: named, linked; 1.2 and 1.4 were not changed either.
    listed = re.findall(r'<li><a href="#giao-(\d+)">([^<]+)</a>: ([^<]+)</li>', html)
    assert [label for _id, label, _text in listed] == [
        "1.1 · Ủy ban MTTQ tỉnh",
        "1.3 · Ủy ban MTTQ tỉnh",
    ]
    assert all("đã do đơn vị này chủ trì" in text for _id, _label, text in listed)
    for box in boxes:
        assert f'value="{box}" id="chon-{box.split(":")[0]}"' in html
        assert re.search(rf'value="{box}"[^>]*checked', html)
    session.expire_all()
    assert all(a.status == "not_started" for a in session.exec(select(Assignment)).all())
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "task.corrected")).all() == []
