"""Loading one assignment for a person, with the permission check every operation starts with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.models import Assignment
from tracker.errors import N_, NotFound, PermissionDenied
from tracker.notices.models import Conclusion, NoticeStatus, Task, TaskRole, TaskUnit
from tracker.permissions import can_change_assignment, can_view_assignment, can_work_for_a_unit
from tracker.tables import saved_id
from tracker.units.models import Unit
from tracker.units.queries import unit_scope


@dataclass(frozen=True)
class AssignmentContext:
    assignment: Assignment
    task: Task
    conclusion: Conclusion
    unit: Unit
    support_unit_ids: list[int]
    can_change: bool


def actor_scope(session: Session, actor: User) -> set[int]:
    """The units a person answers for: their unit and those below it (none for other roles)."""
    if not can_work_for_a_unit(actor) or actor.unit_id is None:
        return set()
    return unit_scope(session, actor.unit_id)


def load_assignment(
    session: Session, *, actor: User, assignment_id: int, for_change: bool = False
) -> AssignmentContext:
    """The assignment if the actor may see it (and change it, when asked); else refuse."""
    row = session.exec(
        select(Assignment, Task, Conclusion, Unit)
        .join(Task, col(Assignment.task_id) == Task.id)
        .join(Conclusion, col(Task.conclusion_id) == Conclusion.id)
        .join(Unit, col(Assignment.unit_id) == Unit.id)
        .where(Assignment.id == assignment_id, Conclusion.status == NoticeStatus.PUBLISHED)
    ).first()
    if row is None:
        raise NotFound(N_("Không tìm thấy nhiệm vụ này. Có thể đường dẫn đã cũ."))
    assignment, task, conclusion, unit = row
    support = list(
        session.exec(
            select(TaskUnit.unit_id).where(
                TaskUnit.task_id == task.id, col(TaskUnit.role) == TaskRole.SUPPORT
            )
        ).all()
    )
    scope = actor_scope(session, actor)
    if not can_view_assignment(
        actor, unit_id=saved_id(unit), support_unit_ids=support, scope=scope
    ):
        raise PermissionDenied(
            N_("Nhiệm vụ này không thuộc đơn vị của bạn nên bạn không xem được.")
        )
    may_change = can_change_assignment(actor, unit_id=saved_id(unit), scope=scope)
    if for_change and not may_change:
        raise PermissionDenied(N_("Chỉ đơn vị được giao mới cập nhật được nhiệm vụ này."))
    return AssignmentContext(assignment, task, conclusion, unit, support, may_change)
