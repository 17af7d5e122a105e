"""Bulk work on a published notice: re-assign several assignments to another lead unit, or
move their due dates (by N days or to a date), with one comment.

Each change goes through the per-assignment services of corrections.py (a history row each,
the same rules as correcting one task). All or nothing: every chosen row is checked first and
the refusal lists each row that cannot change; a row that fails while applying (changed by
someone meanwhile) refuses the whole action, which the caller rolls back as one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.models import Assignment, AssignmentStatus
from tracker.errors import N_, DomainError, InvalidInput, PermissionDenied
from tracker.inputs import require_date_in_window
from tracker.notices.corrections import correct_task, load_published_task, move_assignment_due
from tracker.notices.drafts import load_notice
from tracker.notices.models import NoticeStatus, Task, TaskRole, TaskUnit
from tracker.permissions import can_manage_notices
from tracker.plain_text import strip_control
from tracker.units.models import Unit

MAX_ROWS = 500
MAX_COMMENT = 1000


class BulkAction(StrEnum):
    REASSIGN = "reassign"
    SHIFT_DAYS = "shift"
    SET_DUE = "due"


@dataclass(frozen=True)
class BulkRequest:
    action: BulkAction
    picks: list[tuple[int, int]]  # (assignment id, version the page showed)
    unit_id: int | None = None
    days: int | None = None
    new_due: date | None = None
    comment: str = ""


@dataclass(frozen=True)
class RowProblem:
    assignment_id: int
    label: str  # "1.2 · Hội Nông dân tỉnh"
    template: str
    params: dict[str, Any]


class BulkRefused(InvalidInput):
    """Nothing was changed: these rows cannot take the change (each says why)."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(
            N_("Chưa thay đổi gì: {n} dòng không áp dụng được (xem danh sách)."),
            n=len(problems),
        )
        self.problems = problems


@dataclass(frozen=True)
class _Row:
    assignment: Assignment
    task: Task
    unit: Unit
    label: str


def _check_request(request: BulkRequest) -> str:
    if not request.picks:
        raise InvalidInput(N_("Đánh dấu ít nhất một nhiệm vụ rồi bấm lại."))
    if len(request.picks) > MAX_ROWS:
        raise InvalidInput(N_("Mỗi lần thay đổi tối đa {n} nhiệm vụ."), n=MAX_ROWS)
    comment = strip_control(request.comment).strip()
    if not comment:
        raise InvalidInput(N_("Ghi lý do thay đổi (một ý kiến cho cả nhóm) để các đơn vị biết."))
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(N_("Ý kiến dài quá {n} ký tự."), n=MAX_COMMENT)
    if request.action == BulkAction.REASSIGN and request.unit_id is None:
        raise InvalidInput(N_("Chọn đơn vị chủ trì mới."))
    if request.action == BulkAction.SHIFT_DAYS and not request.days:
        raise InvalidInput(N_("Nhập số ngày dời hạn (ví dụ 30, hoặc -7 để đưa hạn sớm lên)."))
    if request.action == BulkAction.SET_DUE:
        if request.new_due is None:
            raise InvalidInput(N_("Nhập hạn mới (dd/mm/yyyy)."))
        require_date_in_window(request.new_due)
    return comment


def _rows(session: Session, conclusion_id: int, ids: list[int]) -> dict[int, _Row]:
    found = session.exec(
        select(Assignment, Task, Unit)
        .join(Task, col(Assignment.task_id) == Task.id)
        .join(Unit, col(Assignment.unit_id) == Unit.id)
        .where(col(Assignment.id).in_(ids), Task.conclusion_id == conclusion_id)
    ).all()
    return {
        assignment.id or 0: _Row(assignment, task, unit, f"{task.code} · {unit.name}")
        for assignment, task, unit in found
    }


def _problem(row: _Row, template: str, **params: Any) -> RowProblem:
    return RowProblem(row.assignment.id or 0, row.label, template, params)


def _row_problem(
    session: Session, row: _Row, version: int, request: BulkRequest, today: date
) -> RowProblem | None:
    """Why this row cannot take the change, or None; the same rules as one correction."""
    assignment = row.assignment
    if assignment.version != version:
        return _problem(row, N_("vừa được cập nhật ở nơi khác; tải lại trang rồi chọn lại."))
    if assignment.parent_id is not None:
        return _problem(row, N_("là phần việc đơn vị tự phân công, không điều chỉnh ở đây."))
    if assignment.status not in (AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS):
        return _problem(row, N_("đã hoàn thành hoặc đã hủy."))
    if request.action == BulkAction.REASSIGN:
        if assignment.unit_id == request.unit_id:
            return _problem(row, N_("đã do đơn vị này chủ trì."))
        taken = session.exec(
            select(Assignment.id).where(
                Assignment.task_id == assignment.task_id, Assignment.unit_id == request.unit_id
            )
        ).first()
        if taken is not None:
            return _problem(row, N_("đơn vị mới đã được giao nhiệm vụ này."))
        return None
    new_due = _new_due(assignment, request)
    if new_due is None:
        return _problem(row, N_("chưa có hạn nên không dời theo số ngày được."))
    if new_due < today:
        return _problem(
            row, N_("hạn mới {day} đã qua; chọn hạn từ hôm nay trở đi."), day=_vn(new_due)
        )
    if new_due == assignment.due:
        return _problem(row, N_("đã có hạn {day}."), day=_vn(new_due))
    try:
        require_date_in_window(new_due)
    except InvalidInput as refused:
        return _problem(row, refused.template, **refused.params)
    return None


def _vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _new_due(assignment: Assignment, request: BulkRequest) -> date | None:
    if request.action == BulkAction.SET_DUE:
        return request.new_due
    if assignment.due is None:
        return None
    return assignment.due + timedelta(days=request.days or 0)


def apply_bulk(
    session: Session, *, actor: User, conclusion_id: int, request: BulkRequest, today: date
) -> int:
    """Apply the change to every chosen assignment, or to none; returns how many changed."""
    if not can_manage_notices(actor):
        raise PermissionDenied(N_("Chỉ chuyên viên theo dõi mới điều chỉnh nhiệm vụ."))
    notice = load_notice(session, conclusion_id)
    if notice.status != NoticeStatus.PUBLISHED:
        raise InvalidInput(N_("Chỉ điều chỉnh hàng loạt được thông báo đang ban hành."))
    comment = _check_request(request)
    if request.action == BulkAction.REASSIGN and session.get(Unit, request.unit_id) is None:
        raise InvalidInput(N_("Có đơn vị không còn trong danh mục; tải lại trang và chọn lại."))
    versions = dict(request.picks)
    rows = _rows(session, conclusion_id, list(versions))
    if len(rows) != len(versions):
        raise InvalidInput(N_("Có nhiệm vụ không thuộc thông báo này; tải lại trang rồi chọn lại."))
    ordered = sorted(rows.values(), key=lambda row: (row.task.position, row.unit.name))
    problems = [
        problem
        for row in ordered
        if (problem := _row_problem(session, row, versions[row.assignment.id or 0], request, today))
    ]
    if problems:
        raise BulkRefused(problems)
    for row in ordered:
        try:
            _apply_one(session, actor, row, request, comment)
        except DomainError as error:
            problem = _problem(row, error.template, **error.params)
            raise BulkRefused([problem]) from None
    session.flush()
    return len(ordered)


def _apply_one(
    session: Session, actor: User, row: _Row, request: BulkRequest, comment: str
) -> None:
    if request.action != BulkAction.REASSIGN:
        due = _new_due(row.assignment, request)
        assert due is not None  # checked before
        move_assignment_due(session, actor=actor, assignment=row.assignment, due=due, note=comment)
        return
    # Re-assigning is a correction of the task's leads: the old lead's assignment is
    # cancelled, the new unit's created, each with history (corrections.correct_task).
    task, _notice = load_published_task(session, actor=actor, task_id=row.task.id or 0)
    links = session.exec(select(TaskUnit).where(TaskUnit.task_id == task.id)).all()
    leads = [link.unit_id for link in links if link.role == TaskRole.LEAD]
    leads = [unit for unit in leads if unit != row.assignment.unit_id] + [request.unit_id or 0]
    supports = [
        link.unit_id
        for link in links
        if link.role == TaskRole.SUPPORT and link.unit_id not in leads
    ]
    correct_task(
        session,
        actor=actor,
        task_id=task.id or 0,
        expected_stamp=task.updated_at.isoformat(),
        text=task.text,
        due=task.due,
        lead=[f"u:{unit}" for unit in dict.fromkeys(leads)],
        support=[f"u:{unit}" for unit in supports],
        note=comment,
    )
