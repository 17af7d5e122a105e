"""Bulk work on a published notice: re-assign or move the due dates of several assignments
with one comment; a history row for each change; all or nothing, each refused row named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.helpers import at_once, make_notice, make_unit, make_user
from tracker.accounts.models import User
from tracker.assignments.evidence import EvidenceStore
from tracker.assignments.models import Assignment, AssignmentStatus
from tracker.assignments.progress import report_progress
from tracker.audit.models import AuditEvent
from tracker.errors import InvalidInput, PermissionDenied
from tracker.notices import drafts
from tracker.notices.bulk import BulkAction, BulkRefused, BulkRequest, apply_bulk
from tracker.notices.models import Conclusion, Task, TaskUnit
from tracker.units.models import Unit

TODAY = date(2026, 12, 5)
DUE = date(2027, 3, 31)


@dataclass
class World:
    notice: Conclusion
    secretary: User
    units: list[Unit]


@pytest.fixture
def world(session: Session) -> World:
    secretary = make_user(session, "secretary", username="thuky")
    units = [make_unit(session, code) for code in ("A", "B", "C")]
    notice = make_notice(session, published=False, by=secretary)
    for position in range(4):
        task = Task(
            conclusion_id=notice.id,
            position=position,
            code=f"1.{position + 1}",
            text="Việc",
            due=DUE,
        )
        session.add(task)
        session.flush()
        session.add(TaskUnit(task_id=task.id, unit_id=units[position % 2].id, role="lead"))
    session.flush()
    drafts.publish(session, actor=secretary, conclusion_id=notice.id, expected_version=1)
    session.commit()
    return World(notice, secretary, units)


def assignments(session: Session) -> list[Assignment]:
    session.expire_all()
    return list(session.exec(select(Assignment).order_by(Assignment.id)).all())


def picks(chosen: list[Assignment]) -> list[tuple[int, int]]:
    return [(item.id, item.version) for item in chosen]


def run(session: Session, world: World, **request) -> int:  # type: ignore[no-untyped-def]
    request.setdefault("comment", "Theo ý kiến lãnh đạo ngày 05/12")
    done = apply_bulk(
        session,
        actor=world.secretary,
        conclusion_id=world.notice.id,
        request=BulkRequest(**request),
        today=TODAY,
    )
    session.commit()
    return done


def history(session: Session, assignment: Assignment, action: str) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_id == assignment.id,
                AuditEvent.entity_type == "assignment",
                AuditEvent.action == action,
            )
        ).all()
    )


def test_shift_by_days_and_to_a_date_each_with_history_and_the_comment(
    session: Session, world: World
) -> None:
    first, second, third, _fourth = assignments(session)
    assert (
        run(session, world, action=BulkAction.SHIFT_DAYS, picks=picks([first, second]), days=30)
        == 2
    )
    first, second, third, _fourth = assignments(session)
    assert first.due == second.due == date(2027, 4, 30) and third.due == DUE
    event = history(session, first, "assignment.due_corrected")[0]
    assert event.note == "Theo ý kiến lãnh đạo ngày 05/12"
    run(session, world, action=BulkAction.SET_DUE, picks=picks([third]), new_due=date(2027, 1, 15))
    assert assignments(session)[2].due == date(2027, 1, 15)


def test_reassign_cancels_the_old_lead_and_gives_the_new_one_the_task(
    session: Session, world: World
) -> None:
    first, second, *_ = assignments(session)
    run(
        session,
        world,
        action=BulkAction.REASSIGN,
        picks=picks([first, second]),
        unit_id=world.units[2].id,
    )
    after = assignments(session)
    assert after[0].status == after[1].status == AssignmentStatus.CANCELLED
    new = [a for a in after if a.unit_id == world.units[2].id]
    assert len(new) == 2 and all(a.due == DUE for a in new)
    assert history(session, new[0], "assignment.created")[0].note.endswith("05/12")
    leads = session.exec(
        select(TaskUnit.unit_id).where(TaskUnit.task_id == first.task_id, TaskUnit.role == "lead")
    ).all()
    assert leads == [world.units[2].id]


def test_all_or_nothing_every_refused_row_is_named(session: Session, world: World) -> None:
    first, second, third, fourth = assignments(session)
    third.status, third.percent, third.completed_on = "done", 100, TODAY
    session.add(third)
    session.commit()
    stale = (second.id, second.version - 1 if second.version > 1 else second.version + 5)
    with pytest.raises(BulkRefused) as refused:
        apply_bulk(
            session,
            actor=world.secretary,
            conclusion_id=world.notice.id,
            request=BulkRequest(
                BulkAction.SHIFT_DAYS,
                [
                    (first.id, first.version),
                    stale,
                    (third.id, third.version),
                    (fourth.id, fourth.version),
                ],
                days=-400,
                comment="Đưa hạn sớm lên",
            ),
            today=TODAY,
        )
    session.rollback()
    problems = {
        problem.label.split(" ·")[0]: problem.template for problem in refused.value.problems
    }
    assert set(problems) == {"1.1", "1.2", "1.3", "1.4"}
    assert "đã qua" in problems["1.1"] and "nơi khác" in problems["1.2"]
    assert "hoàn thành" in problems["1.3"]
    assert [a.due for a in assignments(session)] == [DUE] * 4  # nothing half-applied


def test_refusals_before_any_row(session: Session, world: World) -> None:
    first = assignments(session)[0]
    with pytest.raises(InvalidInput, match="lý do"):
        run(session, world, action=BulkAction.SHIFT_DAYS, picks=picks([first]), days=3, comment=" ")
    with pytest.raises(InvalidInput, match="ít nhất một"):
        run(session, world, action=BulkAction.SHIFT_DAYS, picks=[], days=3)
    other = make_notice(session, by=world.secretary)
    with pytest.raises(InvalidInput):
        apply_bulk(
            session,
            actor=world.secretary,
            conclusion_id=other.id,
            request=BulkRequest(BulkAction.SHIFT_DAYS, picks([first]), days=3, comment="x"),
            today=TODAY,
        )
    unit_user = make_user(session, "unit", unit=world.units[0])
    with pytest.raises(PermissionDenied):
        apply_bulk(
            session,
            actor=unit_user,
            conclusion_id=world.notice.id,
            request=BulkRequest(BulkAction.SHIFT_DAYS, picks([first]), days=3, comment="x"),
            today=TODAY,
        )


def test_a_bulk_move_and_a_report_at_the_same_moment_never_both_apply(
    engine: Engine, session: Session, world: World, tmp_path: Path
) -> None:
    unit_user = make_user(session, "unit", unit=world.units[0])
    session.commit()
    first = assignments(session)[0]
    seen = picks([first])

    def work(s: Session, actor: User, index: int) -> None:
        if index == 0:
            apply_bulk(
                s,
                actor=actor,
                conclusion_id=world.notice.id,
                request=BulkRequest(BulkAction.SHIFT_DAYS, seen, days=5, comment="Lùi 5 ngày"),
                today=TODAY,
            )
        else:
            report_progress(
                s,
                actor=actor,
                assignment_id=first.id,
                expected_version=seen[0][1],
                status="in_progress",
                percent=30,
                note="Đang làm",
                uploads=[],
                store=EvidenceStore(tmp_path / "uploads"),
                today=TODAY,
            )

    outcomes = at_once(engine, [world.secretary.id, unit_user.id], work)
    assert sorted(outcomes) in (["BulkRefused", "ok"], ["StaleUpdate", "ok"])
    after = assignments(session)[0]
    assert after.version == seen[0][1] + 1  # exactly one change landed
