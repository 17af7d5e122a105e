"""The assignment lists: the unit's work, the secretary's every assignment, the head's
drill-down. One query builder, three audiences; the category is the as-of rule in SQL
(`tracker.assignments.asof.category_at`), judged at the list's reference date.

Who sees what is part of the query (never a filter a link could drop): a unit account sees its
own unit, the units below it and the tasks it supports; the head's drill-down counts exactly
what the dashboard's figures count (published lead assignments, delegated parts through their
parent); the secretary and the head see every published assignment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, union
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.asof import State, category_at, in_force
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
)
from tracker.assignments.status import Category
from tracker.errors import N_, InvalidInput, PermissionDenied
from tracker.lists.core import ArgsReader, Column, Sort, order_by, read_sort
from tracker.notices.models import Conclusion, NoticeStatus, Task, TaskRole, TaskUnit
from tracker.permissions import can_view_all_assignments, can_view_rollups, can_work_for_a_unit
from tracker.rollups.models import ExplanationRequest
from tracker.rollups.periods import Period
from tracker.units.models import Unit
from tracker.units.queries import unit_scope


class Audience(StrEnum):
    UNIT = "unit"  # a unit account: its subtree and the tasks it supports
    ALL = "all"  # the secretary or the head: every published assignment
    ROLLUP = "rollup"  # the head's drill-down: what the dashboard's figures count


# ?tt=: open work (neither finished nor cancelled), everything, or one stored status.
OPEN, EVERY = "mo", "tat-ca"
STATUS_CHOICES = (OPEN, EVERY, *[status.value for status in AssignmentStatus])
STATUS_LABELS = {
    OPEN: N_("Đang mở"),
    EVERY: N_("Tất cả"),
    AssignmentStatus.NOT_STARTED.value: N_("Chưa triển khai"),
    AssignmentStatus.IN_PROGRESS.value: N_("Đang thực hiện"),
    AssignmentStatus.DONE.value: N_("Hoàn thành"),
    AssignmentStatus.CANCELLED.value: N_("Đã hủy"),
}
# ?han=: the due date's window, counted from the reference date.
OVERDUE, WITHIN_7, WITHIN_30 = "qua-han", "7-ngay", "30-ngay"
DUE_WINDOWS = {
    OVERDUE: N_("Quá hạn"),
    WITHIN_7: N_("Đến hạn trong 7 ngày"),
    WITHIN_30: N_("Đến hạn trong 30 ngày"),
}
WINDOW_DAYS = {WITHIN_7: 7, WITHIN_30: 30}
# ?cho=: waiting for something.
WAITING_DECISION, EXPLANATION_ASKED = "gia-han", "giai-trinh"
WAITING = {
    WAITING_DECISION: N_("Chờ quyết định gia hạn"),
    EXPLANATION_ASKED: N_("Được yêu cầu giải trình"),
}
# Most urgent first when sorted by category.
CATEGORY_ORDER = (
    Category.OVERDUE,
    Category.NOT_STARTED,
    Category.IN_PROGRESS,
    Category.DONE_LATE,
    Category.DONE_ON_TIME,
    Category.CANCELLED,
)


def _category_rank(reference: date) -> Sequence[ColumnElement[Any]]:
    category = category_at(reference)
    return [
        case(
            *[(category == item.value, rank) for rank, item in enumerate(CATEGORY_ORDER)],
            else_=len(CATEGORY_ORDER),
        )
    ]


COLUMNS: tuple[Column, ...] = (
    Column("nhiem-vu", N_("Nhiệm vụ"), lambda _: [col(Conclusion.id), col(Task.position)], False),
    Column("thong-bao", N_("Thông báo"), lambda _: [col(Conclusion.number)]),
    Column("don-vi", N_("Đơn vị"), lambda _: [col(Unit.name)]),
    Column("han", N_("Hạn"), lambda _: [col(State.due)]),
    Column("tien-do", N_("Tiến độ"), lambda _: [col(State.percent)], False, first_descending=True),
    Column("tinh-trang", N_("Tình trạng"), _category_rank, False),
)
DEFAULT_SORT = Sort("han")
TIEBREAK = (col(State.assignment_id),)


@dataclass(frozen=True)
class Filters:
    """What a list is narrowed to; None or empty means any."""

    status: str = EVERY
    category: Category | None = None
    due_window: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    notice_id: int | None = None
    unit_id: int | None = None
    own_only: bool = False  # with unit_id: the unit's own work, not its subtree's
    period: Period | None = None
    waiting: str | None = None


def read_filters(reader: ArgsReader, *, default_status: str) -> Filters:
    """The filters of the query string; bad values are reported by `reader` and ignored."""
    category = reader.choice("loai", [item.value for item in Category])
    filters = Filters(
        status=reader.choice("tt", STATUS_CHOICES, default_status),
        category=Category(category) if category else None,
        due_window=reader.choice("han", list(DUE_WINDOWS)) or None,
        due_from=reader.day("tu"),
        due_to=reader.day("den"),
        notice_id=reader.identifier("tb"),
        unit_id=reader.identifier("dv"),
        own_only=reader.flag("rieng"),
        period=reader.period("ky"),
        waiting=reader.choice("cho", list(WAITING)) or None,
    )
    if filters.due_from and filters.due_to and filters.due_from > filters.due_to:
        reader.errors.append(
            InvalidInput(N_("Ngày “từ” phải trước ngày “đến”; đã bỏ khoảng ngày này."))
        )
        reader.kept.pop("tu", None)
        reader.kept.pop("den", None)
        filters = replace(filters, due_from=None, due_to=None)
    return filters


MAX_NAMED_IDS = 5_000


def _visible_to(scope: frozenset[int]) -> Any:
    """The ids of the assignments of `scope`'s units and of the tasks they support."""
    supported = select(col(TaskUnit.task_id)).where(
        col(TaskUnit.unit_id).in_(scope), col(TaskUnit.role) == TaskRole.SUPPORT
    )
    # A UNION rather than an OR: each half is read through its own index.
    return union(
        select(col(Assignment.id)).where(col(Assignment.unit_id).in_(scope)),
        select(col(Assignment.id)).where(col(Assignment.task_id).in_(supported)),
    )


@dataclass(frozen=True)
class Viewer:
    """Whose list this is, and which assignments it may show."""

    audience: Audience
    scope: frozenset[int] = frozenset()  # a unit account's units
    # A unit's assignments, when few enough to name: the planners then go straight to their
    # state rows through the index (PostgreSQL otherwise scanned every state row).
    assignment_ids: tuple[int, ...] | None = None

    @classmethod
    def of(cls, session: Session, actor: User, audience: Audience) -> Viewer:
        """The viewer for `audience`, refused unless the actor may see that list."""
        if audience == Audience.UNIT:
            if not can_work_for_a_unit(actor) or actor.unit_id is None:
                raise PermissionDenied(N_("Trang này dành cho tài khoản của đơn vị."))
            scope = frozenset(unit_scope(session, actor.unit_id))
            ids = session.exec(_visible_to(scope).limit(MAX_NAMED_IDS + 1)).scalars().all()
            named = tuple(ids) if len(ids) <= MAX_NAMED_IDS else None
            return cls(audience, scope, named)
        allowed = can_view_rollups if audience == Audience.ROLLUP else can_view_all_assignments
        if not allowed(actor):
            raise PermissionDenied(N_("Bạn không có quyền xem danh sách này."))
        return cls(audience)

    def conditions(self) -> list[ColumnElement[bool]]:
        """The state rows this viewer may see (only conditions on State: the COUNT needs no
        join, and a unit's list starts from its few assignments through their indexes)."""
        if self.audience == Audience.UNIT:
            if self.assignment_ids is not None:
                return [col(State.assignment_id).in_(self.assignment_ids)]
            # Too many to name (a board high in the tree): one pass over the state rows.
            supported = select(col(TaskUnit.task_id)).where(
                col(TaskUnit.unit_id).in_(self.scope), col(TaskUnit.role) == TaskRole.SUPPORT
            )
            return [or_(col(State.unit_id).in_(self.scope), col(State.task_id).in_(supported))]
        if self.audience == Audience.ROLLUP:
            return [col(State.parent_id).is_(None)]
        return []


@dataclass(frozen=True)
class Ref:
    """What a list shows of an assignment, its task, notice or unit: plain values read in the
    list's one query (loading whole records cost more than the query at 5,000 rows)."""

    id: int
    code: str = ""
    text: str = ""
    number: str | None = None
    title: str = ""
    name: str = ""


@dataclass(frozen=True)
class Row:
    """One line of an assignment list, as it stood at the list's reference date."""

    assignment: Ref
    task: Ref
    conclusion: Ref
    unit: Ref
    category: Category
    status: str
    percent: int
    due: date | None
    completed_on: date | None
    is_support: bool = False


def _where(
    session: Session, viewer: Viewer, filters: Filters, reference: date
) -> list[ColumnElement[bool]]:
    return [*_visible(viewer, reference), *_narrowed(session, filters, reference)]


def _visible(viewer: Viewer, reference: date) -> list[ColumnElement[bool]]:
    """The state rows at `reference` of published notices that `viewer` may see."""
    # "Not a task of a draft" rather than a join to every notice, as the rollups do it: drafts
    # are few, so each state row is checked against a small set.
    drafts = (
        select(col(Task.id))
        .join(Conclusion, col(Task.conclusion_id) == col(Conclusion.id))
        .where(col(Conclusion.status) != NoticeStatus.PUBLISHED)
    )
    return [in_force(reference), col(State.task_id).not_in(drafts), *viewer.conditions()]


def _narrowed(session: Session, filters: Filters, reference: date) -> list[ColumnElement[bool]]:
    """The conditions of `filters`."""
    category = category_at(reference)
    where: list[ColumnElement[bool]] = []
    if filters.status == OPEN:
        where.append(
            col(State.status).in_([AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS])
        )
    elif filters.status != EVERY:
        where.append(col(State.status) == filters.status)
    if filters.category is not None:
        where.append(category == filters.category.value)
    if filters.due_window == OVERDUE:
        where.append(category == Category.OVERDUE.value)
    elif filters.due_window in WINDOW_DAYS:
        horizon = reference + timedelta(days=WINDOW_DAYS[filters.due_window])
        where.append(col(State.due).between(reference, horizon))
    if filters.due_from is not None:
        where.append(col(State.due) >= filters.due_from)
    if filters.due_to is not None:
        where.append(col(State.due) <= filters.due_to)
    if filters.notice_id is not None:
        where.append(
            col(State.task_id).in_(
                select(col(Task.id)).where(col(Task.conclusion_id) == filters.notice_id)
            )
        )
    if filters.unit_id is not None:
        units = {filters.unit_id} if filters.own_only else unit_scope(session, filters.unit_id)
        where.append(col(State.unit_id).in_(units))
    if filters.period is not None:
        where.append(col(State.due).between(filters.period.start, filters.period.end))
    if filters.waiting == WAITING_DECISION:
        pending = select(col(ExtensionRequest.assignment_id)).where(
            col(ExtensionRequest.status) == ExtensionStatus.PENDING
        )
        where.append(col(State.assignment_id).in_(pending))
    elif filters.waiting == EXPLANATION_ASKED:
        asked = select(col(ExplanationRequest.assignment_id)).where(
            col(ExplanationRequest.answer).is_(None)
        )
        where.append(col(State.assignment_id).in_(asked))
    return where


def statement(
    session: Session, viewer: Viewer, filters: Filters, sort: Sort, reference: date
) -> Select[Any]:
    """The list's rows, filtered and sorted (not yet cut into pages)."""
    columns = select(  # type: ignore[call-overload]
        col(State.assignment_id),
        col(Task.code),
        col(Task.text),
        col(Conclusion.id),
        col(Conclusion.number),
        col(Conclusion.title),
        col(Unit.id),
        col(Unit.name),
        category_at(reference),
        col(State.status),
        col(State.percent),
        col(State.due),
        col(State.completed_on),
    )
    return (
        columns.select_from(State)
        .join(Task, col(State.task_id) == col(Task.id))
        .join(Conclusion, col(Task.conclusion_id) == col(Conclusion.id))
        .join(Unit, col(State.unit_id) == col(Unit.id))
        .where(*_where(session, viewer, filters, reference))
        .order_by(*order_by(sort, COLUMNS, reference, TIEBREAK))
    )


def count(session: Session, viewer: Viewer, filters: Filters, reference: date) -> int:
    """How many rows the list has with these filters (one COUNT, no rows loaded)."""
    counted = select(func.count()).select_from(State)
    counted = counted.where(*_where(session, viewer, filters, reference))
    return int(session.exec(counted).one())


def rows(viewer: Viewer, raw: Sequence[Any]) -> list[Row]:
    """Rows of `statement` as `Row`s."""
    return [
        Row(
            assignment=Ref(assignment_id),
            task=Ref(0, code=code, text=text),
            conclusion=Ref(notice_id, number=number, title=title),
            unit=Ref(unit_id, name=unit_name),
            category=Category(category),
            status=status,
            percent=percent,
            due=due,
            completed_on=completed_on,
            is_support=viewer.audience == Audience.UNIT and unit_id not in viewer.scope,
        )
        for (
            assignment_id,
            code,
            text,
            notice_id,
            number,
            title,
            unit_id,
            unit_name,
            category,
            status,
            percent,
            due,
            completed_on,
        ) in raw
    ]


@dataclass(frozen=True)
class Tally:
    """A count at the top of the unit's home, and the filter its link applies."""

    key: str
    label: str
    count: int
    params: Mapping[str, str]


def unit_tallies(session: Session, viewer: Viewer, reference: date) -> list[Tally]:
    """Overdue, due within 7 days, waiting for a decision, explanation requested: each the
    total of the list its link opens (the same query), among open work."""
    wanted = [
        ("han", OVERDUE, N_("Quá hạn")),
        ("han", WITHIN_7, N_("Đến hạn trong 7 ngày")),
        ("cho", WAITING_DECISION, N_("Chờ quyết định gia hạn")),
        ("cho", EXPLANATION_ASKED, N_("Được yêu cầu giải trình")),
    ]

    # One pass over the visible open work, one FILTERed count per tally: the same conditions
    # as the lists the links open (`_narrowed`), so a count always equals its list's total.
    def only(name: str, value: str) -> Filters:
        if name == "han":
            return Filters(status=EVERY, due_window=value)
        return Filters(status=EVERY, waiting=value)

    counts = [
        func.count().filter(and_(*_narrowed(session, only(name, value), reference)))
        for name, value, _ in wanted
    ]
    open_work = _narrowed(session, Filters(status=OPEN), reference)
    found: Any = session.exec(
        select(*counts).select_from(State).where(*_visible(viewer, reference), *open_work)
    ).one()
    return [
        Tally(value, label, int(number), {name: value})
        for (name, value, label), number in zip(wanted, found, strict=True)
    ]


def read_sort_of(args: Mapping[str, str]) -> Sort:
    return read_sort(args, COLUMNS, DEFAULT_SORT)


def unit_choices(session: Session, viewer: Viewer) -> list[Unit]:
    """The units the filter offers: a unit's own subtree; for others the two top levels."""
    if viewer.audience == Audience.UNIT:
        query = select(Unit).where(col(Unit.id).in_(viewer.scope))
    else:
        top = select(col(Unit.id)).where(col(Unit.parent_id).is_(None))
        query = select(Unit).where(or_(col(Unit.parent_id).is_(None), col(Unit.parent_id).in_(top)))
    return list(session.exec(query.order_by(col(Unit.name)).limit(500)).all())


def notice_choices(session: Session, viewer: Viewer) -> list[Conclusion]:
    """The published notices the filter offers (a unit: those it has work in), newest first."""
    query = select(Conclusion).where(col(Conclusion.status) == NoticeStatus.PUBLISHED)
    if viewer.audience == Audience.UNIT:
        assigned = (
            select(col(Task.conclusion_id))
            .join(State, col(State.task_id) == col(Task.id))
            .where(and_(*viewer.conditions()))
        )
        query = query.where(col(Conclusion.id).in_(assigned))
    return list(session.exec(query.order_by(col(Conclusion.id).desc()).limit(200)).all())


def due_years(session: Session, today: date, at_most: int = 6) -> tuple[int, int]:
    """The first and last years work falls due in (today's included), for the period filter."""
    first, last = session.exec(
        select(func.min(col(Assignment.due)), func.max(col(Assignment.due)))
    ).one()
    first_year = min(first.year if first else today.year, today.year)
    last_year = max(last.year if last else today.year, today.year)
    return max(first_year, last_year - at_most + 1), last_year
