"""Explanation requests (yêu cầu giải trình): the head asks about overdue work, the unit answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.access import actor_scope, load_assignment
from tracker.assignments.asof import State, category_at
from tracker.assignments.models import Assignment
from tracker.assignments.status import Category
from tracker.audit import service as audit
from tracker.db import utcnow
from tracker.errors import N_, InvalidInput, NotFound, PermissionDenied, StaleUpdate
from tracker.inbox import tell
from tracker.notices.models import Task
from tracker.permissions import (
    can_answer_explanation,
    can_request_explanations,
    can_view_all_assignments,
)
from tracker.plain_text import strip_control
from tracker.rollups import queries, reviews
from tracker.rollups.models import ExplanationRequest
from tracker.tables import saved_id
from tracker.units.models import Unit
from tracker.units.queries import unit_scope


@dataclass(frozen=True)
class Explanation:
    """A request with who asked and who answered, and whether the viewer may answer it."""

    request: ExplanationRequest
    requested_by: User
    answered_by: User | None
    can_answer: bool


def request_for_unit(
    session: Session, *, actor: User, review_id: int, unit_id: int, message: str, today: date
) -> list[ExplanationRequest]:
    """Ask about every overdue assignment of a unit (and its subtree) in the review.

    An assignment that already has an unanswered request is not asked about twice.
    """
    if not can_request_explanations(actor):
        raise PermissionDenied(N_("Chỉ lãnh đạo ban mới yêu cầu giải trình được."))
    message = strip_control(message).strip()
    if not message:
        raise InvalidInput(N_("Nhập nội dung yêu cầu giải trình."))
    review = reviews.get_review(session, actor=actor, review_id=review_id)
    scope = reviews.scope_of(review, reviews.reference_of(review, today))
    already_asked = select(ExplanationRequest.assignment_id).where(
        col(ExplanationRequest.answer).is_(None)
    )
    overdue = session.exec(
        queries.scoped(select(State.assignment_id), scope).where(
            category_at(scope.reference) == Category.OVERDUE.value,
            col(State.unit_id).in_(unit_scope(session, unit_id)),
            col(State.assignment_id).not_in(already_asked),
        )
    ).all()
    created = []
    # One moment for the whole request: it is one request, answered on one page.
    now = utcnow()
    for assignment_id in overdue:
        request = ExplanationRequest(
            assignment_id=assignment_id,
            review_id=review.id,
            message=message,
            requested_by_id=saved_id(actor),
            requested_at=now,
        )
        session.add(request)
        created.append(request)
    session.flush()
    for request in created:
        request.batch_id = created[0].id
    session.flush()
    for request in created:
        audit.record(
            session,
            actor=actor,
            action="explanation.requested",
            entity_type="explanation_request",
            entity_id=request.id,
            changes={"assignment_id": [None, request.assignment_id], "message": [None, message]},
        )
    tell.explanation_requested(session, requests=created, asked_unit_id=unit_id, actor=actor)
    return created


def answer(session: Session, *, actor: User, request_id: int, text: str) -> ExplanationRequest:
    """Record the unit's answer; a request is answered once. Whoever asked is told."""
    request = _answer(session, actor=actor, request_id=request_id, text=text, now=utcnow())
    tell.explanation_answered(session, requests=[request], actor=actor)
    return request


MAX_ANSWERS = 200


def answer_many(
    session: Session, *, actor: User, batch_id: int, answers: dict[int, str]
) -> list[ExplanationRequest]:
    """The answers given together on a request's page (request id -> text; blank ones are
    skipped); whoever asked hears of them in one entry. All or nothing."""
    members = {request.id for request in _batch_requests(session, batch_id)}
    given = {
        request_id: text
        for request_id, text in answers.items()
        if request_id in members and strip_control(text).strip()
    }
    if not given:
        raise InvalidInput(N_("Nhập nội dung giải trình cho ít nhất một nhiệm vụ."))
    if len(given) > MAX_ANSWERS:
        raise InvalidInput(N_("Mỗi lần gửi tối đa {n} giải trình."), n=MAX_ANSWERS)
    now = utcnow()
    answered = [
        _answer(session, actor=actor, request_id=request_id, text=text, now=now)
        for request_id, text in sorted(given.items())
    ]
    tell.explanation_answered(session, requests=answered, actor=actor)
    return answered


def _answer(
    session: Session, *, actor: User, request_id: int, text: str, now: datetime
) -> ExplanationRequest:
    request = session.get(ExplanationRequest, request_id)
    if request is None:
        raise NotFound(N_("Không tìm thấy yêu cầu giải trình này."))
    assignment = session.get(Assignment, request.assignment_id)
    assert assignment is not None  # a foreign key guarantees it
    if not can_answer_explanation(
        actor, unit_id=assignment.unit_id, scope=actor_scope(session, actor)
    ):
        raise PermissionDenied(N_("Chỉ đơn vị được giao nhiệm vụ mới giải trình được."))
    if request.answer is not None:
        raise InvalidInput(N_("Yêu cầu này đã được giải trình."))
    text = strip_control(text).strip()
    if not text:
        raise InvalidInput(N_("Nhập nội dung giải trình."))
    # Conditional: of two answers sent at once, the second is refused instead of overwriting.
    answered = session.exec(
        update(ExplanationRequest)
        .where(col(ExplanationRequest.id) == request.id, col(ExplanationRequest.answer).is_(None))
        .values(answer=text, answered_by_id=actor.id, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if answered.rowcount != 1:
        raise StaleUpdate(N_("Yêu cầu này vừa được giải trình ở nơi khác. Tải lại trang để xem."))
    session.refresh(request)
    audit.record(
        session,
        actor=actor,
        action="explanation.answered",
        entity_type="explanation_request",
        entity_id=request.id,
        changes={"answer": [None, text]},
    )
    return request


def for_assignment(session: Session, *, actor: User, assignment_id: int) -> list[Explanation]:
    """The explanations of one assignment, oldest first, for the assignment page."""
    # Whoever may see the assignment sees its explanations (the one viewing rule).
    assignment = load_assignment(session, actor=actor, assignment_id=assignment_id).assignment
    may_answer = can_answer_explanation(
        actor, unit_id=assignment.unit_id, scope=actor_scope(session, actor)
    )
    asker, answerer = aliased(User), aliased(User)
    rows = session.exec(
        select(ExplanationRequest, asker, answerer)
        .join(asker, col(ExplanationRequest.requested_by_id) == asker.id)
        .join(answerer, col(ExplanationRequest.answered_by_id) == answerer.id, isouter=True)
        .where(ExplanationRequest.assignment_id == assignment_id)
        .order_by(col(ExplanationRequest.requested_at), col(ExplanationRequest.id))
    ).all()
    return [
        Explanation(
            request=request,
            requested_by=requested_by,
            answered_by=answered_by,
            can_answer=may_answer and request.answer is None,
        )
        for request, requested_by, answered_by in rows
    ]


def open_for_unit(
    session: Session, *, actor: User, unit_id: int
) -> list[tuple[ExplanationRequest, Assignment, Unit]]:
    """Unanswered requests on a unit's work (its subtree included), oldest first."""
    reach = actor_scope(session, actor)
    if not (can_view_all_assignments(actor) or unit_id in reach):
        raise PermissionDenied(N_("Bạn không xem được giải trình của đơn vị này."))
    rows = session.exec(
        select(ExplanationRequest, Assignment, Unit)
        .join(Assignment, col(ExplanationRequest.assignment_id) == Assignment.id)
        .join(Unit, col(Assignment.unit_id) == Unit.id)
        .where(
            col(ExplanationRequest.answer).is_(None),
            col(Assignment.unit_id).in_(unit_scope(session, unit_id)),
        )
        .order_by(col(ExplanationRequest.requested_at), col(ExplanationRequest.id))
    ).all()
    return [(request, assignment, unit) for request, assignment, unit in rows]


def for_review(session: Session, review_id: int) -> dict[int, list[ExplanationRequest]]:
    """The requests made from a review, by assignment (for the review page and its exports)."""
    rows = session.exec(
        select(ExplanationRequest)
        .where(ExplanationRequest.review_id == review_id)
        .order_by(col(ExplanationRequest.requested_at), col(ExplanationRequest.id))
    ).all()
    result: dict[int, list[ExplanationRequest]] = {}
    for request in rows:
        result.setdefault(request.assignment_id, []).append(request)
    return result


def _batch_requests(session: Session, batch_id: int) -> list[ExplanationRequest]:
    return list(
        session.exec(
            select(ExplanationRequest)
            .where(
                or_(
                    col(ExplanationRequest.batch_id) == batch_id,
                    and_(
                        col(ExplanationRequest.batch_id).is_(None),
                        col(ExplanationRequest.id) == batch_id,
                    ),
                )
            )
            .order_by(col(ExplanationRequest.id))
        ).all()
    )


@dataclass(frozen=True)
class BatchItem:
    """One task of a request, as its page shows it."""

    request: ExplanationRequest
    assignment: Assignment
    task: Task
    unit: Unit
    answered_by: User | None
    can_answer: bool


@dataclass(frozen=True)
class Batch:
    """One request (its tasks the viewer may see), for the page where the unit answers it."""

    id: int
    message: str
    requested_by: User
    requested_at: datetime
    items: list[BatchItem]

    @property
    def open_count(self) -> int:
        return sum(1 for item in self.items if item.can_answer)


def batch(session: Session, *, actor: User, batch_id: int) -> Batch:
    """A request and its tasks within the viewer's reach: the board sees all, a unit its own
    (and its child units'). Nothing to see is "not found", whether it exists or not."""
    requests = _batch_requests(session, batch_id)
    reach = actor_scope(session, actor)
    see_all = can_view_all_assignments(actor)
    answerer = aliased(User)
    items = []
    for request, assignment, task, unit, answered_by in session.execute(
        sa_select(ExplanationRequest, Assignment, Task, Unit, answerer)
        .join(Assignment, col(ExplanationRequest.assignment_id) == col(Assignment.id))
        .join(Task, col(Assignment.task_id) == col(Task.id))
        .join(Unit, col(Assignment.unit_id) == col(Unit.id))
        .join(answerer, col(ExplanationRequest.answered_by_id) == col(answerer.id), isouter=True)
        .where(col(ExplanationRequest.id).in_([request.id for request in requests]))
        .order_by(col(ExplanationRequest.id))
    ).all():
        if not (see_all or assignment.unit_id in reach):
            continue
        may_answer = request.answer is None and can_answer_explanation(
            actor, unit_id=assignment.unit_id, scope=reach
        )
        items.append(BatchItem(request, assignment, task, unit, answered_by, may_answer))
    if not items:
        raise NotFound(N_("Không tìm thấy yêu cầu giải trình này."))
    first = requests[0]
    asker = session.get(User, first.requested_by_id)
    assert asker is not None  # a foreign key guarantees it
    items.sort(key=lambda item: _natural_code(item.task.code))
    return Batch(
        id=first.batch_id or first.id or 0,
        message=first.message,
        requested_by=asker,
        requested_at=first.requested_at,
        items=items,
    )


def _natural_code(code: str) -> tuple[object, ...]:
    from tracker.reminders.planning import _natural

    return _natural(code)
