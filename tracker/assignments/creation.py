"""Creating an assignment: the one place that does it, for publishing, corrections and delegation.

Each new assignment gets its "assignment.created" (or "assignment.delegated") history row in the
same flush, and its first `AssignmentState` row through the history hook, so the figures of the
day it was created count it and no earlier day does.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from tracker.accounts.models import User
from tracker.assignments.models import Assignment
from tracker.audit import service as audit


def create_assignment(
    session: Session,
    *,
    actor: User | None,
    task_id: int,
    unit_id: int,
    due: date | None,
    parent: Assignment | None = None,
    note: str | None = None,
) -> Assignment:
    """One assignment of a task to a unit, with its history row; a part of `parent` when given
    (a delegation: same task, progress rolls up to the parent)."""
    assignment = Assignment(task_id=task_id, unit_id=unit_id, due=due)
    changes: dict[str, list[object]] = {"unit_id": [None, unit_id], "due": [None, due]}
    if parent is not None:
        assignment.parent_id = parent.id
        changes["parent_id"] = [None, parent.id]
    session.add(assignment)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="assignment.delegated" if parent is not None else "assignment.created",
        entity_type="assignment",
        entity_id=assignment.id,
        changes=changes,
        note=note,
    )
    return assignment
