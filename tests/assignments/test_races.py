"""Changes made at the same moment by several people (or a double-click): exactly one wins, the
others are told, and nothing is left half-done. Each test starts real threads, each with its own
database session, released together by a barrier."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.assignments.conftest import DUE, TODAY, World
from tests.helpers import make_notice, make_unit, make_user
from tracker.accounts.models import User
from tracker.assignments import extensions
from tracker.assignments.models import Assignment, ExtensionRequest, ExtensionStatus
from tracker.errors import DomainError
from tracker.notices import drafts
from tracker.notices.models import Conclusion, NoticeStatus, Task, TaskUnit
from tracker.rollups import explanations
from tracker.rollups.models import ExplanationRequest
from tracker.units.models import Unit

Work = Callable[[Session, User, int], object]


def _at_once(engine: Engine, actor_ids: list[int], work: Work) -> list[str]:
    """Run `work` in one thread per actor, all released together; each commits its own
    transaction or rolls it back. Returns "ok" or the refusal's class name, per thread."""
    barrier = threading.Barrier(len(actor_ids))
    outcomes = [""] * len(actor_ids)

    def run(index: int, actor_id: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            actor = session.get(User, actor_id)
            assert actor is not None
            barrier.wait()
            try:
                work(session, actor, index)
                session.commit()
                outcomes[index] = "ok"
            except DomainError as refusal:
                session.rollback()
                outcomes[index] = type(refusal).__name__
            except Exception as error:  # the outcome a person would see as a 500
                session.rollback()
                outcomes[index] = f"crash: {type(error).__name__}: {error}"

    threads = [
        threading.Thread(target=run, args=(index, actor_id))
        for index, actor_id in enumerate(actor_ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


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
    outcomes = _at_once(
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
    outcomes = _at_once(
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
    outcomes = _at_once(
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
    outcomes = _at_once(
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
