"""Progress on an assignment: reports (with evidence), delegation to child units, comments.

Every change checks the version the person saw (optimistic locking), writes a ProgressReport
or AuditEvent with before and after, and rolls a delegated part up into its parent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.access import actor_scope, load_assignment
from tracker.assignments.creation import create_assignment
from tracker.assignments.evidence import EvidenceStore, Upload
from tracker.assignments.history import record_state
from tracker.assignments.models import (
    Assignment,
    AssignmentComment,
    AssignmentStatus,
    EvidenceFile,
    ProgressReport,
)
from tracker.audit import service as audit
from tracker.db import utcnow
from tracker.errors import N_, InvalidInput, StaleUpdate
from tracker.inbox import tell
from tracker.plain_text import strip_control
from tracker.tables import saved_id
from tracker.units.models import Unit
from tracker.units.queries import unit_scope

REPORTABLE = (AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS, AssignmentStatus.DONE)
MAX_NOTE = 4000


def _state(assignment: Assignment) -> dict[str, Any]:
    return {
        "status": assignment.status,
        "percent": assignment.percent,
        "completed_on": assignment.completed_on,
        "due": assignment.due,
    }


def stale_error() -> StaleUpdate:
    """Someone saved between the page load and this submit."""
    return StaleUpdate(
        N_(
            "Người khác vừa cập nhật nhiệm vụ này. Xem lại thông tin mới nhất bên dưới, "
            "rồi gửi lại (nội dung bạn đã nhập vẫn được giữ)."
        )
    )


def apply_change(
    session: Session, assignment: Assignment, expected_version: int, values: dict[str, Any]
) -> None:
    """Write `values` only if nobody saved since `expected_version` (one atomic UPDATE)."""
    result = session.exec(
        update(Assignment)
        .where(col(Assignment.id) == assignment.id, col(Assignment.version) == expected_version)
        .values(**values, version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:
        raise stale_error()
    session.refresh(assignment)
    record_state(session, assignment)


def _check_report(status: str, percent: int, note: str) -> None:
    if status not in REPORTABLE:
        raise InvalidInput(
            N_("Tình trạng không hợp lệ. Chọn: chưa triển khai, đang thực hiện hoặc hoàn thành.")
        )
    if not 0 <= percent <= 100:
        raise InvalidInput(N_("Tiến độ phải từ 0 đến 100%."))
    if status == AssignmentStatus.NOT_STARTED and percent > 0:
        raise InvalidInput(
            N_('Nhiệm vụ chưa triển khai thì tiến độ là 0%. Nếu đã làm, chọn "Đang thực hiện".')
        )
    if len(note) > MAX_NOTE:
        raise InvalidInput(
            N_("Nội dung báo cáo dài quá {n} ký tự; hãy rút gọn hoặc đính kèm tệp."), n=MAX_NOTE
        )


def report_progress(
    session: Session,
    *,
    actor: User,
    assignment_id: int,
    expected_version: int,
    status: str,
    percent: int,
    note: str,
    uploads: list[Upload],
    store: EvidenceStore,
    today: date,
) -> ProgressReport:
    """Record a unit's progress report; 'done' means 100% and completed today."""
    context = load_assignment(session, actor=actor, assignment_id=assignment_id, for_change=True)
    assignment = context.assignment
    if assignment.status == AssignmentStatus.CANCELLED:
        raise InvalidInput(N_("Nhiệm vụ đã được hủy nên không nhận báo cáo tiến độ."))
    note = strip_control(note).strip()
    if status == AssignmentStatus.DONE:
        percent = 100
    _check_report(status, percent, note)
    store.check(uploads)
    if assignment.version != expected_version:
        raise stale_error()
    before = _state(assignment)
    completed_on = (assignment.completed_on or today) if status == AssignmentStatus.DONE else None
    apply_change(
        session,
        assignment,
        expected_version,
        {"status": status, "percent": percent, "completed_on": completed_on},
    )
    report = ProgressReport(
        assignment_id=saved_id(assignment),
        author_id=saved_id(actor),
        status_before=before["status"],
        status_after=status,
        percent_before=before["percent"],
        percent_after=percent,
        note=note,
    )
    session.add(report)
    session.flush()
    _attach_evidence(session, report, uploads=uploads, store=store, actor=actor)
    audit.record(
        session,
        actor=actor,
        action="assignment.progress",
        entity_type="assignment",
        entity_id=assignment.id,
        changes=audit.diff(before, _state(assignment)),
        note=note[:500] or None,
    )
    if assignment.parent_id is not None:
        roll_up(session, actor=actor, parent_id=assignment.parent_id)
    session.flush()
    tell.report_submitted(session, report)
    return report


def _attach_evidence(
    session: Session,
    report: ProgressReport,
    *,
    uploads: list[Upload],
    store: EvidenceStore,
    actor: User,
) -> None:
    """Store each uploaded file and record it as evidence of `report`."""
    for upload in uploads:
        stored = store.save(session, upload)
        session.add(
            EvidenceFile(
                assignment_id=report.assignment_id,
                report_id=report.id,
                uploaded_by_id=saved_id(actor),
                original_name=stored.original_name,
                stored_name=stored.stored_name,
                content_type=stored.content_type,
                size_bytes=stored.size_bytes,
                sha256=stored.sha256,
            )
        )


def roll_up(session: Session, *, actor: User, parent_id: int) -> None:
    """Set a delegated assignment's progress from its parts: the mean percent; done when all are."""
    parent = session.get(Assignment, parent_id)
    if parent is None or parent.status == AssignmentStatus.CANCELLED:
        return
    parts = [
        part
        for part in session.exec(select(Assignment).where(Assignment.parent_id == parent_id)).all()
        if part.status != AssignmentStatus.CANCELLED
    ]
    if not parts:
        return
    percent = round(sum(part.percent for part in parts) / len(parts))
    if all(part.status == AssignmentStatus.DONE for part in parts):
        status = AssignmentStatus.DONE
        completed_on = max(part.completed_on for part in parts if part.completed_on)
    elif percent > 0 or any(part.status != AssignmentStatus.NOT_STARTED for part in parts):
        status, completed_on = AssignmentStatus.IN_PROGRESS, None
    else:
        status, completed_on = AssignmentStatus.NOT_STARTED, None
    before = _state(parent)
    wanted = {
        "status": status,
        "percent": percent if status != "done" else 100,
        "completed_on": completed_on,
    }
    if all(before[name] == value for name, value in wanted.items()):
        return
    apply_change(session, parent, parent.version, wanted)
    audit.record(
        session,
        actor=actor,
        action="assignment.rolled_up",
        entity_type="assignment",
        entity_id=parent.id,
        changes=audit.diff(before, _state(parent)),
        note="Tổng hợp từ đơn vị được phân công",
    )
    if parent.parent_id is not None:
        roll_up(session, actor=actor, parent_id=parent.parent_id)


def delegate(
    session: Session,
    *,
    actor: User,
    assignment_id: int,
    unit_ids: list[int],
    due: date | None,
    today: date,
) -> list[Assignment]:
    """Hand parts of an assignment to units below the assigned unit; its progress then rolls up."""
    context = load_assignment(session, actor=actor, assignment_id=assignment_id, for_change=True)
    parent = context.assignment
    if parent.status in (AssignmentStatus.DONE, AssignmentStatus.CANCELLED):
        raise InvalidInput(N_("Nhiệm vụ đã hoàn thành hoặc đã hủy nên không phân công tiếp."))
    if not unit_ids:
        raise InvalidInput(N_("Chọn ít nhất một đơn vị cấp dưới để phân công."))
    below = unit_scope(session, parent.unit_id) - {parent.unit_id}
    allowed = below & actor_scope(session, actor)
    unknown = [unit_id for unit_id in unit_ids if unit_id not in allowed]
    if unknown:
        raise InvalidInput(N_("Chỉ phân công được cho đơn vị cấp dưới của đơn vị được giao."))
    if due is not None and (due < today or (parent.due is not None and due > parent.due)):
        raise InvalidInput(
            N_("Hạn phân công phải từ hôm nay đến hạn của nhiệm vụ ({due})."),
            due=parent.due.strftime("%d/%m/%Y") if parent.due else "—",
        )
    taken = set(
        session.exec(select(Assignment.unit_id).where(Assignment.task_id == parent.task_id)).all()
    )
    names = {
        unit.id: unit.name
        for unit in session.exec(select(Unit).where(col(Unit.id).in_(unit_ids))).all()
    }
    repeated = [names[unit_id] for unit_id in unit_ids if unit_id in taken]
    if repeated:
        raise InvalidInput(
            N_("Đơn vị đã được giao nhiệm vụ này: {units}."), units=", ".join(repeated)
        )
    return [
        create_assignment(
            session,
            actor=actor,
            task_id=parent.task_id,
            unit_id=unit_id,
            due=due or parent.due,
            parent=parent,
        )
        for unit_id in dict.fromkeys(unit_ids)
    ]


def add_comment(
    session: Session, *, actor: User, assignment_id: int, body: str
) -> AssignmentComment:
    """A remark by anyone who may see the assignment (support units included)."""
    load_assignment(session, actor=actor, assignment_id=assignment_id)
    body = strip_control(body).strip()
    if not body:
        raise InvalidInput(N_("Nhập nội dung ý kiến trước khi gửi."))
    if len(body) > MAX_NOTE:
        raise InvalidInput(N_("Ý kiến dài quá {n} ký tự."), n=MAX_NOTE)
    comment = AssignmentComment(assignment_id=assignment_id, author_id=saved_id(actor), body=body)
    session.add(comment)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="assignment.commented",
        entity_type="assignment",
        entity_id=assignment_id,
        changes={"comment": [None, body[:200]]},
    )
    return comment
