"""Extension requests: asking, approving (due moves, old due kept), refusing, telling the unit."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from tests.assignments.conftest import DUE, TODAY, World
from tracker.assignments.extensions import (
    decide_extension,
    list_pending,
    request_extension,
)
from tracker.audit.models import AuditEvent
from tracker.errors import InvalidInput, PermissionDenied
from tracker.reminders.models import OutboxMessage

NEW_DUE = date(2021, 7, 31)


def ask(session: Session, world: World, **overrides):  # type: ignore[no-untyped-def]
    arguments = {
        "actor": world.district_user,
        "assignment_id": world.assignment.id,
        "requested_due": NEW_DUE,
        "reason": "Chờ kết quả khảo sát",
        "today": TODAY,
    }
    return request_extension(session, **(arguments | overrides))


def test_approval_moves_the_due_date_and_keeps_the_old_one(session: Session, world: World) -> None:
    request = ask(session, world)
    assert [row.request.id for row in list_pending(session, actor=world.secretary)] == [request.id]
    decide_extension(session, actor=world.head, request_id=request.id, approve=True, comment="")
    session.commit()
    session.refresh(world.assignment)
    assert world.assignment.due == NEW_DUE
    moved = session.exec(
        select(AuditEvent).where(AuditEvent.action == "assignment.due_extended")
    ).one()
    assert moved.changes == {"due": [DUE.isoformat(), NEW_DUE.isoformat()]}
    assert moved.actor_id == world.head.id
    told = session.exec(
        select(OutboxMessage).where(OutboxMessage.channel == "web", OutboxMessage.kind == "event")
    ).all()
    # The secretary heard of the request, the unit of the decision.
    assert {(row.user_id, row.items[0]["topic"]) for row in told} == {
        (world.secretary.id, "extension_requested"),
        (world.district_user.id, "extension_decided"),
    }


def test_refusal_needs_a_reason_and_leaves_the_due(session: Session, world: World) -> None:
    request = ask(session, world)
    with pytest.raises(InvalidInput, match="lý do"):
        decide_extension(
            session, actor=world.secretary, request_id=request.id, approve=False, comment=" "
        )
    decide_extension(
        session,
        actor=world.secretary,
        request_id=request.id,
        approve=False,
        comment="Cần hoàn thành đúng hạn theo chỉ đạo",
    )
    session.refresh(world.assignment)
    assert world.assignment.due == DUE
    with pytest.raises(InvalidInput, match="đã được quyết định"):
        decide_extension(session, actor=world.head, request_id=request.id, approve=True, comment="")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"requested_due": DUE}, "sau hạn hiện tại"),
        ({"requested_due": date(2021, 5, 1)}, "sau hạn hiện tại"),
        ({"reason": "  "}, "lý do"),
    ],
)
def test_bad_requests_are_refused(
    session: Session, world: World, overrides: dict, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        ask(session, world, **overrides)


def test_one_open_request_at_a_time(session: Session, world: World) -> None:
    ask(session, world)
    with pytest.raises(InvalidInput, match="đang chờ"):
        ask(session, world, requested_due=NEW_DUE + timedelta(days=5))


def test_who_may_ask_and_who_may_decide(session: Session, world: World) -> None:
    with pytest.raises(PermissionDenied):
        ask(session, world, actor=world.other_user)
    request = ask(session, world)
    for outsider in (world.district_user, world.other_user):
        with pytest.raises(PermissionDenied):
            decide_extension(
                session, actor=outsider, request_id=request.id, approve=True, comment=""
            )
