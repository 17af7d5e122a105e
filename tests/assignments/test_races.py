"""Changes made at the same moment by several people (or a double-click): exactly one wins, the
others are told, and nothing is left half-done. Each test starts real threads, each with its own
database session, released together by a barrier."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.assignments.conftest import DUE, TODAY, World
from tests.helpers import at_once, make_notice, make_unit, make_user
from tracker.assignments import extensions
from tracker.assignments.models import Assignment, ExtensionRequest, ExtensionStatus
from tracker.notices import drafts
from tracker.notices.models import Conclusion, NoticeStatus, Task, TaskUnit
from tracker.rollups import explanations
from tracker.rollups.models import ExplanationRequest
from tracker.units.models import Unit


def _requested(session: Session, world: World) -> ExtensionRequest:
    request = extensions.request_extension(
        session,
        actor=world.district_user,
        assignment_id=world.assignment.id,
        requested_due=date(2021, 7, 31),
        reason="Chờ số liệu quý",
        today=TODAY,
    )
    session.commit()
    return request


def test_a_double_click_leaves_one_open_extension_request(
    engine: Engine, session: Session, world: World
) -> None:
    session.commit()
    outcomes = at_once(
        engine,
        [world.district_user.id] * 4,
        lambda s, actor, index: extensions.request_extension(
            s,
            actor=actor,
            assignment_id=world.assignment.id,
            requested_due=date(2021, 7, 31),
            reason=f"Lần bấm {index}",
            today=TODAY,
        ),
    )
    assert sorted(outcomes) == ["InvalidInput"] * 3 + ["ok"]
    pending = session.exec(
        select(ExtensionRequest).where(ExtensionRequest.status == ExtensionStatus.PENDING)
    ).all()
    assert len(pending) == 1


def test_approve_and_refuse_at_once_leave_one_consistent_decision(
    engine: Engine, session: Session, world: World
) -> None:
    request = _requested(session, world)
    outcomes = at_once(
        engine,
        [world.secretary.id, world.head.id],
        lambda s, actor, index: extensions.decide_extension(
            s,
            actor=actor,
            request_id=request.id,
            approve=index == 0,
            comment="" if index == 0 else "Không đủ căn cứ",
        ),
    )
    assert sorted(outcomes) in (["StaleUpdate", "ok"], ["InvalidInput", "ok"])
    session.expire_all()
    decided = session.get(ExtensionRequest, request.id)
    assignment = session.get(Assignment, world.assignment.id)
    assert decided is not None and assignment is not None
    if decided.status == ExtensionStatus.APPROVED:
        assert assignment.due == date(2021, 7, 31)
    else:
        assert decided.status == ExtensionStatus.REFUSED
        assert assignment.due == DUE


def test_two_answers_to_one_explanation_request_do_not_overwrite_each_other(
    engine: Engine, session: Session, world: World
) -> None:
    request = ExplanationRequest(
        assignment_id=world.assignment.id,
        message="Vì sao quá hạn?",
        requested_by_id=world.head.id,
    )
    session.add(request)
    session.commit()
    texts = ["Giải trình của người thứ nhất", "Giải trình của người thứ hai"]
    outcomes = at_once(
        engine,
        [world.district_user.id, world.district_user.id],
        lambda s, actor, index: explanations.answer(
            s, actor=actor, request_id=request.id, text=texts[index]
        ),
    )
    assert sorted(outcomes) in (["StaleUpdate", "ok"], ["InvalidInput", "ok"])
    session.expire_all()
    answered = session.get(ExplanationRequest, request.id)
    assert answered is not None
    assert answered.answer == texts[outcomes.index("ok")]


@pytest.fixture
def draft(session: Session) -> Conclusion:
    """A draft of two tasks, each led by units A and B."""
    secretary = make_user(session, "secretary", username="thuky-draft")
    notice = make_notice(session, published=False, by=secretary)
    for position, code in enumerate(("1.1", "1.2")):
        task = Task(conclusion_id=notice.id, code=code, text="Nhiệm vụ", due=DUE, position=position)
        session.add(task)
        session.flush()
        for unit_code in ("A", "B"):
            unit = session.exec(select(Unit).where(Unit.code == unit_code)).first() or make_unit(
                session, unit_code
            )
            session.add(TaskUnit(task_id=task.id, unit_id=unit.id, role="lead"))
    session.commit()
    return notice


def test_simultaneous_publishes_of_one_draft_publish_it_once(
    engine: Engine, session: Session, draft: Conclusion
) -> None:
    secretaries = [draft.created_by_id] * 6
    outcomes = at_once(
        engine,
        secretaries,
        lambda s, actor, index: drafts.publish(
            s, actor=actor, conclusion_id=draft.id, expected_version=draft.version
        ),
    )
    assert outcomes.count("ok") == 1
    assert all(outcome in {"ok", "StaleUpdate", "InvalidInput"} for outcome in outcomes), outcomes
    session.expire_all()
    published = session.get(Conclusion, draft.id)
    assert published is not None and published.status == NoticeStatus.PUBLISHED
    assignments = session.exec(select(Assignment)).all()
    assert len(assignments) == 4  # two tasks, two lead units each, once
