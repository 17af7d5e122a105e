"""Reading notices for the people who manage them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.accounts.models import User
from tracker.assignments.models import Assignment, ExtensionRequest, ExtensionStatus
from tracker.errors import N_, PermissionDenied
from tracker.notices.models import Conclusion, Task
from tracker.permissions import can_decide_extensions, can_view_all_assignments


@dataclass(frozen=True)
class NoticeRow:
    conclusion: Conclusion
    task_count: int
    assignment_count: int


def list_notices(session: Session, *, actor: User) -> list[NoticeRow]:
    """Every notice, newest first, with how many tasks and assignments it has."""
    if not can_view_all_assignments(actor):
        raise PermissionDenied(N_("Bạn không có quyền xem danh sách thông báo."))
    tasks = (
        select(Task.conclusion_id, func.count(Task.id).label("n"))
        .group_by(Task.conclusion_id)
        .subquery()
    )
    assignments = (
        select(Task.conclusion_id, func.count(Assignment.id).label("n"))
        .join(Assignment, Assignment.task_id == Task.id)
        .group_by(Task.conclusion_id)
        .subquery()
    )
    rows = session.exec(
        select(Conclusion, func.coalesce(tasks.c.n, 0), func.coalesce(assignments.c.n, 0))
        .join(tasks, tasks.c.conclusion_id == Conclusion.id, isouter=True)
        .join(assignments, assignments.c.conclusion_id == Conclusion.id, isouter=True)
        .order_by(Conclusion.created_at.desc(), Conclusion.id.desc())
    ).all()
    return [NoticeRow(conclusion=c, task_count=t, assignment_count=a) for c, t, a in rows]


def count_pending_extensions(session: Session, *, actor: User) -> int:
    """Extension requests that wait for a decision."""
    if not can_decide_extensions(actor):
        raise PermissionDenied(N_("Bạn không có quyền duyệt gia hạn."))
    return session.exec(
        select(func.count())
        .select_from(ExtensionRequest)
        .where(ExtensionRequest.status == ExtensionStatus.PENDING)
    ).one()
