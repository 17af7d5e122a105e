"""Reading assignments for the people allowed to see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.accounts.models import User
from tracker.assignments.models import Assignment
from tracker.assignments.status import Category, category_of
from tracker.errors import N_, PermissionDenied
from tracker.notices.models import Conclusion, NoticeStatus, Task
from tracker.permissions import can_view_all_assignments, can_work_for_a_unit
from tracker.units.models import Unit
from tracker.units.service import unit_scope


@dataclass(frozen=True)
class AssignmentRow:
    """One line of an assignment list."""

    assignment: Assignment
    task: Task
    conclusion: Conclusion
    unit: Unit
    category: Category


def list_unit_assignments(
    session: Session, *, actor: User, reference: date, limit: int = 200
) -> list[AssignmentRow]:
    """The published assignments of the actor's unit and the units below it, soonest due first."""
    if not can_work_for_a_unit(actor) or actor.unit_id is None:
        raise PermissionDenied(N_("Trang này dành cho tài khoản của đơn vị."))
    scope = unit_scope(session, actor.unit_id)
    category = category_of(reference).label("category")
    rows = session.exec(
        select(Assignment, Task, Conclusion, Unit, category)
        .join(Task, Assignment.task_id == Task.id)
        .join(Conclusion, Task.conclusion_id == Conclusion.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Assignment.unit_id.in_(scope), Conclusion.status == NoticeStatus.PUBLISHED)
        .order_by(Assignment.due.is_(None), Assignment.due, Task.position)
        .limit(limit)
    ).all()
    return [
        AssignmentRow(assignment=a, task=t, conclusion=c, unit=u, category=Category(cat))
        for a, t, c, u, cat in rows
    ]


def count_by_category(session: Session, *, actor: User, reference: date) -> dict[Category, int]:
    """How many published lead assignments (not delegated parts) are in each category."""
    if not can_view_all_assignments(actor):
        raise PermissionDenied(N_("Bạn không có quyền xem số liệu tổng hợp."))
    category = category_of(reference)
    rows = session.exec(
        select(category, func.count())
        .select_from(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .join(Conclusion, Task.conclusion_id == Conclusion.id)
        .where(
            Conclusion.status == NoticeStatus.PUBLISHED,
            Assignment.role == "lead",
            # A delegated part is counted through its parent, not a second time.
            Assignment.parent_id.is_(None),
        )
        .group_by(category)
    ).all()
    counts = dict.fromkeys(Category, 0)
    counts.update({Category(name): count for name, count in rows})
    return counts
