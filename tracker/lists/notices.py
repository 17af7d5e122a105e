"""The secretary's list of notices: sortable, filtered by the state of their assignments.

A notice is kept by a filter on its work when at least one of its assignments matches (as it
stands today, the as-of rule in SQL): "has overdue work", "has work due within 7 days", "has
work of this unit". Drafts are listed only for those who may see them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, case, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.asof import State, category_at, in_force
from tracker.assignments.models import STILL_IN_FORCE, AssignmentStatus
from tracker.assignments.status import Category
from tracker.errors import N_, PermissionDenied
from tracker.lists.assignments import DUE_WINDOWS, OVERDUE, WINDOW_DAYS
from tracker.lists.core import ArgsReader, Column, Sort, order_by, read_sort
from tracker.notices.models import Conclusion, NoticeStatus, Task
from tracker.permissions import can_view_all_assignments, can_view_draft_notices
from tracker.rollups.periods import Period
from tracker.units.queries import unit_scope

NOTICE_STATUSES = {
    NoticeStatus.PUBLISHED.value: N_("Đã ban hành"),
    NoticeStatus.DRAFT.value: N_("Bản nháp"),
}

_tasks = select(col(Task.conclusion_id), func.count(col(Task.id)).label("n")).group_by(
    col(Task.conclusion_id)
)
TASKS = _tasks.subquery("task_counts")
_assigned = (
    select(col(Task.conclusion_id), func.count(col(State.assignment_id)).label("n"))
    .join(State, col(State.task_id) == col(Task.id))
    .where(col(State.valid_until) == STILL_IN_FORCE)
    .group_by(col(Task.conclusion_id))
)
ASSIGNED = _assigned.subquery("assignment_counts")


def _overdue_counts(reference: date) -> Any:
    return (
        select(col(Task.conclusion_id), func.count(col(State.assignment_id)).label("n"))
        .join(State, col(State.task_id) == col(Task.id))
        .where(in_force(reference), category_at(reference) == Category.OVERDUE.value)
        .group_by(col(Task.conclusion_id))
        .subquery("overdue_counts")
    )


def _columns(overdue: Any) -> tuple[Column, ...]:
    return (
        Column("so", N_("Số"), lambda _: [col(Conclusion.number)]),
        Column("trich-yeu", N_("Trích yếu"), lambda _: [col(Conclusion.title)], False),
        Column("ky", N_("Kỳ"), lambda _: [col(Conclusion.period)]),
        Column("han", N_("Hạn chung"), lambda _: [col(Conclusion.default_due)]),
        Column(
            "nhiem-vu",
            N_("Nhiệm vụ"),
            lambda _: [func.coalesce(TASKS.c.n, 0)],
            False,
            first_descending=True,
        ),
        Column(
            "luot-giao",
            N_("Lượt giao"),
            lambda _: [func.coalesce(ASSIGNED.c.n, 0)],
            False,
            first_descending=True,
        ),
        Column(
            "qua-han",
            N_("Quá hạn"),
            lambda _: [func.coalesce(overdue.c.n, 0)],
            False,
            first_descending=True,
        ),
        Column(
            "trang-thai",
            N_("Trạng thái"),
            # Published or drafted, the newest first: what the list opened on before.
            lambda _: [func.coalesce(col(Conclusion.published_at), col(Conclusion.created_at))],
            False,
            first_descending=True,
        ),
    )


# The keys and headings, for the template and the sort reader (the SQL needs a reference date).
COLUMNS = _columns(_overdue_counts(date(2000, 1, 1)))
DEFAULT_SORT = Sort("trang-thai", descending=True)


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    period: Period | None = None
    unit_id: int | None = None
    category: Category | None = None
    due_window: str | None = None


def read_filters(reader: ArgsReader) -> Filters:
    category = reader.choice("loai", [item.value for item in Category])
    return Filters(
        status=reader.choice("tt", list(NOTICE_STATUSES)) or None,
        period=reader.period("ky"),
        unit_id=reader.identifier("dv"),
        category=Category(category) if category else None,
        due_window=reader.choice("han", list(DUE_WINDOWS)) or None,
    )


@dataclass(frozen=True)
class Row:
    conclusion: Conclusion
    task_count: int
    assignment_count: int
    overdue_count: int


def _has_work(conditions: list[ColumnElement[bool]], reference: date) -> ColumnElement[bool]:
    """The notice has at least one assignment meeting `conditions` at `reference`."""
    matching = (
        select(col(Task.conclusion_id))
        .join(State, col(State.task_id) == col(Task.id))
        .where(in_force(reference), *conditions)
    )
    return col(Conclusion.id).in_(matching)


def _where(
    session: Session, actor: User, filters: Filters, reference: date
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if not can_view_draft_notices(actor):
        where.append(col(Conclusion.status) == NoticeStatus.PUBLISHED)
    if filters.status:
        where.append(col(Conclusion.status) == filters.status)
    if filters.period is not None:
        code = filters.period.code
        where.append(
            or_(col(Conclusion.period) == code, col(Conclusion.period).startswith(f"{code}-"))
            if filters.period.kind == "Y"
            else col(Conclusion.period) == code
        )
    if filters.unit_id is not None:
        where.append(
            _has_work([col(State.unit_id).in_(unit_scope(session, filters.unit_id))], reference)
        )
    if filters.category is not None:
        where.append(_has_work([category_at(reference) == filters.category.value], reference))
    if filters.due_window == OVERDUE:
        where.append(_has_work([category_at(reference) == Category.OVERDUE.value], reference))
    elif filters.due_window in WINDOW_DAYS:
        horizon = reference + timedelta(days=WINDOW_DAYS[filters.due_window])
        open_work = col(State.status).in_(
            [AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS]
        )
        where.append(_has_work([col(State.due).between(reference, horizon), open_work], reference))
    return where


COUNT_KEYS = ("nhiem-vu", "luot-giao", "qua-han")


def statement(
    session: Session, actor: User, filters: Filters, sort: Sort, reference: date
) -> Select[Any]:
    """The notices' ids, filtered and sorted; `load_rows` reads what a page shows of them.

    Only a sort by a count joins the counts of every notice; otherwise the page's counts are
    read for its own notices alone (a second, small query).
    """
    if not can_view_all_assignments(actor):
        raise PermissionDenied(N_("Bạn không có quyền xem danh sách thông báo."))
    overdue = _overdue_counts(reference)
    query = select(col(Conclusion.id))
    if sort.key in COUNT_KEYS:
        query = (
            query.join(TASKS, TASKS.c.conclusion_id == col(Conclusion.id), isouter=True)
            .join(ASSIGNED, ASSIGNED.c.conclusion_id == col(Conclusion.id), isouter=True)
            .join(overdue, overdue.c.conclusion_id == col(Conclusion.id), isouter=True)
        )
    query = query.where(*_where(session, actor, filters, reference))
    tiebreak = (col(Conclusion.id).desc(),)
    return query.order_by(*order_by(sort, _columns(overdue), reference, tiebreak))


def count(session: Session, actor: User, filters: Filters, reference: date) -> int:
    counted = select(func.count()).select_from(Conclusion)
    return int(session.exec(counted.where(*_where(session, actor, filters, reference))).one())


def load_rows(session: Session, ids: Sequence[int], reference: date) -> list[Row]:
    """The notices `ids`, in that order, with their counts at `reference`."""
    if not ids:
        return []
    notices = {
        notice.id: notice
        for notice in session.exec(select(Conclusion).where(col(Conclusion.id).in_(ids))).all()
    }
    in_ids = col(Task.conclusion_id).in_(ids)
    tasks = dict(
        session.exec(
            select(col(Task.conclusion_id), func.count())
            .where(in_ids)
            .group_by(col(Task.conclusion_id))
        ).all()
    )
    assigned, overdue = {}, {}
    is_overdue = category_at(reference) == Category.OVERDUE.value
    for notice_id, every, late in session.exec(
        select(
            col(Task.conclusion_id),
            func.count(),
            func.coalesce(func.sum(case((is_overdue, 1), else_=0)), 0),
        )
        .join(State, col(State.task_id) == col(Task.id))
        .where(in_ids, in_force(reference))
        .group_by(col(Task.conclusion_id))
    ).all():
        assigned[notice_id], overdue[notice_id] = every, late
    return [
        Row(notices[i], tasks.get(i, 0), assigned.get(i, 0), int(overdue.get(i, 0)))
        for i in ids
        if i in notices
    ]


def read_sort_of(args: Any) -> Sort:
    return read_sort(args, COLUMNS, DEFAULT_SORT)
