"""Extension requests: a unit asks for a later due date; the secretary or the head decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.access import load_assignment
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
)
from tracker.assignments.progress import apply_change
from tracker.audit import service as audit
from tracker.db import utcnow
from tracker.errors import N_, InvalidInput, NotFound, PermissionDenied, StaleUpdate
from tracker.inbox import tell
from tracker.inputs import require_date_in_window
from tracker.notices.models import Conclusion, Task
from tracker.permissions import can_decide_extensions
from tracker.plain_text import strip_control
from tracker.tables import saved_id, select_many
from tracker.units.models import Unit

MAX_REASON = 2000


def request_extension(
    session: Session,
    *,
    actor: User,
    assignment_id: int,
    requested_due: date,
    reason: str,
    today: date,
) -> ExtensionRequest:
    """Ask for a new due date, with a reason; one open request per assignment at a time."""
    context = load_assignment(session, actor=actor, assignment_id=assignment_id, for_change=True)
    assignment = context.assignment
    reason = strip_control(reason).strip()
    if assignment.status in (AssignmentStatus.DONE, AssignmentStatus.CANCELLED):
        raise InvalidInput(N_("Nhiệm vụ đã hoàn thành hoặc đã hủy, không cần gia hạn."))
    require_date_in_window(requested_due)
    if not reason:
        raise InvalidInput(N_("Nêu lý do xin gia hạn để lãnh đạo có căn cứ xem xét."))
    if len(reason) > MAX_REASON:
        raise InvalidInput(N_("Lý do dài quá {n} ký tự; hãy rút gọn."), n=MAX_REASON)
    if requested_due < today or (assignment.due is not None and requested_due <= assignment.due):
        raise InvalidInput(
            N_("Hạn mới phải sau hạn hiện tại ({due}) và không sớm hơn hôm nay."),
            due=assignment.due.strftime("%d/%m/%Y") if assignment.due else "—",
        )
    pending = session.exec(
        select(ExtensionRequest).where(
            ExtensionRequest.assignment_id == assignment.id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
    ).first()
    if pending is not None:
        raise InvalidInput(N_("Nhiệm vụ này đã có đề nghị gia hạn đang chờ quyết định."))
    request = ExtensionRequest(
        assignment_id=saved_id(assignment),
        requested_by_id=saved_id(actor),
        current_due=assignment.due,
        requested_due=requested_due,
        reason=reason,
    )
    try:
        # The partial unique index holds the one-open-request rule against a double-click.
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError:
        raise InvalidInput(N_("Nhiệm vụ này đã có đề nghị gia hạn đang chờ quyết định.")) from None
    _require_still_open(session, saved_id(assignment))
    audit.record(
        session,
        actor=actor,
        action="extension.requested",
        entity_type="assignment",
        entity_id=assignment.id,
        changes={"requested_due": [assignment.due, requested_due]},
        note=reason[:500],
    )
    tell.extension_requested(session, request)
    return request


def _require_still_open(session: Session, assignment_id: int) -> None:
    """Touch the assignment row only if it is still open: the request never stands beside a
    completion, cancellation or withdrawal made at the same moment (the row lock orders them:
    whichever comes second sees the other)."""
    touched = session.exec(
        update(Assignment)
        .where(
            col(Assignment.id) == assignment_id,
            col(Assignment.status).in_(
                [AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS]
            ),
        )
        .values(version=Assignment.version)
        .execution_options(synchronize_session=False)
    )
    if touched.rowcount != 1:
        raise InvalidInput(
            N_(
                "Nhiệm vụ vừa được hoàn thành, hủy hoặc thu hồi nên không gia hạn được. "
                "Tải lại trang để xem tình trạng mới."
            )
        )


def decide_extension(
    session: Session, *, actor: User, request_id: int, approve: bool, comment: str
) -> ExtensionRequest:
    """Approve (the due date moves, the old one stays in history) or refuse, with a comment."""
    if not can_decide_extensions(actor):
        raise PermissionDenied(N_("Chỉ chuyên viên theo dõi hoặc lãnh đạo mới duyệt gia hạn."))
    request = session.get(ExtensionRequest, request_id)
    if request is None:
        raise NotFound(N_("Không tìm thấy đề nghị gia hạn này."))
    if request.status != ExtensionStatus.PENDING:
        raise InvalidInput(N_("Đề nghị này đã được quyết định trước đó; tải lại trang để xem."))
    comment = strip_control(comment).strip()
    if not approve and not comment:
        raise InvalidInput(N_("Khi không đồng ý gia hạn, hãy ghi rõ lý do để đơn vị biết."))
    assignment = session.get(Assignment, request.assignment_id)
    assert assignment is not None  # a foreign key guarantees it
    # Conditional on "still pending": of an approval and a refusal made at once, the second
    # finds nothing to decide and is told so; the first one's decision stands alone.
    decided = session.exec(
        update(ExtensionRequest)
        .where(
            col(ExtensionRequest.id) == request.id,
            col(ExtensionRequest.status) == ExtensionStatus.PENDING,
        )
        .values(
            status=ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED,
            decided_by_id=actor.id,
            decided_at=utcnow(),
            decision_comment=comment or None,
        )
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:
        raise StaleUpdate(N_("Đề nghị này vừa được người khác quyết định; tải lại trang để xem."))
    session.refresh(request)
    if approve:
        old_due = assignment.due
        apply_change(session, assignment, assignment.version, {"due": request.requested_due})
        audit.record(
            session,
            actor=actor,
            action="assignment.due_extended",
            entity_type="assignment",
            entity_id=assignment.id,
            changes={"due": [old_due, request.requested_due]},
            note=comment or None,
        )
    audit.record(
        session,
        actor=actor,
        action=f"extension.{request.status}",
        entity_type="assignment",
        entity_id=assignment.id,
        changes={"extension": [ExtensionStatus.PENDING, request.status]},
        note=comment or None,
    )
    tell.extension_decided(session, request)
    session.flush()
    return request


MAX_BULK = 200


def decide_many(
    session: Session, *, actor: User, request_ids: list[int], approve: bool, comment: str
) -> list[ExtensionRequest]:
    """Decide several requests the same way with one comment: each goes through
    decide_extension (its own checks and history rows). All or nothing: when one cannot be
    decided (decided meanwhile, gone), the error says so and the caller rolls back."""
    if not can_decide_extensions(actor):
        raise PermissionDenied(N_("Chỉ chuyên viên theo dõi hoặc lãnh đạo mới duyệt gia hạn."))
    chosen = list(dict.fromkeys(request_ids))
    if not chosen:
        raise InvalidInput(N_("Đánh dấu ít nhất một đề nghị rồi bấm lại."))
    if len(chosen) > MAX_BULK:
        raise InvalidInput(N_("Mỗi lần quyết định tối đa {n} đề nghị."), n=MAX_BULK)
    return [
        decide_extension(
            session, actor=actor, request_id=request_id, approve=approve, comment=comment
        )
        for request_id in chosen
    ]


@dataclass(frozen=True)
class PendingExtension:
    request: ExtensionRequest
    assignment: Assignment
    task: Task
    conclusion: Conclusion
    unit: Unit
    requester: User


def list_pending(session: Session, *, actor: User) -> list[PendingExtension]:
    """Requests waiting for a decision, oldest first."""
    if not can_decide_extensions(actor):
        raise PermissionDenied(N_("Chỉ chuyên viên theo dõi hoặc lãnh đạo mới duyệt gia hạn."))
    rows = session.exec(
        select_many(ExtensionRequest, Assignment, Task, Conclusion, Unit, User)
        .join(Assignment, col(ExtensionRequest.assignment_id) == Assignment.id)
        .join(Task, col(Assignment.task_id) == Task.id)
        .join(Conclusion, col(Task.conclusion_id) == Conclusion.id)
        .join(Unit, col(Assignment.unit_id) == Unit.id)
        .join(User, col(ExtensionRequest.requested_by_id) == User.id)
        .where(ExtensionRequest.status == ExtensionStatus.PENDING)
        .order_by(col(ExtensionRequest.requested_at))
    ).all()
    return [PendingExtension(*row) for row in rows]
