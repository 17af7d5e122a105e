"""Correcting a published task: due, units and text reach the assignments, with history."""

from datetime import date

import pytest
from sqlmodel import Session, select

from tests.helpers import make_assignment, make_notice, make_unit, make_user
from tracker.assignments.models import Assignment
from tracker.audit.models import AuditEvent
from tracker.errors import PermissionDenied, StaleUpdate
from tracker.notices.corrections import REMOVED_LEAD_REASON, correct_task
from tracker.notices.models import Task, TaskUnit

DUE = date(2021, 6, 30)


def test_correction_moves_due_changes_units_and_keeps_history(session: Session) -> None:
    secretary = make_user(session, "secretary")
    kept, dropped, added = (make_unit(session, code) for code in ("KEPT", "DROP", "NEW"))
    notice = make_notice(session, by=secretary)
    first = make_assignment(session, notice, kept, due=DUE)
    task = session.get(Task, first.task_id)
    task.due = DUE
    second = Assignment(task_id=task.id, unit_id=dropped.id, due=DUE)
    session.add_all(
        [
            task,
            second,
            TaskUnit(task_id=task.id, unit_id=kept.id, role="lead"),
            TaskUnit(task_id=task.id, unit_id=dropped.id, role="lead"),
        ]
    )
    session.commit()
    correct_task(
        session,
        actor=secretary,
        task_id=task.id,
        expected_stamp=task.updated_at.isoformat(),
        text="Nội dung   mới",
        due=date(2021, 7, 15),
        lead=[f"u:{kept.id}", f"u:{added.id}"],
        support=[],
    )
    session.commit()
    for row in (first, second):
        session.refresh(row)
    assert first.due == date(2021, 7, 15)
    assert (second.status, second.cancelled_reason) == ("cancelled", REMOVED_LEAD_REASON)
    new = session.exec(select(Assignment).where(Assignment.unit_id == added.id)).one()
    assert new.due == date(2021, 7, 15)
    session.refresh(task)
    assert task.text == "Nội dung mới"
    actions = {event.action for event in session.exec(select(AuditEvent)).all()}
    assert {
        "task.corrected",
        "assignment.due_corrected",
        "assignment.cancelled",
        "assignment.created",
    } <= actions
    with pytest.raises(StaleUpdate):
        correct_task(
            session,
            actor=secretary,
            task_id=task.id,
            expected_stamp="old",
            text="x",
            due=DUE,
            lead=[f"u:{kept.id}"],
            support=[],
        )


def test_only_secretaries_correct(session: Session) -> None:
    unit = make_unit(session, "U")
    notice = make_notice(session)
    assignment = make_assignment(session, notice, unit, due=DUE)
    head = make_user(session, "head")
    with pytest.raises(PermissionDenied):
        correct_task(
            session,
            actor=head,
            task_id=assignment.task_id,
            expected_stamp="",
            text="x",
            due=DUE,
            lead=[f"u:{unit.id}"],
            support=[],
        )
