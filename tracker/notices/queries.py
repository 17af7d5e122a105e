"""Reading notices: the list, one notice with its tasks and assignments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.asof import State, category_at, in_force
from tracker.assignments.models import Assignment, ExtensionRequest, ExtensionStatus
from tracker.assignments.status import Category
from tracker.errors import N_, NotFound, PermissionDenied
from tracker.notices.models import Conclusion, NoticeStatus, Task, TaskRole, TaskUnit
from tracker.permissions import (
    can_decide_extensions,
    can_view_all_assignments,
    can_view_draft_notices,
)
from tracker.tables import saved_id
from tracker.units.models import Unit


@dataclass(frozen=True)
class NoticeRow:
    conclusion: Conclusion
    task_count: int
    assignment_count: int


def tasks_with_links(
    session: Session, conclusion_id: int
) -> tuple[list[Task], dict[int, list[TaskUnit]]]:
    """A notice's tasks in their order and each task's units (no permission check: the caller
    has already decided that the actor may see or change this notice)."""
    tasks = list(
        session.exec(
            select(Task)
            .where(Task.conclusion_id == conclusion_id)
            .order_by(col(Task.position), col(Task.id))
        ).all()
    )
    links: dict[int, list[TaskUnit]] = {}
    for link in session.exec(
        select(TaskUnit).where(col(TaskUnit.task_id).in_([task.id for task in tasks]))
    ).all():
        links.setdefault(link.task_id, []).append(link)
    return tasks, links


def list_notices(session: Session, *, actor: User) -> list[NoticeRow]:
    """Every notice, newest first, with how many tasks and assignments it has."""
    if not can_view_all_assignments(actor):
        raise PermissionDenied(N_("Bạn không có quyền xem danh sách thông báo."))
    tasks = (
        select(Task.conclusion_id, func.count(col(Task.id)).label("n"))
        .group_by(col(Task.conclusion_id))
        .subquery()
    )
    assignments = (
        select(Task.conclusion_id, func.count(col(Assignment.id)).label("n"))
        .join(Assignment, col(Assignment.task_id) == Task.id)
        .group_by(col(Task.conclusion_id))
        .subquery()
    )
    query = (
        select(Conclusion, func.coalesce(tasks.c.n, 0), func.coalesce(assignments.c.n, 0))
        .join(tasks, tasks.c.conclusion_id == Conclusion.id, isouter=True)
        .join(assignments, assignments.c.conclusion_id == Conclusion.id, isouter=True)
        .order_by(col(Conclusion.created_at).desc(), col(Conclusion.id).desc())
    )
    if not can_view_draft_notices(actor):
        query = query.where(Conclusion.status == NoticeStatus.PUBLISHED)
    rows = session.exec(query).all()
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


@dataclass(frozen=True)
class TaskOverview:
    task: Task
    leads: list[Unit]
    supports: list[Unit]
    assignments: list[tuple[Assignment, Unit, Category]]


def notice_overview(
    session: Session, *, actor: User, conclusion_id: int, reference: date
) -> tuple[Conclusion, list[TaskOverview]]:
    """A notice with each task, its units and its assignments' state on `reference`."""
    if not can_view_all_assignments(actor):
        raise PermissionDenied(N_("Bạn không có quyền xem danh sách thông báo."))
    notice = session.get(Conclusion, conclusion_id)
    if notice is None or (
        notice.status == NoticeStatus.DRAFT and not can_view_draft_notices(actor)
    ):
        raise NotFound(N_("Không tìm thấy thông báo này. Quay lại danh sách thông báo."))
    tasks = session.exec(
        select(Task)
        .where(Task.conclusion_id == notice.id)
        .order_by(col(Task.position), col(Task.id))
    ).all()
    task_ids = [task.id for task in tasks]
    links: dict[int, dict[str, list[Unit]]] = {}
    for link, unit in session.exec(
        select(TaskUnit, Unit)
        .join(Unit, col(TaskUnit.unit_id) == Unit.id)
        .where(col(TaskUnit.task_id).in_(task_ids))
        .order_by(Unit.name)
    ).all():
        links.setdefault(link.task_id, {}).setdefault(link.role, []).append(unit)
    assigned: dict[int, list[tuple[Assignment, Unit, Category]]] = {}
    for assignment, unit, category in session.exec(
        select(Assignment, Unit, category_at(reference))
        .join(State, and_(col(State.assignment_id) == Assignment.id, in_force(reference)))
        .join(Unit, col(Assignment.unit_id) == Unit.id)
        .where(col(Assignment.task_id).in_(task_ids), col(Assignment.parent_id).is_(None))
        .order_by(Unit.name)
    ).all():
        assigned.setdefault(assignment.task_id, []).append((assignment, unit, Category(category)))
    return notice, [
        TaskOverview(
            task=task,
            leads=links.get(saved_id(task), {}).get(TaskRole.LEAD, []),
            supports=links.get(saved_id(task), {}).get(TaskRole.SUPPORT, []),
            assignments=assigned.get(saved_id(task), []),
        )
        for task in tasks
    ]
