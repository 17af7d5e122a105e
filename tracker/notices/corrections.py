"""Correcting a task after publication: every change reaches its assignments, with history."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.creation import create_assignment
from tracker.assignments.models import Assignment, AssignmentStatus
from tracker.assignments.progress import apply_change
from tracker.audit import service as audit
from tracker.db import utcnow
from tracker.errors import N_, InvalidInput, NotFound, PermissionDenied, StaleUpdate
from tracker.notices.drafts import expand_picks, replace_task_units
from tracker.notices.models import Conclusion, NoticeStatus, Task, TaskRole, TaskUnit
from tracker.permissions import can_manage_notices
from tracker.tables import saved_id
from tracker.units.queries import picker_options

REMOVED_LEAD_REASON = "Thôi giao chủ trì khi điều chỉnh thông báo"
ADDED_LEAD_NOTE = "Giao bổ sung khi điều chỉnh thông báo"


def load_published_task(session: Session, *, actor: User, task_id: int) -> tuple[Task, Conclusion]:
    """A task of a published notice, for the secretary."""
    if not can_manage_notices(actor):
        raise PermissionDenied(N_("Chỉ chuyên viên theo dõi mới điều chỉnh nhiệm vụ."))
    task = session.get(Task, task_id)
    notice = session.get(Conclusion, task.conclusion_id) if task else None
    if task is None or notice is None or notice.status != NoticeStatus.PUBLISHED:
        raise NotFound(N_("Không tìm thấy nhiệm vụ đã ban hành này."))
    return task, notice


def correct_task(
    session: Session,
    *,
    actor: User,
    task_id: int,
    expected_stamp: str,
    text: str,
    due: date | None,
    lead: list[str],
    support: list[str],
    note: str | None = None,
) -> Task:
    """Apply a correction; `expected_stamp` is the task's updated_at the form was built from.
    `note` (the secretary's comment, e.g. of a bulk change) goes on every history row."""
    task, _notice = load_published_task(session, actor=actor, task_id=task_id)
    if task.updated_at.isoformat() != expected_stamp:
        raise StaleUpdate(N_("Nhiệm vụ vừa được người khác sửa. Xem bản mới nhất rồi sửa lại."))
    text = " ".join(text.split())
    if not text or due is None:
        raise InvalidInput(N_("Nhiệm vụ cần có nội dung và hạn hoàn thành."))
    options = picker_options(session)
    leads = expand_picks(options, lead)
    supports = [unit for unit in expand_picks(options, support) if unit not in leads]
    if not leads:
        raise InvalidInput(N_("Chọn ít nhất một đơn vị chủ trì."))
    links = session.exec(select(TaskUnit).where(TaskUnit.task_id == task.id)).all()
    before = {
        "text": task.text,
        "due": task.due,
        "lead": sorted(link.unit_id for link in links if link.role == TaskRole.LEAD),
        "support": sorted(link.unit_id for link in links if link.role == TaskRole.SUPPORT),
    }
    _follow_correction(session, actor=actor, task=task, leads=leads, due=due, note=note)
    replace_task_units(session, saved_id(task), leads, supports)
    task.text, task.due, task.updated_at = text, due, utcnow()
    session.add(task)
    after = {"text": text, "due": due, "lead": sorted(leads), "support": sorted(supports)}
    audit.record(
        session,
        actor=actor,
        action="task.corrected",
        entity_type="task",
        entity_id=task.id,
        changes=audit.diff(before, after),
        note=note,
    )
    session.flush()
    return task


def _follow_correction(
    session: Session, *, actor: User, task: Task, leads: list[int], due: date, note: str | None
) -> None:
    """Open top-level assignments follow the new leads and due (before the task's due changes)."""
    assignments = session.exec(
        select(Assignment).where(Assignment.task_id == task.id, col(Assignment.parent_id).is_(None))
    ).all()
    open_states = (AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS)
    for assignment in assignments:
        if assignment.status not in open_states:
            continue
        if assignment.unit_id not in leads:
            _cancel_for_removed_lead(session, actor=actor, assignment=assignment, note=note)
        elif due != task.due and assignment.due == task.due:
            # An assignment whose due was extended on its own keeps its extension.
            move_assignment_due(session, actor=actor, assignment=assignment, due=due, note=note)
    assigned = {assignment.unit_id for assignment in assignments}
    for unit_id in leads:
        if unit_id not in assigned:
            create_assignment(
                session,
                actor=actor,
                task_id=saved_id(task),
                unit_id=unit_id,
                due=due,
                note=f"{ADDED_LEAD_NOTE}: {note}" if note else ADDED_LEAD_NOTE,
            )


def _cancel_for_removed_lead(
    session: Session, *, actor: User, assignment: Assignment, note: str | None
) -> None:
    """Cancel the assignment of a unit no longer leading the task, with its history row."""
    old = assignment.status
    apply_change(
        session,
        assignment,
        assignment.version,
        {"status": AssignmentStatus.CANCELLED, "cancelled_reason": REMOVED_LEAD_REASON},
    )
    audit.record(
        session,
        actor=actor,
        action="assignment.cancelled",
        entity_type="assignment",
        entity_id=assignment.id,
        changes={"status": [old, AssignmentStatus.CANCELLED]},
        note=f"{REMOVED_LEAD_REASON}: {note}" if note else REMOVED_LEAD_REASON,
    )


def move_assignment_due(
    session: Session, *, actor: User, assignment: Assignment, due: date, note: str | None = None
) -> None:
    """Give one published assignment a new due date (guarded by its version), with history."""
    before = assignment.due
    apply_change(session, assignment, assignment.version, {"due": due})
    audit.record(
        session,
        actor=actor,
        action="assignment.due_corrected",
        entity_type="assignment",
        entity_id=assignment.id,
        changes={"due": [before, due]},
        note=note,
    )
