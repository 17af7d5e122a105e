"""Deciding several extension requests at once with one comment: each request is decided
through decide_extension with its own history; all or nothing when one cannot be decided."""

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from tests.assignments.conftest import DUE, TODAY, World
from tests.helpers import csrf_token, login_as, make_assignment, make_notice
from tracker.assignments.extensions import decide_extension, decide_many, request_extension
from tracker.assignments.models import Assignment, ExtensionRequest
from tracker.audit.models import AuditEvent
from tracker.errors import InvalidInput, PermissionDenied

NEW_DUE = date(2021, 7, 31)


def three_requests(session: Session, world: World) -> list[ExtensionRequest]:
    notice = make_notice(session, by=world.secretary)
    commune_work = make_assignment(session, notice, world.commune, code="2.1", due=DUE)
    other_work = make_assignment(session, notice, world.other, code="2.2", due=DUE)
    made = [
        request_extension(
            session,
            actor=actor,
            assignment_id=assignment.id,
            requested_due=NEW_DUE,
            reason="Chờ kết quả khảo sát",
            today=TODAY,
        )
        for actor, assignment in [
            (world.district_user, world.assignment),
            (world.commune_user, commune_work),
            (world.other_user, other_work),
        ]
    ]
    session.commit()
    return made


def test_one_comment_decides_each_request_with_its_own_history(
    session: Session, world: World
) -> None:
    requests = three_requests(session, world)
    decided = decide_many(
        session,
        actor=world.head,
        request_ids=[request.id for request in requests[:2]],
        approve=False,
        comment="Chưa đủ căn cứ; hoàn thành đúng hạn",
    )
    session.commit()
    assert [request.status for request in decided] == ["refused", "refused"]
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "extension.refused")).all()
    assert len(events) == 2
    assert {event.note for event in events} == {"Chưa đủ căn cứ; hoàn thành đúng hạn"}
    session.refresh(requests[2])
    assert requests[2].status == "pending"  # not ticked, not touched
    decide_many(
        session, actor=world.secretary, request_ids=[requests[2].id], approve=True, comment=""
    )
    session.commit()
    assert session.get(Assignment, requests[2].assignment_id).due == NEW_DUE


def test_refusing_many_needs_the_comment_and_units_cannot(session: Session, world: World) -> None:
    requests = three_requests(session, world)
    ids = [request.id for request in requests]
    with pytest.raises(InvalidInput, match="lý do"):
        decide_many(session, actor=world.head, request_ids=ids, approve=False, comment="")
    with pytest.raises(PermissionDenied):
        decide_many(session, actor=world.district_user, request_ids=ids, approve=True, comment="")
    with pytest.raises(InvalidInput, match="ít nhất một"):
        decide_many(session, actor=world.head, request_ids=[], approve=True, comment="")


def test_one_decided_meanwhile_stops_the_batch_on_the_web_and_nothing_changes(
    client: FlaskClient, session: Session, world: World
) -> None:
    requests = three_requests(session, world)
    login_as(client, "thuky")
    page = client.get("/gia-han").get_data(as_text=True)
    assert page.count('form="quyet-dinh-nhieu"') == 3
    token = csrf_token(client, "/gia-han")
    # Meanwhile the head decides the second request alone.
    decide_extension(session, actor=world.head, request_id=requests[1].id, approve=True, comment="")
    session.commit()
    response = client.post(
        "/gia-han/nhieu",
        data={
            "csrf_token": token,
            "ids": [str(request.id) for request in requests],
            "approve": "1",
            "comment": "Đồng ý",
        },
    )
    assert response.status_code == 302
    shown = client.get("/gia-han").get_data(as_text=True)
    assert "đã được quyết định trước đó" in shown
    for request in (requests[0], requests[2]):
        session.refresh(request)
        assert request.status == "pending"
    assert (
        session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "extension.approved")
        ).one()
        == 1
    )
    response = client.post(
        "/gia-han/nhieu",
        data={
            "csrf_token": csrf_token(client, "/gia-han"),
            "ids": [str(requests[0].id), str(requests[2].id)],
            "approve": "1",
            "comment": "Đồng ý",
        },
    )
    assert response.status_code == 302
    assert "Đã đồng ý 2 đề nghị gia hạn" in client.get("/gia-han").get_data(as_text=True)
    session.expire_all()
    assert {session.get(Assignment, request.assignment_id).due for request in requests} == {NEW_DUE}
