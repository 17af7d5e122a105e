"""Reading assignments: lists, the assignment page, evidence downloads; permission first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.access import AssignmentContext, load_assignment
from tracker.assignments.asof import State, category_at, category_on, in_force, state_on
from tracker.assignments.models import (
    Assignment,
    AssignmentComment,
    EvidenceFile,
    ExtensionRequest,
    ProgressReport,
)
from tracker.assignments.status import Category
from tracker.audit.models import AuditEvent
from tracker.errors import N_, NotFound, PermissionDenied
from tracker.notices.models import Conclusion, NoticeStatus, Task, TaskRole, TaskUnit
from tracker.permissions import can_view_all_assignments, can_work_for_a_unit
from tracker.tables import select_many
from tracker.units.models import Unit
from tracker.units.queries import unit_scope


@dataclass(frozen=True)
class AssignmentRow:
    """One line of an assignment list."""

    assignment: Assignment
    task: Task
    conclusion: Conclusion
    unit: Unit
    category: Category
    is_support: bool = False


@dataclass(frozen=True)
class UnitFilters:
    """What a unit lead narrows the list by; None means any."""

    status: str | None = None
    conclusion_id: int | None = None
    period: str | None = None
    overdue_only: bool = False


def list_unit_assignments(
    session: Session,
    *,
    actor: User,
    reference: date,
    filters: UnitFilters | None = None,
    limit: int = 500,
) -> list[AssignmentRow]:
    """Published assignments of the actor's unit and the units below it, plus the tasks it
    supports; soonest due first."""
    if not can_work_for_a_unit(actor) or actor.unit_id is None:
        raise PermissionDenied(N_("Trang này dành cho tài khoản của đơn vị."))
    filters = filters or UnitFilters()
    scope = unit_scope(session, actor.unit_id)
    supported = select(TaskUnit.task_id).where(
        col(TaskUnit.unit_id).in_(scope), col(TaskUnit.role) == TaskRole.SUPPORT
    )
    category = category_at(reference)
    query = (
        select_many(Assignment, Task, Conclusion, Unit, category.label("category"))
        .join(State, and_(col(State.assignment_id) == Assignment.id, in_force(reference)))
        .join(Task, col(Assignment.task_id) == Task.id)
        .join(Conclusion, col(Task.conclusion_id) == Conclusion.id)
        .join(Unit, col(Assignment.unit_id) == Unit.id)
        .where(
            Conclusion.status == NoticeStatus.PUBLISHED,
            or_(col(Assignment.unit_id).in_(scope), col(Assignment.task_id).in_(supported)),
        )
    )
    if filters.status:
        query = query.where(State.status == filters.status)
    if filters.conclusion_id:
        query = query.where(Conclusion.id == filters.conclusion_id)
    if filters.period:
        query = query.where(Conclusion.period == filters.period)
    if filters.overdue_only:
        query = query.where(category == Category.OVERDUE.value)
    rows = session.exec(
        query.order_by(
            col(Assignment.due).is_(None),
            col(Assignment.due),
            col(Task.position),
            col(Assignment.id),
        ).limit(limit)
    ).all()
    return [
        AssignmentRow(
            assignment=a,
            task=t,
            conclusion=c,
            unit=u,
            category=Category(cat),
            is_support=a.unit_id not in scope,
        )
        for a, t, c, u, cat in rows
    ]


def unit_filter_choices(session: Session, *, actor: User) -> tuple[list[Conclusion], list[str]]:
    """The notices and periods a unit's list can be narrowed to."""
    scope = unit_scope(session, actor.unit_id) if actor.unit_id else set()
    assigned = (
        select(Task.conclusion_id)
        .join(Assignment, col(Assignment.task_id) == Task.id)
        .where(col(Assignment.unit_id).in_(scope))
    )
    notices = session.exec(
        select(Conclusion)
        .where(Conclusion.status == NoticeStatus.PUBLISHED, col(Conclusion.id).in_(assigned))
        .order_by(col(Conclusion.id).desc())
    ).all()
    periods = sorted({notice.period for notice in notices if notice.period}, reverse=True)
    return list(notices), periods


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    actor: User | None


@dataclass(frozen=True)
class ReportEntry:
    report: ProgressReport
    author: User
    files: list[EvidenceFile]


@dataclass(frozen=True)
class PartEntry:
    assignment: Assignment
    unit: Unit


@dataclass(frozen=True)
class AssignmentDetail:
    context: AssignmentContext
    category: Category
    history: list[HistoryEntry]
    reports: list[ReportEntry]
    comments: list[tuple[AssignmentComment, User]]
    extensions: list[ExtensionRequest]
    parts: list[PartEntry]
    parent_unit: Unit | None
    support_units: list[Unit]
    child_units: list[Unit]


def assignment_detail(
    session: Session, *, actor: User, assignment_id: int, reference: date
) -> AssignmentDetail:
    """Everything the assignment page shows, for someone allowed to see it."""
    context = load_assignment(session, actor=actor, assignment_id=assignment_id)
    assignment = context.assignment
    comments = list(
        session.exec(
            select(AssignmentComment, User)
            .join(User, col(AssignmentComment.author_id) == User.id)
            .where(AssignmentComment.assignment_id == assignment.id)
            .order_by(col(AssignmentComment.created_at))
        ).all()
    )
    extensions = list(
        session.exec(
            select(ExtensionRequest)
            .where(ExtensionRequest.assignment_id == assignment.id)
            .order_by(col(ExtensionRequest.requested_at).desc())
        ).all()
    )
    parts = _parts_of(session, assignment)
    parent_unit = None
    if assignment.parent_id is not None:
        parent_unit = session.exec(
            select(Unit)
            .join(Assignment, col(Assignment.unit_id) == Unit.id)
            .where(Assignment.id == assignment.parent_id)
        ).first()
    support_units = list(
        session.exec(
            select(Unit).where(col(Unit.id).in_(context.support_unit_ids)).order_by(Unit.name)
        ).all()
    )
    state = state_on(session, assignment.id or 0, reference)
    category = (
        state.category
        if state is not None
        else category_on(assignment.status, assignment.due, assignment.completed_on, reference)
    )
    return AssignmentDetail(
        context=context,
        category=category,
        history=_history_of(session, assignment),
        reports=_reports_of(session, assignment),
        comments=comments,
        extensions=extensions,
        parts=parts,
        parent_unit=parent_unit,
        support_units=support_units,
        child_units=_units_to_split_into(session, assignment, parts) if context.can_change else [],
    )


def _history_of(session: Session, assignment: Assignment) -> list[HistoryEntry]:
    """The assignment's history rows with who made them, newest first."""
    return [
        HistoryEntry(event, who)
        for event, who in session.exec(
            select(AuditEvent, User)
            .join(User, col(AuditEvent.actor_id) == User.id, isouter=True)
            .where(AuditEvent.entity_type == "assignment", AuditEvent.entity_id == assignment.id)
            .order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())
        ).all()
    ]


def _reports_of(session: Session, assignment: Assignment) -> list[ReportEntry]:
    """The assignment's progress reports, newest first, each with its author and files."""
    files: dict[int, list[EvidenceFile]] = {}
    for evidence in session.exec(
        select(EvidenceFile).where(EvidenceFile.assignment_id == assignment.id)
    ).all():
        files.setdefault(evidence.report_id or 0, []).append(evidence)
    return [
        ReportEntry(report, author, files.get(report.id or 0, []))
        for report, author in session.exec(
            select(ProgressReport, User)
            .join(User, col(ProgressReport.author_id) == User.id)
            .where(ProgressReport.assignment_id == assignment.id)
            .order_by(col(ProgressReport.created_at).desc(), col(ProgressReport.id).desc())
        ).all()
    ]


def _parts_of(session: Session, assignment: Assignment) -> list[PartEntry]:
    """The parts the assignment was split into, with their units, by unit name."""
    return [
        PartEntry(part, unit)
        for part, unit in session.exec(
            select(Assignment, Unit)
            .join(Unit, col(Assignment.unit_id) == Unit.id)
            .where(Assignment.parent_id == assignment.id)
            .order_by(Unit.name)
        ).all()
    ]


def _units_to_split_into(
    session: Session, assignment: Assignment, parts: list[PartEntry]
) -> list[Unit]:
    """Active units below the assignee that have no part yet: where a new part can go."""
    below = unit_scope(session, assignment.unit_id) - {assignment.unit_id}
    taken = {part.assignment.unit_id for part in parts}
    return list(
        session.exec(
            select(Unit)
            .where(col(Unit.id).in_(below - taken), col(Unit.is_active).is_(True))
            .order_by(Unit.name)
        ).all()
    )


def evidence_for_download(session: Session, *, actor: User, evidence_id: int) -> EvidenceFile:
    """An evidence file, only for people who may see its assignment."""
    evidence = session.get(EvidenceFile, evidence_id)
    if evidence is None:
        raise NotFound(N_("Không tìm thấy tệp đính kèm này."))
    load_assignment(session, actor=actor, assignment_id=evidence.assignment_id)
    return evidence


def count_by_category(session: Session, *, actor: User, reference: date) -> dict[Category, int]:
    """How many published lead assignments (not delegated parts) are in each category."""
    if not can_view_all_assignments(actor):
        raise PermissionDenied(N_("Bạn không có quyền xem số liệu tổng hợp."))
    category = category_at(reference)
    rows = session.exec(
        select(category, func.count())
        .select_from(State)
        .join(Task, col(State.task_id) == Task.id)
        .join(Conclusion, col(Task.conclusion_id) == Conclusion.id)
        .where(
            in_force(reference),
            Conclusion.status == NoticeStatus.PUBLISHED,
            # A delegated part is counted through its parent, not a second time.
            col(State.parent_id).is_(None),
        )
        .group_by(category)
    ).all()
    counts = dict.fromkeys(Category, 0)
    counts.update({Category(name): count for name, count in rows})
    return counts
